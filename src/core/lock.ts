import { sleep } from '../health/gate.ts'
import { holderIsGone } from '../providers/lock-info.ts'
import type { Lock, LockInfo, LockRequest } from '../providers/types.ts'
import { GwError, lockHeldError } from './errors.ts'
import type { EngineEvent } from './events.ts'
import { ExitCode } from './exit-codes.ts'
import { frozenError, isFreeze } from './freeze-info.ts'

export function describeLock(lock: LockInfo): string {
  const what = [lock.operation, lock.sha ? lock.sha.slice(0, 7) : undefined].filter(Boolean).join(' ')
  return `${lock.holder}${what ? ` (${what})` : ''}, since ${lock.acquiredAt}, expires ${lock.expiresAt}`
}

/**
 * A lock the store cannot read (a corrupt lock file). It may be a freeze or a running release, so
 * it is never taken over as if it had expired: whoever knows it is safe clears it with
 * `lock release --force`.
 */
export const isUnreadableLock = (lock: LockInfo | null | undefined): lock is LockInfo =>
  lock?.unreadable !== undefined

export const unreadableLockError = (lock: LockInfo) =>
  new GwError(
    'lock_unreadable',
    ExitCode.provider,
    `the release lock cannot be read (${lock.unreadable}): it may be a freeze or a running release, so it is not taken over`,
    {
      hint: 'A torn write or disk trouble left it unreadable. Make sure no release is running and no freeze should hold (ask whoever deploys), then clear it with `gwdeploy lock release --force`.',
      details: { lock },
    },
  )

/**
 * A file lock (local, haproxy) takes over the lock of a holder on this host whose process is gone
 * at once. A lock other machines share (a Kubernetes Lease, AWS) is not: a container elsewhere may
 * run under the same host name with its own pids, so it is named dead, and breaking it is left to
 * the operator.
 */
export const takesOverDeadHolder = (providerId: string) => providerId === 'local' || providerId === 'haproxy'

/** A holder on this host whose process is gone (kill -9, OOM): `lock status` and `status` say so. */
export function holderIsDead(lock: LockInfo | null | undefined): boolean {
  return lock ? holderIsGone(lock.holder) : false
}

/** The command that breaks the lock, with the environment the target was opened with. */
export const forceReleaseCommand = (env?: string) => `gwdeploy lock release --force${env ? ` -e ${env}` : ''}`

/** What takes a dead holder's lock over (shown by `status` and `lock status`). */
export function deadHolderTakeover(providerId: string, env?: string): string {
  const command = `\`${forceReleaseCommand(env)}\``
  return takesOverDeadHolder(providerId)
    ? `the next release takes it over, or ${command}`
    : `${command} takes it over`
}

/**
 * The warning a run gives when it took over another holder's lock: the same words on every
 * provider, naming who held it, since when and doing what, and why it could be taken.
 */
export function takeoverWarning(previous: LockInfo): string {
  const why = holderIsDead(previous)
    ? 'its process on this host is gone (killed or crashed)'
    : 'it expired without being renewed'
  return `took over the release lock of ${describeLock(previous)}: ${why}. That run did not finish; \`gwdeploy status\` shows where it left the target.`
}

export interface HeldLock {
  info: LockInfo
  /** The lock of a dead or expired holder this run replaced, when it took one over. */
  tookOver?: LockInfo | undefined
  /** Aborted (with an exit-3 error) when a renewal finds the lock taken over or gone. */
  lost: AbortSignal
  /**
   * Reads the lock back before a step that changes traffic or infrastructure: broken (`lock release
   * --force`) or taken over, it is lost now (throws the reason, naming who) rather than at the next
   * renewal. Once lost it lets the clean-up through.
   */
  confirm(): Promise<void>
  release(): Promise<void>
}

/** Who broke a lock with `lock release --force` (time and holder), looked up when the lock is found gone. */
export type LockBreaker = (
  held: LockInfo,
) => Promise<{ holder?: string | undefined; time: string } | undefined>

/**
 * Takes the target's lock, waiting up to `waitMs` (0: fail at once with exit 3 naming the
 * holder), and keeps renewing it until released. The renewal timer never keeps the process
 * alive on its own.
 */
