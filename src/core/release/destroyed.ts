/**
 * After `gwdeploy destroy` nothing is live, though the records' line of live releases still ends
 * with the release that served before it. `rollback` means "back to the release before the live
 * one": with no live one it would quietly bring back the release before the last live one.
 */
import { COLOURS, type ReleaseRecord, type TargetState } from '../../providers/types.ts'
import { usageError } from '../errors.ts'
import { isCompleted } from '../records.ts'
import { liveLineage, releaseBefore } from './lineage.ts'

/** The destroy record when no release went live after it (newest first records), else undefined. */
export function destroyedSinceLive(records: readonly ReleaseRecord[]): ReleaseRecord | undefined {
  const newest = records.find((r) => isCompleted(r) || r.operation === 'destroy')
  return newest?.operation === 'destroy' ? newest : undefined
}

/** A destroy is the newest word and no colour the target runs gets traffic: nothing is deployed. */
export function nothingDeployedSince(
  state: TargetState,
  records: readonly ReleaseRecord[],
): ReleaseRecord | undefined {
  const destroyed = destroyedSinceLive(records)
  if (!destroyed) return undefined
  const served = COLOURS.some((c) => state.fleets[c] !== undefined && state.weights[c] > 0)
  return served ? undefined : destroyed
}

/** The ways back after a destroy: the last live release, or the one before it, both as recorded. */
export function afterDestroyWays(records: readonly ReleaseRecord[]): string {
  const lineage = liveLineage(records)
  const last = lineage.at(-1)
  const before = releaseBefore(lineage, last)
  if (!last) return '`gwdeploy release --sha SHA` deploys a release'
  return [
    `\`gwdeploy rollback --to ${last}\` brings back ${last.slice(0, 7)}, the last live release, as recorded`,
    ...(before ? [`\`gwdeploy rollback --to ${before}\` the one before it`] : []),
    '`gwdeploy release --sha SHA` deploys a new one',
  ].join('; ')
}

/** `rollback` (without --to) after a destroy: exit 2, nothing changed, naming the destroy and the ways back. */
export function nothingDeployedError(destroyed: ReleaseRecord, records: readonly ReleaseRecord[]) {
  const last = liveLineage(records).at(-1)
  return usageError(
    `there is nothing to roll back from: nothing is deployed, the target was destroyed at ${destroyed.time}${destroyed.holder ? ` by ${destroyed.holder}` : ''}${last ? ` (${last.slice(0, 7)} was live before)` : ''}`,
    { hint: `${afterDestroyWays(records)}. Nothing was changed.` },
  )
}
