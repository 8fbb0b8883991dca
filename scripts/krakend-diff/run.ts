// Dev tool: the same requests to KrakenD and to this runtime, both serving one config in front of
// one recording backend; prints every difference in the status line, the answer's headers (Date
// aside), its body, and the requests each gateway made to the backend.
//
//   node scripts/krakend-diff/run.ts SUITE [--only N] [--status] [--h2c] [--yaml]
//
// --yaml hands both gateways the config as a .yaml file (its JSON text, which is YAML too): read by
// go-yaml there, every integral number is then a Go int where JSON gives a float64.
// --h2c sends every case over HTTP/2 cleartext (prior knowledge), as the balancers gwdeploy puts in
// front of the nodes do; KrakenD then runs with `use_h2c`.
// SUITE names suites/SUITE.json or SUITE.config.ts (a KrakenD config whose "BACKEND" strings become the recording
// backend's origin) and suites/SUITE.cases.ts (`export const cases: Case[]`). KrakenD is the
// `krakend` binary given in KRAKEND_BIN or found on PATH; nothing of KrakenD's is in this
// repository, and without the binary the tool exits 2. Ports 18081/18082 (gateways) and 19000
// (backend) on 127.0.0.1; PORT_BASE=P moves them to P (backend), P+1 and P+2. Header names are compared case-insensitively; the backend replaces every
// User-Agent value with "UA" (the version each gateway sends is not the point).
// GATEWAY_ENTRY=FILE starts this runtime from FILE instead of src/gateway/main.ts, with the same
// arguments: a built bundle's start.cjs (the entry images and local nodes run, with its code cache).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { connect } from 'node:http2'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { hooks, type Seen, seen, startBackend } from './backend.ts'
import { writeCaseHeaders } from './case-headers.ts'
import { exchange, parseAnswers } from './raw-h1.ts'
import { ensurePortsFree, krakendBinary, ports, ROOT, sleep, startGroup } from './side-by-side.ts'

export interface Case {
  method?: string
  path: string
  headers?: Array<[string, string]>
  body?: string
  /** Bytes written as they are on one HTTP/1 connection (then `method`/`headers`/`body` only label it). */
  raw?: string
  /** Over --h2c: the `:authority`, a `host` header of the case then going as a field of its own. */
  authority?: string
  /** Over --h2c: the `:scheme` (http unless told). */
  scheme?: string
  /** Milliseconds to wait before the case (so on each gateway after the one before: expiry). */
  pause?: number
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    only: { type: 'string' },
    status: { type: 'boolean' },
    h2c: { type: 'boolean' },
    yaml: { type: 'boolean' },
  },
})
const suite = positionals[0]
if (!suite) {
  console.error('usage: node scripts/krakend-diff/run.ts SUITE [--only N] [--status]')
  process.exit(2)
}
const krakend = krakendBinary()
const only = values.only === undefined ? -1 : Number(values.only)
const { backend: BACKEND_PORT, K: KRAKEND_PORT, G: GATEWAY_PORT } = ports()
await ensurePortsFree([BACKEND_PORT, KRAKEND_PORT, GATEWAY_PORT])
const here = new URL('.', import.meta.url).pathname

// A suite's config is SUITE.json, or SUITE.config.ts exporting `config` (generated ones).
const jsonFile = join(here, 'suites', `${suite}.json`)
const text = existsSync(jsonFile)
  ? readFileSync(jsonFile, 'utf8')
  : JSON.stringify((await import(join(here, 'suites', `${suite}.config.ts`))).config)
// martian.json names the default backend port itself (port modifiers and filters, URL regexps): it
// moves with PORT_BASE
const moved =
  BACKEND_PORT === 19000
    ? text
    : text.replaceAll(':19000', `:${BACKEND_PORT}`).replace(/"port": ?19000\b/g, `"port": ${BACKEND_PORT}`)
