/**
 * `gwdeploy rollback [--to SHA]`: back to the release before the live one, as the release records
 * tell it (liveLineage): a second rollback goes one further back, never to the version just left.
 * During a split (a canary, an interrupted shift) it returns all traffic to the release that fully
 * served before the shift. When that release's colour is still up and healthy it is one routing
 * change; otherwise its recorded artifact is released again — all under the one lock.
 */
import {
  COLOURS,
  type Fleet,
  otherColour,
  type ReleaseRecord,
  type TargetState,
  type Weights,
} from '../../providers/types.ts'
import { isGwError, usageError } from '../errors.ts'
import { step } from '../events.ts'
import { ExitCode } from '../exit-codes.ts'
import type { HookEnv } from '../hooks.ts'
import { ABORT_OPERATION } from '../lock.ts'
import { LOOKBACK } from '../records.ts'
import type { EngineContext, LockedContext, ReleaseResult, Run } from './context.ts'
import { describeWeights, info, resultOf, sameWeights, warn } from './context.ts'
import { engineRecords } from './engine-records.ts'
import { fleetRun } from './fleet-run.ts'
import { judgePrevious, liveLineage } from './lineage.ts'
import { isStop, withLock } from './lock-scope.ts'
import { splitWeights } from './plan.ts'
import { goalFleet, recordsOfGoal, rollbackGoal } from './rollback-goal.ts'
import { outsideGoal, outsideGoalNotRunning } from './rollback-outside.ts'
import { outsideNodesDown, redeploy, requireRecorded } from './rollback-redeploy.ts'
import { finishLive, liveUnfinishedError } from './steps/deliver.ts'
import { hooks, hookValues, preHooks } from './steps/hooks.ts'
import { routeTo } from './steps/shift.ts'
import { quickGate, verifyFleet } from './steps/verify.ts'
import { interruptedRollbackGoal, stoppedRollback, stoppedRollbackGoal } from './stopped-rollback.ts'
import { emitSummary } from './summary.ts'
import { forceNowGoal, forceScope } from './takeover.ts'
import { retiring, unfinishedRetire, unfinishedRetireFact } from './unfinished-retire.ts'

export interface RollbackOptions {
  to?: string | undefined
  lockWaitMs?: number
  /** Emergencies: abort whatever holds the lock (it reverts first), skip the hooks, then roll back. */
  forceNow?: boolean | undefined
}

/**
 * A quick health check of the colour to switch back to (one success, a few seconds): undefined, or why
 * it failed. `directOnly`: the nodes' own answers alone (servers HAProxy's slots may not point at yet).
 */
async function unhealthy(ctx: EngineContext, fleet: Fleet, directOnly = false): Promise<string | undefined> {
  return step(ctx.reporter, 'verify', async () => {
    try {
      await verifyFleet(ctx, fleet, { ...quickGate(ctx), smoke: false, directOnly })
      return undefined
    } catch (error) {
      if (!isGwError(error) || error.exitCode !== ExitCode.healthGate) throw error
      // The gate's own message speaks of a green failing a release; this is the kept colour.
      const why = error.problems?.[0]?.message ?? error.message
      if (!ctx.target.provider.capabilities.externalNodes && !directOnly)
        warn(
          ctx,
          `${fleet.colour} (${fleet.sha.slice(0, 7)}) is not healthy: ${why}; releasing its SHA again`,
        )
      return why
    }
  })
}

async function switchTo(
  ctx: LockedContext,
  state: TargetState,
  records: readonly ReleaseRecord[],
  fleet: Fleet,
  started: number,
) {
  const other = COLOURS.find((c) => c !== fleet.colour)
  const serving = other && state.weights[other] > 0 ? other : null
  const action = `switch traffic to ${fleet.colour} (${fleet.sha.slice(0, 7)})`
  const run = rollbackRun(state, records, fleet, { started, serving, action, gated: state.weights })
  try {
    await step(ctx.reporter, 'shift', () => routeTo(ctx, run, splitWeights(fleet.colour, 100, false)))
  } catch (error) {
    // A failed route changes nothing: traffic is where the run knows it is.
    reportTraffic(ctx, run.weights, state, fleet, isStop(error, ctx))
    throw error
  }
  await finishLive(ctx, run, fleet, 'switched')
  return run
}

/**
 * The run of a rollback to a colour that is up. The other colour is kept for rollback only when its
 * release went live: one killed mid-shift, whose split this rollback undoes, never did. A colour that
 * served all traffic did, whatever the (possibly pruned) records say.
 */
function rollbackRun(
  state: TargetState,
  records: readonly ReleaseRecord[],
  fleet: Fleet,
  options: Parameters<typeof fleetRun>[3],
): Run {
  return judgePrevious(fleetRun('rollback', state, fleet, options), records)
}

