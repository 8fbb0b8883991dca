// Request heads as Go's http.Transport writes them, made from undici's on the socket: undici
// announces the connection's fate in a `connection:` line after `host:`; Go writes none on a
// persistent connection, and `Connection: close` last when keep-alives are disabled. undici writes
// `host:` and the body's framing (`content-length:` / `transfer-encoding:`, after every header) in
// lower case; Go writes `Host:` first and the framing right after User-Agent (goRequestHeaders
// orders the rest).
import type { Socket } from 'node:net'

const KEEP_ALIVE_LINE = '\r\nconnection: keep-alive\r\n'
const CLOSE_LINE = '\r\nconnection: close\r\n'
/** What Go's transport adds (canonical case, after every other header) with DisableKeepAlives. */
const GO_CLOSE = 'Connection: close\r\n'
/**
 * Marks a request whose empty body must go out chunked: the first header line, which the head
 * rewrite below turns into the framing. (undici writes an empty body as `content-length: 0` or as
 * nothing, and refuses a transfer-encoding header.)
 */
export const EMPTY_CHUNKED_MARK = 'x-gateway-empty-chunked-body'
const EMPTY_CHUNKED_LINE = `${EMPTY_CHUNKED_MARK}: 1\r\n`
const ZERO_LENGTH_END = 'content-length: 0\r\n\r\n'
const CHUNKED_END = 'transfer-encoding: chunked\r\n'
const GO_CHUNKED = 'Transfer-Encoding: chunked\r\n'

/**
 * Prefixes a header name undici refuses (Connection, Expect, Keep-Alive, Upgrade: go-http.ts's
 * goRequestHeaders) but Go's Request.write sends as it is in the header map. Not a canonical name
 * (those start in upper case), so no other header line of a backend request begins with it.
 */
export const UNDICI_REFUSED_MARK = 'gW-'
const MARKED_LINE = `\r\n${UNDICI_REFUSED_MARK}`

/**
 * Stands for a space in the request target undici is given: Go writes a query's spaces raw
 * (`GET /x?q=a b HTTP/1.1`, which most servers refuse with a 400) where undici refuses the path.
 * DEL cannot stand for itself there: Go's url.Parse refuses it before any request is written.
 */
export const TARGET_SPACE = '\x7f'

/**
 * Persistent connections: backends that echo headers must see what KrakenD sends, so undici's
 * `connection: keep-alive` line is dropped as the head is written (the connection stays
 * persistent). A head marked EMPTY_CHUNKED_MARK (undici wrote it as a bodyless request) ends in a
 * chunked body's framing and its last chunk instead.
 */
export function asGoWritesHeads(socket: Socket, onHead: HeadListener): Socket {
  return rewritingHeads(socket, KEEP_ALIVE_LINE, '', onHead)
}

/** disable_keep_alives (undici's pipelining 0): undici's `connection: close` becomes Go's, last. */
export function asGoWritesClosingHeads(socket: Socket, onHead: HeadListener): Socket {
  return rewritingHeads(socket, CLOSE_LINE, GO_CLOSE, onHead)
}

/** Called as each request head goes out on the socket (before it is written). */
export type HeadListener = () => void

function rewritingHeads(socket: Socket, line: string, last: string, onHead: HeadListener): Socket {
  const write = socket.write as (chunk: unknown, encoding?: unknown, callback?: unknown) => boolean
  socket.write = function (this: Socket, chunk: unknown, encoding?: unknown, callback?: unknown) {
    if (typeof chunk === 'string') {
      const at = chunk.indexOf(line)
      if (at !== -1) {
        onHead()
        const rest = at + line.length
        const start = goHostLine(withTargetSpaces(chunk.slice(0, at)))
        const marked = chunk.indexOf(MARKED_LINE, at) !== -1
        const close = marked && last !== '' && !goAddsClose(chunk) ? '' : last
        chunk = chunk.startsWith(EMPTY_CHUNKED_LINE, rest)
          ? `${start}\r\n${emptyChunkedEnd(chunk.slice(rest + EMPTY_CHUNKED_LINE.length), close)}`
          : `${start}\r\n${withLastLine(withGoFraming(chunk.slice(rest)), close)}`
        if (marked) chunk = (chunk as string).replaceAll(MARKED_LINE, '\r\n')
      }
    }
    return write.call(this, chunk, encoding, callback)
  } as Socket['write']
  return socket
}

