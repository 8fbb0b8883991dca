/**
 * The release freeze (Kamal's deploy lock): `gwdeploy lock acquire -m REASON` takes the target's
 * release lock with operation `freeze: REASON` and a long TTL, and nothing renews or releases it
 * until `gwdeploy lock release`. Every provider's lock stores holder and operation, so a freeze
 * works wherever the lock lives; release/promote/rollback/retire then exit 3 naming it.
 */
import type { LockInfo } from '../providers/types.ts'
import { lockHeldError, usageError } from './errors.ts'
import { FOREVER_MS, FREEZE_PREFIX, frozenError, isFreeze } from './freeze-info.ts'
import { describeLock, isUnreadableLock, takeoverWarning, unreadableLockError } from './lock.ts'
import { breakLock, lockRelease } from './lock-commands.ts'
import { lockHolder, type Target } from './target.ts'

export { describeFreeze, FOREVER_MS, freezeReason, isFreeze } from './freeze-info.ts'

const MAX_REASON = 200

/** Who froze: user@host and the CI job, without the pid (the process that froze is long gone). */
const freezeHolder = (env: NodeJS.ProcessEnv = process.env): string => lockHolder(env, false)

function checkReason(reason: string, provider: string): string {
  const text = reason.replace(/\s+/g, ' ').trim()
  if (!text) throw usageError('a freeze needs a reason: -m "why releases must wait"')
  if (text.length > MAX_REASON)
    throw usageError(`the reason is ${text.length} characters; at most ${MAX_REASON} fit in every lock store`)
  if (provider !== 'aws') return text
  // The ALB lock keeps it in a tag value, which allows letters, digits, spaces and _ . : / = + - @ only.
  const kept = text
    .replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, ' ')
    .replace(/ +/g, ' ')
    .trim()
  if (!kept)
    throw usageError(`the reason ${JSON.stringify(text)} keeps no character an AWS tag value allows`, {
      hint: 'Write it with letters, digits, spaces and _ . : / = + - @ (the ALB lock keeps it in a tag).',
    })
  return kept
}

export async function freeze(
  target: Target,
  options: {
    reason: string
    ttlMs?: number | undefined
    signal?: AbortSignal
    warn?: (message: string) => void
  },
) {
  const reason = checkReason(options.reason, target.provider.id)
  const attempt = await target.provider.lock().tryAcquire(
    {
      holder: freezeHolder(),
      operation: `${FREEZE_PREFIX}${reason}`,
      ttlMs: options.ttlMs ?? FOREVER_MS,
    },
    options.signal ? { signal: options.signal } : {},
  )
  if (!attempt.acquired) {
    if (isUnreadableLock(attempt.lock)) throw unreadableLockError(attempt.lock)
    if (isFreeze(attempt.lock)) throw frozenError(attempt.lock)
    throw lockHeldError(`cannot freeze: the release lock is held by ${describeLock(attempt.lock)}`, {
      hint: 'Wait for that operation to finish, then freeze; or break a dead one with `gwdeploy lock release --force`.',
      details: { lock: attempt.lock },
    })
  }
  if (attempt.tookOver) options.warn?.(takeoverWarning(attempt.tookOver))
  return { lock: attempt.lock }
}

/** `gwdeploy lock release`: lifts a freeze as is; any other lock keeps the old rules (expired or --force). */
export async function releaseLockOrFreeze(
  target: Target,
  force: boolean,
  signal?: AbortSignal,
  warn?: (message: string) => void,
): Promise<{ released: LockInfo | null; thawed: boolean }> {
  const current = await target.provider.lock().status(signal ? { signal } : {})
  if (isFreeze(current)) return { released: await breakLock(target, signal), thawed: true }
  return { ...(await lockRelease(target, force, signal, warn)), thawed: false }
}
