import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { connect } from 'node:http2'
import { type AddressInfo, connect as connectTcp, type Socket } from 'node:net'
import { gzipSync } from 'node:zlib'
import { Agent, request } from 'undici'
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway/app.ts'
import type { GatewayConfig } from '../../src/gateway/config/types.ts'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'
import { createLogger } from '../../src/gateway/logging.ts'
import { type GatewayServer, listen } from '../../src/gateway/server.ts'

import { freePort } from '../helpers/free-port.ts'

export { freePort }

/** How a test backend answers one path. */
export interface RouteSpec {
  status?: number
  headers?: Record<string, string>
  /** JSON value, sent as application/json. */
  body?: unknown
  /** Raw text, sent as is. */
  raw?: string
  delay_ms?: number
  /** Never answer. */
  hang?: boolean
  /** Destroy the connection without answering. */
  reset?: boolean
  /** gzip the body (Content-Encoding: gzip) when the request accepts gzip. */
  gzip?: boolean
  /** Redirect: answer `status` with this Location (relative to the backend). */
  location?: string
}

export interface SeenRequest {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
}

export interface TestBackend {
  name: string
  origin: string
  seen: SeenRequest[]
  close(): Promise<void>
}

/**
 * A real HTTP backend on 127.0.0.1. `/echo...` reflects the request as JSON
 * ({backend, method, url, headers, body}); other paths answer from `routes` or 404.
 */
export async function startBackend(
  name: string,
  routes: Record<string, RouteSpec> = {},
): Promise<TestBackend> {
  const seen: SeenRequest[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString()
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      const path = (req.url ?? '/').split('?')[0] as string
      if (path.startsWith('/echo')) {
        const text = JSON.stringify({
          backend: name,
          method: req.method,
          url: req.url,
          headers: req.headers,
          body,
        })
        res.writeHead(200, { 'content-type': 'application/json' }).end(text)
        return
      }
      const spec = routes[path]
      if (!spec) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('no such route\n')
        return
      }
      const answer = () => {
        if (spec.hang) return
        if (spec.reset) {
          req.socket.destroy()
          return
        }
        const headers: Record<string, string> = { ...(spec.headers ?? {}) }
        if (spec.location !== undefined) headers.location = spec.location
        let text = ''
        if (spec.raw !== undefined) text = spec.raw
        else if (spec.body !== undefined) {
          text = JSON.stringify(spec.body)
          headers['content-type'] ??= 'application/json'
        }
        if (spec.gzip && String(req.headers['accept-encoding'] ?? '').includes('gzip')) {
          headers['content-encoding'] = 'gzip'
          res.writeHead(spec.status ?? 200, headers).end(gzipSync(text))
          return
        }
        res.writeHead(spec.status ?? 200, headers).end(text)
      }
      if (spec.delay_ms) setTimeout(answer, spec.delay_ms)
      else answer()
    })
  })
  return listenTestBackend(server, name, seen)
}

/**
 * One HTTP/1.1 request written as it is given (repeated header lines stay apart, any byte goes),
 * read until the server closes: the status and the answer's head.
 */
export async function sendRaw(
  baseUrl: string,
  request: string | Buffer,
): Promise<{ status: number; head: string }> {
  const { hostname, port } = new URL(baseUrl)
  const socket = connectTcp(Number(port), hostname)
  socket.write(request)
  const chunks: Buffer[] = []
  for await (const chunk of socket) chunks.push(chunk as Buffer)
  const head = Buffer.concat(chunks).toString('latin1').split('\r\n\r\n')[0] as string
  return { status: Number(head.split(' ')[1]), head }
}

/** A request text from its request line and header lines, asking the server to close after answering. */
export const rawRequest = (lines: string[]) => `${[...lines, 'Connection: close'].join('\r\n')}\r\n\r\n`

