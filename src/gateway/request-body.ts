// Reading a client's request body, bounded by router.max_payload (413 beyond it). A refused body
// is not read any further: the answer goes out and the connection (h1) or stream (h2) is closed,
// as Go's server does, instead of draining whatever the client still sends.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { GatewayRequest, GatewayResponse } from './app.ts'
import { continueBody } from './go-expect.ts'
import { H2Request } from './h2-exchange.ts'

export class HttpError extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

/** Go's rstAvoidanceDelay: after a half-close, the client gets this long to read the answer. */
const LINGER_MS = 500

const EMPTY = Buffer.alloc(0)

/**
 * Whether body bytes may follow the request's headers: over HTTP/1 a Transfer-Encoding or a
 * Content-Length above 0, over HTTP/2 a HEADERS frame without END_STREAM. Decided from the
 * headers alone, so a request without a body never waits for one.
 */
export function bodyFollows(req: GatewayRequest): boolean {
  if (req instanceof H2Request) return !req.stream.endAfterHeaders
  const length = req.headers['content-length']
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && Number(length) > 0)
}

/**
 * The body of a request after which nothing follows, as Go's server hands it to lura: over HTTP/1
 * `http.NoBody` (undefined), which Go's transport sends as no body at all; over HTTP/2 a body
 * stream that is simply empty (x/net/http2 never uses NoBody), which it sends as an empty body.
 */
export function bodyAbsent(req: GatewayRequest): Buffer | undefined {
  return req.httpVersionMajor === 2 ? EMPTY : undefined
}

const SCRIPT_BODY = Symbol('scriptBody')

/** The body a service-level Lua script held (read or set) before routing. */
interface ScriptBody {
  body: Buffer
  /** The script called ctx:body(): krakend-lua put back a reader of its own (see sizeScriptBody). */
  touched: boolean
}

/**
 * Keeps the body a service-level Lua script read before gin routed the request: the request's body
 * from then on (readRequestBody and the endpoint read it instead of the client's stream).
 */
export function setScriptBody(req: object, body: Buffer, touched: boolean): void {
  ;(req as { [SCRIPT_BODY]?: ScriptBody })[SCRIPT_BODY] = { body, touched }
}

export const scriptBody = (req: object): ScriptBody | undefined =>
  (req as { [SCRIPT_BODY]?: ScriptBody })[SCRIPT_BODY]

/**
 * A body a router Lua script read or set is krakend-lua's new reader of unknown size: lura sizes Go's
 * request by the forwarded Content-Length alone (a `0` is no size: sent chunked; another length than
 * the body's fails the backend call, backend-calls.ts).
 */
export function sizeScriptBody(
  ctx: { bodySized?: boolean; declaredLength?: number | undefined },
  contentLength: string | string[] | undefined,
): void {
  const declared = Number(contentLength)
  if (ctx.bodySized && declared === 0) ctx.bodySized = false
  else if (ctx.bodySized) ctx.declaredLength = declared
}

export function readRequestBody(req: GatewayRequest, limit: number): Promise<Buffer> {
  const held = scriptBody(req)
  if (held) return Promise.resolve(held.body)
  const declared = Number(req.headers['content-length'])
  if (declared > limit) {
    req.pause()
    return Promise.reject(new HttpError(413, `request body over ${limit} bytes`))
  }
  // Expect: 100-continue is answered now that the body is wanted (Go's expectContinueReader, and
  // its HTTP/2 requestBody).
  if (req instanceof H2Request) req.continueBody()
  else continueBody(req)
  // An h2 body that ended empty while a guard was awaited (a DATA frame with END_STREAM and no
  // bytes) has emitted its 'end' already: nothing would ever settle the listeners below.
  if (req instanceof H2Request && req.stream.readableEnded)
    return req.stream.closed
      ? Promise.reject(new Error('the client reset its stream before its request body ended'))
      : Promise.resolve(EMPTY)
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        req.off('data', onData)
        req.pause()
        reject(new HttpError(413, `request body over ${limit} bytes`))
        return
      }
      chunks.push(chunk)
    }
    req.on('data', onData)
    req.on('end', () => {
      // node:http2 ends the body of a stream the client reset with NO_ERROR as if it were whole.
      if (req instanceof H2Request && req.stream.closed)
        reject(new Error('the client reset its stream before its request body ended'))
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size))
    })
    req.on('error', reject)
    // After 'end' this changes nothing; before it, the client reset its stream or closed its connection.
    req.on('close', () => reject(new Error('the client went away before its request body ended')))
  })
}

/** Headers for the answer to a refused body: HTTP/1 announces that the connection closes. */
export function refusalHeaders(req: GatewayRequest, headers: Record<string, string>): Record<string, string> {
  if (req.httpVersionMajor === 1) headers.Connection = 'close'
  return headers
}

/**
 * Once the answer to a refused body is out, stop the client sending: h1 half-closes the socket
 * and destroys it after a short linger (so the client can read the answer before a reset); h2
 * resets the stream (NO_ERROR) and leaves the session alone.
 */