/**
 * The header lines after undici's connection line, with `last` added after them. A whole head ends
 * in the blank line; a chunked body's head does not (its first chunk brings the blank line).
 */
function withLastLine(headers: string, last: string): string {
  if (last === '') return headers
  const whole = headers === '\r\n' || headers.endsWith('\r\n\r\n')
  return whole ? `${headers.slice(0, -2)}${last}\r\n` : `${headers}${last}`
}

/** The headers after the mark, ending in `content-length: 0` and the blank line, or the blank line alone. */
function emptyChunkedEnd(headers: string, last: string): string {
  const end = headers.endsWith(ZERO_LENGTH_END) ? ZERO_LENGTH_END.length : 2
  return `${afterUserAgent(headers.slice(0, headers.length - end), GO_CHUNKED)}${last}\r\n0\r\n\r\n`
}

/** The request line with TARGET_SPACE back to the spaces Go writes. */
function withTargetSpaces(start: string): string {
  const end = start.indexOf('\r\n')
  const at = start.indexOf(TARGET_SPACE)
  if (at === -1 || (end !== -1 && at > end)) return start
  const line = end === -1 ? start : start.slice(0, end)
  return `${line.replaceAll(TARGET_SPACE, ' ')}${end === -1 ? '' : start.slice(end)}`
}

/** The request line and undici's `host:` line, the latter as Go writes it. */
function goHostLine(start: string): string {
  const at = start.indexOf('\r\nhost: ')
  return at === -1 ? start : `${start.slice(0, at)}\r\nHost: ${start.slice(at + 8)}`
}

/** Header lines with undici's framing line (last) moved after User-Agent, in Go's case. */
function withGoFraming(headers: string): string {
  if (headers.endsWith(CHUNKED_END)) return afterUserAgent(headers.slice(0, -CHUNKED_END.length), GO_CHUNKED)
  if (!headers.endsWith('\r\n\r\n')) return headers
  const previous = headers.lastIndexOf('\r\n', headers.length - 5)
  const lineStart = previous === -1 ? 0 : previous + 2
  if (!headers.startsWith('content-length: ', lineStart)) return headers
  const length = headers.slice(lineStart + 16, headers.length - 4)
  return `${afterUserAgent(headers.slice(0, lineStart), `Content-Length: ${length}\r\n`)}\r\n`
}

/** `line` inserted after the User-Agent line (the first one goRequestHeaders gives), or first. */
function afterUserAgent(headers: string, line: string): string {
  if (!headers.startsWith('User-Agent: ')) return `${line}${headers}`
  const end = headers.indexOf('\r\n') + 2
  return `${headers.slice(0, end)}${line}${headers.slice(end)}`
}

/**
 * Go's transport adds `Connection: close` (disable_keep_alives) unless the request's own header
 * asks to close (its first Connection line has `close`) or to switch protocols (an Upgrade value
 * and `upgrade` in any Connection line).
 */
function goAddsClose(head: string): boolean {
  const connection = markedValues(head, 'Connection')
  if (hasToken(connection[0] ?? '', 'close')) return false
  const upgrade = markedValues(head, 'Upgrade')[0] ?? ''
  return upgrade === '' || !connection.some((value) => hasToken(value, 'upgrade'))
}

function markedValues(head: string, name: string): string[] {
  const prefix = `${MARKED_LINE}${name}: `
  const values: string[] = []
  for (let at = head.indexOf(prefix); at !== -1; at = head.indexOf(prefix, at + 1)) {
    const from = at + prefix.length
    values.push(head.slice(from, head.indexOf('\r\n', from)))
  }
  return values
}

/** httpguts' token match in a comma-separated header value (case-insensitive). */
const hasToken = (value: string, token: string): boolean =>
  value.split(',').some((item) => item.trim().toLowerCase() === token)
