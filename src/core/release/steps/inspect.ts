/** The plan step: read the target once and decide; the Run it returns is what every later step works on. */
import type { Artifact } from '../../../providers/types.ts'
import { step } from '../../events.ts'
import { LOOKBACK } from '../../records.ts'
import { testPoint } from '../../testpoints.ts'
import { type EngineContext, type Operation, type ReleaseOptions, type Run, warn } from '../context.ts'
import { unfinishedDestroy, unfinishedDestroyFact } from '../destroyed.ts'
import { engineRecords } from '../engine-records.ts'
import { judgePrevious } from '../lineage.ts'
import { makePlan, splitWeights } from '../plan.ts'
import { fleetVersions } from '../same-sha.ts'

export async function planRun(
  ctx: EngineContext,
  operation: Operation,
  artifact: Artifact,
  version: string,
  options: ReleaseOptions,
  started: number,
): Promise<Run> {
  await testPoint('plan', ctx.signal)
  const state = await step(ctx.reporter, 'plan', () => ctx.target.provider.inspect({ signal: ctx.signal }))
  const versions = await fleetVersions(ctx, state, artifact, version)
  const records = await engineRecords(ctx, LOOKBACK)
  const destroying = unfinishedDestroy(records)
  if (destroying)
    warn(
      ctx,
      `${unfinishedDestroyFact(destroying, state)}; this ${operation} serves the target again (\`gwdeploy destroy --force\` would have finished the destroy)`,
    )
  const { decision, summary } = makePlan(ctx, state, artifact, version, options, versions)
  for (const action of summary.actions) ctx.reporter.emit({ type: 'progress', step: 'plan', message: action })
  const serving = decision.serving
  const run: Run = {
    operation,
    started,
    artifact,
    version,
    state,
    decision,
    summary,
    green: decision.green,
    serving,
    // Already live: the serving colour is green itself, not a previous one.
    previous: serving && !decision.unchanged ? state.fleets[serving] : undefined,
    weights: state.weights,
    // Green has passed no gate in this run yet: the gated state has none of its traffic.
    gated: decision.unchanged ? state.weights : splitWeights(decision.green, 0, serving !== null),
    unfinished: [],
  }
  // The colour it takes a split's share from may run a canary that never went live: not kept for rollback.
  return judgePrevious(run, records)
}
