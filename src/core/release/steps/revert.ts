/**
 * The revert step: what a run that stops before it is live leaves behind. Traffic goes back to the
 * last state every routed colour passed its gate for: on a stop from outside (SIGINT/SIGTERM, the
 * lock lost) that is `run.gated`, which may keep part of a baked shift; on a failure green gets
 * nothing. Green is torn down when it carries no traffic (unless --keep-failed), the onFailure hooks
 * run, and the record says what happened and where traffic is.
 */
import { COLOURS, type Colour } from '../../../providers/types.ts'
import { isGwError } from '../../errors.ts'
import type { RevertedState } from '../../events.ts'
import { ExitCode } from '../../exit-codes.ts'
import {
  describeWeights,
  type EngineContext,
  info,
  type LockedContext,
  type RecordEntry,
  type Run,
  recordBase,
  sameWeights,
  warn,
} from '../context.ts'
import { isStop } from '../lock-scope.ts'
import { splitWeights } from '../plan.ts'
import { carryAfterRoute } from '../revocations.ts'
import { hooks, hookValues } from './hooks.ts'
import { record } from './record.ts'

/** Routes traffic back; false when the router would not take it (the weights found stay). */
async function routeBack(ctx: EngineContext, run: Run, stopped: boolean): Promise<boolean> {
  const back = run.revertTo ?? (stopped ? run.gated : splitWeights(run.green, 0, run.serving !== null))
  const asFound = run.revertTo ? ', as this rollback found it' : ''
  if (sameWeights(back, run.weights)) {
    if (asFound) info(ctx, `traffic stays ${describeWeights(back)}${asFound}`)
    return true
  }
  try {
    // Not under the run's signal: it is aborted when the run was stopped.
    await ctx.target.provider.route(back)
    const before = run.weights
    run.weights = back
    ctx.reporter.emit({ type: 'weights', weights: back })
    await carryAfterRoute(ctx, run, before)
    const partial = back[run.green] > 0
    info(
      ctx,
      asFound
        ? `traffic back to ${describeWeights(back)}${asFound}`
        : partial
          ? `traffic back to ${describeWeights(back)}: the last state every colour with traffic passed its gate for`
          : `traffic back on ${run.serving ?? 'nothing (no previous colour)'}: ${describeWeights(back)}`,
    )
    return true
  } catch (error) {
    warn(ctx, `could not revert traffic (${describeWeights(run.weights)} stays): ${(error as Error).message}`)
    return false
  }
}

/** Tears green down when it has no traffic; true when it still runs afterwards. */
async function tearDown(
  ctx: EngineContext,
  run: Run,
  stopped: boolean,
  keepFailed: boolean,
): Promise<boolean> {
  const fleet = run.greenFleet
  if (!fleet) return false
  if (keepFailed || run.weights[run.green] !== 0) return true
  info(ctx, `tearing down ${run.green}${stopped ? '' : ' (use --keep-failed to keep it for debugging)'}`)
  return ctx.target.provider.decommission(fleet, { drainMs: 1_000 }).then(
    () => false,
    (e: Error) => {
      warn(ctx, `could not tear down ${run.green}: ${e.message}`)
      return true
    },
  )
}

/** Where traffic is after the revert, from what this run knows (its plan's state and its own routing). */
function revertedState(run: Run, routedBack: boolean, greenKept: boolean): RevertedState {
  const releaseOn = (colour: Colour) =>
    colour === run.green ? run.artifact : (run.state.fleets[colour] ?? { sha: '', configName: '' })
  const serving = COLOURS.filter((colour) => run.weights[colour] > 0).map((colour) => ({
    colour,
    sha: releaseOn(colour).sha,
    configName: releaseOn(colour).configName,
    weight: run.weights[colour],
  }))
  const idle = run.weights[run.green] === 0 ? idleAfter(run, greenKept) : null
  return { weights: { ...run.weights }, routedBack, serving, idle }
}

/**
 * The idle colour: this run's green once provisioning began; before that (a preRelease hook failed,
 * a stop during the plan) whatever already ran there, untouched — often the release kept for rollback.
 */
function idleAfter(run: Run, greenKept: boolean): RevertedState['idle'] {
  if (run.greenFleet || run.provisionStarted)
    return { colour: run.green, sha: run.artifact.sha, configName: run.artifact.configName, kept: greenKept }
  const there = run.state.fleets[run.green]
  return there ? { colour: run.green, sha: there.sha, configName: there.configName, kept: true } : null
}

function outcomeOf(error: unknown, stopped: boolean): RecordEntry['status'] {
  if (stopped) return 'interrupted'
  return isGwError(error) && error.exitCode === ExitCode.rolledBack ? 'rolled-back' : 'failed'
}

/** Cleans up after `error` and returns it, for the composition to throw. */
export async function revert(
  ctx: LockedContext,
  run: Run,
  error: unknown,
  keepFailed: boolean,
): Promise<unknown> {
  const stopped = isStop(error, ctx)
  const routedBack = await routeBack(ctx, run, stopped)
  const greenKept = await tearDown(ctx, run, stopped, keepFailed)
  ctx.reporter.emit({ type: 'reverted', ...revertedState(run, routedBack, greenKept) })
  if (!stopped) await hooks(ctx, 'onFailure', hookValues(ctx, run), false)
  const gw = isGwError(error) ? error : undefined
  await record(ctx, {
    ...recordBase(ctx, run),
    status: outcomeOf(error, stopped),
    error: gw?.message ?? (error as Error).message,
    exitCode: gw?.exitCode ?? ExitCode.bug,
  })
  return error
}
