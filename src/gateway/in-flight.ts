/** Counts the requests a gateway is serving, so that a drain can wait until none is left. */
export interface InFlight {
  readonly count: number
  enter(): void
  leave(): void
  /** Resolves when no request is in flight. */
  idle(): Promise<void>
}

export function createInFlight(): InFlight {
  let count = 0
  let idleWaiters: Array<() => void> = []
  return {
    get count() {
      return count
    },
    enter() {
      count += 1
    },
    leave() {
      count -= 1
      if (count === 0 && idleWaiters.length > 0) {
        const waiters = idleWaiters
        idleWaiters = []
        for (const resolve of waiters) resolve()
      }
    },
    idle() {
      if (count === 0) return Promise.resolve()
      return new Promise((resolve) => idleWaiters.push(resolve))
    },
  }
}
