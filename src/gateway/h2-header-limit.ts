// max_header_bytes over HTTP/2, as Go's HTTP/2 server (KrakenD) enforces it. node:http2 only
// advertises SETTINGS_MAX_HEADER_LIST_SIZE; nothing refuses a request over it.
import { constants, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2'

/** Go's limit: MaxHeaderBytes padded for HTTP/2's 32 bytes a field, assuming ten fields. */
export const goHeaderListLimit = (maxHeaderBytes: number): number => maxHeaderBytes + 10 * 32

const TOO_LARGE_BODY = '<h1>HTTP Error 431</h1><p>Request Header Field(s) Too Large</p>'

/**
 * Refuses a request whose header list is over `limit`, counted as Go counts it (name + value + 32
 * bytes a field, pseudo-headers included): 431 with Go's body. A single name or value longer than
 * the limit is, for Go's HPACK decoder, a connection error: the connection goes away with
 * COMPRESSION_ERROR. Returns true when the request was refused.
 */
export function refuseOversizedHeaders(
  req: Http2ServerRequest,
  res: Http2ServerResponse,
  limit: number,
): boolean {
  const raw = req.rawHeaders
  let size = 0
  let longest = 0
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).length
    const value = (raw[i + 1] as string).length
    size += name + value + 32
    if (name > longest) longest = name
    if (value > longest) longest = value
  }
  if (size <= limit) return false
  if (longest > limit) {
    // GOAWAY first (destroying the session at once would not flush it), then no more streams: the
    // refused one is reset and the connection closes when the others are done.
    const session = req.stream.session
    session?.goaway(constants.NGHTTP2_COMPRESSION_ERROR)
    req.stream.close(constants.NGHTTP2_COMPRESSION_ERROR)
    session?.close()
    return true
  }
  res.writeHead(431, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': String(TOO_LARGE_BODY.length),
  })
  res.end(TOO_LARGE_BODY)
  return true
}
