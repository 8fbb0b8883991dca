// The gateway's request and answer over h2c, made straight on node:http2's stream API instead of
// its compatibility layer (Http2ServerRequest/Http2ServerResponse): two plain objects per stream
// instead of a Readable, a Stream, a socket Proxy and a dozen listeners, and an answer whose last
// DATA frame carries END_STREAM (the compatibility layer always waits for trailers and sends an
// extra empty frame). They offer what the gateway and its components use of the compatibility
// objects, with the same behaviour, except for `Expect`, handled as Go's HTTP/2 server does.

import type { IncomingHttpHeaders } from 'node:http'
import type { ServerHttp2Stream } from 'node:http2'
import { CONTINUE_TOKEN } from './go-expect.ts'
import { HTTP_TOKEN } from './go-http.ts'
import { goParseRequestUri } from './go-url-parse.ts'
import { escapeRawBytes, rememberRequestUri } from './request-uri.ts'

/** What the gateway reads of the connection a stream arrived on. */
export interface H2Peer {
  readonly remoteAddress: string | undefined
}

export class H2Request {
  readonly httpVersionMajor = 2
  readonly httpVersionMinor = 0
  readonly httpVersion = '2.0'
  method: string
  url: string
  /** node:http2's header object: pseudo-headers included, repeated fields joined as for HTTP/1. */
  headers: IncomingHttpHeaders
  rawHeaders: string[]
  readonly stream: ServerHttp2Stream
  readonly socket: H2Peer
  /** `Expect: 100-continue`, answered when the body is first read (Go's requestBody). */
  #awaitsContinue: boolean

  constructor(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders: string[], peer: H2Peer) {
    this.stream = stream
    this.headers = headers
    // Node joined the Cookie fields with "; " in `headers`; Go's HTTP/2 server joins them too.
    const cookie = headers.cookie
    this.rawHeaders = cookie?.includes('; ') ? oneCookieField(rawHeaders, cookie) : rawHeaders
    this.method = headers[':method'] as string
    // Raw bytes above 0x7F are read as escapes, as over HTTP/1.1 (node-http.ts); RequestURI keeps them.
    // A CONNECT has no :path: Go's URL is the authority alone, routed on its empty path.
    const path = (headers[':path'] as string | undefined) ?? ''
    this.url = escapeRawBytes(path)
    if (this.url !== path) rememberRequestUri(this, path)
    this.socket = peer
    this.#awaitsContinue = headers.expect !== undefined && CONTINUE_TOKEN.test(headers.expect)
  }

  /** Sends the 100 (Continue) a client waits for before its body, once: the body is wanted now. */
  continueBody(): void {
    if (!this.#awaitsContinue) return
    this.#awaitsContinue = false
    const stream = this.stream
    if (!stream.headersSent && !stream.closed) stream.additionalHeaders({ ':status': 100 })
  }

  // The body is the stream's readable side.
  on(event: 'data', listener: (chunk: Buffer) => void): this
  on(event: 'end' | 'close', listener: () => void): this
  on(event: 'error', listener: (error: Error) => void): this
  on(event: string, listener: (arg: never) => void): this {
    this.stream.on(event, listener as (...args: unknown[]) => void)
    return this
  }

  off(event: 'data', listener: (chunk: Buffer) => void): this {
    this.stream.off(event, listener)
    return this
  }

  pause(): this {
    this.stream.pause()
    return this
  }
}

/**
 * The fields with the Cookie crumbs (RFC 9113 8.2.3 lets a client split the header) as the one
 * `cookie` field Go's HTTP/2 server makes of them, where the first crumb was: what reads the raw
 * fields (a Lua script's headers, the backends' lines) sees one Cookie line, as with KrakenD.
 */
function oneCookieField(raw: string[], joined: string): string[] {
  let crumbs = 0
  for (let i = 0; i < raw.length; i += 2) if (raw[i] === 'cookie') crumbs += 1
  if (crumbs < 2) return raw
  const out: string[] = []
  let placed = false
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i] !== 'cookie') out.push(raw[i] as string, raw[i + 1] as string)
    else if (!placed) {
      out.push('cookie', joined)
      placed = true
    }
  }
  return out
}

export class H2Response {
  readonly stream: ServerHttp2Stream
  statusCode = 200
  /** By lower-case name, in the order first set: the header block's order. */
  #headers = new Map<string, string | string[]>()

