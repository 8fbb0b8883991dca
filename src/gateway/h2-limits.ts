// The server limits of Go's HTTP/2 server (KrakenD) that node:http2 does not enforce by itself:
// max_header_bytes (node:http2 only advertises it) and the per-stream read and write deadlines.
import type { H2Request, H2Response } from './h2-exchange.ts'
import { http2Module } from './libraries.ts'

/** Go's limit: MaxHeaderBytes padded for HTTP/2's 32 bytes a field, assuming ten fields. */
export const goHeaderListLimit = (maxHeaderBytes: number): number => maxHeaderBytes + 10 * 32

const TOO_LARGE_BODY = '<h1>HTTP Error 431</h1><p>Request Header Field(s) Too Large</p>'

/**
 * Refuses a request whose header list is over `limit`, counted as Go counts it (name + value + 32
 * bytes a field, pseudo-headers included): 431 with Go's body. A single name or value longer than
 * the limit is, for Go's HPACK decoder, a connection error: the connection goes away with
 * COMPRESSION_ERROR. Returns true when the request was refused.
 */
export function refuseOversizedHeaders(req: H2Request, res: H2Response, limit: number): boolean {
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
    const { constants } = http2Module()
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

/**
 * Go's per-stream deadlines, from the request's headers: read_timeout for its body (a body still
 * arriving is cut: the stream is reset, as HTTP/1.1 closes the connection) and write_timeout for the
 * whole answer (reset with INTERNAL_ERROR, as Go does). A stream without a body and without a
 * write_timeout costs no timer.
 */
export function armStreamDeadlines(req: H2Request, readTimeoutMs: number, writeTimeoutMs: number): void {
  const stream = req.stream
  const timers: NodeJS.Timeout[] = []
  if (readTimeoutMs > 0 && !stream.endAfterHeaders)
    timers.push(
      setTimeout(() => {
        // Arrived is what counts (the client has closed its side), not read: an endpoint that
        // does not need the body never reads it.
        if (!stream.closed && !stream.state.remoteClose) stream.close(http2Module().constants.NGHTTP2_CANCEL)
      }, readTimeoutMs),
    )
  if (writeTimeoutMs > 0)
    timers.push(
      setTimeout(() => {
        if (!stream.closed) stream.close(http2Module().constants.NGHTTP2_INTERNAL_ERROR)
      }, writeTimeoutMs),
    )
  if (timers.length > 0)
    stream.once('close', () => {
      for (const timer of timers) clearTimeout(timer)
    })
}
