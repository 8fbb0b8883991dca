// How a no-op answer goes out, as Go's server writes what lura's no-op render hands it: the head
// held until the body passes Go's buffer (or ends within it, then with a length of its own), a type
// sniffed for an answer that has none and is not encoded, the body copied as it comes, and a body
// that fails ended as Go's server ends it once the handler returns.
import type { ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import type { GatewayRequest, GatewayResponse } from './app.ts'
import { closingConnectionLine, goContentLength } from './go-handler-framing.ts'
import { GO_BUFFER_BEFORE_CHUNKING, GO_H2_HANDLER_BUFFER } from './go-http.ts'
import { detectContentType, SNIFF_LEN } from './go-sniff.ts'
import { H2Response } from './h2-exchange.ts'
import { listOf } from './noop-switch.ts'
import { readUpTo } from './read-up-to.ts'
import { pump } from './stream-pump.ts'

export interface NoopWriteHooks {
  /** A failure of the body's reading or writing, for the debug log. */
  debug: (error: Error) => void
  /** The body has ended (or failed): the endpoint's deadline no longer runs. */
  bodyDone: () => void
  /** A script set the headers: their Content-Length may not be the body's. */
  scripted?: boolean
}

/** Writes the answer's head and streams `source` as its body. */
export async function writeNoopAnswer(
  req: GatewayRequest,
  res: GatewayResponse,
  status: number,
  headers: Record<string, string | string[]>,
  source: Readable,
  { debug, bodyDone, scripted = false }: NoopWriteHooks,
): Promise<void> {
  // Go's server holds 2 KB (HTTP/1.x) or 4 KB (HTTP/2) of body before it sends the head: a body
  // that ends within them goes out with the head when the handler returns, one without a length
  // then gets one, for a status with a body (an HTTP/1.0 client too).
  const held = res instanceof H2Response ? GO_H2_HANDLER_BUFFER : GO_BUFFER_BEFORE_CHUNKING
  const declared = headers['Content-Length']
  let broken = false
  const cut = (error: Error) => {
    broken = true
    debug(error)
  }
  const first =
    held > 0 && req.method !== 'HEAD' && status >= 200 && status !== 204 && status !== 304
      ? await readUpTo(source, held, cut)
      : undefined
  // Go's server sniffs a type for an answer that has none (the backend sent no Content-Type) and
  // is not encoded (a first Content-Encoding value that is not empty).
  const sniff =
    headers['Content-Type'] === undefined &&
    res.getHeader('content-type') === undefined &&
    !encoded(headers['Content-Encoding'] ?? res.getHeader('content-encoding')) &&
    status >= 200 &&
    status !== 204 &&
    status !== 304
  const peek = first ?? (sniff ? await readUpTo(source, SNIFF_LEN, cut) : undefined)
  if (sniff && peek !== undefined && peek.size > 0)
    headers['Content-Type'] = detectContentType(Buffer.concat(peek.chunks))
  // A body that fails once the head is due: lura's io.Copy stops, the handler returns and Go's
  // server ends the answer after what came (the last chunk; END_STREAM over h2). An HTTP/1 answer
  // short of its declared length then closes its connection.
  const endAfterFailure = () => {
    if (declared !== undefined && !(res instanceof H2Response)) {
      // (node:http detaches the socket before the response's own 'finish' listeners run)
      const socket = res.socket
      if (socket) res.once('finish', () => socket.destroy())
    }
    res.end()
  }
  const cutShort = broken && declared !== undefined
  // Go's WriteHeader reads the length from the head's first Content-Length line (a script's too)
  const length = declared === undefined || res instanceof H2Response ? undefined : goLength(declared)
  if (length === -1) {
    // one that does not parse stays in the head Go writes: HTTP/1.1 then chunks (and drops it),
    // HTTP/1.0 sends the body until it closes
    if (req.httpVersionMinor >= 1) delete headers['Content-Length']
    else (res as ServerResponse).shouldKeepAlive = false
  }
  if (first?.ended && !cutShort) {
    bodyDone()
    const body = Buffer.concat(first.chunks)
    // the backend's own length line as it wrote it (`007`): Go copies it
    if (declared === undefined) headers['Content-Length'] = String(first.size)
    ;(res as ServerResponse).writeHead(status, headers)
    if (length !== undefined && length >= 0 && body.length !== length) {
      // a script's length the body does not have: Go refuses a write past it (ErrContentLength),
      // and closes the connection after an answer short of it
      ;(res as ServerResponse & { _last: boolean })._last = true
      res.end(body.length > length ? undefined : body)
    } else res.end(body)
  } else {
    // An HTTP/1.0 body without a length ends with the connection: Go promises no keep-alive on it
    // (chunkWriter.writeHeader), where node:http would write `Connection: keep-alive` and close.
    if (
      first !== undefined &&
      declared === undefined &&
      req.httpVersionMajor === 1 &&
      req.httpVersionMinor === 0
    ) {
      ;(res as ServerResponse).shouldKeepAlive = false
      closingConnectionLine(req, headers)
    }
    ;(res as ServerResponse).writeHead(status, headers)
    const sink = res instanceof H2Response ? res.bodyStream() : res
    if (scripted && length !== undefined && length >= 0) {
      await writeWithin(res as ServerResponse, peek, source, length)
      bodyDone()
      return
    }
    for (const chunk of peek?.chunks ?? []) sink.write(chunk)
    if (peek?.ended) {
      bodyDone()
      if (broken) endAfterFailure()
      else res.end()
    } else {
      const failed = await pump(source, sink)
      bodyDone()
      if (failed) debug(failed.error)
      if (failed?.side === 'source') endAfterFailure()
    }
  }
}

/**
 * A streamed body under a script's Content-Length, as lura's io.Copy writes it through Go's server:
 * each piece goes out while it fits in the length; the first that does not is refused
 * (ErrContentLength) and the copy stops. The connection closes unless the length was met.
 */
async function writeWithin(
  res: ServerResponse,
  peek: { chunks: Buffer[]; ended: boolean } | undefined,
  source: Readable,
  length: number,
): Promise<void> {
  let written = 0
  let refused = false
  const write = (chunk: Buffer) => {
    if (refused || written + chunk.length > length) {
      refused = true
      return
    }
    written += chunk.length
    res.write(chunk)
  }
  for (const chunk of peek?.chunks ?? []) write(chunk)
  if (!peek?.ended && !refused)
    try {
      for await (const chunk of source) {
        write(chunk as Buffer)
        if (refused) break
      }
    } catch {}
  if (refused || !peek?.ended) source.destroy()
  if (written !== length) (res as ServerResponse & { _last: boolean })._last = true
  res.end()
}

/** The length Go's server reads from a Content-Length line (-1: one that does not parse). */
function goLength(declared: string | string[]): number | undefined {
  const text = listOf(declared)[0]
  return text === undefined || text === '' ? undefined : goContentLength(text)
}

/** Go's hasCE: the first Content-Encoding value is not empty. */
const encoded = (value: string | number | string[] | undefined): boolean =>
  value !== undefined && (listOf(value)[0] ?? '') !== ''
