/** The provision step: clear green's slot (an abandoned shift, an idle fleet of another SHA), then bring green up. */
import type { Fleet } from '../../../providers/types.ts'
import { fleetMatches } from '../../artifacts.ts'
import { providerError } from '../../errors.ts'
import { step } from '../../events.ts'
import { retireRecord } from '../../retire.ts'
import { testPoint } from '../../testpoints.ts'
import { checkAborted, type EngineContext, info, type LockedContext, type Run } from '../context.ts'
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

/**
 * The idle colour on green's slot (the one kept for rollback, or left by another run) is torn down
 * first, recorded as a retire by this run: its intent before anything stops, its outcome after. A run
 * killed part-way then leaves a record saying so, not a colour kept for rollback "removed outside
 * gwdeploy".
 */
async function retireIdle(ctx: LockedContext, run: Run, replace: Fleet | undefined): Promise<void> {
  if (!replace) return
  const { sha, configName, colour } = replace
  const partOf = { operation: run.operation, sha: run.artifact.sha }
  const record = (status: 'started' | 'retired') =>
    retireRecord(ctx, { sha, configName, colour, partOf }, status)
  const unwritten = await record('started')
  if (unwritten)
    throw providerError(
      `${run.operation} did not retire ${colour} (${sha.slice(0, 7)}), the idle colour it deploys onto: ${unwritten}`,
      {
        hint: `Nothing was stopped. The retire is recorded before anything stops, so a run stopped part-way is never read as ${colour} removed by hand; fix the records store on the target, then re-run.`,
      },
    )
  run.provisionStarted = true
  await step(ctx.reporter, 'retire idle', async () => {
    await testPoint('retire-idle:started', ctx.signal)
    await ctx.target.provider.decommission(replace, {
      drainMs: 2_000,
      signal: ctx.signal,
      progress: (m) => ctx.reporter.emit({ type: 'progress', step: 'retire idle', message: m }),
    })
  })
  await testPoint('retire-idle:record', ctx.signal)
  await record('retired')
}

export async function provisionGreen(ctx: LockedContext, run: Run): Promise<Fleet> {
  const { provider } = ctx.target
  await revertAbandoned(ctx, run)
  await retireIdle(ctx, run, run.decision.replace)
  run.provisionStarted = true
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
