/**
 * A rollback to a release no colour runs, where the nodes run outside gwdeploy (haproxy `servers`):
 * a redeploy cannot start anything there, it would only retire the idle colour (the one kept to go
 * forward) and wait out the health deadline on servers still running another release. So the idle
 * colour's servers are asked first; unless they already answer as the release (the operator started
 * it there), the rollback is refused at once, naming what runs where, and nothing changes.
 */
import { type Artifact, COLOURS, type Fleet, type TargetState } from '../../providers/types.ts'
import { healthGateError } from '../errors.ts'
import type { EngineContext } from './context.ts'
import { planRelease } from './plan.ts'

const sha7 = (sha: string) => sha.slice(0, 7)

/** What each colour runs, for the refusal: `blue runs 0303030 (serving 100%)`. */
function whatRuns(state: TargetState): string {
  return COLOURS.map((colour) => {
    const fleet = state.fleets[colour]
    const weight = state.weights[colour]
    const role = weight > 0 ? `serving ${weight}%` : 'no traffic'
    return fleet
      ? `${colour} runs ${sha7(fleet.sha)} (${role})`
      : `${colour} runs nothing gwdeploy recorded (${role})`
  }).join(', ')
}

/** The colour a redeploy of `artifact` goes onto, with the servers its health gate would ask. */
export function outsideGoal(ctx: EngineContext, state: TargetState, artifact: Artifact): Fleet | undefined {
  return ctx.target.provider.outsideFleet?.(planRelease(state, artifact).green, artifact)
}

/** Exit 4: the rollback's release runs nowhere and gwdeploy cannot start it; nothing was changed. */
export function outsideGoalNotRunning(state: TargetState, goal: Fleet, why: string, rerun: string): Error {
  const where = goal.nodes.map((n) => `${n.id} ${n.address}`).join(', ')
  const now = state.fleets[goal.colour]
  return healthGateError(
    `no colour runs ${sha7(goal.sha)}: ${whatRuns(state)}, and ${goal.colour}'s servers (${where}) do not answer as ${sha7(goal.sha)} (${why}); its servers run outside gwdeploy, which cannot start them: nothing was rolled back`,
    {
      hint: `Start ${goal.colour}'s servers (${where}) running ${sha7(goal.sha)} ("${goal.configName}"), then run \`${rerun}\` again: it moves traffic to them once they pass the health gate. Traffic was not touched; ${goal.colour} ${now ? `still runs ${sha7(now.sha)}` : 'stays as it is'}.`,
    },
  )
}
