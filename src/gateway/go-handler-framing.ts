// What Go's HTTP/1 server makes of the framing lines a handler put in its answer's headers (a Lua
// script's Content-Length, Transfer-Encoding or Trailer on a rendered answer), for a body written in
// one Write before the handler returns (net/http: response.WriteHeader, response.write,
// chunkWriter.writeHeader, shouldReuseConnection). Written as they were, node:http framed the body
// its own way beside them: `Transfer-Encoding: chunked` with a `Content-Length` (an HTTP/1.0 client
// read the chunk lines as the body and the rest as its next answer), a script's Trailer threw.
import type { ServerResponse } from 'node:http'
import type { GatewayRequest } from './app.ts'
import { GO_BUFFER_BEFORE_CHUNKING } from './go-http.ts'
import { goParseInt } from './go-strconv.ts'
import { writeTrailerField } from './node-http.ts'
import { listOf } from './noop-switch.ts'

const FRAMING = new Set(['content-length', 'transfer-encoding', 'trailer'])
const EMPTY = Buffer.alloc(0)

/** Whether a handler's headers name a framing line Go's server reads. */
export function namesFraming(headers: Record<string, unknown>): boolean {
  for (const key in headers) if (FRAMING.has(key.toLowerCase())) return true
  return false
}

/** The length Go's WriteHeader takes from a Content-Length line (ParseInt, >= 0); -1 otherwise. */
export function goContentLength(text: string): number {
  const value = goParseInt(text)
  return value === undefined || value < 0n ? -1 : Number(value)
}

export interface GoFraming {
  /** The headers to write: the framing lines as Go writes them, Trailer apart. */
  headers: Record<string, string | string[]>
  /** The Trailer lines Go writes in the head (declared trailers). */
  trailer: string[] | undefined
  /** What goes out of the body: nothing past a declared length (ErrContentLength refuses the write). */
  body: Buffer
  /** No length and not chunked: the body ends when the connection closes. */
  untilClose: boolean
  /** The connection closes after the answer. */
  close: boolean
  /** The connection closes once the answer is out (written past the head: no line names it). */
  closeAfter: boolean
  /** HTTP/1.0: Go names the keep-alive the client asked for (even where it then closes). */
  keepAliveLine: boolean
}

/** The framing Go's HTTP/1 server gives an answer whose handler set framing lines. */
export function goHandlerFraming(
  req: GatewayRequest,
  status: number,
  handlerHeaders: Record<string, string | string[]>,
  bytes: Buffer,
  wantsKeepAlive: boolean,
): GoFraming {
  const http11 = req.httpVersionMinor >= 1
  const isHead = req.method === 'HEAD'
  const bodyAllowed = status >= 200 && status !== 204 && status !== 304
  const headers: Record<string, string | string[]> = {}
  let lengthLines: string[] | undefined
  let encodings: string[] | undefined
  let trailer: string[] | undefined
  for (const key in handlerHeaders) {
    const value = handlerHeaders[key] as string | string[]
    const lower = key.toLowerCase()
    if (lower === 'content-length') lengthLines = listOf(value)
    else if (lower === 'transfer-encoding') encodings = listOf(value)
    else if (lower === 'trailer') trailer = listOf(value)
    else headers[key] = value
  }
  // WriteHeader reads the length from the first line; one that does not parse is deleted from the
  // handler's map only: the head is written from the copy gin's Header() call made, line and all.
  const lengthText = lengthLines?.[0]
  let contentLength = lengthText === undefined || lengthText === '' ? -1 : goContentLength(lengthText)
  const body = !bodyAllowed || (contentLength !== -1 && bytes.length > contentLength) ? EMPTY : bytes
  const handlerDone = body.length <= GO_BUFFER_BEFORE_CHUNKING
  const te = encodings?.[0] ?? ''
  if (
    handlerDone &&
    trailer === undefined &&
    te === '' &&
    bodyAllowed &&
    lengthLines === undefined &&
    (!isHead || body.length > 0)
  ) {
    contentLength = body.length
    lengthLines = [String(body.length)]
  }
  let close = false
  let keepAliveLine = false
  // an HTTP/1.0 connection is kept only for an answer with a length, to HEAD, or without a body
  if (!http11 && !(isHead || contentLength !== -1 || !bodyAllowed)) close = true
  else if (!http11 && wantsKeepAlive)
    keepAliveLine = !Object.keys(headers).some((name) => name.toLowerCase() === 'connection')
  if (contentLength !== -1 && te !== '' && te !== 'identity') {
    lengthLines = undefined
    contentLength = -1
  }
  let untilClose = false
  if (isHead || !bodyAllowed || contentLength !== -1) encodings = undefined
  else if (http11 && te !== 'identity') {
    encodings = te === 'chunked' ? ['chunked'] : [...(encodings ?? []), 'chunked']
    lengthLines = undefined
  } else {
    untilClose = true
    close = true
    encodings = undefined
  }
  // shouldReuseConnection: what was written is not the length declared
  const closeAfter = close || (contentLength !== -1 && !isHead && body.length !== contentLength)
  if (lengthLines) headers['Content-Length'] = lengthLines
  if (encodings) headers['Transfer-Encoding'] = encodings
  return { headers, trailer, body, untilClose, close, closeAfter, keepAliveLine }
}

/** Writes an answer framed as Go's server frames it (goHandlerFraming). */
export function writeGoFramed(
  req: GatewayRequest,
  res: ServerResponse,
  status: number,
  handlerHeaders: Record<string, string | string[]>,
  bytes: Buffer,
): void {
  const framing = goHandlerFraming(req, status, handlerHeaders, bytes, res.shouldKeepAlive)
  const { headers } = framing
  if (framing.keepAliveLine) headers.Connection = 'keep-alive'
  else if (framing.close) {
    closingConnectionLine(req, headers)
    res.shouldKeepAlive = false
  }
  if (framing.trailer) {
    if (headers['Transfer-Encoding'] !== undefined) headers.Trailer = framing.trailer
    else writeTrailerField(res, framing.trailer)
  }
  if (framing.untilClose && headers['Content-Length'] === undefined) {
    res.removeHeader('Content-Length')
    res.removeHeader('Transfer-Encoding')
  }
  res.writeHead(status, headers)
  // (a Connection line other than close makes node:http keep the connection)
  if (framing.closeAfter) (res as ServerResponse & { _last: boolean })._last = true
  if (req.method === 'HEAD') res.end()
  else res.end(framing.body)
}

/**
 * The Connection line of an HTTP/1.x answer after which the connection closes (delConnectionHeader):
 * Go replaces the handler's line (a script's, a no-op backend's) with its own `Connection: close`
 * (none to HTTP/1.0, where closing is the default), unless that line holds a close token already.
 */
export function closingConnectionLine(req: GatewayRequest, headers: Record<string, unknown>): void {
  const key = Object.keys(headers).find((name) => name.toLowerCase() === 'connection')
  if (key !== undefined && listOf(headers[key] as string | string[]).some(hasCloseToken)) return
  if (key !== undefined) delete headers[key]
  if (req.httpVersionMinor >= 1) headers.Connection = 'close'
}

const hasCloseToken = (line: string) =>
  line.split(',').some((token) => token.trim().toLowerCase() === 'close')