export async function acquireLock(
  lock: Lock,
  request: LockRequest,
  options: {
    waitMs: number
    signal?: AbortSignal
    emit?: (event: EngineEvent) => void
    /** The target's environment (-e), for the command a message names. */
    env?: string | undefined
    breaker?: LockBreaker
  },
): Promise<HeldLock> {
  const deadline = Date.now() + options.waitMs
  let announced = false
  let tookOver: LockInfo | undefined
  for (;;) {
    const attempt = await lock.tryAcquire(request, options.signal ? { signal: options.signal } : {})
    if (attempt.acquired) {
      tookOver = attempt.tookOver
      if (tookOver) options.emit?.({ type: 'warn', message: takeoverWarning(tookOver) })
      break
    }
    if (isUnreadableLock(attempt.lock)) throw unreadableLockError(attempt.lock)
    // A freeze is a person's decision, not a run that ends: never wait it out.
    if (isFreeze(attempt.lock)) throw frozenError(attempt.lock)
    if (Date.now() >= deadline) {
      // Only a shared lock gets here with a dead holder: a file lock has taken it over.
      if (holderIsDead(attempt.lock)) {
        throw lockHeldError(
          `the release lock is held by a run whose process on this host is gone (killed or crashed): ${describeLock(attempt.lock)}`,
          {
            hint: `\`${forceReleaseCommand(options.env)}\` takes it over, then re-run; gwdeploy does not break a shared lock by itself (another machine may have the same host name). \`gwdeploy status\` shows where the dead run left traffic.`,
            details: { lock: attempt.lock },
          },
        )
      }
      const waited = options.waitMs
        ? `Still held after waiting ${Math.round(options.waitMs / 1000)} s. `
        : 'Wait for it (--lock-wait[=DURATION]). '
      // A rollback is what cannot wait: the running release is stopped (it reverts first), not raced.
      const e = options.env ? ` -e ${options.env}` : ''
      const rollback =
        request.operation === 'rollback'
          ? `To undo that run now, \`gwdeploy abort${e}\` stops it (traffic goes back to what served before it); \`gwdeploy rollback --force-now${e}\` stops it and also rolls back what served before it. `
          : ''
      throw lockHeldError(`the release lock is held by ${describeLock(attempt.lock)}`, {
        hint: `${waited}${rollback}If that run is dead, \`${forceReleaseCommand(options.env)}\` breaks the lock.`,
        details: { lock: attempt.lock },
      })
    }
    if (!announced) {
      const deadNote = holderIsDead(attempt.lock)
        ? `: its process on this host is gone, so the wait ends when the lock expires (\`${forceReleaseCommand(options.env)}\` takes it over now)`
        : ''
      options.emit?.({
        type: 'progress',
        step: 'lock',
        message: `waiting for ${describeLock(attempt.lock)}${deadNote}`,
      })
      announced = true
    }
    await sleep(Math.min(1_000, Math.max(50, deadline - Date.now())), options.signal)
  }
  // Stopped by the interrupt, the lock is held all the same: it is handed over as taken (the
  // caller stops at its next step and releases it) rather than left behind until its TTL.
  const read = await lock.status(options.signal ? { signal: options.signal } : {}).catch((error: unknown) => {
    if (options.signal?.aborted) return null
    throw error
  })
  const info = read ?? {
    holder: request.holder,
    acquiredAt: new Date().toISOString(),
    renewedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + request.ttlMs).toISOString(),
  }
  return hold(lock, info, request.ttlMs, { emit: options.emit, tookOver, breaker: options.breaker })
}

/** The lock `gwdeploy abort` (and `rollback --force-now`) takes over a running operation's lock with. */
export const ABORT_OPERATION = 'abort'

const isAbort = (lock: LockInfo | null | undefined): lock is LockInfo =>
  lock?.operation?.startsWith(ABORT_OPERATION) === true

const abortedError = (by: LockInfo) =>
  new GwError('aborted', ExitCode.interrupted, `aborted by ${by.holder} (${by.operation})`, {
    hint: 'Traffic went back to the last state every colour with traffic passed its gate for; `gwdeploy status` shows it.',
  })

const takenOverError = (by: LockInfo) =>
  lockHeldError(`the release lock was taken over by ${describeLock(by)}`, {
    hint: 'Another run may be changing the target now: check `gwdeploy status` before re-running.',
  })

