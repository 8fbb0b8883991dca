// Backend HTTP calls as KrakenD's Go http.Client makes them: connection pools per origin,
// redirects followed like Go (301/302/303 turn into GET without a body, 307/308 keep both, at
// most 10), gzip answers decompressed, and errors worded like Go's url.Error.
import type { Socket } from 'node:net'
import type { Readable } from 'node:stream'
import { gunzip } from 'node:zlib'
import { Agent, buildConnector, Pool } from 'undici'
import type { HeaderValues } from './request-headers.ts'

export interface BackendRequest {
  origin: string
  pool: Pool
  /** Path and query. */
  path: string
  method: string
  headers: HeaderValues
  body: Buffer | undefined
  /** Send a body without Content-Length (chunked), as Go does for a body of unknown size. */
  chunked: boolean
  signal: AbortSignal | undefined
  timeoutMs: number
}

export interface BackendAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: BackendBody
  /** The URL that answered (after redirects). */
  url: string
}

export type BackendBody = Readable & {
  text(): Promise<string>
  arrayBuffer(): Promise<ArrayBuffer>
  dump(): Promise<void>
}

/** A failed call, worded like Go's url.Error: `Get "http://host/path": reason`. */
export class BackendCallError extends Error {
  readonly timeout: boolean
  constructor(message: string, timeout: boolean) {
    super(message)
    this.name = 'BackendCallError'
    this.timeout = timeout
  }
}

export const DEADLINE_EXCEEDED = 'context deadline exceeded'
const MAX_REDIRECTS = 10
const SENSITIVE_ON_OTHER_HOST = ['authorization', 'www-authenticate', 'cookie', 'cookie2']
const KEEP_ALIVE_LINE = '\r\nconnection: keep-alive\r\n'

/**
 * undici always writes `connection: keep-alive`; Go's client writes no Connection header (HTTP/1.1
 * connections persist by default), and backends that echo headers must see what KrakenD sends.
 * The line is dropped from the request head as it is written; the connection stays persistent.
 */
function withoutKeepAliveHeader(socket: Socket): Socket {
  const write = socket.write as (chunk: unknown, encoding?: unknown, callback?: unknown) => boolean
  socket.write = function (this: Socket, chunk: unknown, encoding?: unknown, callback?: unknown) {
    if (typeof chunk === 'string') {
      const at = chunk.indexOf(KEEP_ALIVE_LINE)
      if (at !== -1) chunk = `${chunk.slice(0, at)}\r\n${chunk.slice(at + KEEP_ALIVE_LINE.length)}`
    }
    return write.call(this, chunk, encoding, callback)
  } as Socket['write']
  return socket
}

export interface BackendClientOptions {
  connectionsPerHost: number
  connectTimeoutMs: number
}

export interface BackendClient {
  poolFor(origin: string): Pool
  request(req: BackendRequest): Promise<BackendAnswer>
  close(force: boolean): Promise<void>
}

