/** What a freeze lock looks like (`freeze: REASON`) and what it means for a run: pure, so lock.ts can use it. */
import type { LockInfo } from '../providers/types.ts'
import { type GwError, lockHeldError } from './errors.ts'

export const FREEZE_PREFIX = 'freeze: '
/** Without --ttl a freeze lasts until it is released (ten years is what every lock store accepts). */
export const FOREVER_MS = 10 * 365 * 24 * 3_600_000

export function isFreeze(lock: LockInfo | null | undefined): lock is LockInfo {
  return lock?.operation?.startsWith(FREEZE_PREFIX) === true
}

export function freezeReason(lock: LockInfo): string {
  return (lock.operation ?? '').slice(FREEZE_PREFIX.length)
}

/** A freeze without --ttl. */
const lasting = (lock: LockInfo) =>
  Date.parse(lock.expiresAt) - Date.parse(lock.acquiredAt) >= FOREVER_MS - 60_000

const until = (lock: LockInfo) =>
  lasting(lock) ? 'until `gwdeploy lock release`' : `until ${lock.expiresAt} or \`gwdeploy lock release\``

/** One line for `status`: who froze releases, why, since when, until when. */
export function describeFreeze(lock: LockInfo): string {
  return `releases FROZEN by ${lock.holder}: "${freezeReason(lock)}" (since ${lock.acquiredAt}, ${until(lock)})`
}

/** What release, promote, rollback and retire throw while frozen (exit 3). */
export function frozenError(lock: LockInfo): GwError {
  return lockHeldError(
    `releases are frozen by ${lock.holder}: "${freezeReason(lock)}" (since ${lock.acquiredAt})`,
    {
      hint: lasting(lock)
        ? `It lasts until lifted: \`gwdeploy lock release\` lifts it (ask ${lock.holder} first).`
        : `It ends at ${lock.expiresAt}; \`gwdeploy lock release\` lifts it sooner (ask ${lock.holder} first).`,
      details: { lock },
    },
  )
}
