/**
 * The shift step: route green's weights one step at a time, baking after each. Every bake that
 * passes moves `run.gated` (the state every routed colour passed its gate for) forward; a bake
 * that fails ends the shift with an outcome, not an exception.
 */
import type { Fleet, Weights } from '../../../providers/types.ts'
import { step } from '../../events.ts'
import { testPoint } from '../../testpoints.ts'
import { checkAborted, type EngineContext, type Run } from '../context.ts'
import { splitWeights } from '../plan.ts'
import { carryAfterRoute, carryBeforeRoute } from '../revocations.ts'
import { type BakeOutcome, bake } from './bake.ts'

export type ShiftOutcome = { ok: true } | { ok: false; weight: number; reason: string }

/** Routes `weights` and remembers them on the run; revocations follow the traffic (revocations.ts). */
export async function routeTo(ctx: EngineContext, run: Run, weights: Weights): Promise<void> {
  await carryBeforeRoute(ctx, run, weights)
  await unkeep(ctx, run, weights)
  const before = run.weights
  await ctx.target.provider.route(weights, { signal: ctx.signal })
  run.weights = weights
  ctx.reporter.emit({ type: 'weights', weights })
  await carryAfterRoute(ctx, run, before)
}

/**
 * A colour about to get traffic is no longer the one kept for rollback: its keep-until goes before
 * the route, so a run killed between the route and finalize leaves none on the live colour (a
 * re-release of the colour a rollback left, or a rollback to the kept colour).
 */
async function unkeep(ctx: EngineContext, run: Run, weights: Weights): Promise<void> {
  const fleet = run.state.fleets[run.green]
  if (!fleet?.keepUntil || weights[run.green] === 0) return
  await ctx.target.provider.annotate(run.green, { keepUntil: undefined }, { signal: ctx.signal })
  const { keepUntil: _cleared, ...unkept } = fleet
  run.state.fleets[run.green] = unkept
}

/** The bake after a step: `shift.bake` long (also after 100%), unless the run says otherwise. */
export function bakeAt(ctx: EngineContext, fleet: Fleet, run?: Pick<Run, 'bakeMs'>): Promise<BakeOutcome> {
  return bake(ctx, fleet, Math.max(run?.bakeMs ?? ctx.target.config.shift.bake, 0))
}

/** A bake that failed: ends the shift step as failed (not "done"), then becomes its outcome. */
class BakeFailed extends Error {
  readonly outcome: { ok: false; weight: number; reason: string }
  constructor(outcome: { ok: false; weight: number; reason: string }) {
    super(`failed during bake at ${outcome.weight}%: ${outcome.reason}`)
    this.outcome = outcome
  }
}

export async function shiftTraffic(ctx: EngineContext, run: Run, fleet: Fleet): Promise<ShiftOutcome> {
  await testPoint('shift', ctx.signal)
  const from = run.weights[run.green]
  const steps = run.summary.steps.filter((w) => w > from || w === 100)
  // A re-run finds green already carrying traffic: that split may never have baked (the run that
  // routed it was killed), so it bakes before a gradual shift goes further. A one-step plan (all at
  // once, a rollback undoing a split) goes straight to 100%: the other side loses its share at once.
  if (from > 0 && from < 100 && steps[0] !== from && run.summary.steps.length > 1) steps.unshift(from)
  try {
    return await step(ctx.reporter, 'shift', async (): Promise<ShiftOutcome> => {
      for (const weight of steps) {
        checkAborted(ctx.signal)
        await routeTo(ctx, run, splitWeights(run.green, weight, run.serving !== null))
        await testPoint(`shift:${weight}`, ctx.signal)
        const outcome = await bakeAt(ctx, fleet, run)
        if (!outcome.ok) throw new BakeFailed({ ok: false, weight, reason: outcome.reason })
        run.gated = run.weights
      }
      return { ok: true }
    })
  } catch (error) {
    if (error instanceof BakeFailed) return error.outcome
    throw error
  }
}
