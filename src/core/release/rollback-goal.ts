/**
 * Which release `gwdeploy rollback [--to SHA]` goes back to, from the records and what runs: the
 * release before the live one (a second rollback one further back), the one a split shifted away
 * from, a `--to` prefix; and the colour running it as recorded, if any.
 */
import { COLOURS, type Fleet, type ReleaseRecord, type TargetState } from '../../providers/types.ts'
import { isGwError, usageError } from '../errors.ts'
import { ExitCode } from '../exit-codes.ts'
import { isCompleted } from '../records.ts'
import {
  nothingDeployedError,
  nothingDeployedSince,
  unfinishedDestroy,
  unfinishedDestroyError,
} from './destroyed.ts'
import { isSplit, liveColour, liveLineage, releaseBefore } from './lineage.ts'
import { interruptedRollbackGoal } from './stopped-rollback.ts'

/**
 * What `rollback` (without --to) would go back to, for `status`: the SHA and the colour running it
 * as recorded (undefined fleet: it redeploys); undefined when there is nothing to roll back to.
 */
export function rollbackTarget(
  state: TargetState,
  records: readonly ReleaseRecord[],
): { sha: string; fleet: Fleet | undefined } | undefined {
  try {
    const sha = interruptedRollbackGoal(state, records)?.sha ?? rollbackGoal(state, records, undefined)
    return { sha, fleet: goalFleet(state, records, sha) }
  } catch (error) {
    if (isGwError(error) && error.exitCode === ExitCode.usage) return undefined
    throw error
  }
}

/** The SHA to go back to (throws exit 2 when the history has nothing earlier). */
export function rollbackGoal(
  state: TargetState,
  records: readonly ReleaseRecord[],
  wanted: string | undefined,
  env?: string,
): string {
  if (wanted) return shaOfPrefix(state, records, wanted)
  const destroyed = nothingDeployedSince(state, records)
  if (destroyed) throw nothingDeployedError(destroyed, records)
  const destroying = unfinishedDestroy(records)
  if (destroying) throw unfinishedDestroyError(destroying, state, records, env)
  const lineage = liveLineage(records)
  const live = liveColour(state, lineage)
  const liveSha = live ? state.fleets[live]?.sha : lineage.at(-1)
  if (isSplit(state) && liveSha) return liveSha
  // Traffic already on the release before the recorded top: a rollback switched and stopped (kill -9)
  // before its record. Its re-run completes it (records it) instead of going one further back.
  const top = lineage.at(-1)
  if (live && liveSha && top && liveSha !== top && releaseBefore(lineage, top) === liveSha) return liveSha
  const before = releaseBefore(lineage, liveSha)
  if (before) return before
  // No release line at all (every record lost or deleted): the colour kept for rollback still says
  // what it runs (a failed green kept with --keep-failed carries no keep-until).
  const kept = lineage.length === 0 ? keptForRollback(state) : undefined
  if (kept && kept.sha !== liveSha) return kept.sha
  // A router sending no colour any traffic (a listener's action replaced by hand) while the last
  // live release still runs: it is not "live", and releasing it again is what serves it.
  if (!live && liveSha && COLOURS.every((c) => state.weights[c] === 0) && goalFleet(state, records, liveSha))
    throw usageError(
      `there is nothing to roll back to: no colour gets any traffic, and ${liveSha.slice(0, 7)}, the last release that went live (still up), has no release before it in the records`,
      {
        hint: `\`gwdeploy release --sha ${liveSha}\` routes traffic to it again; \`gwdeploy status\` shows what the router does.`,
      },
    )
  // Run twice (a retried CI job, a second try at 3 a.m.): the first one already went back.
  const last = records.find(isCompleted)
  const left = last?.operation === 'rollback' && last.sha === liveSha ? last.previous?.sha : undefined
  throw usageError(
    `there is nothing to roll back to: ${liveSha ? `${liveSha.slice(0, 7)} is live and ` : ''}the release records hold no release before it${left ? ` (the rollback at ${last?.time} already went back to it from ${left.slice(0, 7)})` : ''}`,
    {
      hint: `${left ? `\`gwdeploy release --sha ${left}\` goes forward again. ` : ''}\`gwdeploy history\` lists what ran; \`gwdeploy rollback --to SHA\` or \`gwdeploy release --sha SHA\` picks one.`,
    },
  )
}

/** The one SHA a running colour or a record has for `--to PREFIX`; several are exit 2, as git refuses them. */
function shaOfPrefix(state: TargetState, records: readonly ReleaseRecord[], wanted: string): string {
  const known = [...COLOURS.map((c) => state.fleets[c]?.sha), ...records.map((r) => r.sha)]
  const matches = [...new Set(known.filter((sha): sha is string => sha?.startsWith(wanted) === true))]
  if (matches.length <= 1) return matches[0] ?? wanted
  const named = (sha: string) => {
    const name =
      records.find((r) => r.sha === sha)?.configName ??
      COLOURS.map((c) => state.fleets[c]).find((f) => f?.sha === sha)?.configName
    return `${sha.slice(0, 12)}${name ? ` (${name})` : ''}`
  }
  throw usageError(`--to ${wanted} matches ${matches.length} releases: ${matches.map(named).join(', ')}`, {
    hint: 'Give more characters of the SHA (`gwdeploy history` lists them). Nothing was changed.',
  })
}

/** The idle colour `finalize` kept as the previous release (keep-until set), while the other serves all traffic. */
function keptForRollback(state: TargetState): Fleet | undefined {
  return COLOURS.map((c) => state.fleets[c]).find(
    (f) =>
      f !== undefined &&
      f.keepUntil !== undefined &&
      state.weights[f.colour] === 0 &&
      COLOURS.some((c) => c !== f.colour && state.weights[c] === 100),
  )
}

/**
 * The colour running the release `sha` as the line recorded it: same SHA and config digest (the
 * newest record of `sha` that went live names the digest; without one, the SHA alone decides), the
 * serving one when both do.
 */
export function goalFleet(
  state: TargetState,
  records: readonly ReleaseRecord[],
  sha: string,
): Fleet | undefined {
  const digest = goalDigest(records, sha)
  const running = COLOURS.map((c) => state.fleets[c]).filter(
    (f): f is Fleet =>
      f !== undefined && f.sha === sha && (digest === undefined || f.configDigest === digest),
  )
  // Both colours run it (an --allow-dirty variant beside the commit): the one serving is already there.
  return running.find((f) => state.weights[f.colour] > 0) ?? running[0]
}

/** The records of `sha` with the digest `goalFleet` goes by: a redeploy takes what the line recorded. */
export function recordsOfGoal(records: ReleaseRecord[], sha: string): ReleaseRecord[] {
  const digest = goalDigest(records, sha)
  return digest ? records.filter((r) => r.sha !== sha || r.configDigest === digest) : records
}

/** The config digest of the newest record of `sha` that went live (what the line recorded). */
const goalDigest = (records: readonly ReleaseRecord[], sha: string) =>
  records.find((r) => r.sha === sha && isCompleted(r) && r.configDigest)?.configDigest
