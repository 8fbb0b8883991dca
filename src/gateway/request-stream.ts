// A client's request body handed to its one backend as it arrives, as lura does (proxy/http.go
// gives http.NewRequest the server's request.Body): nothing of it is held beyond the chunk in
// flight, and a backend call may start, or even answer, before the body ends.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import type { GatewayRequest, GatewayResponse } from './app.ts'
import type { CompiledEndpoint } from './compiled-endpoint.ts'
import { continueBody } from './go-expect.ts'
import { H2Request } from './h2-exchange.ts'
import { announceClose, closeAfterAnswer, HttpError } from './request-body.ts'

/** The body is an h2 stream's readable side, or the IncomingMessage. */
const sourceOf = (req: GatewayRequest): Readable =>
  req instanceof H2Request ? req.stream : (req as IncomingMessage)

const RESET = () => new Error('the client reset its stream before its request body ended')

/** Go's http.MaxBytesError. */
const TOO_LARGE = 'http: request body too large'

/** The client's body as an iterable undici sends; it can be read once. */
export class StreamedBody implements AsyncIterable<Buffer> {
  readonly #req: GatewayRequest
  readonly #limit: number
  #read = false
  #ended = false
  #overLimit = false

  /** The client's Content-Length, sent on when lura sets the backend request's (bodySized). */
  readonly declaredLength: number | undefined

  constructor(req: GatewayRequest, limit: number) {
    this.#req = req
    this.#limit = limit
    const declared = req.headers['content-length']
    this.declaredLength = declared === undefined ? undefined : Number(declared)
  }

  /** Reading began and the body has not ended: what is left stays unread by the call. */
  get cutShort(): boolean {
    return this.#read && !this.#ended
  }

  /** More than router.max_payload arrived: the backend call was aborted for it. */
  get overLimit(): boolean {
    return this.#overLimit
  }

  /**
   * Waits for the body's first bytes or its end (answering an `Expect: 100-continue`): true when
   * it ended without any. The bytes stay for the iterator.
   */
  isEmpty(): Promise<boolean> {
    const req = this.#req
    this.#continue()
    const source = sourceOf(req)
    if (source.readableEnded) return Promise.resolve(!(req instanceof H2Request && req.stream.closed))
    return new Promise((resolve) => {
      const settle = (empty: boolean) => {
        source.off('data', onData)
        source.off('end', onEnd)
        source.off('close', onClose)
        source.off('error', onClose)
        resolve(empty)
      }
      const onData = (chunk: Buffer) => {
        source.pause()
        source.unshift(chunk)
        settle(false)
      }
      // An h2 stream reset with NO_ERROR ends its body too: not an empty body (the iterator fails it).
      const onEnd = () => settle(!(req instanceof H2Request && req.stream.closed))
      const onClose = () => settle(false)
      source.on('data', onData)
      source.on('end', onEnd)
      source.on('close', onClose)
      source.on('error', onClose)
      source.resume()
    })
  }

  #continue(): void {
    const req = this.#req
    if (req instanceof H2Request) req.continueBody()
    else continueBody(req)
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    if (this.#read) throw new Error('a streamed request body can be read only once')
    this.#read = true
    const req = this.#req
    // Expect: 100-continue is answered when the body is first read (Go's expectContinueReader).
    this.#continue()
    const source = sourceOf(req)
    const chunks: Buffer[] = []
    // An empty body may have ended unread already (node:http2 reads 0 bytes of an ended stream).
    let ended = source.readableEnded
    let failure: Error | undefined =
      ended && req instanceof H2Request && req.stream.closed ? RESET() : undefined
    let wake: (() => void) | undefined
    const onData = (data: Buffer) => {
      // One chunk at a time: the client is paused until the backend connection took it.
      chunks.push(data)
      source.pause()
      wake?.()
    }
    const onEnd = () => {
      // node:http2 ends the body of a stream the client reset with NO_ERROR as if it were whole.
      if (req instanceof H2Request && req.stream.closed) failure = RESET()
      ended = true
      wake?.()
    }
    const onError = (error: Error) => {
      failure ??= error
      wake?.()
    }
    // After 'end' this changes nothing; before it, the client reset its stream or closed its connection.
    const onClose = () => {
      if (!ended) onError(new Error('the client went away before its request body ended'))
    }
    source.on('data', onData)
    source.on('end', onEnd)
    source.on('error', onError)
    source.on('close', onClose)
    let size = 0
    try {
      for (;;) {
        const out = chunks.shift()
        if (out !== undefined) {
          size += out.length
          if (size > this.#limit) {
            // Go's http.MaxBytesReader error, which Go's transport returns from the call.
            this.#overLimit = true
            throw new Error(TOO_LARGE)
          }
          yield out
          continue
        }
        if (failure) throw failure
        if (ended) {
          this.#ended = true
          return
        }
        await new Promise<void>((resolve) => {
          wake = resolve
          source.resume()
        })
        wake = undefined
      }
    } finally {
      source.off('data', onData)
      source.off('end', onEnd)
      source.off('error', onError)
      source.off('close', onClose)
      // The call ended before the body (the backend answered first): the rest is read and
      // dropped, as Go's transport goes on sending it, and the connection is kept. A body over
      // the limit is not read further (the connection closes after the answer).
      if (!ended) {
        if (this.#overLimit) source.pause()
        else source.resume()
      }
    }
  }
}

/**
 * Whether lura hands this endpoint's body to its backend as it arrives: one backend called once
 * (several backends, shadows and concurrent_calls copy it: CloneRequest reads it whole), no
 * send_body_on_redirect (which reads it into a buffer), and no component that reads or replaces it
 * first (Lua, JSON schema, GraphQL, martian's body.Modifier: martian is not told apart here).
 * A no-op endpoint (which answers as the backend's answer arrives) streams only without a set
 * max_payload, so that a body over it is still a 413.
 */
export function backendStreamsBody(ep: CompiledEndpoint, limited: boolean): boolean {
  if (limited && ep.cfg.noop) return false
  const streams = streaming.get(ep)
  if (streams !== undefined) return streams
  const b = ep.backends[0]
  const c = ep.cfg.components
  const bc = b?.cfg.components
  const result =
    ep.backends.length === 1 &&
    b !== undefined &&
    !ep.copiesBody &&
    !ep.cfg.sequential &&
    !c?.luaRouter &&
    !c?.luaProxy &&
    !c?.jsonSchema &&
    !b.replaysBody &&
    !b.graphql &&
    !b.lua &&
    !b.instead &&
    !bc?.martian
  streaming.set(ep, result)
  return result
}
const streaming = new WeakMap<CompiledEndpoint, boolean>()

/**
 * The client's body to stream to the backend. Over router.max_payload, a declared length is
 * refused (413) before anything is read; a body that runs over it on the way fails the backend
 * call, and the endpoint answers 413 instead (KrakenD EE's documented answer) if it still can.
 */
export function streamRequestBody(req: GatewayRequest, limit: number): StreamedBody {
  if (Number(req.headers['content-length']) > limit) {
    req.pause()
    throw new HttpError(413, `request body over ${limit} bytes`)
  }
  return new StreamedBody(req, limit)
}

/**
 * A backend call that failed before the client's body ended, as Go's server ends it: the answer
 * announces `Connection: close` (HTTP/1) and the connection closes after it; an h2 stream is reset.
 */
export function closeAfterCutBody(req: GatewayRequest, res: GatewayResponse): void {
  if (!res.headersSent && !('stream' in res)) announceClose(req as IncomingMessage, res as ServerResponse)
  closeAfterAnswer(req, res)
}
