/**
 * Under the lock, every provider call that changes traffic or infrastructure first reads the lock
 * back (HeldLock.confirm): a lock broken by `gwdeploy lock release --force`, or taken over, stops the
 * run before that change — not at the next renewal, up to a third of the TTL later.
 */
import type { Provider } from '../../providers/types.ts'
import type { HeldLock, LockBreaker } from '../lock.ts'
import { lockBreaker } from '../lock-commands.ts'
import type { Target } from '../target.ts'

const CHANGES = new Set<string>([
  'provision',
  'preview',
  'route',
  'decommission',
  'annotate',
  'setMaintenance',
  'destroy',
])

export function lockGuarded(provider: Provider, lock: HeldLock): Provider {
  return new Proxy(provider, {
    get(target, property) {
      // The provider itself is `this` (its private fields are not reachable through the proxy).
      const value = Reflect.get(target, property)
      if (typeof value !== 'function') return value
      if (typeof property !== 'string' || !CHANGES.has(property)) return value.bind(target)
      return async (...args: unknown[]) => {
        await lock.confirm()
        return value.apply(target, args)
      }
    },
  })
}

/** The target's record of who broke a lock (`lock release --force`), for the run that held it. */
export const breakerOf =
  (target: Pick<Target, 'provider' | 'stateDir'>): LockBreaker =>
  async (held) => {
    const record = await lockBreaker(target, held)
    return record ? { holder: record.holder, time: record.time } : undefined
  }