const config = JSON.parse(moved.replaceAll('BACKEND', `http://127.0.0.1:${BACKEND_PORT}`))
if (process.env.PRINT_CONFIG) console.log(JSON.stringify(config, null, 1))
const dir = mkdtempSync(join(tmpdir(), 'krakend-diff-'))
const configFor = (port: number) => {
  const file = join(dir, `${port}.${values.yaml ? 'yaml' : 'json'}`)
  writeFileSync(file, JSON.stringify({ ...config, port, ...(values.h2c ? { use_h2c: true } : {}) }))
  return file
}

await startBackend(BACKEND_PORT)
startGroup(krakend, ['run', '-c', configFor(KRAKEND_PORT)])
startGroup(process.execPath, [
  process.env.GATEWAY_ENTRY ?? join(ROOT, 'src/gateway/main.ts'),
  '-c',
  configFor(GATEWAY_PORT),
  '--workers',
  '1',
  '--log-level',
  'ERROR',
])
const cases: Case[] = (await import(join(here, 'suites', `${suite}.cases.ts`))).cases

interface Answer {
  status: number
  message: string
  headers: string[]
  body: string
  chunked: boolean
  error?: string
}

function send(port: number, c: Case): Promise<Answer> {
  if (c.raw !== undefined) return sendRaw(port, c.raw)
  return values.h2c ? sendH2c(port, c) : sendH1(port, c)
}

/** Every answer on the raw connection, as one: status lines joined, later answers' headers numbered. */
async function sendRaw(port: number, raw: string): Promise<Answer> {
  const method = raw.slice(0, raw.indexOf(' '))
  const answers = parseAnswers(await exchange(port, raw), method)
  const first = answers[0]
  if (!first) return { status: 0, message: 'no answer', headers: [], body: '', chunked: false }
  return {
    status: first.status,
    message: answers.map((a) => `${a.status} ${a.message}`).join(' | '),
    headers: answers.flatMap((a, i) => a.headers.map((v, j) => (j % 2 === 0 && i > 0 ? `#${i} ${v}` : v))),
    body: answers.map((a) => a.body).join('\n--next answer--\n'),
    chunked: first.chunked,
  }
}

function sendH2c(port: number, c: Case): Promise<Answer> {
  return new Promise((resolve) => {
    const session = connect(`http://127.0.0.1:${port}`)
    const done = (answer: Answer) => {
      session.close()
      resolve(answer)
    }
    const failed = (error: unknown) =>
      done({ status: -1, message: '', headers: [], body: '', chunked: false, error: String(error) })
    session.on('error', failed)
    const headers: Record<string, string | string[]> = {
      ':method': c.method ?? 'GET',
      ':path': c.path,
      ':authority': c.authority ?? 'localhost',
      ...(c.scheme === undefined ? {} : { ':scheme': c.scheme }),
    }
    for (const [name, value] of c.headers ?? []) {
      const key = name.toLowerCase()
      if (key === 'host' && c.authority === undefined) headers[':authority'] = value
      // Connection-level HTTP/1 headers have no place in HTTP/2 (the client refuses them).
      else if (
        !['connection', 'transfer-encoding', 'keep-alive', 'upgrade', 'proxy-connection'].includes(key)
      ) {
        const had = headers[key]
        headers[key] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value]
      }
    }
    let stream: ReturnType<typeof session.request>
    try {
      stream = session.request(headers, { endStream: c.body === undefined })
    } catch (error) {
      // Node's HTTP/2 client cannot send it (a repeated single-value header): the same for both.
      return failed(error)
    }
    stream.setTimeout(8000, () => stream.close())
    const chunks: Buffer[] = []
    let head: Record<string, string | string[] | number | undefined> = {}
    stream.on('response', (h) => {
      head = h
    })
    stream.on('data', (d: Buffer) => chunks.push(d))
    stream.on('error', failed)
    stream.on('end', () => {
      const raw: string[] = []
      for (const [name, value] of Object.entries(head))
        if (!name.startsWith(':'))
          for (const v of Array.isArray(value) ? value : [String(value)]) raw.push(name, v)
      done({
        status: Number(head[':status'] ?? 0),
        message: '',
        headers: raw,
        body: Buffer.concat(chunks).toString('latin1'),
        chunked: false,
      })
    })
    if (c.body !== undefined) stream.end(c.body)
  })
}

