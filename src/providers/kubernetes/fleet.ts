/**
 * What the cluster says about a colour, read back from the objects gwdeploy wrote: its fleet
 * (Deployment labels and annotations plus the release's pods), the colour a Service selects,
 * and each pod's health.
 */
import type * as k8s from '@kubernetes/client-node'
import { providerError } from '../../core/errors.ts'
import type { Colour, Fleet, FleetNode, NodeHealth } from '../types.ts'
import type { KubeApi } from './api.ts'
import { ANNOTATION, colourSelector, type KubeNames, LABEL, NO_COLOUR } from './names.ts'
import { crashDetail } from './stuck-pods.ts'

export function toFleet(deployment: k8s.V1Deployment, colour: Colour, pods: k8s.V1Pod[]): Fleet {
  const labels = deployment.metadata?.labels ?? {}
  const annotations = deployment.metadata?.annotations ?? {}
  const nodes: FleetNode[] = pods.map((pod) => {
    const port = pod.spec?.containers[0]?.ports?.[0]?.containerPort
    return {
      id: pod.metadata?.name ?? '',
      colour,
      ...(pod.status?.podIP ? { address: `${pod.status.podIP}:${port ?? ''}` } : {}),
      ...(pod.status?.startTime ? { startedAt: new Date(pod.status.startTime).toISOString() } : {}),
      meta: {
        phase: pod.status?.phase ?? 'Unknown',
        ...(port ? { port } : {}),
        ...(pod.spec?.nodeName ? { node: pod.spec.nodeName } : {}),
        restarts: pod.status?.containerStatuses?.[0]?.restartCount ?? 0,
      },
    }
  })
  const image = annotations[ANNOTATION.image]
  const createdAt = annotations[ANNOTATION.createdAt]
  const keepUntil = annotations[ANNOTATION.keepUntil]
  return {
    colour,
    sha: labels[LABEL.sha] ?? '',
    configName: annotations[ANNOTATION.configName] ?? '',
    configDigest: annotations[ANNOTATION.configDigest] ?? '',
    ...(image ? { image } : {}),
    nodes,
    ...(createdAt ? { createdAt } : {}),
    ...(keepUntil ? { keepUntil } : {}),
  }
}

/** Placeholder nodes of a live colour whose pods were taken away by hand (scaled to 0). */
export const MISSING_NODE_PREFIX = 'missing-'

/** A Deployment scaled to 0 is retired: it is kept (for its history) but is no fleet. */
export async function readFleet(api: KubeApi, colour: Colour): Promise<Fleet | undefined> {
  const deployment = await api.readDeployment(colour)
  if (!deployment || (deployment.spec?.replicas ?? 0) === 0) return undefined
  if (deployment.metadata?.labels?.[LABEL.managedBy] !== 'gwdeploy') {
    throw providerError(
      `kubernetes: Deployment ${api.ns}/${deployment.metadata?.name} exists but is not managed by gwdeploy`,
      { hint: 'Rename provider.kubernetes.service, or remove that Deployment.' },
    )
  }
  return toFleet(deployment, colour, await api.pods(deployment, colour))
}

export function selectedColour(service: k8s.V1Service | undefined): Colour | undefined {
  const colour = service?.spec?.selector?.[LABEL.colour]
  return colour === 'blue' || colour === 'green' ? colour : undefined
}

/**
 * The colour a gwdeploy Service routes to: only when its selector is exactly the one gwdeploy
 * writes (this service's name and instance plus the colour). A selector edited by hand (a key
 * added, changed or removed) routes to other pods or to none: `edited` says what it selects.
 */
export function serviceSelection(
  service: k8s.V1Service | undefined,
  names: KubeNames,
): { colour: Colour | undefined; edited?: string } {
  const selector = service?.spec?.selector ?? {}
  const colour = selectedColour(service)
  const key = colour ?? (selector[LABEL.colour] === NO_COLOUR ? NO_COLOUR : undefined)
  const wanted = key ? colourSelector(names, key) : undefined
  const same =
    wanted !== undefined &&
    Object.keys(selector).length === Object.keys(wanted).length &&
    Object.entries(wanted).every(([k, v]) => selector[k] === v)
  if (same) return { colour }
  const shown = Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',')
  return { colour: undefined, edited: shown || '(empty: every pod of the namespace)' }
}

export function podHealth(node: FleetNode, pod: k8s.V1Pod | undefined, image?: string): NodeHealth {
  if (!pod) return { node: node.id, status: 'gone', detail: 'pod no longer exists' }
  // The pod carries the release's labels but runs another image: set by hand on the Deployment.
  const running = pod.spec?.containers?.[0]?.image
  if (image && running && running !== image)
    return {
      node: node.id,
      status: 'unhealthy',
      detail: `runs image ${running}, not the release's ${image} (the Deployment's image was changed outside gwdeploy)`,
    }
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True'
  if (ready) return { node: node.id, status: 'healthy', detail: 'Ready' }
  if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded')
    return { node: node.id, status: 'gone', detail: `pod ${pod.status.phase}` }
  const waiting = pod.status?.containerStatuses?.[0]?.state?.waiting?.reason
  const broken =
    waiting === 'CrashLoopBackOff' || waiting === 'ErrImagePull' || waiting === 'ImagePullBackOff'
  return { node: node.id, status: broken ? 'unhealthy' : 'starting', detail: describePod(pod) }
}

/** One line on why a pod is not ready: waiting reason, last termination, or its phase. */
export function describePod(pod: k8s.V1Pod): string {
  const status = pod.status?.containerStatuses?.[0]
  const waiting = status?.state?.waiting
  // The back-off message says only when the next restart is: the last exit says why (OOMKilled).
  if (waiting?.reason === 'CrashLoopBackOff') return crashDetail(status)
  if (waiting) return `waiting: ${waiting.reason ?? ''}${waiting.message ? ` (${waiting.message})` : ''}`
  const terminated = status?.state?.terminated ?? status?.lastState?.terminated
  if (terminated) return `terminated: ${terminated.reason ?? ''} exit ${terminated.exitCode}`
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled')
  if (scheduled?.status === 'False')
    return `Pending: ${scheduled.reason ?? 'not scheduled'}${scheduled.message ? ` (${scheduled.message})` : ''}`
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')
  return `${pod.status?.phase ?? 'Pending'}${ready?.status === 'False' ? ', not ready' : ''}${ready?.message ? ` (${ready.message})` : ''}`
}
