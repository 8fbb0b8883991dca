/**
 * A rollback killed (kill -9) in the middle of its shift leaves traffic split between the release it
 * was leaving and the one it was going back to. Run again, `rollback` would read that split as a
 * canary of the earlier release and put all traffic back on the release it was leaving — the
 * opposite of what the operator asked for, reported as "rolled back". The dead run's lock says it
 * was a rollback: read before this run takes it over, it lets the re-run complete that rollback.
 */
import { COLOURS, type LockInfo, type ReleaseRecord, type TargetState } from '../../providers/types.ts'
import { holderIsDead, isUnreadableLock } from '../lock.ts'
import type { EngineContext } from './context.ts'
import { isSplit, liveColour, liveLineage, releaseBefore } from './lineage.ts'

/** The lock of a rollback whose process is gone (or that stopped renewing it), before this run takes it over. */
export async function stoppedRollback(ctx: EngineContext): Promise<LockInfo | undefined> {
  if (ctx.lock) return undefined
  const lock = await ctx.target.provider
    .lock()
    .status({ signal: ctx.signal })
    .catch(() => null)
  if (!lock) return undefined
  const unreadable: boolean = isUnreadableLock(lock)
  if (unreadable || lock.operation !== 'rollback') return undefined
  return holderIsDead(lock) || Date.parse(lock.expiresAt) <= Date.now() ? lock : undefined
}

/**
 * During a split, the SHA the stopped rollback was moving traffic to: the side that is not the live
 * release, when it runs what that rollback went to (its --to, else the release before the live one).
 */
export function stoppedRollbackGoal(
  state: TargetState,
  records: readonly ReleaseRecord[],
  stopped: LockInfo,
): string | undefined {
  if (!isSplit(state)) return undefined
  const lineage = liveLineage(records)
  const live = liveColour(state, lineage)
  const liveSha = live ? state.fleets[live]?.sha : undefined
  const other = COLOURS.find((c) => c !== live)
  const sha = other ? state.fleets[other]?.sha : undefined
  if (!sha) return undefined
  const wentTo = stopped.sha ? sha.startsWith(stopped.sha) : sha === releaseBefore(lineage, liveSha)
  return wentTo ? sha : undefined
}
