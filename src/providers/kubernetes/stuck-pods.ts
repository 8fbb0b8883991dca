/**
 * Why a green rollout cannot finish, as Kubernetes already reports it, so the release fails with
 * that reason instead of waiting out the progress deadline (600 s by default) to say only
 * "ProgressDeadlineExceeded": a container that crash-loops (at once), an image the node cannot
 * pull, pods no node can take, pods the API server refuses to create (a ResourceQuota, an
 * admission policy). The last three may still clear up by themselves (a registry blip the
 * kubelet's retry gets past, an autoscaler's new node, a stopping pod freeing its share of the
 * quota), so each fails only once it has lasted its grace.
 */
import type * as k8s from '@kubernetes/client-node'

export type BlockerKind = 'crash' | 'pull' | 'unschedulable' | 'refused'

export interface Blocker {
  /** Stable across polls while the same thing blocks (how long it lasted is counted per key). */
  key: string
  kind: BlockerKind
  /** The pod it is about; none for pods that could not be created. */
  pod?: string
  /** One line: what Kubernetes says, with its own reason and message. */
  detail: string
}

export interface BlockerGraces {
  /** An image pull that keeps failing: past the kubelet's first retry (10 s back-off). */
  pullMs: number
  /** Unschedulable / refused pods: health.deadline, the time green has to become healthy. */
  clusterMs: number
}

/** How long an image pull may keep failing before the release gives up: the kubelet retried it. */
export const PULL_GRACE_MS = 20_000

const PULL_ERRORS = new Set(['ErrImagePull', 'ImagePullBackOff', 'RegistryUnavailable'])
/** Pull errors no retry fixes: the image reference itself. */
const IMAGE_REFUSED = new Set(['InvalidImageName', 'ErrImageNeverPull'])

/**
 * What blocks the rollout now, from the Deployment's conditions and the pods of its current pod
 * template: a kept failed green (--keep-failed) replaced by a fixed release of the same SHA (a
 * fleet.env fix) still has its crash-looping pods of the old template while the new ones start.
 */
export function rolloutBlockers(deployment: k8s.V1Deployment, pods: k8s.V1Pod[]): Blocker[] {
  const blockers: Blocker[] = []
  const wanted = containerSpec(deployment.spec?.template?.spec)
  for (const pod of pods) {
    if (wanted && containerSpec(pod.spec) !== wanted) continue
    const name = pod.metadata?.name ?? ''
    const status = pod.status?.containerStatuses?.find((c) => c.name === 'gateway')
    const waiting = status?.state?.waiting
    const reason = waiting?.reason ?? ''
    if (reason === 'CrashLoopBackOff') {
      blockers.push({ key: `crash:${name}`, kind: 'crash', pod: name, detail: crashDetail(status) })
    } else if (PULL_ERRORS.has(reason) || IMAGE_REFUSED.has(reason)) {
      blockers.push({
        key: IMAGE_REFUSED.has(reason) ? `image:${name}` : `pull:${name}`,
        kind: 'pull',
        pod: name,
        detail: pullDetail(reason, status?.image ?? '', waiting?.message ?? ''),
      })
    }
    const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled')
    // A pod the scheduler nominated a node for is waiting on a preemption: it is getting a place.
    if (
      scheduled?.status === 'False' &&
      scheduled.reason === 'Unschedulable' &&
      !pod.status?.nominatedNodeName
    )
      blockers.push({
        key: `unschedulable:${name}`,
        kind: 'unschedulable',
        pod: name,
        detail: `Unschedulable: ${scheduled.message ?? 'the scheduler found no node for it'}`,
      })
  }
  const failure = deployment.status?.conditions?.find((c) => c.type === 'ReplicaFailure')
  if (failure?.status === 'True')
    blockers.push({
      key: 'refused',
      kind: 'refused',
      detail: `${failure.reason ?? 'ReplicaFailure'}: ${failure.message ?? 'the ReplicaSet could not create pods'}`,
    })
  return blockers
}

/** The gateway container's image and environment, as the template and its pods carry them. */
function containerSpec(spec: k8s.V1PodSpec | undefined): string | undefined {
  const container = spec?.containers?.find((c) => c.name === 'gateway')
  return container && JSON.stringify([container.image, container.env ?? [], container.envFrom ?? []])
}

