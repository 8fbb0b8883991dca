/** The provision step: clear green's slot (an abandoned shift, an idle fleet of another SHA), then bring green up. */
import type { Fleet } from '../../../providers/types.ts'
import { fleetMatches } from '../../artifacts.ts'
import { step } from '../../events.ts'
import { testPoint } from '../../testpoints.ts'
import { checkAborted, type EngineContext, info, type Run } from '../context.ts'
import { fleetSpec, splitWeights } from '../plan.ts'
import { carryAfterRoute } from '../revocations.ts'

/** Green carries an abandoned release of another SHA: traffic back to the serving colour first. */
async function revertAbandoned(ctx: EngineContext, run: Run): Promise<void> {
  if (!run.decision.revertFirst) return
  info(ctx, `reverting traffic to ${run.serving}: ${run.green} carries an abandoned release`)
  const weights = splitWeights(run.green, 0, run.serving !== null)
  await ctx.target.provider.route(weights)
  const before = run.weights
  run.weights = weights
  ctx.reporter.emit({ type: 'weights', weights })
  await carryAfterRoute(ctx, run, before)
}

async function retireIdle(ctx: EngineContext, replace: Fleet | undefined): Promise<void> {
  if (!replace) return
  await step(ctx.reporter, 'retire idle', () =>
    ctx.target.provider.decommission(replace, {
      drainMs: 2_000,
      signal: ctx.signal,
      progress: (m) => ctx.reporter.emit({ type: 'progress', step: 'retire idle', message: m }),
    }),
  )
}

export async function provisionGreen(ctx: EngineContext, run: Run): Promise<Fleet> {
  const { provider } = ctx.target
  await revertAbandoned(ctx, run)
  run.provisionStarted = true
  await retireIdle(ctx, run.decision.replace)
  checkAborted(ctx.signal)
  await testPoint('provision', ctx.signal)
  const spec = fleetSpec(ctx, run.green, run.artifact)
  try {
    run.greenFleet = await step(ctx.reporter, 'provision', () =>
      provider.provision(spec, {
        signal: ctx.signal,
        progress: (m) => ctx.reporter.emit({ type: 'progress', step: 'provision', message: m }),
      }),
    )
  } catch (error) {
    // A provision that failed half-way (a rollout past its deadline) left part of this release on
    // green: the revert step tears it down, or keeps it with --keep-failed.
    const partial = (await provider.inspect().catch(() => undefined))?.fleets[run.green]
    if (fleetMatches(partial, run.artifact)) run.greenFleet = partial
    throw error
  }
  checkAborted(ctx.signal)
  return run.greenFleet
}