export function closeAfterAnswer(req: GatewayRequest, res: GatewayResponse): void {
  if ('stream' in res) {
    // h2: reset only once the answer is out (the stream's own 'finish': its END_STREAM is
    // written). A stream closed while its answer is still queued drops the answer and sends nothing,
    // and the client waits forever. (The compat response's 'finish' only comes when the stream
    // closes, which a client still sending never does by itself.)
    const stream = res.stream
    const reset = () => {
      if (!stream.closed) stream.close(0)
    }
    if (stream.writableFinished) reset()
    else stream.once('finish', reset)
    return
  }
  const socket = req.socket as Socket & { destroySoon?: () => void; _paused?: boolean }
  let closing = false
  const close = () => {
    if (closing) return
    closing = true
    // node:http has just resumed the unread body to discard it (its resume comes on the next tick):
    // stop reading instead, and keep it stopped (node:http resumes no socket it marked paused).
    socket._paused = true
    socket.pause()
    socket.end()
    setTimeout(() => socket.destroy(), LINGER_MS).unref()
  }
  // With `Connection: close`, node:http destroys the socket as soon as the answer is flushed,
  // which resets a client still sending before it could read the 413: linger instead, as Go does.
  socket.destroySoon = close
  if (res.writableFinished) close()
  else res.once('finish', close)
}

/** How much of an unread body is read and discarded to keep the connection. */
export interface UnreadBodyLimit {
  readonly bytes: number
  /** A declared length at or over `bytes` is refused without reading any of it. */
  readonly refuseDeclared: boolean
}

/**
 * Go's maxPostHandlerReadBytes: how much of a body its handler left unread Go's server reads and
 * discards to keep the connection.
 */
const POST_HANDLER_LIMIT: UnreadBodyLimit = { bytes: 256 * 1024, refuseDeclared: true }

/**
 * An HTTP/1 request whose body nothing has read and that may still be arriving: its answer goes
 * through answerUnreadBody. (A body read, or refused over max_payload, has been touched.)
 */
export function bodyLeftUnread(req: GatewayRequest): req is IncomingMessage {
  const h1 = req as IncomingMessage
  return req.httpVersionMajor === 1 && !h1.complete && h1.readableFlowing === null && bodyFollows(req)
}

/**
 * Go's server writing the answer to a request whose body its handler did not read (an early 401,
 * 403, 429, a route miss...), instead of node:http's, which keeps the connection and reads and
 * discards the whole body, however large. On a connection that stays open, a body declared at
 * 256 KB or more is not read: the answer carries `Connection: close` and the connection closes
 * after it (closeAfterAnswer). A smaller or chunked body is read and discarded first, up to
 * 256 KB: the answer waits for it and the connection is kept, or, past 256 KB, the answer carries
 * `Connection: close` and the connection closes. On a connection closing anyway (the client's
 * `Connection: close`, HTTP/1.0 without keep-alive, an `Expect: 100-continue` never answered), the
 * answer goes at once and the connection closes after it, nothing more read: half-closed, then
 * reset after the linger (Go resets at once when a length was declared, which can cost the client
 * its answer, and lingers after a chunked one). `answer()` writes the answer.
 */
export function answerUnreadBody(
  req: IncomingMessage,
  res: ServerResponse,
  answer: () => void,
  limit = POST_HANDLER_LIMIT,
): void {
  if (!res.shouldKeepAlive) {
    answer()
    closeAfterAnswer(req, res)
    return
  }
  const declared = req.headers['content-length']
  if (limit.refuseDeclared && declared !== undefined && Number(declared) >= limit.bytes) {
    refuse()
    return
  }
  let read = 0
  const onData = (chunk: Buffer) => {
    read += chunk.length
    if (read <= limit.bytes) return
    stop()
    req.pause()
    refuse()
  }
  const onEnd = () => {
    stop()
    answer()
  }
  // The client went away before its body ended: there is no one to answer.
  const stop = () => {
    req.off('data', onData)
    req.off('end', onEnd)
    req.off('close', stop)
  }
  req.on('data', onData)
  req.on('end', onEnd)
  req.on('close', stop)

  function refuse(): void {
    announceClose(req, res)
    answer()
    closeAfterAnswer(req, res)
  }
}

/**
 * An HTTP/1 answer not yet written that ends its connection and says so, as Go's server names it:
 * node:http writes `Connection: close` (last, as Go does) for an answer that does not keep the
 * connection, unless a Connection header was removed (node-http.ts removes it on HTTP/1.1);
 * HTTP/1.0 answers that close carry no Connection header (node-http.ts), but Go names these.
 */
export function announceClose(req: IncomingMessage, res: ServerResponse): void {
  res.removeHeader('connection')
  ;(res as ServerResponse & { _removedConnection: boolean })._removedConnection = false
  res.shouldKeepAlive = false
  if (req.httpVersionMinor === 0) res.setHeader('Connection', 'close')
}