export async function rollback(ctx: EngineContext, options: RollbackOptions): Promise<ReleaseResult> {
  const started = Date.now()
  const wanted = options.to?.trim().toLowerCase()
  if (wanted !== undefined && !/^[0-9a-f]{4,64}$/.test(wanted)) {
    throw usageError(`--to ${options.to} is not a SHA`, {
      hint: 'Pass a commit SHA (or a prefix of at least 4) from `gwdeploy history`.',
    })
  }
  if (options.forceNow) {
    const goal = wanted === undefined ? await forceNowGoal(ctx) : undefined
    return forceScope(ctx, 'rollback --force-now', (locked) =>
      rollback(locked, { ...options, forceNow: false, to: options.to ?? goal?.sha }),
    )
  }
  // Under --force-now the lock is the abort lock forceScope took: no hooks in an emergency.
  const withHooks = !ctx.lock?.info.operation?.startsWith(ABORT_OPERATION)
  // A lock this scope did not take (--force-now's abort lock) replaced nobody's rollback.
  const ownLock = !ctx.lock
  return withLock(ctx, 'rollback', wanted, options.lockWaitMs ?? 0, async (locked) => {
    const stopped = ownLock ? stoppedRollback(locked.lock) : undefined
    const state = await step(ctx.reporter, 'plan', () =>
      ctx.target.provider.inspect({ signal: locked.signal }),
    )
    const records = await engineRecords(ctx, LOOKBACK)
    // A rollback killed or interrupted mid-shift is completed, not undone (stopped-rollback.ts).
    const killed = stopped ? stoppedRollbackGoal(state, records, stopped) : undefined
    const interrupted = killed ? undefined : interruptedRollbackGoal(state, records)
    const resumed = killed ?? interrupted?.sha
    const completing = resumed && (wanted === undefined || resumed.startsWith(wanted)) ? resumed : undefined
    if (completing)
      info(
        locked,
        `the rollback ${killed ? `by ${stopped?.holder} stopped in the middle of its shift (its process is gone)` : `at ${interrupted?.time} was interrupted in the middle of its shift`}: completing it, all traffic to ${completing.slice(0, 7)}`,
      )
    const sha = completing ?? rollbackGoal(state, records, wanted, ctx.target.env)
    if (!wanted && liveLineage(records).length === 0)
      warn(
        locked,
        `the target's release records hold no release line: going back to ${sha.slice(0, 7)}, the colour kept for rollback`,
      )
    const fleet = goalFleet(state, records, sha)
    const retire = unfinishedRetire(records)
    if (retire)
      warn(
        locked,
        `${unfinishedRetireFact(retire, state, ctx.target.env)}${retiring(records, fleet) ? `; this rollback redeploys ${sha.slice(0, 7)} as recorded onto ${fleet?.colour} (its nodes replaced) rather than switch to it as the retire left it` : ` (or this rollback, which goes back to ${sha.slice(0, 7)} instead)`}`,
      )
    if (fleet && state.weights[fleet.colour] === 100) {
      const run = rollbackRun(state, records, fleet, {
        started,
        serving: null,
        action: '',
        gated: state.weights,
      })
      if (liveLineage(records).at(-1) === sha) {
        info(locked, `${sha.slice(0, 7)} is already live on ${fleet.colour}`)
        return { ...resultOf(run, 'unchanged'), plan: undefined }
      }
      // Serving, but no record says it went live (a rollback killed between its switch and its
      // record): recorded now, and the other colour kept for rollback, as the switch would have.
      info(
        locked,
        `${sha.slice(0, 7)} already serves all traffic on ${fleet.colour}, but no record says so (a rollback stopped before its record): recording it`,
      )
      await finishLive(locked, run, fleet, 'switched')
      if (run.unfinished.length > 0) throw liveUnfinishedError(run)
      return { ...resultOf(run, 'switched'), plan: undefined }
    }
    const done = await goBack(locked, state, records, sha, started, withHooks, wanted)
    if (done.run.unfinished.length > 0) throw liveUnfinishedError(done.run)
    emitSummary(locked, done.run, 'Rolled back to')
    if (withHooks) await hooks(locked, 'postRelease', hookValues(locked, done.run), false)
    return done.result ?? { ...resultOf(done.run, 'switched'), plan: undefined }
  })
}

/** The hooks around a rollback see the SHA it goes to and the one that served. */
function rollbackHookValues(ctx: EngineContext, state: TargetState, sha: string): HookEnv {
  const serving = COLOURS.find((c) => state.weights[c] === 100) ?? null
  const colour =
    COLOURS.find((c) => state.fleets[c]?.sha === sha) ?? (serving ? otherColour(serving) : 'blue')
  const { config, env } = ctx.target
  const previousSha = serving ? state.fleets[serving]?.sha : undefined
  return { sha, colour, previousSha, service: config.service, env, operation: 'rollback' }
}

