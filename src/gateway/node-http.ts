// node:http's createServer, loaded with require: an ESM import of node:http reads every export of
// the module, among them lazy getters (WebSocket and its events) that load Node's own copy of
// undici — about 30 ms of start-up and 2 MB per worker the gateway never uses. (require, not
// process.getBuiltinModule: the runtime also runs on Node 22.0-22.2, which lack it; loadBuiltin uses
// the bundle's `require`, or createRequire when run from source.)
//
// The server it builds answers what Go's net/http server (KrakenD's) answers before any handler
// runs, where node:http differs (go-request-checks.ts: the target, Host, Transfer-Encoding,
// Trailer, version and Expect checks of Go's readRequest, `OPTIONS *`), writes Go's status lines
// and trailers, and no `Keep-Alive` / `Connection: keep-alive` on HTTP/1.1 answers.
import type { IncomingMessage, RequestListener, Server, ServerOptions, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { cancelOnClientEnd } from './client-half-close.ts'
import { goStatusLineText, HTTP_TOKEN } from './go-http.ts'
import { answeredAsGo, goError } from './go-request-checks.ts'
import { loadBuiltin } from './libraries.ts'
import { countWaiting, inTurn } from './pipelined-turn.ts'
import { keepRawTarget } from './raw-byte-target.ts'
import { requestUri } from './request-uri.ts'
import { noteRequest, readOnAfterUpgradeRequests } from './upgrade-leftover.ts'

const http = loadBuiltin<typeof import('node:http')>('node:http')

export { requestUri }

export interface GoServerOptions extends ServerOptions {
  /**
   * Go's MaxHeaderBytes: a request head (request line, header lines, blank line) longer than it
   * plus 4096 bytes (Go's read limit while reading a head) is refused with 431. node:http's own
   * limit (maxHeaderSize) counts otherwise: it is set well above, as a backstop.
   */
  maxHeaderBytes: number
  /**
   * Told of an error thrown while a request is read and checked, before the handler has it: that
   * connection is cut, the process serves on (as gin's Recovery for handlers). Default: logged to stderr.
   */
  onPanic?: (error: unknown) => void
}

/** The 4096 bytes of bufio slack Go's server adds to MaxHeaderBytes (initialReadLimitSize). */
const GO_HEAD_SLACK = 4096

/**
 * `createServer(handler)` is node:http's own (the metrics port); `createServer(options, handler)`
 * is the gateway's listener, answering as Go's server does.
 */
export function createServer(handler: RequestListener): Server
export function createServer(options: GoServerOptions, handler: RequestListener): Server
export function createServer(first: GoServerOptions | RequestListener, second?: RequestListener): Server {
  if (typeof first === 'function') return http.createServer(first)
  const { maxHeaderBytes, onPanic = logPanic, ...options } = first
  const handler = second as RequestListener
  const headLimit = maxHeaderBytes + GO_HEAD_SLACK
  const connectionOnly = (socket: Duplex | null, serve: () => void) => {
    try {
      serve()
    } catch (error) {
      onPanic(error)
      socket?.destroy()
    }
  }
  const server = http.createServer(
    {
      ...options,
      maxHeaderSize: 2 * headLimit,
      requireHostHeader: false,
      ServerResponse: goStatusResponse(),
    },
    (req, res) => {
      noteRequest(req)
      countWaiting(req.socket, res)
      inTurn(res, () =>
        connectionOnly(req.socket, () => {
          if (headBytes(req) > headLimit) {
            goError(req, '431 Request Header Fields Too Large')
            return
          }
          keepRawTarget(req)
          if (answeredAsGo(req, res)) return
          handler(req, res)
        }),
      )
    },
  )
  server.on('connection', readOnAfterUpgradeRequests)
  // The answers to a client that half-closes its connection are written (client-half-close.ts).
  ;(server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true
  server.on('connection', cancelOnClientEnd)
  // Go keeps every header line; node:http drops those after the 2000th by default.
  server.maxHeadersCount = 0
  servedOutsideParser.set(server, (req, socket) =>
    afterEarlierAnswers(socket, () => connectionOnly(socket, () => serveOutsideParser(req, socket))),
  )
  const serveOutsideParser = (req: IncomingMessage, socket: Duplex) => {
    const res = new (goStatusResponse())(req)
    res.shouldKeepAlive = false
    res.assignSocket(socket as Socket)
    res.once('finish', () => socket.end())
    if (headBytes(req) > headLimit) goError(req, '431 Request Header Fields Too Large')
    else if (!answeredAsGo(req, res)) handler(req, res)
  }
  // node:http hands CONNECT over as a tunnel (and drops the connection without a listener); Go
  // routes it like any request: no route has the method, so gin answers 404, or 405 with Allow.
  // The connection closes after the answer (Go would read on).
  server.on('connect', (req: IncomingMessage, socket: Duplex) =>
    servedOutsideParser.get(server)?.(req, socket),
  )
  // Expect is answered with Go's other checks, once the request is handed over (failedExpectation).
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => server.emit('request', req, res))
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) =>
    server.emit('request', req, res),
  )
  return server
}

