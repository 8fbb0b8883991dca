// Dev tool: runs KrakenD CE's own integration specs against our gateway runtime, compared the way
// krakend-ce's tests/integration.go compares (status exact; listed headers exact, "" = absent;
// string bodies byte for byte; other bodies as JSON values; a `schema` validated instead).
//
//   node scripts/krakend-specs.ts /work/.mirror/krakend+krakend-ce/repo [--all] [--keep]
//
// The argument is a krakend-ce checkout or bare mirror; its tests/fixtures/krakend.json and specs
// are read from there at run time (nothing of KrakenD's is copied into this repository). The
// config is written to a temp dir with only ports and listen_ip changed, `debug_endpoint` on (the
// harness runs `krakend run -d`), and the endpoints/namespaces of security and traffic components
// (issue 13) left out. It is checked with `gwdeploy gateway check`, served by `gwdeploy gateway
// run`, and the backend is test/gateway/krakend-mock.ts. Without --all only the 27 core specs run.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { request } from 'undici'
import { classifyNamespace, type NamespaceLevel } from '../src/config/gateway-namespaces.ts'
import { goJson } from '../src/gateway/go-json.ts'
import { startKrakendMock } from '../test/gateway/krakend-mock.ts'

const CORE = [
  'backend_301',
  'backend_302',
  'backend_303',
  'backend_307',
  'backend_404',
  'collection',
  'detail_error',
  'flatmap_1',
  'integration_jsonschema',
  'integration_no_body',
  'integration_schema',
  'no-op_1',
  'no-op_2',
  'param_forwarding_1',
  'param_forwarding_2',
  'param_forwarding_3',
  'param_forwarding_4',
  'query_forwarding_1',
  'query_forwarding_2',
  'query_forwarding_3',
  'router_404',
  'router_405',
  'router_redirect',
  'sequential_1',
  'sequential_2',
  'static',
  'timeout',
]
// The rss spec reads two feeds from showrss.info; the mock serves stand-ins (same channel titles,
// the only field the spec keeps) so the run never leaves the machine.
const FEED_SITE = 'http://showrss.info/'
const feed = (title: string) => ({
  contentType: 'application/rss+xml; charset=utf-8',
  body: `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>${title}</title><link>http://showrss.info/</link><description>stand-in feed</description><item><title>Episode</title><guid>1</guid></item></channel></rss>`,
})

const args = process.argv.slice(2)
const repo = args.find((a) => !a.startsWith('--'))
if (!repo) {
  process.stderr.write('usage: node scripts/krakend-specs.ts KRAKEND_CE_REPO [--all] [--keep]\n')
  process.exit(2)
}
const all = args.includes('--all')