export function createBackendClient(options: BackendClientOptions): BackendClient {
  const base = buildConnector({ timeout: options.connectTimeoutMs })
  const connect: buildConnector.connector = (opts, callback) =>
    base(opts, (error, socket) => {
      if (error) callback(error, null)
      else callback(null, withoutKeepAliveHeader(socket as Socket))
    })
  const pools = new Map<string, Pool>()
  let redirectAgent: Agent | undefined
  /** Redirects to another origin share one agent, made on first use. */
  const otherOrigins = (): Agent => {
    if (!redirectAgent) redirectAgent = new Agent({ connect, pipelining: 1 })
    return redirectAgent
  }

  const poolFor = (origin: string): Pool => {
    let pool = pools.get(origin)
    if (!pool) {
      pool = new Pool(origin, {
        connections: options.connectionsPerHost,
        pipelining: 1,
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 60_000,
        connect,
      })
      pools.set(origin, pool)
    }
    return pool
  }

  const send = (
    dispatcher: Pool | Agent,
    origin: string,
    path: string,
    method: string,
    headers: HeaderValues,
    body: Buffer | undefined,
    chunked: boolean,
    req: BackendRequest,
  ) =>
    (dispatcher as Pool).request({
      origin,
      path,
      method: method as 'GET',
      headers,
      // An iterable body has no known length: undici sends it chunked, like Go's http.Client
      // does for a request body that is not a bytes buffer.
      // (undici's types omit iterables; its runtime takes them.)
      body:
        body === undefined || body.length === 0 ? undefined : chunked ? ([body] as unknown as Buffer) : body,
      signal: req.signal,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    })

  const request = async (req: BackendRequest): Promise<BackendAnswer> => {
    let url = req.origin + req.path
    let method = req.method
    try {
      let response = await send(
        req.pool,
        req.origin,
        req.path,
        method,
        req.headers,
        req.body,
        req.chunked,
        req,
      )
      let status = response.statusCode
      if (status < 301 || status > 308 || status === 304 || status === 305 || status === 306)
        return { status, headers: response.headers, body: response.body as BackendBody, url }
      // Redirects, like Go's http.Client.
      let headers = req.headers
      let body = req.body
      let origin = req.origin
      for (let hops = 0; ; hops += 1) {
        const location = headerValue(response.headers.location)
        // 307/308 repeat the body, which KrakenD cannot rewind: a call with a body stops there.
        const keepsBody = status === 307 || status === 308
        if (!location || (keepsBody && body !== undefined && body.length > 0))
          return { status, headers: response.headers, body: response.body as BackendBody, url }
        if (hops === MAX_REDIRECTS) {
          response.body.dump().catch(() => {})
          throw new BackendCallError(
            `${goOp(method)} "${url}": stopped after ${MAX_REDIRECTS} redirects`,
            false,
          )
        }
        response.body.dump().catch(() => {})
        const next = new URL(location, url)
        const previous = url
        url = next.href
        if (!keepsBody) {
          if (method !== 'GET' && method !== 'HEAD') method = 'GET'
          body = undefined
        }
        headers = { ...headers }
        if (!keepsBody) {
          delete headers['content-type']
          delete headers['content-length']
        }
        if (next.origin !== origin && !sameOrSubdomain(new URL(req.origin).hostname, next.hostname))
          for (const name of SENSITIVE_ON_OTHER_HOST) delete headers[name]
        // Go keeps a Referer the caller set, and sends none from https to http.
        if (
          req.headers.referer === undefined &&
          !(previous.startsWith('https:') && next.protocol === 'http:')
        )
          headers.referer = stripUserInfo(previous)
        origin = next.origin
        const dispatcher = origin === req.origin ? req.pool : otherOrigins()
        response = await send(
          dispatcher,
          origin,
          next.pathname + next.search,
          method,
          headers,
          body,
          req.chunked,
          req,
        )
        status = response.statusCode
        if (status < 301 || status > 308 || status === 304 || status === 305 || status === 306)
          return { status, headers: response.headers, body: response.body as BackendBody, url }
      }
    } catch (error) {
      if (error instanceof BackendCallError) throw error
      if (req.signal?.aborted || isTimeout(error)) throw new BackendCallError(DEADLINE_EXCEEDED, true)
      throw new BackendCallError(`${goOp(method)} "${url}": ${goReason(error, url)}`, false)
    }
  }

  return {
    poolFor,
    request,
    async close(force) {
      const all: Array<Pool | Agent> = [...pools.values()]
      if (redirectAgent) all.push(redirectAgent)
      await Promise.all(all.map((d) => (force ? d.destroy() : d.close()).catch(() => {})))
    },
  }
}

/** The answer's bytes, gunzipped when the backend compressed them. */
export async function readBody(answer: BackendAnswer, limit: number): Promise<Buffer> {
  const length = Number(headerValue(answer.headers['content-length']))
  if (length > limit) {
    answer.body.destroy()
    throw new Error(`backend response over ${limit} bytes`)
  }
  let bytes: Buffer
  if (Number.isFinite(length)) bytes = Buffer.from(await answer.body.arrayBuffer())
  else {
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of answer.body as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > limit) {
        answer.body.destroy()
        throw new Error(`backend response over ${limit} bytes`)
      }
      chunks.push(chunk)
    }
    bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)
  }
  if (isGzip(answer.headers)) return gunzipLimited(bytes, limit)
  return bytes
}

/** The answer as text; the common uncompressed case decodes straight from undici. */
export function readText(answer: BackendAnswer, limit: number): Promise<string> {
  const length = Number(headerValue(answer.headers['content-length']))
  if (Number.isFinite(length) && length <= limit && !isGzip(answer.headers)) return answer.body.text()
  return readBody(answer, limit).then((b) => b.toString('utf8'))
}

export function isGzip(headers: Record<string, string | string[] | undefined>): boolean {
  const encoding = headerValue(headers['content-encoding'])
  return encoding === 'gzip' || encoding === 'x-gzip'
}

function gunzipLimited(bytes: Buffer, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    gunzip(bytes, { maxOutputLength: limit }, (error, out) => (error ? reject(error) : resolve(out))),
  )
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

/** Go's url.Error op: the method with only its first letter upper case. */
function goOp(method: string): string {
  return method.charAt(0) + method.slice(1).toLowerCase()
}

function goReason(error: unknown, url: string): string {
  const code = (error as NodeJS.ErrnoException)?.code
  let hostPort = ''
  try {
    const u = new URL(url)
    hostPort = `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`
  } catch {}
  switch (code) {
    case 'ECONNREFUSED':
      return `dial tcp ${hostPort}: connect: connection refused`
    case 'ENOTFOUND':
      return `dial tcp: lookup ${hostPort.replace(/:\d+$/, '')}: no such host`
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'EOF'
    default:
      return (error as Error)?.message ?? String(error)
  }
}

function isTimeout(error: unknown): boolean {
  const code = (error as { code?: string })?.code
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT'
}

function sameOrSubdomain(initial: string, next: string): boolean {
  return next === initial || next.endsWith(`.${initial}`)
}

function stripUserInfo(url: string): string {
  const u = new URL(url)
  u.username = ''
  u.password = ''
  return u.href
}
