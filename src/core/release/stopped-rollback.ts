/**
 * A rollback killed (kill -9) in the middle of its shift leaves traffic split between the release it
 * was leaving and the one it was going back to. Run again, `rollback` would read that split as a
 * canary of the earlier release and put all traffic back on the release it was leaving — the
 * opposite of what the operator asked for, reported as "rolled back". The dead run's lock, which
 * this run took over, says it was a rollback: it lets the re-run complete that rollback. One
 * stopped by a signal says so in its record instead (interruptedRollbackGoal).
 */
import { COLOURS, type LockInfo, type ReleaseRecord, type TargetState } from '../../providers/types.ts'
import { type HeldLock, isUnreadableLock } from '../lock.ts'
import { isSplit, liveColour, liveLineage, releaseBefore } from './lineage.ts'

/**
 * A rollback stopped by a signal (Ctrl-C, SIGTERM, `abort`) after a gated step of its shift keeps
 * that split and releases its lock cleanly, so no dead lock tells the re-run: its record does (the
 * newest, `interrupted`). The SHA it was going back to, while the split it left is still there.
 */
export function interruptedRollbackGoal(
  state: TargetState,
  records: readonly ReleaseRecord[],
): { sha: string; time: string } | undefined {
  const newest = records[0]
  if (newest?.operation !== 'rollback' || newest.status !== 'interrupted' || !newest.sha) return undefined
  const sha = stoppedRollbackGoal(state, records, { sha: newest.sha })
  return sha ? { sha, time: newest.time } : undefined
}

/** The lock of a rollback whose process is gone (or that stopped renewing it), which `held` took over. */
export function stoppedRollback(held: HeldLock): LockInfo | undefined {
  const previous = held.tookOver
  if (!previous) return undefined
  const unreadable: boolean = isUnreadableLock(previous)
  return !unreadable && previous.operation === 'rollback' ? previous : undefined
}

/**
 * During a split, the SHA the stopped rollback was moving traffic to: the side that is not the live
 * release, when it runs what that rollback went to (its --to, else the release before the live one).
 */
export function stoppedRollbackGoal(
  state: TargetState,
  records: readonly ReleaseRecord[],
  stopped: Pick<LockInfo, 'sha'>,
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