function readRepoFile(path: string): string {
  if (existsSync(join(repo as string, path))) return readFileSync(join(repo as string, path), 'utf8')
  return execFileSync('git', ['-C', repo as string, 'show', `HEAD:${path}`], { encoding: 'utf8' })
}
function listRepoDir(path: string): string[] {
  const dir = join(repo as string, path)
  if (existsSync(dir)) return readdirSync(dir)
  return execFileSync('git', ['-C', repo as string, 'ls-tree', '--name-only', 'HEAD', `${path}/`], {
    encoding: 'utf8',
  })
    .split('\n')
    .filter((f) => f !== '')
    .map((f) => f.slice(path.length + 1))
}
function listSpecs(): string[] {
  return listRepoDir('tests/fixtures/specs').filter((f) => f.endsWith('.json'))
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

type Json = Record<string, unknown>
/** A namespace the bundled runtime refuses (the same registry `gateway check` uses). */
const refusedAt = (level: NamespaceLevel) => (key: string) =>
  classifyNamespace(key, level, 'bundled').kind === 'error'
const usesRefused = (extra: unknown, level: NamespaceLevel) =>
  typeof extra === 'object' && extra !== null && Object.keys(extra).some(refusedAt(level))

// The Go backend serves the symmetric JWK set the JWT specs are signed with; it is read from the
// harness's source at run time, like the specs.
const jwkSet = /func symmetricJWKEndpoint[\s\S]*?rw\.Write\(\[\]byte\(`([\s\S]*?)`\)\)/.exec(
  readRepoFile('tests/integration.go'),
)?.[1]
const mock = await startKrakendMock('mock', {
  ...(jwkSet ? { jsonRoutes: { '/jwk/symmetric': jwkSet } } : {}),
  routes: {
    '/user/schedule/1482.rss': feed('showRSS schedule feed'),
    '/user/1482.rss': feed('showRSS personal feed'),
  },
})
const mockPort = new URL(mock.origin).port
const gwPort = await freePort()
const swapPorts = (text: string) =>
  text
    .replaceAll('127.0.0.1:8080', `127.0.0.1:${gwPort}`)
    .replaceAll('localhost:8080', `localhost:${gwPort}`)
    .replaceAll('127.0.0.1:8081', `127.0.0.1:${mockPort}`)
    .replaceAll(FEED_SITE, `http://127.0.0.1:${mockPort}`)

const config = JSON.parse(swapPorts(readRepoFile('tests/fixtures/krakend.json'))) as Json
config.port = gwPort
config.listen_ip = '127.0.0.1'
config.debug_endpoint = true
const left: string[] = []
const rootExtra = (config.extra_config ?? {}) as Json
for (const key of Object.keys(rootExtra))
  if (refusedAt('service')(key)) {
    delete rootExtra[key]
    left.push(`extra_config.${key}`)
  }
config.endpoints = (config.endpoints as Json[]).filter((endpoint) => {
  const backends = (endpoint.backend as Json[]) ?? []
  const out =
    usesRefused(endpoint.extra_config, 'endpoint') ||
    backends.some((b) => usesRefused(b.extra_config, 'backend'))
  if (out) left.push(`endpoint ${endpoint.endpoint}`)
  return !out
})
const dir = mkdtempSync(join(tmpdir(), 'krakend-specs-'))
const file = join(dir, 'krakend.json')
writeFileSync(file, JSON.stringify(config, null, 2))
// Lua sources are read relative to the working directory (KrakenD's harness runs in tests/).
mkdirSync(join(dir, 'fixtures/lua'), { recursive: true })
for (const name of listRepoDir('tests/fixtures/lua').filter((f) => f.endsWith('.lua')))
  writeFileSync(join(dir, 'fixtures/lua', name), readRepoFile(`tests/fixtures/lua/${name}`))
process.stdout.write(`left out (refused by our runtime): ${left.join(', ')}\n`)

const bin = new URL('../bin/dev.js', import.meta.url).pathname
try {
  execFileSync(process.execPath, [bin, 'gateway', 'check', '-c', file], { stdio: 'pipe', cwd: dir })
  process.stdout.write('gwdeploy gateway check: exit 0\n')
} catch (error) {
  const e = error as { status: number; stdout: Buffer; stderr: Buffer }
  process.stdout.write(`gwdeploy gateway check: exit ${e.status}\n${e.stdout}${e.stderr}\n`)
}
const gateway = spawn(process.execPath, [bin, 'gateway', 'run', '-c', file, '--workers', '1'], {
  stdio: ['ignore', 'ignore', 'pipe'],
  cwd: dir,
})
let gatewayErr = ''
gateway.stderr.on('data', (c: Buffer) => {
  gatewayErr += c.toString()
})

const base = `http://127.0.0.1:${gwPort}`
for (let i = 0; ; i += 1) {
  try {
    const r = await request(`${base}/__health`)
    await r.body.dump()
    if (r.statusCode === 200) break
  } catch {}
  if (i > 200 || gateway.exitCode !== null) {
    process.stderr.write(`the gateway did not start:\n${gatewayErr}\n`)
    process.exit(1)
  }
  await new Promise((r) => setTimeout(r, 100))
}

interface Spec {
  in: { method?: string; url: string; header?: Record<string, string>; body?: unknown }
  out: { status_code: number; body?: unknown; header?: Record<string, string[]>; schema?: Json }
}

/**
 * One request as Go's http.Client writes it: no Connection header (undici and node:http add one,
 * which a gateway forwarding every client header, as lura does, would pass on).
 */
function goRequest(
  port: string,
  path: string,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<{ statusCode: number; headers: IncomingMessage['headers']; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers, agent: false })
    req.removeHeader('connection')
    if (body !== undefined) req.setHeader('content-length', Buffer.byteLength(body))
    req.on('error', reject)
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () =>
        resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, bytes: Buffer.concat(chunks) }),
      )
    })
    req.end(body)
  })
}

