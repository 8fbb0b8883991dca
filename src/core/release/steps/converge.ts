/**
 * The SHA asked for is already live. A release still makes sure it is served and recorded: nodes
 * the provider reports gone are replaced (the new ones pass the gate and get the revocations the
 * others hold before the route names them),
 * a router that is not running (the local front proxy after a kill -9) is started again, and a run
 * that crashed between its last route and its record is finalized now.
 */
import { otherColour } from '../../../providers/types.ts'
import { step } from '../../events.ts'
import { isCompleted, LOOKBACK } from '../../records.ts'
import {
  type EngineContext,
  info,
  type LockedContext,
  type ReleaseResult,
  type Run,
  resultOf,
} from '../context.ts'
import { unfinishedDestroy } from '../destroyed.ts'
import { engineRecords } from '../engine-records.ts'
import { fleetSpec } from '../plan.ts'
import { carryWithin } from '../revocations.ts'
import { finalize } from './finalize.ts'
import { verifyFleet } from './verify.ts'

/** Returns what had to be repaired (nothing: empty). */
async function repairLive(ctx: EngineContext, run: Run): Promise<string[]> {
  const { provider } = ctx.target
  const { reporter, signal } = ctx
  const fleet = run.state.fleets[run.green]
  if (!fleet) return []
  const view = await provider.nodeHealth(fleet, { signal })
  const gone = view.filter((v) => v.status === 'gone').length
  const repaired: string[] = []
  if (gone > 0) {
    info(ctx, `${gone} node(s) of the live colour ${fleet.colour} are gone: replacing them`)
    const spec = fleetSpec(ctx, fleet.colour, run.artifact)
    const progress = (m: string) => reporter.emit({ type: 'progress', step: 'provision', message: m })
    const replaced = await step(reporter, 'provision', () => provider.provision(spec, { signal, progress }))
    await step(reporter, 'verify', () => verifyFleet(ctx, replaced, { smoke: false }))
    await carryWithin(ctx, run, replaced)
    repaired.push(`replaced ${gone} gone node(s) of ${fleet.colour}`)
  } else if (run.state.router.present) return []
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
    await finalize(ctx, run, fleet, run.operation === 'rollback' ? 'switched' : 'released')
  } else if (repaired.length === 0)
    info(ctx, `${run.artifact.sha.slice(0, 7)} is already live on ${run.green}: nothing to do`)
  if (repaired.length === 0) return resultOf(run, 'unchanged')
  return { ...resultOf(run, 'repaired'), repaired }
}
