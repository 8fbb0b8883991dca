// Runs every case in test/fixtures/gateway/conformance/*.json against a real gateway on a real
// socket, with real backend servers. A new case is one new file; the format is documented in
// test/fixtures/gateway/conformance/README.md.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import {
  type ClientRequest,
  mustConfig,
  type RouteSpec,
  send,
  startBackend,
  startGateway,
  subsetMismatch,
  type TestBackend,
  withBackends,
} from './helpers.ts'

interface Expect {
  status?: number
  headers?: Record<string, string | null>
  body?: unknown
  bodyText?: string
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
  backends?: Record<string, Record<string, RouteSpec>>
  config: Record<string, unknown>
  request?: ClientRequest
  expect?: Expect
  steps?: Step[]
}

const dir = new URL('../fixtures/gateway/conformance/', import.meta.url).pathname
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()

describe('gateway conformance (data-driven)', () => {
  test('the corpus is not empty', () => assert.ok(files.length >= 40, `only ${files.length} cases`))
  for (const file of files) {
    const spec = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Case
    test(`${file}: ${spec.description}`, async () => {
      assert.ok(spec.covers?.length > 0, 'a case says what it covers')
      const backends: Record<string, TestBackend> = {}
      for (const [name, routes] of Object.entries(spec.backends ?? {}))
        backends[name] = await startBackend(name, routes)
      const raw = withBackends({ version: 3, name: 'conformance', ...spec.config }, backends)
      const running = await startGateway(mustConfig(raw), { metrics: true })
      after(async () => {
        await running.close()
        for (const b of Object.values(backends)) await b.close()
      })
      const steps: Step[] = spec.steps ?? [
        { request: spec.request as ClientRequest, expect: spec.expect as Expect },
      ]
      for (const [i, step] of steps.entries()) {
        if (step.action === 'drain') {
          running.gateway.drain()
          continue
        }
        const req = step.request as ClientRequest
        const res = await send(running.url, req)
        const where = `step ${i} ${req.method ?? 'GET'} ${req.path}${req.http2 ? ' (h2c)' : ''}`
        const e = step.expect ?? {}
        if (e.status !== undefined) assert.equal(res.status, e.status, `${where}: status; body=${res.text}`)
        for (const [name, value] of Object.entries(e.headers ?? {})) {
          const actual = res.headers[name.toLowerCase()]
          if (value === null) assert.equal(actual, undefined, `${where}: header ${name} must be absent`)
          else
            assert.equal(
              Array.isArray(actual) ? actual.join(', ') : actual,
              value,
              `${where}: header ${name}`,
            )
        }
        if (e.bodyText !== undefined) assert.equal(res.text, e.bodyText, `${where}: body text`)
        if (e.body !== undefined) assert.deepEqual(JSON.parse(res.text), e.body, `${where}: body`)
        if (e.bodySubset !== undefined) {
          const mismatch = subsetMismatch(JSON.parse(res.text), e.bodySubset)
          assert.equal(mismatch, undefined, `${where}: body ${res.text}`)
        }
        for (const [name, check] of Object.entries(e.backend ?? {})) {
          const seen = backends[name]?.seen ?? []
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
    })
  }
})
