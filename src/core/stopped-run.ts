/**
 * What `status` says about a run that stopped without finishing (kill -9, a lost CI runner): its
 * lock is left with a holder whose process is gone (or that stopped renewing it), and the target is
 * wherever the run left it. The operator is told where that is and which command goes on from there.
 */
import { COLOURS, type Fleet, otherColour, type ReleaseRecord, type TargetState } from '../providers/types.ts'
import { GwError, isGwError } from './errors.ts'
import { ExitCode } from './exit-codes.ts'
import { isFreeze } from './freeze.ts'
import type { LockView } from './lock-commands.ts'
import { isCompleted } from './records.ts'
import { interruptedRollbackGoal } from './release/stopped-rollback.ts'

const split = (state: Pick<TargetState, 'weights'>) =>
  `blue ${state.weights.blue}% / green ${state.weights.green}%`

export function describeStoppedRun(
  state: Pick<TargetState, 'fleets' | 'weights'>,
  lock: LockView | null | undefined,
  env: string | undefined,
  records: readonly ReleaseRecord[] = [],
): string | undefined {
  if (!lock) return undefined
  const frozen: boolean = isFreeze(lock)
  if (frozen || !(lock.dead || lock.expired) || lock.unreadable) return undefined
  const { operation, sha } = lock
  const e = env ? ` -e ${env}` : ''
  if (operation === 'rollback') {
    const gone = `the rollback by ${lock.holder} stopped without finishing (its process is gone)`
    return COLOURS.every((c) => state.weights[c] > 0)
      ? `${gone} in the middle of its shift: traffic is ${split(state)}; \`gwdeploy rollback${e}\` completes it (all traffic to the release it was going back to)`
      : `${gone}: \`gwdeploy rollback${e}\` again goes on from where it stopped`
  }
  if (operation === 'destroy') return stoppedDestroy(state, lock, e)
  if (operation === 'retire') return stoppedRetire(state, lock, e)
  if (operation !== 'release' || !sha) return undefined
  const sha7 = sha.slice(0, 7)
  const stopped = `the release of ${sha7} by ${lock.holder} stopped without finishing (its process is gone)`
  const colour = COLOURS.find((c) => state.fleets[c]?.sha === sha)
  const resume = `\`gwdeploy release --sha ${sha}${e}\` goes on from there`
  if (!colour) {
    // It may have retired the idle colour on the slot it deploys to (recorded as part of it) first.
    // (this run's retire: one an earlier killed run of the same SHA did is older than this lock)
    const retired = records[0]
    const first =
      retired?.operation === 'retire' &&
      retired.status === 'retired' &&
      retired.partOf?.sha === sha &&
      Date.parse(retired.time) >= Date.parse(lock.acquiredAt)
        ? `after it retired ${retired.colour} (${retired.sha?.slice(0, 7)}), the idle colour it deploys onto, and`
        : undefined
    // Nodes it started before it recorded them are not in the state: the next release or destroy stops them.
    const started = '(a node it may have started is stopped by the next release or destroy)'
    return first
      ? `${stopped} ${first} before it recorded a node ${started}; ${resume}`
      : `${stopped} before it recorded a node: no traffic moved ${started}; ${resume}`
  }
  const weight = state.weights[colour]
  const other = otherColour(colour)
  const before = state.fleets[other]
  const beforeName = before ? `${other} (${before.sha.slice(0, 7)})` : other
  if (weight === 100) return undefined // live: unrecordedLive says whether its record is missing
  if (weight > 0)
    return `${stopped} in the middle of its shift: traffic is ${split(state)}, and ${colour} has not baked at ${weight}%; ${resume} (it bakes this split again first), \`gwdeploy rollback${e}\` puts all traffic back on ${beforeName}`
  return `${stopped} before traffic moved: ${colour} runs ${sha7} with no traffic${state.weights[other] > 0 ? `, ${beforeName} serves as before` : ''}; ${resume}, \`gwdeploy retire${e}\` tears ${colour} down`
}