function sendH1(port: number, c: Case): Promise<Answer> {
  return new Promise((resolve) => {
    const failed = (error: unknown) =>
      resolve({ status: -1, message: '', headers: [], body: '', chunked: false, error: String(error) })
    const req = request(
      { host: '127.0.0.1', port, method: c.method ?? 'GET', path: c.path, agent: false, setHost: false },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (d: Buffer) => chunks.push(d))
        res.on('error', failed)
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            message: res.statusMessage ?? '',
            headers: res.rawHeaders,
            body: Buffer.concat(chunks).toString('latin1'),
            chunked: res.headers['transfer-encoding'] === 'chunked',
          }),
        )
      },
    )
    req.setTimeout(8000, () => req.destroy(new Error('timeout')))
    req.on('error', failed)
    writeCaseHeaders(req, c)
    req.end(c.body)
  })
}

async function up(port: number) {
  for (let i = 0; i < 200; i++) {
    if ((await send(port, { path: '/__health' })).status > 0) return
    await sleep(100)
  }
  throw new Error(`nothing answers on ${port}`)
}
await up(KRAKEND_PORT)
await up(GATEWAY_PORT)

const lines = (headers: string[]) => {
  const out: string[] = []
  for (let i = 0; i < headers.length; i += 2)
    if (!/^(#\d+ )?date$/.test((headers[i] as string).toLowerCase()))
      out.push(`${(headers[i] as string).toLowerCase()}: ${headers[i + 1]}`)
  return out.sort()
}
const requests = (list: Seen[]) =>
  list
    .map((r) => `${r.method} ${r.url}\n  ${lines(r.headers).join('\n  ')}\n  body=${JSON.stringify(r.body)}`)
    .sort()
/** What one side has more times than the other (a request made twice by one gateway, once by the other). */
const onlyIn = (k: string[], g: string[]) => {
  const extra = (a: string[], b: string[]) => {
    const rest = [...b]
    return a.filter((x) => {
      const at = rest.indexOf(x)
      if (at === -1) return true
      rest.splice(at, 1)
      return false
    })
  }
  return [...extra(k, g).map((x) => `  K only: ${x}`), ...extra(g, k).map((x) => `  G only: ${x}`)]
}

let differing = 0
for (const [i, c] of cases.entries()) {
  if (only >= 0 && i !== only) continue
  if (values.h2c && c.raw !== undefined) continue
  seen.length = 0
  if (c.pause) await sleep(c.pause)
  hooks.phase = 'K'
  const k = await send(KRAKEND_PORT, c)
  await sleep(30)
  const kSeen = requests(seen.splice(0))
  hooks.phase = 'G'
  const g = await send(GATEWAY_PORT, c)
  await sleep(30)
  const gSeen = requests(seen.splice(0))
  if (values.status) console.log(`#${i} ${c.method ?? 'GET'} ${c.path} K ${k.status} G ${g.status}`)
  const out: string[] = []
  if (k.status !== g.status || k.message !== g.message)
    out.push(
      `status K ${k.status} ${k.message} ${k.error ?? ''} | G ${g.status} ${g.message} ${g.error ?? ''}`,
    )
  const headers = onlyIn(lines(k.headers), lines(g.headers)).filter(
    (l) => !l.includes('content-length') || k.chunked === g.chunked,
  )
  if (headers.length > 0) out.push('headers:', ...headers)
  if (k.chunked !== g.chunked) out.push(`chunked K ${k.chunked} G ${g.chunked}`)
  if (k.body !== g.body)
    out.push(`body K ${JSON.stringify(k.body.slice(0, 600))}\n     G ${JSON.stringify(g.body.slice(0, 600))}`)
  const backend = onlyIn(kSeen, gSeen)
  if (backend.length > 0) out.push('backend:', ...backend)
  if (out.length > 0) {
    differing += 1
    console.log(
      `\n#${i} ${c.raw === undefined ? `${c.method ?? 'GET'} ${c.path} ${JSON.stringify(c.headers ?? [])}` : JSON.stringify(c.raw)}\n${out.join('\n')}`,
    )
  }
}
console.log(`\n${differing}/${only >= 0 ? 1 : cases.length} cases differ`)
process.exit(0)
