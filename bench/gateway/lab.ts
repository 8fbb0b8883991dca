// Shared pieces of the gateway benchmarks: free ports, waiting for a URL, the JSON documents the
// static HAProxy backend serves, and which load tools are installed.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SignJWT } from 'jose'

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export function which(bin: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).trim() || undefined
  } catch {
    return undefined
  }
}

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as { port: number }).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Resolves with the milliseconds until `url` answered 200. */
export async function waitFor(url: string, timeoutMs = 10_000): Promise<number> {
  const start = performance.now()
  while (performance.now() - start < timeoutMs) {
    try {
      const res = await fetch(url)
      await res.arrayBuffer()
      if (res.status === 200) return performance.now() - start
    } catch {}
    await sleep(2)
  }
  throw new Error(`${url} never answered 200`)
}

/**
 * execFileSync options bounding one load-tool run of `seconds`: a tool that hangs (a peer that never
 * answers the last requests) is killed and the bench fails saying so, instead of waiting forever.
 */
export const loadRunLimit = (seconds: number) => ({
  timeout: (seconds + 30) * 1000,
  killSignal: 'SIGKILL' as const,
})

/** Resolves once something accepts TCP connections on 127.0.0.1:port (an h2c-only server answers no HTTP/1.1 probe). */
export async function waitForListener(port: number, timeoutMs = 10_000): Promise<void> {
  const start = performance.now()
  while (performance.now() - start < timeoutMs) {
    const connected = await new Promise<boolean>((resolve) => {
      const socket = connect({ port, host: '127.0.0.1' })
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (connected) return
    await sleep(5)
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`)
}

/**
 * ~1.5 KB JSON documents with distinct top-level keys, in the order a JavaScript backend writes
 * them (as built); `goOrder`: every object's keys sorted, as a Go backend (encoding/json) writes them.
 */
export function benchDocument(prefix: string, goOrder = false): string {
  const out: Record<string, unknown> = {}
  for (let i = 0; i < 16; i += 1)
    out[`${prefix}_${i}`] = {
      id: i,
      name: `${prefix} item ${i}`,
      tags: ['alpha', 'beta'],
      price: 10.5 + i,
      ok: true,
    }
  return JSON.stringify(goOrder ? sortedKeys(out) : out)
}

const sortedKeys = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(sortedKeys)
    : typeof value === 'object' && value !== null
      ? Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
        )
      : value

/**
 * A bench's scratch directory and the children it starts: on exit (a signal too) the children still
 * running are killed and the directory removed.
 */
export function benchScratch(prefix: string): { dir: string; children: ChildProcess[] } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const children: ChildProcess[] = []
  process.on('exit', () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  })
  process.on('SIGINT', () => process.exit(130))
  process.on('SIGTERM', () => process.exit(143))
  return { dir, children }
}

/** The gateway config of the profile and allocation benches: `/proxy` (one backend) and a 3-backend `/merge`. */
export function proxyAndMergeConfig(name: string, port: number, backend: string): string {
  return JSON.stringify({
    version: 3,
    name: `${name} rev-0000000`,
    port,
    listen_ip: '127.0.0.1',
    timeout: '3s',
    extra_config: { router: { disable_access_log: true }, 'telemetry/logging': { level: 'ERROR' } },
    endpoints: plainEndpoints(backend),
  })
}

/**
 * The endpoints every runtime in the bench serves: a single-backend proxy that decodes and renders
 * JSON (KrakenD's default), the same proxy with no-op encoding (the body passed through as it
 * came: the plain proxy HAProxy is) and a 3-backend merge.
 */
export function plainEndpoints(backend: string) {
  return [
    { endpoint: '/proxy', backend: [{ host: [backend], url_pattern: '/item' }] },
    {
      endpoint: '/noop',
      output_encoding: 'no-op',
      backend: [{ host: [backend], url_pattern: '/item', encoding: 'no-op' }],
    },
    {
      endpoint: '/merge',
      backend: ['a', 'b', 'c'].map((n) => ({ host: [backend], url_pattern: `/${n}` })),
    },
  ]
}

/** HAProxy's defaults section for the bench's proxies and static backends. */
export const HAPROXY_DEFAULTS = `defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  http-reuse always
`

/** HAProxy lines of a plain HTTP proxy frontend (HTTP/1.1 on `port`, h2c on `h2Port`) to one backend server. */
export function proxyFrontend(port: number, h2Port: number, backendPort: number): string {
  return `frontend proxy
  bind 127.0.0.1:${port}
  bind 127.0.0.1:${h2Port} proto h2
  default_backend app
backend app
  server s1 127.0.0.1:${backendPort}
`
}

/** HAProxy lines of a frontend answering /NAME with DIR/NAME.json from memory. */
export function staticBackendFrontend(port: number, dir: string, names: string[]): string {
  // http-buffer-request: a request body is read whole before the answer, as a real backend reads it
  // (HAProxy would answer a chunked POST at its head and close the connection under the body)
  return `frontend backend
  bind 127.0.0.1:${port}
  option http-buffer-request
${names.map((n) => `  http-request return status 200 content-type application/json file ${dir}/${n}.json if { path /${n} }`).join('\n')}
  http-request return status 200 content-type application/json hdr cache-control "public, max-age=3600" hdr date "%[date,http_date]" file ${dir}/${names[0]}.json if { path /cacheable }
  http-request return status 404
`
}

export interface TailLatency {
  p50: number
  p99: number
  p999: number
  max: number
}

/** hey's arguments for `rate` requests per second in all over `connections` keep-alive connections, as CSV. */
export function heyArgs(url: string, { rate, connections, seconds }: HeyPace): string[] {
  return [
    '-z',
    `${seconds}s`,
    '-c',
    String(connections),
    '-q',
    String(Math.max(1, Math.round(rate / connections))),
    '-o',
    'csv',
    url,
  ]
}

export interface HeyPace {
  rate: number
  connections: number
  seconds: number
}

/** Latency percentiles (ms) from hey's per-request CSV (hey's summary stops at p99). */
export function heyCsvLatency(url: string, csv: string): TailLatency {
  // Columns: response-time, DNS+dialup, DNS, request-write, response-delay, response-read, status-code, offset.
  const rows = csv
    .split('\n')
    .slice(1)
    .map((line) => line.split(','))
  if (rows.some((cols) => Number(cols[6]) >= 400)) throw new Error(`${url}: error answers under hey`)
  const ms = rows
    .map((cols) => Number(cols[0]) * 1000)
    .filter((n) => Number.isFinite(n) && n > 0)
    .sort((a, b) => a - b)
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)] ?? Number.NaN
  return { p50: at(0.5), p99: at(0.99), p999: at(0.999), max: ms[ms.length - 1] ?? Number.NaN }
}

/** Latency percentiles (ms) of a rate-limited hey run (blocks this process while it runs). */
export function heyLatency(hey: string, url: string, pace: HeyPace): TailLatency {
  const csv = execFileSync(hey, heyArgs(url, pace), {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    ...loadRunLimit(pace.seconds),
  })
  return heyCsvLatency(url, csv)
}

/** A bench's scratch with a starter whose children are killed when the bench exits. */
export function benchLab(prefix: string): {
  dir: string
  start: (command: string, args: string[]) => ChildProcess
} {
  const { dir, children } = benchScratch(prefix)
  const start = (command: string, args: string[]): ChildProcess => {
    const child = spawn(command, args, { stdio: 'ignore' })
    children.push(child)
    return child
  }
  return { dir, start }
}

/**
 * The backend: a one-thread HAProxy of its own (its CPU apart from the proxy's) answering `/item`
 * with the bench document from memory. Returns its port once it answers.
 */
export async function startItemBackend(
  haproxy: string,
  lab: { dir: string; start: (command: string, args: string[]) => ChildProcess },
): Promise<number> {
  const { dir, start } = lab
  writeFileSync(join(dir, 'item.json'), benchDocument('item'))
  const port = await freePort()
  writeFileSync(
    join(dir, 'backend.cfg'),
    `global\n  nbthread 1\n${HAPROXY_DEFAULTS}${staticBackendFrontend(port, dir, ['item'])}`,
  )
  start(haproxy, ['-f', join(dir, 'backend.cfg'), '-db'])
  await waitFor(`http://127.0.0.1:${port}/item`)
  return port
}

/**
 * A symmetric JWK written to `dir` (thrown away with the run) and a token the benches' HS256
 * `auth/validator` endpoints accept (audience and issuer `bench`).
 */
export async function benchJwt(dir: string): Promise<{ jwkPath: string; token: string }> {
  const secret = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7))
  const jwkPath = join(dir, 'jwk.json')
  writeFileSync(
    jwkPath,
    JSON.stringify({ keys: [{ kty: 'oct', kid: 'bench', alg: 'HS256', k: secret.toString('base64url') }] }),
  )
  const token = await new SignJWT({ sub: 'bench' })
    .setProtectedHeader({ alg: 'HS256', kid: 'bench' })
    .setAudience('bench')
    .setIssuer('bench')
    .setExpirationTime('1h')
    .sign(secret)
  return { jwkPath, token }
}
