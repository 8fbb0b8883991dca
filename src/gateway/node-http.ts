// node:http's createServer, loaded with require: an ESM import of node:http reads every export of
// the module, among them lazy getters (WebSocket and its events) that load Node's own copy of
// undici — about 30 ms of start-up and 2 MB per worker the gateway never uses. (require, not
// process.getBuiltinModule: the runtime also runs on Node 22.0-22.2, which lack it; loadBuiltin uses
// the bundle's `require`, or createRequire when run from source.)
//
// The server it builds answers what Go's net/http server (KrakenD's) answers before any handler
// runs, where node:http differs: the Host checks of Go's readRequest, Transfer-Encoding other than
// one `chunked` (501), `OPTIONS *`, absolute-form targets (routed by their path, Host from the
// URL), Expect (go-expect.ts: 100 Continue only once the body is read, 417 otherwise) and no `Keep-Alive` /
// `Connection: keep-alive` on HTTP/1.1 answers.
import type { IncomingMessage, RequestListener, Server, ServerOptions, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { firstLine } from './components/types.ts'
import { failedExpectation, hasBody } from './go-expect.ts'
import { fixPragmaCacheControl, goStatusLineText, HTTP_TOKEN } from './go-http.ts'
import { goParseRequestUri } from './go-url-parse.ts'
import { loadBuiltin } from './libraries.ts'
import { inTurn } from './pipelined-turn.ts'
import { keepRawTarget } from './raw-byte-target.ts'
import { answerUnreadBody, type UnreadBodyLimit } from './request-body.ts'
import { rawByteUserinfo, rememberRequestUri, rememberRoutedTarget, requestUri } from './request-uri.ts'

const http = loadBuiltin<typeof import('node:http')>('node:http')

export { requestUri }

export interface GoServerOptions extends ServerOptions {
  /**
   * Go's MaxHeaderBytes: a request head (request line, header lines, blank line) longer than it
   * plus 4096 bytes (Go's read limit while reading a head) is refused with 431. node:http's own
   * limit (maxHeaderSize) counts otherwise: it is set well above, as a backstop.
   */
  maxHeaderBytes: number
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
  const { maxHeaderBytes, ...options } = first
  const handler = second as RequestListener
  const headLimit = maxHeaderBytes + GO_HEAD_SLACK
  const server = http.createServer(
    {
      ...options,
      maxHeaderSize: 2 * headLimit,
      requireHostHeader: false,
      ServerResponse: goStatusResponse(),
    },
    (req, res) =>
      inTurn(res, () => {
        if (headBytes(req) > headLimit) {
          goError(req, '431 Request Header Fields Too Large')
          return
        }
        keepRawTarget(req)
        if (answeredAsGo(req, res)) return
        handler(req, res)
      }),
  )
  // Go keeps every header line; node:http drops those after the 2000th by default.
  server.maxHeadersCount = 0
  servedOutsideParser.set(server, (req, socket) => {
    const res = new (goStatusResponse())(req)
    res.shouldKeepAlive = false
    res.assignSocket(socket as Socket)
    res.once('finish', () => socket.end())
    if (headBytes(req) > headLimit) goError(req, '431 Request Header Fields Too Large')
    else if (!answeredAsGo(req, res)) handler(req, res)
  })
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
    // `HTTP/1.1`, adds `Keep-Alive: timeout=N` to the one and `Connection: close` to the other.
    _storeHeader(firstLine: string, headers: unknown): void {
      const req = this.req
      const self = this as unknown as { _header: string; _last: boolean }
      if (req?.httpVersionMinor !== 0 || req.httpVersionMajor !== 1)
        storeHeader.call(this, firstLine, headers)
      else {
        storeHeader.call(this, `HTTP/1.0${firstLine.slice(8)}`, headers)
        if (!namesConnection(headers))
          self._header = self._last
            ? self._header.replace('\r\nConnection: close\r\n', '\r\n')
            : self._header.replace(/\r\nKeep-Alive: [^\r]*\r\n/, '\r\n')
      }
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

/** What Go's globalOptionsHandler reads of an `OPTIONS *` body: 4 KB, read before it refuses more. */
const GLOBAL_OPTIONS_LIMIT: UnreadBodyLimit = { bytes: 4096, refuseDeclared: false }

/**
 * The checks of Go's server before the handler, in its order (readRequest: the target, the Host
 * lines, the body's framing; then the version, Host and Expect); true when the request was
 * answered here.
 */
function answeredAsGo(req: IncomingMessage, res: ServerResponse): boolean {
  // The Host line as sent: an absolute-form target's host is the URL's, not a Host line.
  const host = req.headers.host
  const url = req.url ?? '/'
  if (req.method === 'CONNECT' && url.charCodeAt(0) !== 47) {
    // Go parses `host:port` as `http://host:port` and routes on its path: empty, or what follows
    // the authority (`CONNECT x/a` on `/a`: 405 where another method has it).
    const parsed = goParseRequestUri(`http://${url}`)
    if (typeof parsed === 'string') return goError(req, '400 Bad Request')
    if (parsed.host !== '') req.headers.host = parsed.host
    rememberRoutedTarget(req, connectTarget(url))
  } else if (url.charCodeAt(0) !== 47 /* '/' */) {
    // `*` is a path gin finds no route for (404), as Go hands it over (OPTIONS: below).
    if (url !== '*' && !absoluteForm(req, url)) return goError(req, '400 Bad Request')
  } else if (url.includes('%') && !validEscapes(url)) return goError(req, '400 Bad Request')
  // Go 1.25's readRequest refuses a repeated Host (a plain 400) before any check of the server's.
  if (repeatedHost(req)) return goError(req, '400 Bad Request')
  const te = req.headers['transfer-encoding']
  // Go reads Transfer-Encoding from HTTP/1.1 on (HTTP/2.0 request lines included).
  const from11 = req.httpVersionMajor > 1 || req.httpVersionMinor >= 1
  if (te !== undefined && from11 && te.toLowerCase() !== 'chunked')
    return goError(req, '501 Not Implemented', 'Unsupported transfer encoding')
  if (te !== undefined && from11 && trailerNamesFraming(req)) return goError(req, '400 Bad Request')
  // http1ServerSupportsRequest: llhttp takes `HTTP/0.9` and `HTTP/2.0` request lines.
  if (req.httpVersionMajor !== 1)
    return goError(req, '505 HTTP Version Not Supported: unsupported protocol version')
  if (host === undefined) {
    if (req.httpVersionMinor >= 1 && req.method !== 'CONNECT')
      return goError(req, '400 Bad Request: missing required Host header')
  } else if (!validHost(host)) return goError(req, '400 Bad Request: malformed Host header')
  keepAliveAsGo(req, res)
  if (te !== undefined && req.httpVersionMinor === 0) ignoreTransferEncoding(req, res)
  if (failedExpectation(req, res)) return true
  // Go writes no Connection header on a kept HTTP/1.1 connection (HTTP/1.0: see _storeHeader).
  if (res.shouldKeepAlive && req.httpVersionMinor !== 0) res.removeHeader('connection')
  if (url === '*' && req.method === 'OPTIONS') {
    // Go's globalOptionsHandler: it reads up to 4 KB of a body (MaxBytesReader); past that the
    // answer carries `Connection: close` and the connection closes.
    const reply = () => {
      res.writeHead(200, { 'Content-Length': '0' })
      res.end()
    }
    if (hasBody(req)) answerUnreadBody(req, res, reply, GLOBAL_OPTIONS_LIMIT)
    else reply()
    return true
  }
  // Node joins repeated Pragma lines; Go looks at the first.
  if (req.headers.pragma !== undefined && fixPragmaCacheControl(req.headers, firstLine(req, 'pragma')))
    req.rawHeaders.push('Cache-Control', 'no-cache')
  return false
}

const FRAMING_TRAILER = /^[ \t]*(?:transfer-encoding|trailer|content-length)[ \t]*$/i

/**
 * Go's fixTrailer: a chunked request whose Trailer lines name Transfer-Encoding, Trailer or
 * Content-Length (an element of a comma list, any case) is refused, `bad trailer key` (a plain 400).
 */
function trailerNamesFraming(req: IncomingMessage): boolean {
  const raw = req.rawHeaders
  for (let i = 0; i < raw.length; i += 2)
    if ((raw[i] as string).length === 7 && (raw[i] as string).toLowerCase() === 'trailer')
      for (const element of (raw[i + 1] as string).split(',')) if (FRAMING_TRAILER.test(element)) return true
  return false
}

/** Go's hasToken(v, "keep-alive"): case-insensitive, bounded by space, tab or comma. */
const KEEP_ALIVE_TOKEN = /(?:^|[ \t,])keep-alive(?:$|[ \t,])/i

/**
 * HTTP/1.0: Go keeps the connection only for a keep-alive token in the first Connection line
 * (wantsHttp10KeepAlive), where llhttp may keep it for other lines. (llhttp's reading of
 * Proxy-Connection: close on HTTP/1.1 cannot be undone here: its parser refuses what follows.)
 */
function keepAliveAsGo(req: IncomingMessage, res: ServerResponse): void {
  if (
    req.httpVersionMinor === 0 &&
    res.shouldKeepAlive &&
    !KEEP_ALIVE_TOKEN.test(firstLine(req, 'connection') ?? '')
  )
    res.shouldKeepAlive = false
}

/** HTTP/1.0 requests served with their Transfer-Encoding ignored. */
const transferEncodingIgnored = new WeakSet<IncomingMessage>()

/**
 * llhttp refuses a request whose Transfer-Encoding does not end in `chunked` only once it has
 * handed it over (its headers are complete): an HTTP/1.0 one, whose Transfer-Encoding Go ignores
 * (ignoreTransferEncoding), is being served, so the parser's error is no answer to write (a 400
 * went out while the backends were called). llhttp parses nothing more on that connection: it
 * closes after the answer. True when the error is that one.
 */
export function servedDespiteTransferEncoding(error: Error, socket: Duplex): boolean {
  if ((error as { code?: string }).code !== 'HPE_INVALID_TRANSFER_ENCODING') return false
  const res = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage
  return res?.req !== undefined && transferEncodingIgnored.has(res.req)
}

/**
 * Go deletes Transfer-Encoding from an HTTP/1.0 request and ignores it (net/http transfer.go,
 * "Issue 12785"): the request has no body (llhttp refuses one that also has a Content-Length).
 * node:http reads the chunked body regardless: it is left unread, and the connection closes after
 * the answer, where Go would read those bytes as the next request.
 */
function ignoreTransferEncoding(req: IncomingMessage, res: ServerResponse): void {
  transferEncodingIgnored.add(req)
  // node:http builds headersDistinct on first read from rawHeaders with the line count it parsed:
  // built from the shortened list below it would read past its end (a TypeError, answered 500).
  delete req.headersDistinct['transfer-encoding']
  delete req.headers['transfer-encoding']
  const raw = req.rawHeaders
  const kept: string[] = []
  for (let i = 0; i < raw.length; i += 2)
    if ((raw[i] as string).toLowerCase() !== 'transfer-encoding')
      kept.push(raw[i] as string, raw[i + 1] as string)
  req.rawHeaders = kept
  res.shouldKeepAlive = false
}

/**
 * Go's ParseRequestURI for a target that is not a path: `scheme://authority/path?query` (or
 * `scheme:/path`). A malformed authority (`http://x%/a`, `http://[x]/a`, a bad port) is refused as
 * Go refuses it. The request is routed by its path as written, and its Host is the URL's (Go's
 * req.Host = req.URL.Host). An opaque target (`mailto:x`, routed by Go on an empty path: 404) is
 * refused.
 */
function absoluteForm(req: IncomingMessage, url: string): boolean {
  const parsed = goParseRequestUri(url)
  if (typeof parsed === 'string' || parsed.scheme === '' || parsed.opaque !== '') return false
  const afterScheme = url.slice(parsed.scheme.length + 1)
  const q = afterScheme.indexOf('?')
  let path = q === -1 ? afterScheme : afterScheme.slice(0, q)
  if (path.startsWith('//')) {
    const slash = path.indexOf('/', 2)
    path = slash === -1 ? '' : path.slice(slash)
  }
  // A target with raw bytes was kept as sent already (keepRawTarget); url is its escaped form.
  const sent = requestUri(req)
  if (sent === url) rememberRequestUri(req, url)
  else if (rawByteUserinfo(sent)) return false
  const query = q === -1 ? '' : afterScheme.slice(q)
  req.url = `${path || '/'}${query}`
  // Go's URL.Path is empty: gin routes it so
  if (path === '') rememberRoutedTarget(req, query)
  if (parsed.host !== '') req.headers.host = parsed.host
  return true
}

/** The path and query of a CONNECT authority-form target as Go's URL holds them: after the authority. */
function connectTarget(url: string): string {
  const q = url.indexOf('?')
  const beforeQuery = q === -1 ? url : url.slice(0, q)
  const slash = beforeQuery.indexOf('/')
  return (slash === -1 ? '' : beforeQuery.slice(slash)) + (q === -1 ? '' : url.slice(q))
}

/** Go's url unescape validation of the path part: every `%` starts two hex digits. */
function validEscapes(url: string): boolean {
  const q = url.indexOf('?')
  const path = q === -1 ? url : url.slice(0, q)
  return !/%(?![0-9A-Fa-f]{2})/.test(path)
}

/** httpguts.ValidHostHeader: only the bytes of a URI host and port. */
const validHost = (host: string): boolean => /^[0-9A-Za-z!$%&'()*+,\-.:;=[\]_~]*$/.test(host)

function repeatedHost(req: IncomingMessage): boolean {
  const raw = req.rawHeaders
  let seen = 0
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string
    if (name.length === 4 && name.toLowerCase() === 'host') seen += 1
  }
  return seen > 1
}

/**
 * Go's answer to a request it refuses before the handler: the status (and the reason Go adds to
 * it) as status line and text body, the connection closed.
 */
function goError(req: IncomingMessage, status: string, body = status): true {
  const socket = req.socket
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
  )
  setTimeout(() => socket.destroy(), 1000).unref()
  return true
}

export type { IncomingMessage }
