// Request heads as Go's http.Transport writes them, made from undici's on the socket: undici
// announces the connection's fate in a `connection:` line after `host:`; Go writes none on a
// persistent connection, and `Connection: close` last when keep-alives are disabled.
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
        chunk = chunk.startsWith(EMPTY_CHUNKED_LINE, rest)
          ? `${chunk.slice(0, at)}\r\n${emptyChunkedEnd(chunk.slice(rest + EMPTY_CHUNKED_LINE.length), last)}`
          : `${chunk.slice(0, at)}\r\n${withLastLine(chunk.slice(rest), last)}`
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
  return `${headers.slice(0, headers.length - end)}transfer-encoding: chunked\r\n${last}\r\n0\r\n\r\n`
}
