// What Go's net/http server (KrakenD's) answers before any handler runs, where node:http differs,
// in the order Go's readRequest checks: the target (absolute form, CONNECT, escapes), repeated
// Host lines, Transfer-Encoding other than one `chunked` (501) and a chunked request's Trailer,
// the version, Host, Expect (go-expect.ts), HTTP/1.0 keep-alive and Transfer-Encoding, `OPTIONS *`.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { firstLine } from './components/types.ts'
import { failedExpectation, hasBody } from './go-expect.ts'
import { fixPragmaCacheControl } from './go-http.ts'
import { goParseRequestUri } from './go-url-parse.ts'
import { answerUnreadBody, type UnreadBodyLimit } from './request-body.ts'
import { rawByteUserinfo, rememberRequestUri, rememberRoutedTarget, requestUri } from './request-uri.ts'

/** What Go's globalOptionsHandler reads of an `OPTIONS *` body: 4 KB, read before it refuses more. */
const GLOBAL_OPTIONS_LIMIT: UnreadBodyLimit = { bytes: 4096, refuseDeclared: false }

/**
 * The checks of Go's server before the handler, in its order (readRequest: the target, the Host
 * lines, the body's framing; then the version, Host and Expect); true when the request was
 * answered here.
 */
export function answeredAsGo(req: IncomingMessage, res: ServerResponse): boolean {
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

/** A Trailer element naming a framing header, which Go drops or refuses (fixTrailer; x/net/http2 too). */
export const FRAMING_TRAILER = /^[ \t]*(?:transfer-encoding|trailer|content-length)[ \t]*$/i

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
export function goError(req: IncomingMessage, status: string, body = status): true {
  const socket = req.socket
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
  )
  setTimeout(() => socket.destroy(), 1000).unref()
  return true
}
