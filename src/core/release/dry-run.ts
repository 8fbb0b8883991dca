/** `release --dry-run`: the plan, the provider's documents and the config diff; nothing changes. */
import type { Artifact } from '../../providers/types.ts'
import { configDiffRows, diffGatewayConfig } from '../config-diff.ts'
import { step } from '../events.ts'
import { LOOKBACK, liveConfigText } from '../records.ts'
import type { EngineContext, ReleaseResult } from './context.ts'
import { engineRecords } from './engine-records.ts'
import { fleetSpec, makePlan } from './plan.ts'
import { fleetVersions } from './same-sha.ts'

const parseOr = (text: string | undefined): unknown => {
  try {
    return text ? JSON.parse(text) : undefined
  } catch {
    return undefined
  }
}

function documents(ctx: EngineContext, artifact: Artifact, green: Parameters<typeof fleetSpec>[1]) {
  const { provider, config } = ctx.target
  if (!provider.render) return undefined
  const image =
    artifact.image ??
    (provider.capabilities.image && config.image.repository
      ? `${config.image.repository}:${artifact.sha7}`
      : undefined)
  return provider.render(fleetSpec(ctx, green, image ? { ...artifact, image } : artifact))
}

export async function dryRun(
  ctx: EngineContext,
  artifact: Artifact,
  version: string,
): Promise<ReleaseResult> {
  const { target, reporter } = ctx
  const state = await step(reporter, 'plan', () => target.provider.inspect({ signal: ctx.signal }))
  const versions = await fleetVersions(ctx, state, artifact, version)
  const { decision, summary } = makePlan(ctx, state, artifact, version, {}, versions)
  summary.configDiff = diffGatewayConfig(
    parseOr(await liveConfigText(target, state, await engineRecords(ctx, LOOKBACK))),
    parseOr(artifact.configText),
  )
  reporter.emit({
    type: 'summary',
    title: 'Gateway config changes',
    rows: configDiffRows(summary.configDiff),
  })
  const rendered = decision.unchanged ? undefined : documents(ctx, artifact, decision.green)
  if (rendered) summary.documents = rendered
  const servingFleet = decision.serving ? state.fleets[decision.serving] : undefined
  return {
    status: 'planned',
    sha: artifact.sha,
    configName: artifact.configName,
    colour: decision.green,
    previous: servingFleet ? { colour: servingFleet.colour, sha: servingFleet.sha } : null,
    weights: state.weights,
    plan: summary,
    durationMs: 0,
  }
}
