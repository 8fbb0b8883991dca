// Cancels the backend calls of one client request: the client went away, or the endpoint's
// deadline passed. One of these is made per request, so it is a plain object with a listener list
// rather than an AbortController (an EventTarget, several times the cost); an AbortSignal is made
// only for the calls that need one (streamed no-op answers).

export class Cancellation {
  #reason: Error | undefined
  #listeners: Array<(reason: Error) => void> | undefined
  #signal: AbortController | undefined

  get aborted(): boolean {
    return this.#reason !== undefined
  }

  get reason(): Error | undefined {
    return this.#reason
  }

  /** The deadline passed (lura's context timeout), rather than the client leaving or a sibling answering. */
  get deadlinePassed(): boolean {
    return this.#reason?.message === DEADLINE
  }

  /** Go's ctx.Err() once aborted: what lura returns for the calls this cancelled. */
  get contextError(): string {
    return this.deadlinePassed ? 'context deadline exceeded' : 'context canceled'
  }

  /** Aborts for the deadline. */
  expire(): void {
    this.abort(new Error(DEADLINE))
  }

  abort(reason: Error): void {
    if (this.#reason !== undefined) return
    this.#reason = reason
    const listeners = this.#listeners
    this.#listeners = undefined
    if (listeners) for (const listener of listeners) listener(reason)
    this.#signal?.abort(reason)
  }

  /** Calls `listener` once on abort (at once if already aborted); returns its removal. */
  onAbort(listener: (reason: Error) => void): () => void {
    if (this.#reason !== undefined) {
      listener(this.#reason)
      return noop
    }
    this.#listeners ??= []
    this.#listeners.push(listener)
    return () => {
      const at = this.#listeners?.indexOf(listener) ?? -1
      if (at !== -1) this.#listeners?.splice(at, 1)
    }
  }

  /** A cancellation that also ends when this one does. */
  child(): Cancellation {
    const child = new Cancellation()
    const remove = this.onAbort((reason) => child.abort(reason))
    child.onAbort(remove)
    return child
  }

  get signal(): AbortSignal {
    if (!this.#signal) {
      this.#signal = new AbortController()
      if (this.#reason !== undefined) this.#signal.abort(this.#reason)
    }
    return this.#signal.signal
  }
}

const DEADLINE = 'timeout'

const noop = () => {}
