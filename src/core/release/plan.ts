/** The plan: where green goes, what has to happen first, and the shift steps. Pure; computed once per run. */
import {
  type Artifact,
  COLOURS,
  type Colour,
  type FleetSpec,
  otherColour,
  type TargetState,
  type Weights,
} from '../../providers/types.ts'
import { fleetMatches } from '../artifacts.ts'
import type { Decision, EngineContext, PlanSummary, ReleaseOptions } from './context.ts'

/** The colour that serves: the one with the larger weight (none when both are 0). */
export function servingColour(weights: Weights): Colour | null {
  if (weights.blue <= 0 && weights.green <= 0) return null
  return weights.green > weights.blue ? 'green' : 'blue'
}

export function splitWeights(green: Colour, greenWeight: number, hasServing: boolean): Weights {
  const weights = { blue: 0, green: 0 } as Weights
  weights[green] = greenWeight
  weights[otherColour(green)] = hasServing ? 100 - greenWeight : 0
  return weights
}

/**
 * Which release each colour runs, as its record says (`<sha>_uncommitted_<hash>` after an
 * `--allow-dirty` release), when it runs the SHA and config digest being released.
 */
export type FleetVersions = Partial<Record<Colour, string>>

export function planRelease(
  state: Pick<TargetState, 'fleets' | 'weights'>,
  artifact: Pick<Artifact, 'sha' | 'configDigest'>,
  version?: { version: string; fleets: FleetVersions },
): Decision {
  const serving = servingColour(state.weights)
  // The same SHA and config from another working tree (another version) is another release.
  const runsThis = (colour: Colour) => {
    const fleet = state.fleets[colour]
    if (!fleetMatches(fleet, artifact as Artifact)) return false
    return !version || (version.fleets[colour] ?? fleet?.sha) === version.version
  }
  const match = COLOURS.find(runsThis)
  if (match && state.weights[match] === 100) {
    return { green: match, serving: match, unchanged: true, revertFirst: false, replace: undefined }
  }
  let green: Colour
  if (match && (match !== serving || state.weights[match] > 0)) green = match
  else if (serving) green = otherColour(serving)
  else green = state.fleets.blue && !state.fleets.green ? 'green' : 'blue'
  const current = serving === green ? otherColour(green) : serving
  const greenFleet = state.fleets[green]
  const isTarget = runsThis(green)
  // Green carries traffic from an abandoned release of another SHA: back to the serving colour first.
  const revertFirst = !isTarget && state.weights[green] > 0
  return {
    green,
    serving: current && state.weights[current] > 0 ? current : null,
    unchanged: false,
    revertFirst,
    replace: greenFleet && !isTarget ? greenFleet : undefined,
  }
}

/** The weights green goes through, ending at 100; one step when nothing serves or the router is 0/100. */
function shiftSteps(
  ctx: EngineContext,
  options: Pick<ReleaseOptions, 'steps'>,
  hasServing: boolean,
): number[] {
  const { config, provider } = ctx.target
  let steps = options.steps ?? (config.shift.strategy === 'steps' ? config.shift.steps : [100])
  if (steps.at(-1) !== 100) steps = [...steps, 100]
  if (!hasServing) return [100]
  if (!provider.capabilities.weights && steps.length > 1) {
    ctx.reporter.emit({ type: 'warn', message: `${provider.id} routes 0/100 only: shifting all at once` })
    return [100]
  }
  return steps
}

export function fleetSpec(ctx: EngineContext, colour: Colour, artifact: Artifact): FleetSpec {
  const { config, env } = ctx.target
  return {
    service: config.service,
    env,
    colour,
    artifact,
    size: config.fleet.size,
    port: config.fleet.port,
    healthPath: config.health.path,
  }
}

function actionsOf(
  ctx: EngineContext,
  decided: Decision,
  artifact: Artifact,
  steps: number[],
  noShift: boolean,
) {
  if (decided.unchanged)
    return [`${artifact.sha.slice(0, 7)} is already live on ${decided.green}: nothing to do`]
  const actions: string[] = []
  if (decided.revertFirst)
    actions.push(`revert traffic to ${decided.serving} (abandoned shift to ${decided.green})`)
  if (decided.replace) actions.push(`decommission idle ${decided.green} (${decided.replace.sha.slice(0, 7)})`)
  actions.push(
    ctx.target.provider.capabilities.externalNodes
      ? `place ${decided.green}'s servers (run outside gwdeploy) into its slots`
      : `provision ${ctx.target.config.fleet.size} node(s) on ${decided.green}`,
  )
  actions.push(`verify health gate${ctx.target.config.smoke.length ? ' and smoke checks' : ''}`)
  if (noShift) actions.push(`preview only: ${decided.green} gets no traffic`)
  else {
    const { provider } = ctx.target
    if (artifact.revokerPort !== undefined && decided.serving)
      actions.push(
        !provider.revokerEndpoints && provider.capabilities.nodesPullRevocations
          ? `${decided.green}'s nodes take auth/revoker's revocations from the running nodes before serving`
          : `carry auth/revoker's revocations from ${decided.serving} into ${decided.green}`,
      )
    actions.push(`shift traffic to ${decided.green}: ${steps.join('% -> ')}%`)
  }
  return actions
}

/** The decision and its description, computed once: the plan step and dry runs share it. */
export function makePlan(
  ctx: EngineContext,
  state: TargetState,
  artifact: Artifact,
  version: string,
  options: Pick<ReleaseOptions, 'steps' | 'noShift'>,
  fleetVersions: FleetVersions = {},
): { decision: Decision; summary: PlanSummary } {
  const decision = planRelease(state, artifact, { version, fleets: fleetVersions })
  const steps = shiftSteps(ctx, options, decision.serving !== null)
  const servingFleet = decision.serving ? state.fleets[decision.serving] : undefined
  const summary: PlanSummary = {
    sha: artifact.sha,
    version,
    configName: artifact.configName,
    configDigest: artifact.configDigest,
    green: decision.green,
    serving: decision.serving,
    previousSha: servingFleet?.sha ?? null,
    actions: actionsOf(ctx, decision, artifact, steps, options.noShift ?? false),
    steps,
  }
  return { decision, summary }
}