/**
 * Runs `serve` once the answers to requests read earlier on the connection are written: Go reads a
 * request only after answering the one before. (A response of their own on a socket still writing
 * one is refused by node:http, and that refusal was thrown out of the parser: the process ended.)
 */
function afterEarlierAnswers(socket: Duplex, serve: () => void): void {
  const pending = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage
  if (pending && !pending.writableFinished)
    pending.once('close', () => setImmediate(() => afterEarlierAnswers(socket, serve)))
  else if (!socket.destroyed) serve()
}

function logPanic(error: unknown): void {
  process.stderr.write(`panic recovered: ${(error as Error)?.stack ?? String(error)}\n`)
}

/** How each Go-like server answers a request node:http's parser did not serve: once, then the connection closes. */
const servedOutsideParser = new WeakMap<Server, (req: IncomingMessage, socket: Duplex) => void>()

/** Go's stringContainsCTLByte: a byte below 0x20, or DEL. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the bytes Go refuses
const CONTROL_BYTE = /[\x00-\x1f\x7f]/
/** What httpguts.ValidHeaderFieldValue refuses: control bytes but tab, and DEL. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the bytes Go refuses
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/

/**
 * A request llhttp refused for its method alone (`get`, `FOO`: llhttp knows a fixed list), which
 * Go reads as any token and gin answers 405 with Allow, or 404 (lura routes only the usual
 * methods): parsed again from the packet as Go's readRequest would, and answered so. False when
 * the head is not all in the packet or Go would refuse it too (the caller answers 400).
 */
export function answeredUnknownMethod(server: Server, error: Error, socket: Duplex): boolean {
  const serve = servedOutsideParser.get(server)
  const packet = (error as Error & { code?: string; rawPacket?: Buffer }).rawPacket
  if (serve === undefined || (error as { code?: string }).code !== 'HPE_INVALID_METHOD' || !packet)
    return false
  const text = packet.toString('latin1')
  const end = text.indexOf('\r\n\r\n')
  if (end === -1) return false
  const lines = text.slice(0, end).split('\r\n')
  const line = /^(\S+) (\S+) HTTP\/([0-9])\.([0-9])$/.exec(lines[0] as string)
  // The refused request must be the packet's first (not one pipelined after a request node:http
  // served), and its method one llhttp does not know: nothing is served twice.
  const method = line?.[1]
  const failedAt = (error as { bytesParsed?: number }).bytesParsed ?? Number.POSITIVE_INFINITY
  if (line === null || method === undefined || !HTTP_TOKEN.test(method) || failedAt > method.length)
    return false
  // Go's url.Parse refuses a control byte in the target (400), as llhttp does for the methods it knows.
  if (CONTROL_BYTE.test(line[2] as string)) return false
  if (http.METHODS.includes(method)) return false
  const raw: string[] = []
  for (const header of lines.slice(1)) {
    const colon = header.indexOf(':')
    const name = header.slice(0, colon)
    const value = header.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '')
    if (colon <= 0 || !HTTP_TOKEN.test(name) || CONTROL.test(value)) return false
    raw.push(name, value)
  }
  const req = new http.IncomingMessage(socket as Socket)
  req.method = line[1] as string
  req.url = line[2] as string
  req.httpVersionMajor = Number(line[3])
  req.httpVersionMinor = Number(line[4])
  req.httpVersion = `${line[3]}.${line[4]}`
  ;(req as IncomingMessage & { _addHeaderLines(raw: string[], n: number): void })._addHeaderLines(
    raw,
    raw.length,
  )
  // Its body is not read: nothing routes the method.
  req.push(null)
  serve(req, socket)
  return true
}

let goStatusClass: typeof ServerResponse | undefined

/** node:http's own (internal) writer of the status line and headers. */
const storeHeader = (http.ServerResponse.prototype as unknown as { _storeHeader: StoreHeader })._storeHeader

