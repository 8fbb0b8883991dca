/**
 * The SHA asked for is already live. A release still makes sure it is served and recorded: nodes
 * the provider reports gone are replaced (the new ones pass the gate and get the revocations the
 * others hold before the route names them),
 * a router that is not running (the local front proxy after a kill -9) is started again, and a run
 * that crashed between its last route and its record bakes that route and is finalized now.
 */
import { type Fleet, type NodeHealth, otherColour } from '../../../providers/types.ts'
import { isGwError } from '../../errors.ts'
import { step } from '../../events.ts'
import { ExitCode } from '../../exit-codes.ts'
import { isCompleted, LOOKBACK } from '../../records.ts'
import {
  type EngineContext,
  info,
  type LockedContext,
  type ReleaseResult,
  type Run,
  resultOf,
  warn,
} from '../context.ts'
import { unfinishedDestroy } from '../destroyed.ts'
import { engineRecords } from '../engine-records.ts'
import { fleetSpec, splitWeights } from '../plan.ts'
import { carryWithin } from '../revocations.ts'
import { bakeFailedError } from './deliver.ts'
import { finalize } from './finalize.ts'
import { revert } from './revert.ts'
import { bakeAt } from './shift.ts'
import { quickGate, verifyFleet } from './verify.ts'

/** The live colour provisioned again as recorded (reusing what runs, as provision does), then gated. */
async function provisionGated(ctx: EngineContext, run: Run, fleet: Fleet): Promise<Fleet> {
  const { reporter, signal } = ctx
  const spec = fleetSpec(ctx, fleet.colour, run.artifact)
  const progress = (m: string) => reporter.emit({ type: 'progress', step: 'provision', message: m })
  const provisioned = await step(reporter, 'provision', () =>
    ctx.target.provider.provision(spec, { signal, progress }),
  )
  await step(reporter, 'verify', () => verifyFleet(ctx, provisioned, { smoke: false }))
  return provisioned
}

/**
 * Nodes run outside gwdeploy (haproxy `servers`) that the provider reports unhealthy although they
 * answer as the live release: the router's slots for them were changed by hand (put in maintenance,
 * re-pointed). They are placed again as recorded; servers that do not answer cannot be started from
 * here, and that is said rather than "nothing to do". Returns what was repaired, if anything.
 */
async function placeExternalAgain(
  ctx: EngineContext,
  run: Run,
  fleet: Fleet,
  view: NodeHealth[],
): Promise<string | undefined> {
  const { provider } = ctx.target
  const { reporter } = ctx
  // Unhealthy, not starting: a check pending after a reload is no change by hand.
  const faults = view.filter((v) => v.status === 'unhealthy')
  if (!provider.capabilities.externalNodes || faults.length === 0) return undefined
  const why = [...new Set(faults.map((v) => v.detail ?? v.status))].join('; ')
  try {
    await step(reporter, 'verify', () =>
      verifyFleet(ctx, fleet, { ...quickGate(ctx), smoke: false, directOnly: true }),
    )
  } catch (error) {
    if (!isGwError(error) || error.exitCode !== ExitCode.healthGate) throw error
    warn(
      ctx,
      `${fleet.colour} is live, but its servers do not answer as ${fleet.sha.slice(0, 7)} (${error.problems?.[0]?.message ?? error.message}): they run outside gwdeploy, which cannot start them — start them again`,
    )
    return undefined
  }
  info(
    ctx,
    `${fleet.colour}'s servers answer, but the router does not serve them as recorded (${why}): placing them again`,
  )
  const placed = await provisionGated(ctx, run, fleet)
  return `put ${fleet.colour}'s ${placed.nodes.length} server(s) back into the router (changed outside gwdeploy: ${why})`
}

/** Returns what had to be repaired (nothing: empty). */
async function repairLive(ctx: EngineContext, run: Run): Promise<string[]> {
  const { provider } = ctx.target
  const { reporter, signal } = ctx
  const fleet = run.state.fleets[run.green]
  if (!fleet) return []
  const view = await provider.nodeHealth(fleet, { signal })
  const gone = view.filter((v) => v.status === 'gone').length
  const repaired: string[] = []
  const placed = gone === 0 ? await placeExternalAgain(ctx, run, fleet, view) : undefined
  if (placed) repaired.push(placed)
  else if (gone > 0) {
    info(ctx, `${gone} node(s) of the live colour ${fleet.colour} are gone: replacing them`)
    const replaced = await provisionGated(ctx, run, fleet)
    await carryWithin(ctx, run, replaced)
    repaired.push(`replaced ${gone} gone node(s) of ${fleet.colour}`)
  } else if (run.state.router.present) return repaired
  if (!run.state.router.present) {
    info(
      ctx,
      `the router is not running (${run.state.router.detail ?? provider.id}): restoring the live route`,
    )
    repaired.push('started the router again')
  }
  await step(reporter, 'shift', async () => {
    await provider.route(run.weights, { signal })
    reporter.emit({ type: 'weights', weights: run.weights })
  })
  return repaired
}

/**
 * A run killed after it routed 100% and before its record never baked that step: it bakes now. A
 * bake that fails goes back to the colour that served before, as the killed run would have (exit 5,
 * green torn down, `rolled-back` recorded); with none left up there is nowhere to go back to, and
 * the release is finalized unbaked, as before.
 */
async function bakeUnrecorded(ctx: LockedContext, run: Run, fleet: Fleet): Promise<void> {
  const before = run.previous
  if (!before) return
  const outcome = await step(ctx.reporter, 'shift', () => bakeAt(ctx, fleet, run))
  if (outcome.ok) return
  // as the killed run stood: green this run's, the colour before it serving (a stop here leaves all as found)
  run.serving = before.colour
  run.greenFleet = fleet
  run.gated = splitWeights(run.green, 0, true)
  throw await revert(ctx, run, bakeFailedError(run, 100, outcome.reason), false)
}

/**
 * The live SHA released again: repairs what is not served (no new release: no `released` record,
 * the release line is unchanged), and finalizes a run that crashed before its record.
 */
export async function converge(ctx: LockedContext, run: Run): Promise<ReleaseResult> {
  const repaired = await repairLive(ctx, run)
  const records = await engineRecords(ctx, LOOKBACK)
  const last = records.find(isCompleted)
  const fleet = run.state.fleets[run.green]
  // A destroy that did not finish is the newest word: serving again is recorded, so it no longer counts.
  if (fleet && (!last || last.sha !== run.artifact.sha || last.unfinished || unfinishedDestroy(records))) {
    // The other colour is what this release replaced: kept for rollback.
    run.previous = run.state.fleets[otherColour(run.green)]
    // a rollback never bakes to go back: what it left is the release it undid
    if (run.operation === 'release' && (!last || last.sha !== run.artifact.sha))
      await bakeUnrecorded(ctx, run, fleet)
    await finalize(ctx, run, fleet, run.operation === 'rollback' ? 'switched' : 'released')
  } else if (repaired.length === 0)
    info(ctx, `${run.artifact.sha.slice(0, 7)} is already live on ${run.green}: nothing to do`)
  if (repaired.length === 0) return resultOf(run, 'unchanged')
  return { ...resultOf(run, 'repaired'), repaired }
}
