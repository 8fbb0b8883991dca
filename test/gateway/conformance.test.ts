// Runs every case in test/fixtures/gateway/conformance/*.json against a real gateway on a real
// socket, with real backend servers, twice: as written (HTTP/1.1 unless a request asks for h2c),
// then with every request that does not name a protocol sent over h2c, where KrakenD (Go's h2c
// handler) gives the same answers. A new case is one new file; the format is documented in
// test/fixtures/gateway/conformance/README.md.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import {
  type ClientRequest,
  freePort,
  mustConfig,
  type RouteSpec,
  send,
  startBackend,
  startGateway,
  subsetMismatch,
  type TestBackend,
  withBackends,
} from './helpers.ts'
import { startKrakendMock } from './krakend-mock.ts'

interface Expect {
  status?: number
  /** Exact values (a list for a repeated header), null = absent; `$name` stands for a backend origin. */
  headers?: Record<string, string | string[] | null>
  body?: unknown
  bodyText?: string
  /** The body's bytes exactly (as UTF-8 text; `$name` stands for a backend's origin). */
  bodyBytes?: string
  bodySubset?: unknown
  backend?: Record<
    string,
    {
      count?: number
      last?: { method?: string; url?: string; headers?: Record<string, string | null>; body?: string }
    }
  >
}
interface Step {
  request?: ClientRequest
  expect?: Expect
  action?: 'drain'
}
interface Case {
  description: string
  covers: string[]
  /** Route tables, or "krakend-mock" for a backend that answers like KrakenD's Go test backend. */
  backends?: Record<string, Record<string, RouteSpec> | 'krakend-mock'>
  config: Record<string, unknown>
  request?: ClientRequest
  expect?: Expect
  steps?: Step[]
}

const dir = new URL('../fixtures/gateway/conformance/', import.meta.url).pathname
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()

/** Connection-specific headers: HTTP/1.1 only, never in an HTTP/2 answer (RFC 9113, 8.2.2). */
const HTTP1_ONLY = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade'])

describe('gateway conformance (data-driven)', () => {
  test('the corpus is not empty', () => assert.ok(files.length >= 40, `only ${files.length} cases`))
  for (const file of files) runCase(file, 'as written')
})

describe('gateway conformance over h2c (requests that name no protocol)', () => {
  for (const file of files) runCase(file, 'h2c')
})

function runCase(file: string, protocol: 'as written' | 'h2c'): void {
  const spec = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Case
  test(`${file}: ${spec.description}`, async () => {
    assert.ok(spec.covers?.length > 0, 'a case says what it covers')
    // Closed however the case ends: a backend left open (a refused config) keeps the file's process alive.
    const open: Array<{ close(): Promise<void> }> = []
    try {
      await runSteps(spec, protocol, open)
    } finally {
      for (const item of open.reverse()) await item.close()
    }
  })
}

async function runSteps(spec: Case, protocol: 'as written' | 'h2c', open: Array<{ close(): Promise<void> }>) {
  const backends: Record<string, TestBackend> = {}
  for (const [name, routes] of Object.entries(spec.backends ?? {})) {
    const backend =
      routes === 'krakend-mock' ? await startKrakendMock(name) : await startBackend(name, routes)
    backends[name] = backend
    open.push(backend)
  }
  // "$gateway" in a config is the gateway's own origin (KrakenD's tests call /__debug/ that way).
  const port = JSON.stringify(spec.config).includes('"$gateway"') ? await freePort() : 0
  const origins: Record<string, TestBackend> = { ...backends }
  if (port !== 0)
    origins.gateway = {
      name: 'gateway',
      origin: `http://127.0.0.1:${port}`,
      seen: [],
      close: async () => {},
    }
  const raw = withBackends({ version: 3, name: 'conformance', ...spec.config }, origins)
  const running = await startGateway(mustConfig(raw), { metrics: true }, port)
  open.push(running)
  // Actual texts name backends by "$name", so expectations do not depend on ports.
  const named = (text: string) => {
    let out = text
    for (const [name, b] of Object.entries(origins)) out = out.replaceAll(b.origin, `$${name}`)
    return out
  }
  const steps: Step[] = spec.steps ?? [
    { request: spec.request as ClientRequest, expect: spec.expect as Expect },
  ]
  for (const [i, step] of steps.entries()) {
    if (step.action === 'drain') {
      running.gateway.drain()
      continue
    }
    const written = step.request as ClientRequest
    const req = protocol === 'h2c' && written.http2 === undefined ? overH2c(written) : written
    const res = await send(running.url, req)
    const where = `step ${i} ${req.method ?? 'GET'} ${req.path}${req.http2 ? ' (h2c)' : ''}`
    const e = step.expect ?? {}
    if (e.status !== undefined) assert.equal(res.status, e.status, `${where}: status; body=${res.text}`)
    for (const [name, expected] of Object.entries(e.headers ?? {})) {
      const actual = res.headers[name.toLowerCase()]
      const value = req.http2 && HTTP1_ONLY.has(name.toLowerCase()) ? null : expected
      if (value === null) assert.equal(actual, undefined, `${where}: header ${name} must be absent`)
      else if (Array.isArray(value) && req.http2 && !Array.isArray(actual))
        // node:http2's client folds repeated fields (other than set-cookie) into one value.
        assert.equal(named(String(actual)), value.join(', '), `${where}: header ${name}`)
      else if (Array.isArray(value))
        assert.deepEqual(
          (Array.isArray(actual) ? actual : [actual]).map((v) => named(String(v))),
          value,
          `${where}: header ${name}`,
        )
      else
        assert.equal(
          named(Array.isArray(actual) ? actual.join(', ') : String(actual)),
          value,
          `${where}: header ${name}`,
        )
    }
    if (e.bodyText !== undefined) assert.equal(named(res.text), e.bodyText, `${where}: body text`)
    if (e.bodyBytes !== undefined)
      assert.ok(
        Buffer.from(named(res.bytes.toString('latin1')), 'latin1').equals(Buffer.from(e.bodyBytes, 'utf8')),
        `${where}: body bytes\n  have: ${JSON.stringify(res.text)}\n  want: ${JSON.stringify(e.bodyBytes)}`,
      )
    if (e.body !== undefined) assert.deepEqual(JSON.parse(res.text), e.body, `${where}: body`)
    if (e.bodySubset !== undefined) {
      const mismatch = subsetMismatch(JSON.parse(res.text), e.bodySubset)
      assert.equal(mismatch, undefined, `${where}: body ${res.text}`)
    }
    for (const [name, check] of Object.entries(e.backend ?? {})) {
      const seen = backends[name]?.seen ?? []
      // Shadow backends are called in the background: give a missing call a moment to arrive.
      for (
        let waited = 0;
        check.count !== undefined && seen.length < check.count && waited < 2000;
        waited += 20
      )
        await new Promise((resolve) => setTimeout(resolve, 20))
      if (check.count !== undefined)
        assert.equal(seen.length, check.count, `${where}: calls to backend ${name}`)
      if (check.last) {
        const last = seen[seen.length - 1]
        assert.ok(last, `${where}: backend ${name} was called`)
        const mismatch = subsetMismatch(last, check.last)
        assert.equal(mismatch, undefined, `${where}: request seen by ${name}`)
      }
    }
  }
}

/**
 * A request of a case as an h2c client sends it: its Host as the `:authority` (a `host` field
 * would stay in Go's header map, where an HTTP/1 Host never is).
 */
function overH2c(req: ClientRequest): ClientRequest {
  const { host, ...headers } = req.headers ?? {}
  return { ...req, http2: true, headers: host === undefined ? headers : { ':authority': host, ...headers } }
}
