/**
 * After `gwdeploy destroy` nothing is live, though the records' line of live releases still ends
 * with the release that served before it. `rollback` means "back to the release before the live
 * one": with no live one it would quietly bring back the release before the last live one.
 */
import { COLOURS, type ReleaseRecord, type TargetState } from '../../providers/types.ts'
import { usageError } from '../errors.ts'
import { isCompleted } from '../records.ts'
import { liveLineage, releaseBefore } from './lineage.ts'

/** The newest destroy record when no release went live after it (newest first records), else undefined. */
const destroySinceLive = (records: readonly ReleaseRecord[]): ReleaseRecord | undefined => {
  const newest = records.find((r) => isCompleted(r) || r.operation === 'destroy')
  return newest?.operation === 'destroy' ? newest : undefined
}

/**
 * The intent record of a run of `operation` (destroy, retire) that began and never recorded its end
 * (killed, stopped, failed part-way), when it is the newest word: `newest` is the newest record among
 * completed releases and the operations that end it. An `interrupted` one points back at its start.
 */
export function unfinishedIntent(
  records: readonly ReleaseRecord[],
  newest: ReleaseRecord | undefined,
  operation: 'destroy' | 'retire',
): ReleaseRecord | undefined {
  if (newest?.operation !== operation) return undefined
  if (newest.status === 'interrupted')
    return records.find((r) => r.operation === operation && r.status === 'started') ?? newest
  return newest.status === 'started' ? newest : undefined
}

/** The record of a destroy that finished, when no release went live after it. */
export function destroyedSinceLive(records: readonly ReleaseRecord[]): ReleaseRecord | undefined {
  const destroy = destroySinceLive(records)
  return destroy?.status === 'destroyed' ? destroy : undefined
}

/**
 * The intent record of a destroy that began and never wrote its `destroyed` record (killed, stopped,
 * failed part-way), when no release went live after it: the target is half torn down on purpose.
 */
export function unfinishedDestroy(records: readonly ReleaseRecord[]): ReleaseRecord | undefined {
  return unfinishedIntent(records, destroySinceLive(records), 'destroy')
}

/** What an unfinished destroy left: the colours still there, or that only its record is missing. */
function destroyLeftovers(state: Pick<TargetState, 'fleets'>): string {
  const left = COLOURS.flatMap((c) => {
    const fleet = state.fleets[c]
    return fleet ? [`${c} (${fleet.sha.slice(0, 7)})`] : []
  })
  if (left.length) return `${left.join(' and ')} ${left.length > 1 ? 'are' : 'is'} still there`
  return 'no colour is left, but the destroy did not record that it finished'
}

/** The ways on from an unfinished destroy: finish it, or serve the last live release again. */
export function unfinishedDestroyWays(records: readonly ReleaseRecord[], env: string | undefined): string {
  const e = env ? ` -e ${env}` : ''
  const last = liveLineage(records).at(-1)
  return `\`gwdeploy destroy --force${e}\` finishes it${last ? `, or \`gwdeploy release --sha ${last}${e}\` serves ${last.slice(0, 7)} again instead` : ', or `gwdeploy release --sha SHA` deploys a release'}`
}

/** `the destroy started at T by H did not finish (...): what is left`: said by status, rollback and release. */
export const unfinishedDestroyFact = (destroy: ReleaseRecord, state: Pick<TargetState, 'fleets'>): string =>
  `the destroy started at ${destroy.time}${destroy.holder ? ` by ${destroy.holder}` : ''} did not finish (killed, stopped or failed part-way): ${destroyLeftovers(state)}`

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

/** `rollback` (without --to) after a destroy that did not finish: exit 2, nothing changed, the ways on. */
export function unfinishedDestroyError(
  destroy: ReleaseRecord,
  state: Pick<TargetState, 'fleets'>,
  records: readonly ReleaseRecord[],
  env: string | undefined,
) {
  const last = liveLineage(records).at(-1)
  const before = releaseBefore(liveLineage(records), last)
  return usageError(`there is nothing to roll back from: ${unfinishedDestroyFact(destroy, state)}`, {
    hint: `${unfinishedDestroyWays(records, env)}${before ? `; \`gwdeploy rollback --to ${before}\` brings back the release before it` : ''}. Nothing was changed.`,
  })
}

/** `rollback` (without --to) after a destroy: exit 2, nothing changed, naming the destroy and the ways back. */
export function nothingDeployedError(destroyed: ReleaseRecord, records: readonly ReleaseRecord[]) {
  const last = liveLineage(records).at(-1)
  return usageError(
    `there is nothing to roll back from: nothing is deployed, the target was destroyed at ${destroyed.time}${destroyed.holder ? ` by ${destroyed.holder}` : ''}${last ? ` (${last.slice(0, 7)} was live before)` : ''}`,
    { hint: `${afterDestroyWays(records)}. Nothing was changed.` },
  )
}
