/**
 * The messages a subscription holds for the requests to come, as gocloud's Subscription.Receive
 * hands them out: the next one to the next request; a request waits for one until its context ends
 * (the message then stays for a later request). After a receive error every request fails with it
 * (gocloud's permanent error state), even while messages are held.
 */
export class MessageQueue<T> {
  #items: T[] = []
  #waiters: Array<{ resolve: (item: T) => void; reject: (error: Error) => void }> = []
  #failed: Error | undefined

  get failed(): Error | undefined {
    return this.#failed
  }

  /** The messages held for the requests to come. */
  get length(): number {
    return this.#items.length
  }

  push(item: T): void {
    const waiter = this.#waiters.shift()
    if (waiter) waiter.resolve(item)
    else this.#items.push(item)
  }

  fail(error: Error): void {
    this.#failed ??= error
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error)
  }

  take(signal: AbortSignal): Promise<T> {
    if (this.#failed) return Promise.reject(this.#failed)
    if (signal.aborted) return Promise.reject(signal.reason as Error)
    const item = this.#items.shift()
    if (item !== undefined) return Promise.resolve(item)
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        const i = this.#waiters.indexOf(waiter)
        if (i !== -1) this.#waiters.splice(i, 1)
        reject(signal.reason as Error)
      }
      const waiter = {
        resolve: (value: T) => {
          signal.removeEventListener('abort', onAbort)
          resolve(value)
        },
        reject: (error: Error) => {
          signal.removeEventListener('abort', onAbort)
          reject(error)
        },
      }
      this.#waiters.push(waiter)
      signal.addEventListener('abort', onAbort, { once: true })
    })
  }
}
