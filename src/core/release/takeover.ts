/**
 * Taking the target's lock over from a running operation (`gwdeploy abort`, `rollback --force-now`).
 * The running one notices the abort lock within seconds (lock.ts watches for it, also in the
 * middle of a bake), stops at the next safe point, reverts traffic to the last state every colour
 * with traffic passed its gate for, and records it; this side waits for that record, then runs its
 * own work under the lock it took.
 */
import { sleep } from '../../health/gate.ts'
import type { LockInfo, ReleaseRecord } from '../../providers/types.ts'
import { step } from '../events.ts'
import { frozenError, isFreeze } from '../freeze-info.ts'
import {
  ABORT_OPERATION,
  acquireLock,
  describeLock,
  holderIsDead,
  isUnreadableLock,
  unreadableLockError,
} from '../lock.ts'
import { LOOKBACK, RECENT } from '../records.ts'
import { lockHolder } from '../target.ts'
import { type EngineContext, emitter, info, type LockedContext, warn } from './context.ts'
import { engineRecords } from './engine-records.ts'
import { liveLineage, releaseBefore } from './lineage.ts'
import { breakerOf } from './lock-guard.ts'
import { lockedContext, released } from './lock-scope.ts'

/** How long the aborting side waits for the stopped run's record. */
const REPORT_WAIT_MS = 60_000

export interface Takeover {
  aborted: LockInfo | null
  /** What the stopped run recorded (interrupted, with the weights it reverted to). */
  outcome?: ReleaseRecord | undefined
  /** Its holder's process on this host was gone: nothing was running to stop. */
  dead?: true | undefined
}

/** The operation holding the lock now (null: nothing runs); a freeze is exit 3. */
export async function running(ctx: EngineContext): Promise<LockInfo | null> {
  const current = await ctx.target.provider.lock().status({ signal: ctx.signal })
  if (!current) return null
  // Unreadable, it may be a running release (or a freeze): never "nothing to abort".
  if (isUnreadableLock(current)) throw unreadableLockError(current)
  // A freeze is a person's decision, not a run: abort does not lift it (`lock release` does).
  if (isFreeze(current)) throw frozenError(current)
  const live = current as LockInfo
  return Date.parse(live.expiresAt) > Date.now() ? live : null
}

/**
 * Where `rollback --force-now` goes when a release or promote is in flight: the release before the one
 * that served (the newest the records say went live), as if the abort had put that one back, or that
 * one itself when nothing was released before it. Read before the takeover, so where the stopped run
 * leaves traffic (its first step unbaked, a baked split, or done just before the abort lands) decides
 * nothing. Says so; undefined when no such run holds the lock.
 */
export async function forceNowGoal(
  ctx: EngineContext,
): Promise<{ sha: string; served: string; running: LockInfo } | undefined> {
  const current = await running(ctx)
  if (current?.operation !== 'release' && current?.operation !== 'promote') return undefined
  const lineage = liveLineage(await engineRecords(ctx, LOOKBACK))
  const served = lineage.at(-1)
  if (!served) return undefined
  const sha = releaseBefore(lineage, served) ?? served
  const then =
    sha === served
      ? `nothing was released before ${served.slice(0, 7)}, which served: all traffic goes back to it`
      : `then going back to ${sha.slice(0, 7)}, the release before ${served.slice(0, 7)} (which served)`
  const what = `${current.operation}${current.sha ? ` of ${current.sha.slice(0, 7)}` : ''}`
  info(ctx, `the ${what} by ${current.holder} is in flight: stopping it, ${then}`)
  return { sha, served, running: current }
}

async function reportOf(
  ctx: EngineContext,
  holder: string,
  since: string,
): Promise<ReleaseRecord | undefined> {
  const deadline = Date.now() + REPORT_WAIT_MS
  while (Date.now() < deadline) {
    const records = await engineRecords(ctx, RECENT)
    const report = records.find((r) => r.holder === holder && r.time >= since)
    if (report) return report
    await sleep(250, ctx.signal)
  }
  warn(
    ctx,
    `${holder} did not record an outcome within ${REPORT_WAIT_MS / 1000} s: it may be dead; check \`gwdeploy status\``,
  )
  return undefined
}

/** Takes the lock over (stopping whoever holds it), waits for their report, runs `fn` under it. */
export async function forceScope<T>(
  ctx: EngineContext,
  why: string,
  fn: (locked: LockedContext, takeover: Takeover) => Promise<T>,
): Promise<T> {
  const { target, reporter } = ctx
  const aborted = await running(ctx)
  const since = new Date().toISOString()
  const lock = await step(reporter, 'lock', async () => {
    if (aborted) {
      info(ctx, `aborting ${describeLock(aborted)}`)
      await target.provider.lock().forceRelease({ signal: ctx.signal })
    }
    const request = {
      holder: lockHolder(),
      operation: `${ABORT_OPERATION}: ${why}`,
      ttlMs: target.config.lock.ttl,
    }
    return acquireLock(target.provider.lock(), request, {
      waitMs: 5_000,
      signal: ctx.signal,
      emit: emitter(reporter),
      breaker: breakerOf(target),
    })
  })
  try {
    // A holder on this host whose process is gone (kill -9) reverts nothing and records nothing:
    // waiting the full minute for its report would only hold up whoever is on call.
    const dead = aborted !== null && holderIsDead(aborted)
    if (dead)
      info(
        ctx,
        `${describeLock(aborted)}: its process on this host is gone, so it records no outcome; not waiting for one`,
      )
    const outcome =
      aborted && !dead ? await step(reporter, 'abort', () => reportOf(ctx, aborted.holder, since)) : undefined
    return await fn(lockedContext(ctx, lock), { aborted, outcome, ...(dead ? { dead } : {}) })
  } finally {
    const outcome = await released(lock)
    if (outcome.state === 'not-released') warn(ctx, outcome.detail ?? 'could not release the lock')
    reporter.emit(outcome)
  }
}
