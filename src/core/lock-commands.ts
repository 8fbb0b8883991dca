/** `gwdeploy lock status` and `lock release`: reading and breaking the target's lock. */
import type { LockInfo, ReleaseRecord } from '../providers/types.ts'
import { GwError, isGwError, lockHeldError } from './errors.ts'
import { ExitCode } from './exit-codes.ts'
import {
  deadHolderTakeover,
  describeLock,
  forceReleaseCommand,
  holderIsDead,
  isUnreadableLock,
  unreadableLockError,
} from './lock.ts'
import { listRecords, RECENT, writeRecord } from './records.ts'
import { lockHolder, type Target } from './target.ts'

export async function lockStatus(target: Target, signal?: AbortSignal): Promise<{ lock: LockView | null }> {
  const lock = await target.provider.lock().status(signal ? { signal } : {})
  return { lock: lock ? lockView(lock, target.provider.id, target.env) : null }
}

export type LockView = LockInfo & {
  expired: boolean
  /** Its holder ran on this host and its process is gone (kill -9, a crash). */
  dead?: boolean
  /** With `dead`: what takes the lock over (the next release, or the exact command). */
  takeover?: string
}

export const lockView = (lock: LockInfo, providerId: string, env: string | undefined): LockView => ({
  ...lock,
  expired: Date.parse(lock.expiresAt) <= Date.now(),
  ...(holderIsDead(lock) ? { dead: true, takeover: deadHolderTakeover(providerId, env) } : {}),
})

/**
 * `lock release`: without --force only an expired lock is removed (a live holder is named,
 * exit 3); with --force any lock is broken.
 */
export async function lockRelease(
  target: Target,
  force: boolean,
  signal?: AbortSignal,
  warn: (message: string) => void = () => {},
): Promise<{ released: LockInfo | null }> {
  const lock = target.provider.lock()
  const current = await lock.status(signal ? { signal } : {})
  if (!current) return { released: null }
  // Unreadable, it may be a freeze: only --force clears it.
  if (!force && isUnreadableLock(current)) throw unreadableLockError(current)
  if (!force && Date.parse(current.expiresAt) > Date.now()) {
    const dead = holderIsDead(current)
    throw lockHeldError(
      `the release lock is held by ${dead ? 'a run whose process on this host is gone: ' : ''}${describeLock(current)}`,
      {
        hint: `${dead ? 'Break' : 'If that run is dead, break'} the lock with \`${forceReleaseCommand(target.env)}\`.`,
        details: { lock: current },
      },
    )
  }
  // A run's lock is broken on the record first: the run stops at its next step and names who broke it.
  if (force && !isUnreadableLock(current)) await recordBreak(target, current, warn)
  return { released: await breakLock(target, signal) }
}

async function recordBreak(target: Target, broken: LockInfo, warn: (message: string) => void): Promise<void> {
  await writeRecord(
    target,
    {
      time: new Date().toISOString(),
      operation: 'lock',
      status: 'broken',
      service: target.config.service,
      env: target.env,
      holder: lockHolder(),
      ...(broken.sha ? { sha: broken.sha } : {}),
      brokenLock: { holder: broken.holder, acquiredAt: broken.acquiredAt, operation: broken.operation },
    },
    warn,
  )
}

/** Who broke `held` with `lock release --force` (from its record on the target), if anyone did. */
export async function lockBreaker(
  target: Pick<Target, 'provider' | 'stateDir'>,
  held: LockInfo,
): Promise<ReleaseRecord | undefined> {
  const records = await listRecords(target, RECENT).catch(() => [])
  return records.find(
    (r) =>
      r.operation === 'lock' &&
      r.brokenLock?.holder === held.holder &&
      Date.parse(r.time) >= Date.parse(held.acquiredAt),
  )
}

/**
 * Breaks the lock; an interrupt stops it mid-call (exit 130). The store breaks it in one call, so
 * it is then broken or as it was: the message says which command tells.
 */
export async function breakLock(target: Target, signal?: AbortSignal): Promise<LockInfo | null> {
  try {
    return await target.provider.lock().forceRelease(signal ? { signal } : {})
  } catch (error) {
    if (!signal?.aborted || !isGwError(error) || error.exitCode !== ExitCode.interrupted) throw error
    throw new GwError(error.code, error.exitCode, `${error.message} while breaking the lock`, {
      hint: `The lock may or may not be broken: \`gwdeploy lock status${target.env ? ` -e ${target.env}` : ''}\` says which; re-run to finish.`,
    })
  }
}
