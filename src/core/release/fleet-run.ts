/** A Run over a fleet that is already up (rollback's switch, promote): no stamp, no build, no provision. */
import {
  type Colour,
  type Fleet,
  otherColour,
  type TargetState,
  type Weights,
} from '../../providers/types.ts'
import type { Operation, Run } from './context.ts'

export function fleetRun(
  operation: Operation,
  state: TargetState,
  fleet: Fleet,
  options: { started: number; serving: Colour | null; action: string; gated: Weights },
): Run {
  const green = fleet.colour
  const other = state.fleets[otherColour(green)]
  return {
    operation,
    started: options.started,
    artifact: {
      sha: fleet.sha,
      sha7: fleet.sha.slice(0, 7),
      configName: fleet.configName,
      configDigest: fleet.configDigest,
      configText: '',
      ...(fleet.image ? { image: fleet.image } : {}),
    },
    version: fleet.sha,
    state,
    decision: { green, serving: options.serving, unchanged: false, revertFirst: false, replace: undefined },
    summary: {
      sha: fleet.sha,
      version: fleet.sha,
      configName: fleet.configName,
      configDigest: fleet.configDigest,
      green,
      serving: options.serving,
      previousSha: other?.sha ?? null,
      actions: [options.action],
      steps: [100],
    },
    green,
    serving: options.serving,
    previous: other,
    weights: state.weights,
    gated: options.gated,
    greenFleet: fleet,
    unfinished: [],
  }
}
