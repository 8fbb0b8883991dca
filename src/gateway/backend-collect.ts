// A backend answer read whole into memory, as the buffered path of backend-client.ts reads it.
import type { Hop } from './backend-client.ts'
import type { Cancellation } from './cancellation.ts'
import { fixPragmaCacheControl } from './go-http.ts'

type Collected = Omit<Hop<Buffer>, 'discard'>

/**
 * An undici dispatch handler that reads the whole answer into memory: no stream, no async
 * resource per call (the buffered path is every rendering endpoint's path). A negative limit
 * drops the body.
 */
export class CollectingHandler {
  readonly #cancel: Cancellation
  readonly #limit: number
  readonly #done: (error: Error | null, result?: Collected) => void
  #status = 0
  #headers: Record<string, string | string[] | undefined> = {}
  #chunks: Buffer[] = []
  #size = 0
  #removeAbortListener: (() => void) | undefined

  constructor(cancel: Cancellation, limit: number, done: (error: Error | null, result?: Collected) => void) {
    this.#cancel = cancel
    this.#limit = limit
    this.#done = done
  }

  onRequestStart(controller: { abort(reason: Error): void }): void {
    this.#removeAbortListener?.()
    this.#removeAbortListener = this.#cancel.onAbort((reason) => controller.abort(reason))
  }

  onResponseStart(
    controller: { abort(reason: Error): void },
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200) return
    this.#status = statusCode
    fixPragmaCacheControl(headers)
    this.#headers = headers
    const value = headers['content-length']
    const length = Number(Array.isArray(value) ? value[0] : value)
    if (this.#limit >= 0 && length > this.#limit) controller.abort(this.#overLimit())
  }

  onResponseData(controller: { abort(reason: Error): void }, chunk: Buffer): void {
    if (this.#limit < 0) return
    this.#size += chunk.length
    if (this.#size > this.#limit) controller.abort(this.#overLimit())
    else this.#chunks.push(chunk)
  }

  onResponseEnd(): void {
    this.#release()
    const chunks = this.#chunks
    const bytes =
      chunks.length === 1
        ? (chunks[0] as Buffer)
        : Buffer.concat(chunks, chunks.length === 0 ? 0 : this.#size)
    this.#done(null, { statusCode: this.#status, headers: this.#headers, answer: bytes })
  }

  onResponseError(_controller: unknown, error: Error): void {
    this.#release()
    this.#done(error)
  }

  #overLimit(): Error {
    return new Error(`backend response over ${this.#limit} bytes`)
  }

  #release(): void {
    this.#removeAbortListener?.()
    this.#removeAbortListener = undefined
  }
}
