/**
 * The line of releases that went live, read from the release records: what `rollback` goes back
 * along and what tells a preview (waiting for `promote`) from the colour kept for rollback.
 */
import {
  COLOURS,
  type Colour,
  type Fleet,
  type ReleaseRecord,
  type TargetState,
} from '../../providers/types.ts'
import type { Run } from './context.ts'

const wentLive = (record: ReleaseRecord) =>
  record.sha !== undefined && (record.status === 'released' || record.status === 'switched')

/**
 * Whether the release `fleet` runs ever went live: a record of a release or switch of its SHA and
 * config digest. A run killed before its record left none; without any records (lost) it may have.
 */
export function everWentLive(records: readonly ReleaseRecord[], fleet: Fleet): boolean {
  if (records.length === 0) return true
  return records.some(
    (r) =>
      r.sha === fleet.sha &&
      wentLive(r) &&
      (r.configDigest === undefined || r.configDigest === fleet.configDigest),
  )
}

/**
 * Marks the run's other colour never-live (left idle by finalize, not recorded as `previous`) when it
 * shares a split with the run's colour and its release never went live: a canary, a release stopped
 * mid-shift. Going back to it would be going forward to something that never served.
 */
export function judgePrevious(run: Run, records: readonly ReleaseRecord[]): Run {
  const other = run.previous
  if (other && run.state.weights[other.colour] < 100 && !everWentLive(records, other))
    run.previousNeverLive = true
  return run
}

/**
 * The SHAs that went live, oldest first, as a stack: a release or promote that went live pushes its
 * SHA, a rollback pops back to the SHA it went to (pushes it when it is not on the stack). So the
 * entry below the top is "the release before the live one", and rolling back twice goes two back.
 */
export function liveLineage(recordsNewestFirst: readonly ReleaseRecord[]): string[] {
  const stack: string[] = []
  for (const record of [...recordsNewestFirst].reverse()) {
    if (!wentLive(record)) continue
    const sha = record.sha as string
    if (record.operation === 'rollback') {
      const at = stack.lastIndexOf(sha)
      if (at >= 0) stack.length = at + 1
      else stack.push(sha)
    } else if (stack.at(-1) !== sha) stack.push(sha)
  }
  return stack
}

/** The release before `liveSha` on the lineage (undefined: nothing earlier). */
export function releaseBefore(lineage: readonly string[], liveSha: string | undefined): string | undefined {
  if (liveSha === undefined) return lineage.at(-2)
  const at = lineage.lastIndexOf(liveSha)
  if (at > 0) return lineage[at - 1]
  if (at === 0) return undefined
  // The live SHA is not in the records (released by something else, records pruned): the newest other.
  return lineage.findLast((sha) => sha !== liveSha)
}

/** Traffic split between both colours (a canary, an interrupted or stepped shift). */
export const isSplit = (state: Pick<TargetState, 'weights'>) => COLOURS.every((c) => state.weights[c] > 0)

/**
 * The colour that holds the live release: during a split, the one running the newest release that
 * went live (the shift came from it); else the one at 100%.
 */
export function liveColour(state: TargetState, lineage: readonly string[]): Colour | null {
  const full = COLOURS.find((c) => state.weights[c] === 100 && state.fleets[c])
  if (full) return full
  if (!isSplit(state)) return null
  const top = lineage.at(-1)
  const running = COLOURS.find((c) => state.fleets[c]?.sha === top)
  if (running) return running
  // No record says which served first: the one carrying more traffic.
  return state.weights.green > state.weights.blue ? 'green' : 'blue'
}

/**
 * The colour waiting for `promote`: the non-live side of a split, or an idle colour whose newest
 * record (among previews and releases that went live) is a preview of the SHA it runs.
 */
export function pendingColour(state: TargetState, records: readonly ReleaseRecord[]): Colour | null {
  const lineage = liveLineage(records)
  if (isSplit(state)) {
    const live = liveColour(state, lineage)
    const other = COLOURS.find((c) => c !== live) ?? null
    const sha = other ? state.fleets[other]?.sha : undefined
    // The other side waits when it never went live since: a canary, a stopped release. A previous
    // release on it (instances that disagree after a failed switch) is not waiting for promote.
    const newest = records.find(
      (r) => r.sha === sha && (r.status === 'interrupted' || r.status === 'preview' || wentLive(r)),
    )
    return !newest || newest.status === 'preview' || newest.status === 'interrupted' ? other : null
  }
  const newest = records.find((r) => r.sha !== undefined && (r.status === 'preview' || wentLive(r)))
  if (newest?.status !== 'preview') return null
  const waiting = COLOURS.find(
    (c) => state.weights[c] === 0 && state.fleets[c]?.sha === newest.sha && !state.fleets[c]?.keepUntil,
  )
  return waiting ?? null
}

/**
 * The colour serving 100% whose release the records know only as a preview: a `promote` killed between
 * its switch and its record (or traffic switched by hand to a preview). `promote` finishes it; with the
 * newest preview record, whose weights are the last split that passed its gate and bake.
 */
export function unrecordedPromotion(
  state: TargetState,
  records: readonly ReleaseRecord[],
): { colour: Colour; preview: ReleaseRecord } | undefined {
  const newest = records.find((r) => r.sha !== undefined && (r.status === 'preview' || wentLive(r)))
  if (newest?.status !== 'preview') return undefined
  const colour = COLOURS.find((c) => state.weights[c] === 100 && state.fleets[c]?.sha === newest.sha)
  return colour ? { colour, preview: newest } : undefined
}
