/** The summary event at the end of a run that moved traffic. */
import type { EngineContext, Run } from './context.ts'
import { describeWeights } from './context.ts'

export function emitSummary(ctx: EngineContext, run: Run, title: string): void {
  const { target } = ctx
  const { artifact } = run
  ctx.reporter.emit({
    type: 'summary',
    title: `${title} ${artifact.sha.slice(0, 7)} on ${target.provider.id}`,
    rows: [
      ['service', target.config.service + (target.env ? ` (${target.env})` : '')],
      ['config name', artifact.configName],
      ...(run.version !== artifact.sha ? [['version', run.version] as const] : []),
      ['colour', run.green],
      ['traffic', describeWeights(run.weights)],
      ['previous', run.previous ? `${run.previous.colour} ${run.previous.sha.slice(0, 7)}` : 'none'],
      ['duration', `${((Date.now() - run.started) / 1000).toFixed(1)} s`],
    ],
  })
}
