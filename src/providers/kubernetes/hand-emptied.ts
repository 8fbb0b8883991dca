/**
 * Deployments scaled to 0 or deleted by hand (kubectl scale / delete) under the live Service or
 * a colour kept for rollback: gwdeploy itself scales a colour to 0 only once it is retired (and
 * drops its keep-until then), so these are reported (`fleetless`) for the engine to say what
 * clients get and the way out.
 */
import {
  COLOURS,
  type Colour,
  type Fleet,
  type FleetlessColour,
  type FleetNode,
  type TargetState,
} from '../types.ts'
import type { KubeApi } from './api.ts'
import { MISSING_NODE_PREFIX, toFleet } from './fleet.ts'
import { ANNOTATION, deploymentName, LABEL } from './names.ts'
import type { KubeSettings } from './settings.ts'

/** Pods per colour. */
export const wantedPods = (settings: KubeSettings) => settings.replicas ?? settings.fleetSize

export interface HandEmptied {
  /** The live colour's fleet when its Deployment was scaled to 0 (its pods `missing-N`, gone). */
  live?: Fleet
  /** ", whose Deployment ... does not exist ..." when the live colour's Deployment was deleted. */
  liveMissing?: string
  /** The live colour's Deployment deleted, or a kept colour's scaled to 0. */
  fleetless: FleetlessColour[]
}

export async function handEmptied(
  api: KubeApi,
  settings: KubeSettings,
  serving: Colour | undefined,
  fleets: TargetState['fleets'],
): Promise<HandEmptied> {
  const wanted = wantedPods(settings)
  const found: HandEmptied = { fleetless: [] }
  if (serving && !fleets[serving]) {
    const live = await emptiedFleet(api, serving, wanted)
    if (live) found.live = live
    else if (!(await api.readDeployment(serving))) {
      const deployment = `Deployment ${api.ns}/${deploymentName(settings.names, serving)} does not exist (deleted outside gwdeploy)`
      found.liveMissing = `, whose ${deployment}`
      found.fleetless.push({
        colour: serving,
        weight: 100,
        why: `Service ${api.ns}/${settings.names.liveService} selects it and its ${deployment}: clients get no answer`,
      })
    }
  }
  for (const colour of COLOURS) {
    if (colour === serving || fleets[colour]) continue
    const kept = await emptiedKept(api, colour, wanted)
    if (kept) found.fleetless.push(kept)
  }
  return found
}

/**
 * The colour the live Service selects when its Deployment was scaled to 0 outside gwdeploy: not
 * retired (traffic still goes to it, and reaches no pod), so it stays a fleet, with one `missing-N`
 * node per wanted pod that `nodeHealth` reports gone: `status` exits 4 naming it and the way out
 * instead of "no fleets". Undefined when the Deployment is absent or not gwdeploy's.
 */
export async function emptiedFleet(api: KubeApi, colour: Colour, wanted: number): Promise<Fleet | undefined> {
  const deployment = await api.readDeployment(colour)
  const managed = deployment?.metadata?.labels?.[LABEL.managedBy] === 'gwdeploy'
  if (!deployment || !managed || (deployment.spec?.replicas ?? 0) !== 0) return undefined
  const fleet = toFleet(deployment, colour, [])
  const nodes = Array.from(
    { length: Math.max(1, wanted) },
    (_, n): FleetNode => ({
      id: `${MISSING_NODE_PREFIX}${n + 1}`,
      colour,
      meta: { state: 'missing' },
    }),
  )
  return { ...fleet, nodes }
}

/**
 * A colour kept for rollback (keep-until still ahead) whose Deployment was scaled to 0 by hand
 * (gwdeploy drops the keep-until when it scales one down): what it is, and what brings it back.
 */
async function emptiedKept(
  api: KubeApi,
  colour: Colour,
  wanted: number,
  now = Date.now(),
): Promise<FleetlessColour | undefined> {
  const deployment = await api.readDeployment(colour)
  const keepUntil = deployment?.metadata?.annotations?.[ANNOTATION.keepUntil]
  if (!deployment || (deployment.spec?.replicas ?? 0) !== 0 || !keepUntil) return undefined
  if (deployment.metadata?.labels?.[LABEL.managedBy] !== 'gwdeploy' || !(Date.parse(keepUntil) > now))
    return undefined
  const name = deployment.metadata?.name ?? ''
  return {
    colour,
    weight: 0,
    keepUntil,
    why: `Deployment ${api.ns}/${name} has 0 replicas (scaled to 0 outside gwdeploy)`,
    restore: `\`kubectl scale deployment ${name} -n ${api.ns} --replicas=${wanted}\``,
  }
}

/** Why a placeholder node of an emptied live colour is gone, and what brings its pods back (status adds what rollback would do). */
export function emptiedDetail(ns: string, deployment: string, wanted: number): string {
  return (
    `Deployment ${ns}/${deployment} has 0 replicas (scaled to 0 outside gwdeploy) while the live Service selects it: clients get no answer; ` +
    `\`kubectl scale deployment ${deployment} -n ${ns} --replicas=${wanted}\` brings its pods back`
  )
}