/** The grace of a blocker: none for a crash loop or an image reference no retry fixes. */
export function blockerGrace(blocker: Blocker, graces: BlockerGraces): number {
  if (blocker.kind === 'crash' || blocker.key.startsWith('image:')) return 0
  return blocker.kind === 'pull' ? graces.pullMs : graces.clusterMs
}

/**
 * Remembers when each blocker was first seen and returns the first that has lasted its grace
 * (a blocker that went away starts over when it comes back).
 */
export class BlockerClock {
  readonly #since = new Map<string, number>()
  readonly #graces: BlockerGraces

  constructor(graces: BlockerGraces) {
    this.#graces = graces
  }

  due(blockers: Blocker[], now: number): { blocker: Blocker; lastedMs: number } | undefined {
    const seen = new Set(blockers.map((b) => b.key))
    for (const key of this.#since.keys()) if (!seen.has(key)) this.#since.delete(key)
    let due: { blocker: Blocker; lastedMs: number } | undefined
    for (const blocker of blockers) {
      const since = this.#since.get(blocker.key) ?? now
      this.#since.set(blocker.key, since)
      if (!due && now - since >= blockerGrace(blocker, this.#graces)) due = { blocker, lastedMs: now - since }
    }
    return due
  }
}

/**
 * "CrashLoopBackOff: the gateway container exited with code 137 (OOMKilled) after 42 s; restarted 3 time(s) ...": its last run.
 * A container the runtime could not start (StartError: a missing binary, an unreadable root) has
 * no log and a zero startedAt: the runtime's message says why instead of a run time.
 */
export function crashDetail(status: k8s.V1ContainerStatus | undefined): string {
  const last = status?.lastState?.terminated
  const restarts = status?.restartCount ?? 0
  const started = last?.startedAt ? new Date(last.startedAt).getTime() : 0
  const ran =
    started > 0 && last?.finishedAt
      ? Math.max(0, Math.round((new Date(last.finishedAt).getTime() - started) / 1000))
      : undefined
  const why = started > 0 || !last?.message ? '' : `: ${last.message.trim()}`
  const exit = last
    ? `exited with code ${last.exitCode}${last.reason ? ` (${last.reason})` : ''}${last.signal ? ` on signal ${last.signal}` : ''}${ran === undefined ? '' : ` after ${ran} s`}${why}`
    : 'keeps exiting'
  return `CrashLoopBackOff: the gateway container ${exit}; restarted ${restarts} time(s), the kubelet now waits before each restart`
}

/**
 * "cannot pull IMAGE (ImagePullBackOff): NotFound: failed to resolve reference: not found": the
 * kubelet's message names the image up to four times (its back-off prefix, containerd's wrapping).
 */
function pullDetail(reason: string, image: string, message: string): string {
  let text = message
    .replace(/\s+/g, ' ')
    .replace(/^Back-off pulling image "[^"]*": /, '')
    .replace(/rpc error: code = (\w+) desc = /, '$1: ')
  if (image) text = text.split(`"${image}"`).join('').split(`${image}: `).join('').replace(/ +:/g, ':')
  return `cannot pull ${image || 'the image'} (${reason}): ${text.trim() || 'no reason given'}`
}

/** The way out, per kind of blocker (the hint of the release's exit 4). */
export function blockerHint(blocker: Blocker, ns: string, image: string, sha: string): string {
  switch (blocker.kind) {
    case 'crash':
      return 'Fix what its log says (below), then release again.'
    case 'pull':
      return (
        `The node cannot pull ${image}: check that the cluster's nodes reach that registry, that it still has the image ` +
        `(\`gwdeploy release --sha ${sha}\` builds and pushes it again), and provider.kubernetes.imagePullSecrets for a private registry.`
      )
    case 'unschedulable':
      return (
        'No node can take the green pods: lower provider.kubernetes.resources.requests, fix provider.kubernetes.nodeSelector / ' +
        `tolerations, or add capacity (kubectl describe nodes). Blue/green runs both colours at once. A cluster autoscaler adding a node needs longer than health.deadline: raise it.`
      )
    case 'refused':
      return (
        `The API server refuses the green pods (a ResourceQuota or an admission policy of namespace ${ns}: kubectl describe resourcequota -n ${ns}). ` +
        'Blue/green runs both colours at once: the quota must hold both, or lower fleet.size / provider.kubernetes.replicas / resources.'
      )
  }
}