/** Listens on 127.0.0.1 (port 0 = any) and closes with every connection cut, as a test backend. */
export async function listenTestBackend(
  server: Server,
  name: string,
  seen: SeenRequest[],
  port = 0,
): Promise<TestBackend> {
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.listen(port, '127.0.0.1')
  await once(server, 'listening')
  const { port: bound } = server.address() as AddressInfo
  return {
    name,
    origin: `http://127.0.0.1:${bound}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/** Replaces every string value "$name" with the origin of backend `name`. */
export function withBackends(value: unknown, backends: Record<string, TestBackend>): unknown {
  if (typeof value === 'string' && value.startsWith('$') && backends[value.slice(1)])
    return (backends[value.slice(1)] as TestBackend).origin
  if (Array.isArray(value)) return value.map((v) => withBackends(v, backends))
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withBackends(v, backends)]))
  return value
}

/** Validates a raw config and fails loudly if it is not valid. */
export function mustConfig(raw: unknown): GatewayConfig {
  const result = validateGatewayConfig(raw)
  if (!result.config) throw new Error(`test config invalid: ${JSON.stringify(result.errors, null, 2)}`)
  return result.config
}

export const quietLogger = () =>
  createLogger({
    level: 'CRITICAL',
    format: 'default',
    prefix: '[TEST]',
    accessLog: false,
    out: { write: () => true, writableLength: 0 },
  })

/** A logger writing each chunk into `lines` (ERROR and worse unless told), no access log. */
export const linesLogger = (lines: string[], level: 'ERROR' | 'DEBUG' = 'ERROR') =>
  createLogger({
    level,
    format: 'default',
    prefix: '[TEST]',
    accessLog: false,
    out: { write: (chunk: string) => lines.push(chunk), writableLength: 0 },
  })

export interface Running {
  gateway: Gateway
  server: GatewayServer
  url: string
  close(): Promise<void>
}

export async function startGateway(
  config: GatewayConfig,
  options: GatewayOptions = {},
  port = 0,
): Promise<Running> {
  const gateway = createGateway(config, { logger: quietLogger(), ...options })
  const server = await listen(gateway, { port, host: '127.0.0.1' })
  return { gateway, server, url: `http://127.0.0.1:${server.port}`, close: () => server.close() }
}

export interface ClientResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  /** The body bytes exactly as received. */
  bytes: Buffer
}

/** A free port on 127.0.0.1 (for a gateway that must know its own address in its config). */
export interface ClientRequest {
  method?: string
  path: string
  headers?: Record<string, string>
  body?: unknown
  http2?: boolean
}

const bodyOf = (body: unknown): string | undefined =>
  body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)

/** One request over HTTP/1.1 (undici) or h2c prior knowledge (node:http2). */
export async function send(baseUrl: string, req: ClientRequest, agent?: Agent): Promise<ClientResponse> {
  if (req.http2) return sendH2(baseUrl, req)
  // Reads answer headers as large as Go's client would (10 MB), not undici's default 16 KB.
  const dispatcher = agent ?? new Agent({ keepAliveTimeout: 10, maxHeaderSize: 10 * 1024 * 1024 })
  try {
    const res = await request(`${baseUrl}${req.path}`, {
      method: (req.method ?? 'GET') as 'GET',
      headers: req.headers ?? {},
      body: bodyOf(req.body),
      dispatcher,
    })
    const bytes = Buffer.from(await res.body.arrayBuffer())
    return {
      status: res.statusCode,
      headers: res.headers as ClientResponse['headers'],
      text: bytes.toString('utf8'),
      bytes,
    }
  } finally {
    if (!agent) await dispatcher.close()
  }
}

export async function sendH2(baseUrl: string, req: ClientRequest): Promise<ClientResponse> {
  const session = connect(baseUrl)
  try {
    return await new Promise<ClientResponse>((resolve, reject) => {
      session.on('error', reject)
      const stream = session.request({
        ':method': req.method ?? 'GET',
        ':path': req.path,
        ...(req.headers ?? {}),
      })
      const body = bodyOf(req.body)
      stream.end(body)
      let headers: ClientResponse['headers'] = {}
      let status = 0
      stream.on('response', (h) => {
        status = Number(h[':status'])
        headers = h as ClientResponse['headers']
      })
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        // A stream cut without an answer ends too: that is a failed request, not an answer.
        if (status === 0)
          return reject(new Error(`h2 stream ended without an answer (rst ${stream.rstCode})`))
        const bytes = Buffer.concat(chunks)
        resolve({ status, headers, text: bytes.toString(), bytes })
      })
      stream.on('error', reject)
    })
  } finally {
    session.close()
  }
}

/** Every key of `expected` matches `actual`; `null` means "absent". Arrays and scalars compare exactly. */
export function subsetMismatch(actual: unknown, expected: unknown, path = '$'): string | undefined {
  if (expected === null)
    return actual === undefined || actual === null
      ? undefined
      : `${path}: expected absent, got ${JSON.stringify(actual)}`
  if (typeof expected === 'object' && !Array.isArray(expected)) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual))
      return `${path}: expected an object, got ${JSON.stringify(actual)}`
    for (const [k, v] of Object.entries(expected as Record<string, unknown>)) {
      const m = subsetMismatch((actual as Record<string, unknown>)[k], v, `${path}.${k}`)
      if (m) return m
    }
    return undefined
  }
  return JSON.stringify(actual) === JSON.stringify(expected)
    ? undefined
    : `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`
}

/**
 * Source text for a fresh Node process (an ES module script): from here on, every module it
 * resolves, by import or require, is added to the set `resolved` (URLs; `node:` for built-ins).
 */
export const RECORD_RESOLVED_MODULES = `
import module from 'node:module'
const resolved = new Set()
module.registerHooks({
  resolve(specifier, context, next) {
    const result = next(specifier, context)
    resolved.add(result.url)
    return result
  },
})
`
