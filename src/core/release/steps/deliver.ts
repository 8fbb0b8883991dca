/**
 * provision -> verify -> shift (+bake) -> finalize for one artifact on green: the steps `release`
 * and `rollback` (re-releasing a recorded artifact) share. Before green is live any failure goes
 * through the revert step; once it is live nothing reverts, and what did not finish is reported.
 */
import type { Fleet } from '../../../providers/types.ts'
import { GwError, rolledBackError } from '../../errors.ts'
import { step } from '../../events.ts'
import { ExitCode } from '../../exit-codes.ts'
import { testPoint } from '../../testpoints.ts'
import {
  checkAborted,
  describeWeights,
  type LockedContext,
  type ReleaseResult,
  type Run,
  recordBase,
  resultOf,
} from '../context.ts'
import { fleetSpec } from '../plan.ts'
import { finalize } from './finalize.ts'
import { hookValues, preHooks } from './hooks.ts'
import { provisionGreen } from './provision.ts'
import { record } from './record.ts'
import { revert } from './revert.ts'
import { shiftTraffic } from './shift.ts'
import { verifyFleet } from './verify.ts'

export interface DeliverOptions {
  noShift?: boolean | undefined
  keepFailed?: boolean | undefined
}

/** What to say for a release that went live but did not finish (exit 8). */
export function liveUnfinishedError(run: Run): GwError {
  return new GwError(
    'live_unfinished',
    ExitCode.live,
    `${run.artifact.sha.slice(0, 7)} is live on ${run.green} (${describeWeights(run.weights)}), but did not finish: ${run.unfinished.join('; ')}`,
    {
      hint:
        run.operation === 'rollback'
          ? `Traffic stays on ${run.green}. Once the cause is fixed, \`gwdeploy release --sha ${run.artifact.sha}\` finishes it without moving traffic (another \`rollback\` would go one release further back).`
          : run.unrecorded
            ? `The release serves all traffic, but the target has no record of it. Fix what kept the record from being written (above), then \`gwdeploy release --sha ${run.artifact.sha}\` writes it without moving traffic.`
            : 'The release serves all traffic; the record on the target says what did not finish. Re-run the same command to finish it.',
      details: { unfinished: run.unfinished, colour: run.green, weights: run.weights },
    },
  )
}

async function preview(ctx: LockedContext, run: Run): Promise<ReleaseResult> {
  const { provider } = ctx.target
  // A preview waits for `promote`; it is no longer a "previous" colour kept for rollback.
  await provider.annotate(run.green, { keepUntil: undefined }, { signal: ctx.signal })
  const url = provider.capabilities.preview
    ? await provider.preview(run.green, { signal: ctx.signal })
    : undefined
  const detail = `preview only${url ? `: ${url.origin}` : ''}`
  ctx.reporter.emit({ type: 'step', step: 'shift', status: 'skipped', detail })
  await record(ctx, { ...recordBase(ctx, run), status: 'preview' })
  return { ...resultOf(run, 'preview'), ...(url ? { preview: url.origin } : {}) }
}

/** Green up and through its health gate (and smoke checks): its fleet. */
async function bringUp(ctx: LockedContext, run: Run): Promise<Fleet> {
  // rollback runs its hooks before it decides how to go back (rollback.ts).
  if (run.operation === 'release') await preHooks(ctx, hookValues(ctx, run))
  const fleet = await provisionGreen(ctx, run)
  await testPoint('verify', ctx.signal)
  await step(ctx.reporter, 'verify', () => verifyFleet(ctx, fleet, { smoke: true }))
  checkAborted(ctx.signal)
  return fleet
}

/** Traffic onto green step by step; a bake that fails is exit 5 (the revert step puts traffic back). */
async function shiftOnto(ctx: LockedContext, run: Run, fleet: Fleet): Promise<void> {
  const outcome = await shiftTraffic(ctx, run, fleet)
  if (outcome.ok) return
  throw bakeFailedError(run, outcome.weight, outcome.reason)
}

/** Green's bake failed at `weight`: exit 5, traffic back on the colour that served. */
export const bakeFailedError = (run: Run, weight: number, reason: string) =>
  rolledBackError(
    `${run.artifact.sha.slice(0, 7)} on ${run.green} failed during bake at ${weight}%: ${reason}`,
    {
      hint: `Traffic is back on ${run.serving ?? 'nothing (no previous colour)'}.`,
      details: { colour: run.green, weight },
    },
  )

/** Finalize once live; a failure here is listed, recorded, and never reverts traffic. */
export async function finishLive(
  ctx: LockedContext,
  run: Run,
  fleet: Fleet,
  status: 'released' | 'switched',
) {
  try {
    await finalize(ctx, run, fleet, status)
  } catch (error) {
    run.unfinished.push(`finalize: ${(error as Error).message}`)
    const unfinished = run.unfinished
    await record(ctx, {
      ...recordBase(ctx, run),
      status,
      unfinished,
      error: unfinished.join('; '),
      exitCode: ExitCode.live,
    })
  }
}

export async function deliver(ctx: LockedContext, run: Run, options: DeliverOptions): Promise<ReleaseResult> {
  // What provisioning would refuse that is known now (the local listen address, aws subnets): before
  // any hook runs or anything changes (the colour kept for rollback retired), and no `failed` record.
  await ctx.target.provider.preflight?.(fleetSpec(ctx, run.green, run.artifact), { signal: ctx.signal })
  let fleet: Fleet
  try {
    fleet = await bringUp(ctx, run)
    if (options.noShift) return await preview(ctx, run)
    await shiftOnto(ctx, run, fleet)
  } catch (error) {
    // Anything before green is live (a preview's annotation and record included) goes through revert.
    throw await revert(ctx, run, error, options.keepFailed ?? false)
  }
  // A rollback that had to redeploy released its recorded artifact again (operation `rollback`):
  // `switched` is only for one routing change back to a colour that was still up.
  await finishLive(ctx, run, fleet, 'released')
  return resultOf(run, 'released')
}