const brokenError = (by: { holder?: string | undefined; time: string }) =>
  lockHeldError(
    `the release lock was broken by ${by.holder ?? 'someone'} at ${by.time} (\`gwdeploy lock release --force\`)`,
    { hint: 'Ask them what runs now; `gwdeploy status` shows where this run left the target.' },
  )

const goneError = () =>
  lockHeldError(
    'the release lock is gone: it was removed outside gwdeploy (its file, tags or Lease deleted)',
    {
      hint: 'Another run may be changing the target now: check `gwdeploy status` before re-running.',
    },
  )

/**
 * Keeps renewing a held lock until released, and watches it for an abort: a renewal that fails,
 * or an abort lock in its place (checked every few seconds, so a bake is not waited out), aborts
 * `lost`. The timers never keep the process alive on their own.
 */
function hold(
  lock: Lock,
  first: LockInfo,
  ttlMs: number,
  options: {
    emit?: ((event: EngineEvent) => void) | undefined
    tookOver?: LockInfo | undefined
    breaker?: LockBreaker | undefined
  },
): HeldLock {
  const { emit, tookOver } = options
  let info = first
  let lost = false
  const lostController = new AbortController()
  const lose = (reason: GwError) => {
    if (lost) return
    lost = true
    clearInterval(renewTimer)
    clearInterval(watchTimer)
    emit?.({ type: 'warn', message: `release lock lost: ${reason.message}` })
    lostController.abort(reason)
  }
  const every = Math.max(200, Math.min(30_000, Math.floor(ttlMs / 3)))
  // The renewal in flight, awaited by release(): one that lands after the release would bring
  // the lock back (a rewritten lock file, a replaced Lease) and hold the target until its TTL.
  // One at a time: on a slow lock store overlapping renewals would conflict with each other.
  let renewing: Promise<void> | undefined
  const renewTimer = setInterval(() => {
    if (renewing) return
    renewing = lock
      .renew()
      .then(
        (next) => {
          info = next
        },
        async (error: Error) => {
          const now = await lock.status().catch(() => null)
          // A failed renewal of a lock that is still ours and not yet expired (a timeout, a
          // conflict) is tried again at the next tick; the lock is lost once someone else holds
          // it, it is gone, or it expired without a renewal.
          if (now?.holder === info.holder && !isAbort(now) && Date.now() < Date.parse(info.expiresAt)) return
          lose(
            isAbort(now)
              ? abortedError(now)
              : lockHeldError(`the release lock was lost: ${error.message}`, {
                  hint: 'Another run may be changing the target now: check `gwdeploy status` before re-running.',
                }),
          )
        },
      )
      .finally(() => {
        renewing = undefined
      })
  }, every)
  /** The reason the lock is no longer this run's, or undefined while it is. */
  // Compared with the lock as the store first read it back: a store may keep the holder shortened
  // (an aws tag holds 256 characters) where a renewal returns it in full.
  const notOurs = async (now: LockInfo | null): Promise<GwError | undefined> => {
    if (now?.holder === first.holder) return undefined
    if (isAbort(now)) return abortedError(now)
    if (now) return takenOverError(now)
    const broke = await options.breaker?.(first).catch(() => undefined)
    if (broke) return brokenError(broke)
    // `gwdeploy abort` breaks the lock, then takes it: a moment later its lock says who stops this run.
    await sleep(1_000)
    const later = await lock.status().catch(() => null)
    return isAbort(later) ? abortedError(later) : later ? takenOverError(later) : goneError()
  }
  const check = async (): Promise<GwError | undefined> => {
    if (lost) return lostController.signal.reason as GwError
    const reason = await notOurs(await lock.status())
    if (reason) lose(reason)
    return reason
  }
  const watchTimer = setInterval(
    () => {
      // While a renewal is in flight the lock may be between two writes: the next tick looks again.
      if (!renewing) check().catch(() => {})
    },
    Math.min(every, 2_000),
  )
  renewTimer.unref()
  watchTimer.unref()
  return {
    get info() {
      return info
    },
    tookOver,
    lost: lostController.signal,
    async confirm() {
      if (lost) return
      await renewing
      const reason = await check()
      if (reason) throw reason
    },
    async release() {
      clearInterval(renewTimer)
      clearInterval(watchTimer)
      await renewing
      await lock.release()
    },
  }
}
