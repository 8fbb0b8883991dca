/**
 * Which release records `records.keep` deletes, the same on every provider's store. It counts what
 * an operator reads as one operation: a destroy's or retire's intent record goes with its outcome
 * and does not count on its own. And it never deletes what `rollback` and `status` decide on: the
 * live release and the one before it, with every record since the latter went live (so the line of
 * live releases read from the records kept is the one read from all of them). That protection ends at
 * LOOKBACK records, as far as those commands read: a long run of failed releases cannot grow the
 * store without bound (SSM holds at most 10,000 parameters per account and region).
 */
import type { ReleaseRecord } from '../providers/types.ts'
import { LOOKBACK } from './records.ts'
import { liveLineage } from './release/lineage.ts'

const wentLive = (record: ReleaseRecord, sha: string) =>
  record.sha === sha && (record.status === 'released' || record.status === 'switched')

/** What `rollback --to` redeploys from: the stamped config, or the image by digest. */
const carriesArtifact = (record: ReleaseRecord, sha: string) =>
  record.sha === sha &&
  record.configName !== undefined &&
  record.configDigest !== undefined &&
  (record.configText !== undefined || record.image?.includes('@sha256:') === true)

/**
 * For each `started` record, the index of its outcome (the next record of the same operation, newer,
 * when it is not another start: a run holds the lock from its intent to its outcome).
 */
function outcomes(records: readonly (ReleaseRecord | undefined)[]): Map<number, number> {
  const paired = new Map<number, number>()
  for (let i = 0; i < records.length; i++) {
    const intent = records[i]
    if (intent?.status !== 'started') continue
    for (let j = i - 1; j >= 0; j--) {
      const later = records[j]
      if (later?.operation !== intent.operation) continue
      if (later.status !== 'started') paired.set(i, j)
      break
    }
  }
  return paired
}

/**
 * The oldest index that must stay: the newest record by which the release before the live one
 * went live (or the live one, when it is the only one), and the newest records carrying their
 * artifacts. -1 when no release went live.
 */
function oldestNeeded(records: readonly (ReleaseRecord | undefined)[]): number {
  const readable = records.filter((r): r is ReleaseRecord => r !== undefined && r.operation !== 'lock')
  const lineage = liveLineage(readable)
  let oldest = -1
  for (const sha of lineage.slice(-2)) {
    for (const needed of [wentLive, carriesArtifact]) {
      const at = records.findIndex((r) => r !== undefined && needed(r, sha))
      oldest = Math.max(oldest, at)
    }
  }
  return oldest
}

/**
 * Of all records, newest first (undefined: one that cannot be read, which counts as a record), those
 * to delete so that `keep` operations are left, never what `rollback` needs.
 */
export function recordsToPrune(records: readonly (ReleaseRecord | undefined)[], keep: number): boolean[] {
  const paired = outcomes(records)
  const needed = oldestNeeded(records)
  const doomed = records.map(() => false)
  let counted = 0
  for (let i = 0; i < records.length; i++) {
    if (paired.has(i)) continue
    counted++
    doomed[i] = counted > keep && (i > needed || i >= LOOKBACK)
  }
  for (const [intent, outcome] of paired) doomed[intent] = doomed[outcome] === true
  return doomed
}