/** preRelease hooks, then one switch when the earlier release's colour is up and healthy, else a redeploy. */
async function goBack(
  ctx: LockedContext,
  state: TargetState,
  records: ReleaseRecord[],
  sha: string,
  started: number,
  withHooks: boolean,
  to: string | undefined,
): Promise<{ run: Run; result?: ReleaseResult | undefined }> {
  const fleet = goalFleet(state, records, sha)
  // A colour a retire was stopping when it died is redeployed, never switched to as it is.
  const halfStopped = retiring(records, fleet) !== undefined
  const goal = recordsOfGoal(records, sha)
  // Without a colour to switch to, an unrecorded SHA is exit 2 before any hook runs.
  const recorded = fleet && !halfStopped ? undefined : await requireRecorded(ctx, sha, goal)
  const values = rollbackHookValues(ctx, state, sha)
  // Until the switch starts traffic is untouched: a stop or failure says so (switchTo reports its own).
  const untouched = (error: unknown) => {
    reportTraffic(ctx, state.weights, state, fleet, isStop(error, ctx))
    return error
  }
  const onFailure = () => (withHooks ? hooks(ctx, 'onFailure', values, false) : Promise.resolve())
  // Servers run outside gwdeploy: no colour runs the release and gwdeploy cannot start one that does.
  const onto = recorded && !fleet ? outsideGoal(ctx, state, recorded) : undefined
  if (onto) {
    const why = await unhealthy(ctx, onto, true).catch((error: unknown) => {
      throw untouched(error)
    })
    const rerun = to ? `gwdeploy rollback --to ${sha}` : 'gwdeploy rollback'
    if (why) throw untouched(outsideGoalNotRunning(state, onto, why, rerun))
  }
  if (withHooks)
    await preHooks(ctx, values).catch((error: unknown) => {
      throw untouched(error)
    })
  const failedCheck = halfStopped
    ? 'an unfinished retire was stopping it'
    : fleet
      ? await unhealthy(ctx, fleet).catch(async (error: unknown) => {
          await onFailure()
          throw untouched(error)
        })
      : 'not up'
  // Servers run outside gwdeploy are placed again by the redeploy when only the retire took them out,
  // or when they answer and only the router's view of them was changed by hand (a slot re-pointed).
  const external = ctx.target.provider.capabilities.externalNodes === true
  const serversAnswer =
    fleet && failedCheck && !halfStopped && external
      ? (await unhealthy(ctx, fleet, true).catch(async (error: unknown) => {
          await onFailure()
          throw untouched(error)
        })) === undefined
      : false
  if (fleet && failedCheck && !halfStopped && external && !serversAnswer) {
    await onFailure()
    throw untouched(outsideNodesDown(fleet, failedCheck))
  }
  if (fleet && serversAnswer)
    info(
      ctx,
      `${fleet.colour}'s servers answer as ${fleet.sha.slice(0, 7)}, but the router does not serve them as gwdeploy placed them (${failedCheck}; changed outside gwdeploy): placing them again, then moving traffic once they pass the health gate`,
    )
  if (fleet && !failedCheck) {
    return {
      run: await switchTo(ctx, state, records, fleet, started).catch(async (error: unknown) => {
        await onFailure()
        throw error
      }),
    }
  }
  // A failed redeploy runs the onFailure hooks in its revert step (and reports where traffic is).
  const artifact = recorded ?? (await requireRecorded(ctx, sha, goal))
  // The colour that failed its check, idle: its nodes are replaced, not reused by the redeploy.
  // Servers that answer are not restarted (gwdeploy cannot): only placed again.
  const failed = fleet && state.weights[fleet.colour] === 0 && !serversAnswer ? fleet : undefined
  return redeploy(ctx, artifact, { state, started, emergency: !withHooks, failed })
}

/**
 * A rollback stopped or failed before its switch went through (its hooks, its health check, the switch
 * itself): says where traffic is, as a release's revert does, for the log and the --json envelope.
 */
function reportTraffic(
  ctx: EngineContext,
  weights: Weights,
  state: TargetState,
  goal: Fleet | undefined,
  stopped: boolean,
): void {
  const untouched = sameWeights(weights, state.weights)
  info(
    ctx,
    `${stopped ? 'stopped' : 'failed'} ${untouched ? 'before any change' : 'after the switch'}: traffic ${untouched ? 'stays' : 'is'} ${describeWeights(weights)}`,
  )
  const serving = COLOURS.flatMap((colour) => {
    const fleet = colour === goal?.colour ? goal : state.fleets[colour]
    const weight = weights[colour]
    return fleet && weight > 0 ? [{ colour, sha: fleet.sha, configName: fleet.configName, weight }] : []
  })
  const idle =
    goal && weights[goal.colour] === 0
      ? { colour: goal.colour, sha: goal.sha, configName: goal.configName, kept: true }
      : null
  ctx.reporter.emit({ type: 'reverted', weights: { ...weights }, routedBack: true, serving, idle })
}