/** node:http's ServerResponse writing Go's reason phrases (`418 I'm a teapot`, `599 status code 599`). */
function goStatusResponse(): typeof ServerResponse {
  goStatusClass ??= class GoStatusResponse extends http.ServerResponse {
    // biome-ignore lint/suspicious/noExplicitAny: node:http's overloads (reason and headers both optional)
    override writeHead(statusCode: number, ...rest: any[]): this {
      if (typeof rest[0] !== 'string' && this.statusMessage === undefined) {
        const text = goStatusLineText(statusCode, http.STATUS_CODES[statusCode])
        if (text !== undefined) this.statusMessage = text
      }
      return super.writeHead(statusCode, ...rest)
    }

    // An HTTP/1.0 request gets an `HTTP/1.0` status line from Go, `Connection: keep-alive` (last)
    // on a connection kept, and no Connection header on one that closes; node:http writes
    // `HTTP/1.1`, adds `Keep-Alive: timeout=N` to the one (not when the answer has a Keep-Alive
    // line of its own, a backend's, which goes out as Go passes it) and `Connection: close` to the other.
    // Go keeps an HTTP/1.0 keep-alive connection after an answer with a length, to HEAD, or with a
    // status that has no body (204, 304); node:http closes after the last two, which have no
    // Content-Length: it keeps HTTP/1.0 only where it would frame a body.
    _storeHeader(firstLine: string, headers: unknown): void {
      const req = this.req
      const self = this as unknown as {
        _header: string
        _last: boolean
        _hasBody: boolean
        _keepAliveTimeout: number
        useChunkedEncodingByDefault: boolean
      }
      // Marked last by node:http when the client ended its side (client-half-close.ts): node:http
      // would take that back for an answer without a Connection line.
      const last = self._last
      if (req?.httpVersionMinor !== 0 || req.httpVersionMajor !== 1)
        storeHeader.call(this, firstLine, headers)
      else {
        if (!self._hasBody) self.useChunkedEncodingByDefault = true
        self._keepAliveTimeout = 0
        storeHeader.call(this, `HTTP/1.0${firstLine.slice(8)}`, headers)
        if (self._last && !namesConnection(headers))
          self._header = self._header.replace('\r\nConnection: close\r\n', '\r\n')
      }
      if (last) self._last = true
      const trailer = trailerFields.get(this)
      if (trailer !== undefined) self._header = withTrailerLines(self._header, trailer)
    }
  } as typeof ServerResponse
  return goStatusClass
}

const trailerFields = new WeakMap<object, string[]>()

/**
 * A backend's `Trailer` header line a no-op answer passes on as Go's server writes it, on an answer
 * with a length too (node:http refuses that: ERR_HTTP_TRAILER_INVALID): put into the head as written.
 */
export function writeTrailerField(res: object, values: string[]): void {
  trailerFields.set(res, values)
}

/** The head with `Trailer` lines where Go's sorted header map puts them (before the first name after it). */
function withTrailerLines(head: string, values: string[]): string {
  const lines = values.map((value) => `Trailer: ${value}\r\n`).join('')
  let at = head.indexOf('\r\n') + 2
  while (at < head.length - 2) {
    const next = head.indexOf('\r\n', at) + 2
    if (head.slice(at, head.indexOf(':', at)).toLowerCase() > 'trailer') break
    at = next
  }
  return head.slice(0, at) + lines + head.slice(at)
}

type StoreHeader = (this: ServerResponse, firstLine: string, headers: unknown) => void

/** Whether the headers node:http is writing (an object, its own map or raw pairs) have a Connection field. */
function namesConnection(headers: unknown): boolean {
  if (headers === null || typeof headers !== 'object') return false
  if (Array.isArray(headers)) {
    for (const entry of headers) {
      const name = Array.isArray(entry) ? entry[0] : entry
      if (typeof name === 'string' && name.toLowerCase() === 'connection') return true
    }
    return false
  }
  for (const key in headers) if (key.length === 10 && key.toLowerCase() === 'connection') return true
  return false
}

/**
 * The request head's length as a client writes it (`Name: value` lines): Go counts the bytes as
 * sent; the whitespace around values node:http trimmed is not counted (so never more than Go).
 */
function headBytes(req: IncomingMessage): number {
  const raw = req.rawHeaders
  // `METHOD target HTTP/x.y\r\n` and the blank line.
  let size = (req.method?.length ?? 0) + (req.url?.length ?? 0) + 12 + 2
  for (let i = 0; i < raw.length; i += 2)
    size += (raw[i] as string).length + (raw[i + 1] as string).length + 4
  return size
}

export { servedDespiteTransferEncoding } from './go-request-checks.ts'
export type { IncomingMessage }