/** Go's default http.Client: its own User-Agent and gzip, redirects followed (10 at most). */
async function goClient(spec: Spec['in']) {
  let url = new URL(spec.url)
  let method = spec.method || 'GET'
  let body: string | undefined =
    spec.body === undefined || spec.body === null
      ? undefined
      : typeof spec.body === 'string'
        ? spec.body
        : goJson(spec.body)
  const headers: Record<string, string> = { 'user-agent': 'Go-http-client/1.1' }
  for (const [k, v] of Object.entries(spec.header ?? {})) headers[k.toLowerCase()] = v
  const hasAcceptEncoding = Object.keys(headers).some((k) => k.toLowerCase() === 'accept-encoding')
  if (!hasAcceptEncoding) headers['accept-encoding'] = 'gzip'
  for (let hops = 0; hops <= 10; hops += 1) {
    const res = await goRequest(
      url.port,
      `${url.pathname}${url.search}`,
      method,
      { ...headers, host: url.host },
      body ?? (['POST', 'PUT', 'PATCH'].includes(method) ? '' : undefined),
    )
    const location = res.headers.location
    if ([301, 302, 303, 307, 308].includes(res.statusCode) && typeof location === 'string') {
      const previous = url.href
      url = new URL(location, url)
      headers.referer = previous
      if (res.statusCode <= 303) {
        if (method !== 'GET' && method !== 'HEAD') method = 'GET'
        body = undefined
      }
      continue
    }
    let bytes = res.bytes
    const raw: Record<string, string[]> = {}
    for (const [k, v] of Object.entries(res.headers)) {
      const key = k.toLowerCase()
      raw[key] = Array.isArray(v) ? v : [String(v)]
    }
    if (!hasAcceptEncoding && raw['content-encoding']?.[0] === 'gzip') {
      bytes = gunzipSync(bytes)
      delete raw['content-encoding']
      delete raw['content-length']
    }
    return { status: res.statusCode, headers: raw, bytes }
  }
  throw new Error('stopped after 10 redirects')
}

/** The part of JSON Schema the specs use: type, required, properties, enum. */
function schemaProblems(schema: Json, value: unknown, path = '$'): string[] {
  const problems: string[] = []
  const type = schema.type as string | undefined
  const actual = Array.isArray(value)
    ? 'array'
    : value === null
      ? 'null'
      : typeof value === 'number'
        ? Number.isInteger(value)
          ? 'integer'
          : 'number'
        : typeof value
  if (type && !(type === actual || (type === 'number' && actual === 'integer')))
    problems.push(`${path}: not ${type}`)
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value)))
    problems.push(`${path}: not one of ${JSON.stringify(schema.enum)}`)
  if (actual === 'object') {
    const obj = value as Json
    for (const key of (schema.required as string[]) ?? [])
      if (!(key in obj)) problems.push(`${path}: missing "${key}"`)
    for (const [key, sub] of Object.entries((schema.properties as Record<string, Json>) ?? {}))
      if (key in obj) problems.push(...schemaProblems(sub, obj[key], `${path}.${key}`))
  }
  return problems
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Json)[k], (b as Json)[k]))
}

async function check(spec: Spec): Promise<string[]> {
  const res = await goClient(spec.in)
  const problems: string[] = []
  if (res.status !== spec.out.status_code) problems.push(`status ${res.status}, want ${spec.out.status_code}`)
  for (const [name, want] of Object.entries(spec.out.header ?? {})) {
    const have = res.headers[name.toLowerCase()]
    if (have === undefined) {
      if (want[0] !== '') problems.push(`header ${name} absent, want ${JSON.stringify(want)}`)
    } else if (JSON.stringify(have) !== JSON.stringify(want))
      problems.push(`header ${name} ${JSON.stringify(have)}, want ${JSON.stringify(want)}`)
  }
  const text = res.bytes.toString('utf8')
  if (spec.out.schema && Object.keys(spec.out.schema).length > 0) {
    try {
      problems.push(...schemaProblems(spec.out.schema, JSON.parse(text)))
    } catch {
      problems.push(`body is not JSON: ${text}`)
    }
  } else if (typeof spec.out.body === 'string') {
    if (text !== spec.out.body)
      problems.push(`body\n      have: ${JSON.stringify(text)}\n      want: ${JSON.stringify(spec.out.body)}`)
  } else if (spec.out.body !== undefined && spec.out.body !== null) {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {}
    if (!deepEqual(value, spec.out.body))
      problems.push(`body\n      have: ${text}\n      want: ${JSON.stringify(spec.out.body)}`)
  }
  return problems
}

let passed = 0
let failed = 0
const names = listSpecs()
  .map((f) => f.slice(0, -5))
  .filter((n) => all || CORE.includes(n))
  .sort()
for (const name of names) {
  const spec = JSON.parse(swapPorts(readRepoFile(`tests/fixtures/specs/${name}.json`))) as Spec
  let problems: string[]
  try {
    problems = await check(spec)
  } catch (error) {
    problems = [`request failed: ${(error as Error).message}`]
  }
  if (problems.length === 0) passed += 1
  else failed += 1
  process.stdout.write(
    `${problems.length === 0 ? 'PASS' : 'FAIL'} ${name}${problems.map((p) => `\n    ${p}`).join('')}\n`,
  )
}
process.stdout.write(`${passed} passed, ${failed} failed\n`)
gateway.kill('SIGTERM')
await mock.close()
if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true })
else process.stdout.write(`config kept in ${file}\n`)
process.exit(failed === 0 ? 0 : 1)
