/**
 * `gwdeploy promote [--weight N]`: moves traffic to the release waiting for it — a `--no-shift`
 * preview or the new side of a split — after re-verifying it. With nothing waiting it is exit 2
 * naming what is live: the colour kept for rollback is never "promoted" back.
 */
import { COLOURS, type Colour, otherColour, type TargetState } from '../../providers/types.ts'
import { rolledBackError, usageError } from '../errors.ts'
import { step } from '../events.ts'
import { LOOKBACK } from '../records.ts'
import type { EngineContext, LockedContext, ReleaseResult, Run } from './context.ts'
import { info, recordBase, resultOf } from './context.ts'
import { engineRecords } from './engine-records.ts'
import { fleetRun } from './fleet-run.ts'
import { pendingColour, unrecordedPromotion } from './lineage.ts'
import { withLock } from './lock-scope.ts'
import { splitWeights } from './plan.ts'
import { finishLive, liveUnfinishedError } from './steps/deliver.ts'
import { hooks, hookValues, preHooks } from './steps/hooks.ts'
import { record } from './steps/record.ts'
import { revert } from './steps/revert.ts'
import { bakeAt, routeTo } from './steps/shift.ts'
import { verifyFleet } from './steps/verify.ts'

export interface PromoteOptions {
  weight?: number | undefined
  lockWaitMs?: number
}

function nothingToPromote(state: TargetState) {
  const live = COLOURS.find((c) => state.weights[c] === 100)
  const fleet = live ? state.fleets[live] : undefined
  const what = fleet
    ? `${fleet.sha.slice(0, 7)} (${fleet.configName}) is live on ${fleet.colour} at 100%`
    : 'nothing serves traffic'
  // With nothing live (destroyed, or no colour routed) there is nothing for `rollback` to go back from.
  const back = fleet
    ? '; `gwdeploy rollback` goes back to the release before the live one.'
    : ', or put one live with `gwdeploy release --sha SHA`; `gwdeploy status` shows what is there.'
  return usageError(`there is nothing to promote: ${what}, and no release is waiting in preview`, {
    hint: `Start one with \`gwdeploy release --sha SHA --no-shift\`${back}`,
  })
}

/** Route to `weight`, and at 100% bake; a failed bake reverts the promoted colour (exit 5). */
async function shiftTo(ctx: LockedContext, run: Run, weight: number): Promise<void> {
  await step(ctx.reporter, 'shift', async () => {
    await routeTo(ctx, run, splitWeights(run.green, weight, run.serving !== null))
    if (weight < 100) return
    const outcome = await bakeAt(ctx, run.greenFleet as NonNullable<Run['greenFleet']>)
    if (outcome.ok) return
    throw rolledBackError(
      `${run.green} (${run.artifact.sha.slice(0, 7)}) failed during bake: ${outcome.reason}`,
      {
        hint: `Traffic is back on ${run.serving ?? 'nothing (no other colour)'}.`,
      },
    )
  })
}

async function promoteTo(ctx: LockedContext, run: Run, weight: number): Promise<ReleaseResult> {
  const fleet = run.greenFleet as NonNullable<Run['greenFleet']>
  try {
    if (weight > 0) await step(ctx.reporter, 'verify', () => verifyFleet(ctx, fleet, { smoke: true }))
    await shiftTo(ctx, run, weight)
  } catch (error) {
    // The promoted colour is kept either way: it is the release waiting, not a failed green.
    throw await revert(ctx, run, error, true)
  }
  if (weight < 100) {
    await record(ctx, { ...recordBase(ctx, run), status: 'preview' })
    return resultOf(run, 'preview')
  }
  await finishLive(ctx, run, fleet, 'released')
  if (run.unfinished.length > 0) throw liveUnfinishedError(run)
  return resultOf(run, 'released')
}

export async function promote(ctx: EngineContext, options: PromoteOptions): Promise<ReleaseResult> {
  const started = Date.now()
  const weight = options.weight ?? 100
  if (!Number.isInteger(weight) || weight < 0 || weight > 100) throw usageError('--weight must be 0..100')
  const { provider } = ctx.target
  return withLock(ctx, 'promote', undefined, options.lockWaitMs ?? 0, async (locked) => {
    const state = await step(ctx.reporter, 'plan', () => provider.inspect({ signal: locked.signal }))
    const records = await engineRecords(ctx, LOOKBACK)
    const waiting = pendingColour(state, records)
    // All traffic on a release recorded only as a preview: a promote killed before its record.
    const unrecorded = waiting ? undefined : unrecordedPromotion(state, records)
    const colour: Colour | null = waiting ?? unrecorded?.colour ?? null
    const fleet = colour ? state.fleets[colour] : undefined
    if (!colour || !fleet) throw nothingToPromote(state)
    if (!provider.capabilities.weights && weight !== 0 && weight !== 100) {
      throw usageError(`${provider.id} routes 0/100 only: use --weight 0 or 100`)
    }
    const other = otherColour(colour)
    // The colour that served before the killed promote switched it away is still the one it replaces.
    const serving = state.fleets[other] && (unrecorded || state.weights[other] > 0) ? other : null
    const action = `move ${colour} (${fleet.sha.slice(0, 7)}) to ${weight}%`
    // What was found counts as gated (an interrupt puts it back), but for the killed promote's
    // unbaked 100%: the split its preview record holds is the last one that passed.
    const gated = unrecorded?.preview.weights ?? state.weights
    if (unrecorded)
      info(
        locked,
        `${colour} (${fleet.sha.slice(0, 7)}) serves all traffic, but the records know it only as a preview (a promote stopped before its record, e.g. killed): finishing that promote — ${weight === 100 ? 'health gate, bake, then its record' : `to ${weight}%`}`,
      )
    const run = fleetRun('promote', state, fleet, { started, serving, action, gated })
    run.previous = serving ? state.fleets[serving] : undefined
    await preHooks(locked, hookValues(locked, run))
    const { plan: _plan, ...result } = await promoteTo(locked, run, weight)
    await hooks(locked, 'postRelease', hookValues(locked, run), false)
    return result
  })
}