/** A `destroy` whose holder died (kill -9, a lost runner) part-way: what is left, and both ways on. */
function stoppedDestroy(state: Pick<TargetState, 'fleets' | 'weights'>, lock: LockView, e: string): string {
  const left = COLOURS.flatMap((c) => {
    const fleet = state.fleets[c]
    return fleet ? [`${c} (${fleet.sha.slice(0, 7)})`] : []
  })
  const live = COLOURS.map((c) => state.fleets[c]).find((f) => f && state.weights[f.colour] === 100)
  return `the destroy by ${lock.holder} stopped without finishing (its process is gone)${left.length ? `: ${left.join(' and ')} still there` : ''}; ${stoppedDestroyWays(live?.sha, e)}`
}

/** A `retire` whose holder died part-way: the idle colour it was tearing down may be half gone. */
function stoppedRetire(state: Pick<TargetState, 'fleets' | 'weights'>, lock: LockView, e: string): string {
  const idle = COLOURS.map((c) => state.fleets[c]).find((f) => f && state.weights[f.colour] === 0)
  const left = idle
    ? `: ${idle.colour} (${idle.sha.slice(0, 7)}) is still there, its nodes may be half stopped`
    : ''
  return `the retire by ${lock.holder} stopped without finishing (its process is gone)${left}; \`gwdeploy retire${e}\` finishes it`
}

/**
 * A `retire` stopped by Ctrl-C or SIGTERM while it tore the idle colour down (out of the routes, its
 * nodes being stopped): the generic "a release converges" hint would not say that colour is half gone.
 */
export function stoppedRetirePartWay(
  error: unknown,
  signal: AbortSignal | undefined,
  fleet: Pick<Fleet, 'colour' | 'sha' | 'nodes'>,
  env: string | undefined,
): unknown {
  const stop =
    isGwError(error) && (error.exitCode === ExitCode.interrupted || error.exitCode === ExitCode.lockHeld)
  if (!signal?.aborted || !stop) return error
  const e = env ? ` -e ${env}` : ''
  return new GwError(
    error.code,
    error.exitCode,
    `${error.message} part-way through retire: ${fleet.colour} (${fleet.sha.slice(0, 7)}, ${fleet.nodes.length} node(s)) may be half stopped; it gets no traffic`,
    {
      hint: `\`gwdeploy retire${e}\` finishes it; \`gwdeploy status\` shows what is left.`,
      ...(error.details ? { details: error.details } : {}),
    },
  )
}

/** The ways on from a destroy stopped part-way: finish it, or serve the live release again. */
export function stoppedDestroyWays(sha: string | undefined, e = ''): string {
  return `\`gwdeploy destroy --force${e}\` finishes it${sha ? `, or \`gwdeploy release --sha ${sha}${e}\` serves ${sha.slice(0, 7)} again instead` : ''}`
}

/** The lock of a destroy whose process is gone: `status` then names it in its "nothing is served" hint. */
export const isStoppedDestroy = (lock: LockView | null | undefined): boolean =>
  lock?.operation === 'destroy' && (lock.dead === true || lock.expired === true)

/** A rollback stopped by a signal mid-shift (its lock released, its record `interrupted`): the split and the way on. */
export function describeInterruptedRollback(
  state: TargetState,
  records: readonly ReleaseRecord[],
  env: string | undefined,
): string | undefined {
  const goal = interruptedRollbackGoal(state, records)
  if (!goal) return undefined
  return `the rollback at ${goal.time} was interrupted in the middle of its shift: traffic is ${split(state)}; \`gwdeploy rollback${env ? ` -e ${env}` : ''}\` completes it (all traffic to ${goal.sha.slice(0, 7)})`
}

/**
 * The newest run went live but a step after its switch did not finish (exit 8: stopped or failed in
 * finalize, so the colour it left is not marked kept for rollback): said until a release of the live
 * SHA finishes it, for the operator who did not see that run's output.
 */
export function describeUnfinishedLive(
  state: Pick<TargetState, 'fleets' | 'weights'>,
  records: readonly ReleaseRecord[],
  env: string | undefined,
): string | undefined {
  const newest = records[0]
  if (!newest?.sha || !isCompleted(newest) || !newest.unfinished?.length) return undefined
  const colour = COLOURS.find((c) => state.fleets[c]?.sha === newest.sha && state.weights[c] === 100)
  if (!colour) return undefined
  return `the ${newest.operation} of ${newest.sha.slice(0, 7)} at ${newest.time} went live on ${colour} but did not finish (${newest.unfinished.join('; ')}): \`gwdeploy release --sha ${newest.sha}${env ? ` -e ${env}` : ''}\` finishes it without moving traffic`
}
