import type http from 'node:http'
import type http2 from 'node:http2'

type ClientBody = NodeJS.EventEmitter & { readableEnded: boolean; read(): Buffer | string | null }

/**
 * A request body handed to undici as an async iterable that reads the client stream on demand:
 * `started` says whether a node consumed any of it (then it cannot be retried elsewhere), and
 * stopping the iteration early (a node answered before the upload ended) leaves the client's
 * stream alone, so the early answer still reaches the client.
 */
export class BodySource implements AsyncIterable<Buffer> {
  started = false
  failed = false
  readonly #req: ClientBody

  constructor(req: http.IncomingMessage | http2.Http2ServerRequest) {
    this.#req = req as unknown as ClientBody
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    this.started = true
    const req = this.#req
    return {
      next: () =>
        new Promise<IteratorResult<Buffer>>((resolve, reject) => {
          const cleanup = () => {
            req.off('readable', attempt)
            req.off('end', onEnd)
            req.off('error', onError)
            req.off('close', onClose)
          }
          const onEnd = () => {
            cleanup()
            resolve({ value: undefined, done: true })
          }
          const onError = (error: Error) => {
            cleanup()
            this.failed = true
            reject(error)
          }
          const onClose = () => {
            if (req.readableEnded) return onEnd()
            onError(new Error('the client closed the request before its body ended'))
          }
          function attempt() {
            const chunk = req.read()
            if (chunk !== null) {
              cleanup()
              resolve({ value: typeof chunk === 'string' ? Buffer.from(chunk) : chunk, done: false })
            } else if (req.readableEnded) onEnd()
          }
          req.on('readable', attempt)
          req.on('end', onEnd)
          req.on('error', onError)
          req.on('close', onClose)
          attempt()
        }),
      return: async () => ({ value: undefined, done: true }),
    }
  }
}
