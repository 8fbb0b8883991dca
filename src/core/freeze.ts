/**
 * The release freeze (Kamal's deploy lock): `gwdeploy lock acquire -m REASON` takes the target's
 * release lock with operation `freeze: REASON` and a long TTL, and nothing renews or releases it
 * until `gwdeploy lock release`. Every provider's lock stores holder and operation, so a freeze
 * works wherever the lock lives; release/promote/rollback/retire then exit 3 naming it.
 */
import type { LockInfo } from '../providers/types.ts'
import { type GwError, lockHeldError, usageError } from './errors.ts'
import { describeLock } from './lock.ts'
import { lockRelease } from './operations.ts'
import { lockHolder, type Target } from './target.ts'

const PREFIX = 'freeze: '
/** Without --ttl a freeze lasts until it is released (ten years is what every lock store accepts). */
export const FOREVER_MS = 10 * 365 * 24 * 3_600_000
const MAX_REASON = 200

export function isFreeze(lock: LockInfo | null | undefined): lock is LockInfo {
  return lock?.operation?.startsWith(PREFIX) === true
}

export function freezeReason(lock: LockInfo): string {
  return (lock.operation ?? '').slice(PREFIX.length)
}

const until = (lock: LockInfo) =>
  Date.parse(lock.expiresAt) - Date.parse(lock.acquiredAt) >= FOREVER_MS - 60_000
    ? 'until `gwdeploy lock release`'
    : `until ${lock.expiresAt} or \`gwdeploy lock release\``

/** One line for `status`: who froze releases, why, since when, until when. */
export function describeFreeze(lock: LockInfo): string {
  return `releases FROZEN by ${lock.holder}: "${freezeReason(lock)}" (since ${lock.acquiredAt}, ${until(lock)})`
}

/** What release, promote, rollback and retire throw while frozen (exit 3). */
export function frozenError(lock: LockInfo): GwError {
  return lockHeldError(
    `releases are frozen by ${lock.holder}: "${freezeReason(lock)}" (since ${lock.acquiredAt})`,
    {
      hint: `The freeze lasts ${until(lock)}; \`gwdeploy lock release\` lifts it.`,
      details: { lock },
    },
  )
}

/** Who froze: user@host and the CI job, without the pid (the process that froze is long gone). */
const freezeHolder = (env: NodeJS.ProcessEnv = process.env): string => lockHolder(env, false)

function checkReason(reason: string, provider: string): string {
  const text = reason.replace(/\s+/g, ' ').trim()
  if (!text) throw usageError('a freeze needs a reason: -m "why releases must wait"')
  if (text.length > MAX_REASON)
    throw usageError(`the reason is ${text.length} characters; at most ${MAX_REASON} fit in every lock store`)
  // The ALB lock keeps it in a tag value, which allows letters, digits, spaces and _ . : / = + - @ only.
  return provider === 'aws' ? text.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, ' ').replace(/ +/g, ' ') : text
}

export async function freeze(target: Target, options: { reason: string; ttlMs?: number | undefined }) {
  const reason = checkReason(options.reason, target.provider.id)
  const attempt = await target.provider.lock().tryAcquire({
    holder: freezeHolder(),
    operation: `${PREFIX}${reason}`,
    ttlMs: options.ttlMs ?? FOREVER_MS,
  })
  if (!attempt.acquired) {
    if (isFreeze(attempt.lock)) throw frozenError(attempt.lock)
    throw lockHeldError(`cannot freeze: the release lock is held by ${describeLock(attempt.lock)}`, {
      hint: 'Wait for that operation to finish, then freeze; or break a dead one with `gwdeploy lock release --force`.',
      details: { lock: attempt.lock },
    })
  }
  return { lock: attempt.lock }
}

/** `gwdeploy lock release`: lifts a freeze as is; any other lock keeps the old rules (expired or --force). */
export async function releaseLockOrFreeze(
  target: Target,
  force: boolean,
): Promise<{ released: LockInfo | null; thawed: boolean }> {
  const current = await target.provider.lock().status()
  if (isFreeze(current)) return { released: await target.provider.lock().forceRelease(), thawed: true }
  return { ...(await lockRelease(target, force)), thawed: false }
}