  constructor(stream: ServerHttp2Stream) {
    this.stream = stream
  }

  get headersSent(): boolean {
    return this.stream.headersSent
  }

  get writableFinished(): boolean {
    return this.stream.writableFinished
  }

  getHeader(name: string): string | string[] | undefined {
    return this.#headers.get(name.toLowerCase())
  }

  setHeader(name: string, value: string | string[]): this {
    if (this.stream.headersSent)
      throw Object.assign(new Error('response headers already sent'), { code: 'ERR_HTTP2_HEADERS_SENT' })
    this.#set(name, value)
    return this
  }

  /** Sends the status and headers (merged over those set before) at once, as the compatibility layer does. */
  writeHead(status: number, headers?: Record<string, string | string[]>): this {
    const stream = this.stream
    if (stream.destroyed || stream.closed) return this
    if (headers !== undefined) for (const name in headers) this.#set(name, headers[name] as string | string[])
    this.statusCode = status
    // node:http2 takes the block as a flat name/value list too, which it encodes as it is (a value
    // may be a list: one field each); an object it first copies into another (~2 µs per answer).
    const block: unknown[] = [':status', status]
    for (const [name, value] of this.#headers) block.push(name, value)
    // A HEAD request's, a 204's or a 304's stream ends here: node:http2 sends no body for them.
    stream.respond(block as string[])
    return this
  }

  /** The answer's body, all of it (nothing for a stream that already ended, as for a HEAD request). */
  end(body?: Buffer | string): this {
    const stream = this.stream
    if (!stream.headersSent) this.writeHead(this.statusCode)
    if (!stream.writableEnded && !stream.closed && !stream.destroyed) stream.end(body)
    return this
  }

  /** Sends the head now and hands back the stream the body is to be piped into. */
  bodyStream(): ServerHttp2Stream {
    if (!this.stream.headersSent) this.writeHead(this.statusCode)
    return this.stream
  }

  once(event: 'close', listener: () => void): this {
    this.stream.once(event, listener)
    return this
  }

  destroy(): void {
    this.stream.destroy()
  }

  // The compatibility layer's checks: an empty or pseudo-header name and a missing value throw, a
  // Connection header is dropped (HTTP/2 has none), a name that is no HTTP token resets the stream.
  #set(name: string, value: string | string[]): void {
    if (value === undefined || value === null)
      throw Object.assign(new TypeError(`invalid value for response header "${name}"`), {
        code: 'ERR_HTTP2_INVALID_HEADER_VALUE',
      })
    let key = fieldNames.get(name)
    if (key === undefined) {
      key = name.trim().toLowerCase()
      if (key === '' || key.includes(' ') || key.charCodeAt(0) === 58 /* ':' */)
        throw Object.assign(new TypeError(`invalid response header name "${key}"`), {
          code: 'ERR_INVALID_HTTP_TOKEN',
        })
      if (!HTTP_TOKEN.test(key)) this.stream.destroy()
      else rememberFieldName(name, key)
    }
    if (key === 'connection' && value !== 'trailers') return
    this.#headers.set(key, value)
  }
}

/** Valid response header names as given, with their HTTP/2 (lower-case) form: few distinct ones recur. */
const fieldNames = new Map<string, string>()
const FIELD_NAMES_KEPT = 1024

function rememberFieldName(name: string, key: string): void {
  if (fieldNames.size >= FIELD_NAMES_KEPT) fieldNames.clear()
  fieldNames.set(name, key)
}

/**
 * What Go's HTTP/2 server answers before the request reaches the gateway: a stream reset
 * (PROTOCOL_ERROR) for what x/net/http2 refuses and nghttp2 lets through: a `:scheme` other than `http` or `https`, a `:path` that
 * url.ParseRequestURI refuses (a malformed `%` escape). An `Expect` header is no refusal over
 * HTTP/2 (x/net/http2 only reads `100-continue`, answered when the body is read). Returns true when
 * the stream was answered.
 */
export function answeredBeforeGateway(req: H2Request): boolean {
  const scheme = req.headers[':scheme']
  if (
    (req.method !== 'CONNECT' && scheme !== 'http' && scheme !== 'https') ||
    (req.url.includes('%') && typeof goParseRequestUri(req.url) === 'string')
  ) {
    req.stream.close(NGHTTP2_PROTOCOL_ERROR)
    return true
  }
  return false
}

const NGHTTP2_PROTOCOL_ERROR = 1
