/**
 * Waiting for a colour's Deployment to roll out (kubectl's rule, rollout.ts), and when it fails,
 * the error that says why: each pod's state and the last log lines of the first two. What
 * Kubernetes already reports as blocking it (stuck-pods.ts) fails it before the deadline.
 */
import type * as k8s from '@kubernetes/client-node'
import { healthGateError, providerError } from '../../core/errors.ts'
import { sleep } from '../../health/gate.ts'
import type { FleetSpec, OperationOptions } from '../types.ts'
import { type KubeApi, POLL_MS } from './api.ts'
import { describePod } from './fleet.ts'
import { LABEL } from './names.ts'
import { rolloutState } from './rollout.ts'
import { missingSecret, missingSecretError, readsSecrets } from './secret-errors.ts'
import type { KubeSettings } from './settings.ts'
import { type Blocker, BlockerClock, blockerHint, PULL_GRACE_MS, rolloutBlockers } from './stuck-pods.ts'

/** How long past the progress deadline the Deployment controller gets to report ProgressDeadlineExceeded. */
export const CONTROLLER_GRACE_MS = 60_000

export async function waitRollout(
  api: KubeApi,
  settings: KubeSettings,
  name: string,
  spec: FleetSpec,
  options: OperationOptions,
  clock: () => number = Date.now,
): Promise<void> {
  // The Deployment's own progress deadline decides failure; ours only guards a stalled controller.
  // Like the controller's, it counts from the last progress seen (a changed rollout state), so a
  // slow rollout that keeps progressing is not cut short.
  const stalledAfterMs = settings.progressDeadlineMs + CONTROLLER_GRACE_MS
  let guard = clock() + stalledAfterMs
  let last = ''
  // What Kubernetes already says blocks the rollout (stuck-pods.ts) fails it before the deadline.
  const blockers = new BlockerClock({ pullMs: PULL_GRACE_MS, clusterMs: settings.healthDeadlineMs })
  let reported = ''
  for (;;) {
    const deployment = await api.readDeployment(spec.colour)
    if (!deployment)
      throw providerError(`kubernetes: Deployment ${api.ns}/${name} was deleted during the rollout`)
    const state = rolloutState(deployment)
    if (state.done) return
    const now = clock()
    if (state.message !== last) {
      options.progress?.(`rollout of ${name}: ${state.message}`)
      if (last) guard = now + stalledAfterMs
    }
    last = state.message
    const pods = await api.pods(deployment, spec.colour)
    failOnMissingSecret(settings, api.ns, pods)
    const found = rolloutBlockers(deployment, pods)
    const due = blockers.due(found, now)
    const blocking = found[0]
    if (blocking && !due && blocking.key !== reported)
      options.progress?.(`rollout of ${name}: ${blocking.pod ? `${blocking.pod}: ` : ''}${blocking.detail}`)
    reported = blocking?.key ?? ''
    if (due) throw await blockedError(api, name, spec, pods, due.blocker)
    if (state.failed || now > guard) {
      const why = state.failed ? state.message : stalledMessage(settings, state.message)
      const problems = pods.map((pod) => ({ message: `${pod.metadata?.name}: ${describePod(pod)}` }))
      const logs = await lastLogLines(api, pods.slice(0, 2))
      // The engine decides what happens to the failed Deployment (torn down, or --keep-failed).
      throw healthGateError(
        `green (${spec.colour}, ${spec.artifact.sha7}): Deployment ${api.ns}/${name}: ${why}`,
        {
          problems,
          hint: `Traffic was not touched. Check the pods' events (kubectl describe pods -n ${api.ns} -l ${LABEL.colour}=${spec.colour}).${logs}`,
        },
      )
    }
    await sleep(POLL_MS, options.signal)
  }
}

/** Exit 4 with Kubernetes' own reason, the way out and, for a crash loop, what the container said. */
async function blockedError(
  api: KubeApi,
  name: string,
  spec: FleetSpec,
  pods: k8s.V1Pod[],
  blocker: Blocker,
) {
  const crashed = blocker.kind === 'crash' ? pods.filter((p) => p.metadata?.name === blocker.pod) : []
  const logs = await lastLogLines(api, crashed, true)
  const where = blocker.pod ? `pod ${api.ns}/${blocker.pod}` : `Deployment ${api.ns}/${name}`
  const problems = pods.length
    ? pods.map((pod) => ({ message: `${pod.metadata?.name}: ${describePod(pod)}` }))
    : [{ message: `${name}: ${blocker.detail}` }]
  return healthGateError(`green (${spec.colour}, ${spec.artifact.sha7}): ${where}: ${blocker.detail}`, {
    problems,
    hint: `Traffic was not touched. ${blockerHint(blocker, api.ns, spec.artifact.image ?? "the release's image", spec.artifact.sha)} (kubectl describe pods -n ${api.ns} -l ${LABEL.colour}=${spec.colour})${logs}`,
    details: {
      reason: blocker.kind,
      ...(blocker.pod ? { pod: blocker.pod } : {}),
      colour: spec.colour,
      sha: spec.artifact.sha,
    },
  })
}

/** Why gwdeploy gave up on a rollout the Deployment controller never declared failed. */
export function stalledMessage(settings: KubeSettings, state: string): string {
  const deadline = Math.round(settings.progressDeadlineMs / 1000)
  const total = Math.round((settings.progressDeadlineMs + CONTROLLER_GRACE_MS) / 1000)
  return `no rollout progress for ${total} s (still "${state}"), and the Deployment controller did not report ProgressDeadlineExceeded after the ${deadline} s progress deadline (provider.kubernetes.progressDeadline) plus ${CONTROLLER_GRACE_MS / 1000} s: is kube-controller-manager running?`
}

/** A Secret fleet.env names is missing (pods in CreateContainerConfigError): exit 2 now, not at the deadline. */
function failOnMissingSecret(settings: KubeSettings, ns: string, pods: k8s.V1Pod[]): void {
  if (!readsSecrets(settings)) return
  const missing = missingSecret(pods)
  const error = missing && missingSecretError(settings, ns, missing)
  if (error) throw error
}

/**
 * The last log lines of pods, for an error's hint; a pod without logs yet adds nothing.
 * `previous`: of the container's last run (a crash-looping container waits with an empty log).
 */
async function lastLogLines(api: KubeApi, pods: k8s.V1Pod[], previous = false): Promise<string> {
  const texts = await Promise.all(
    pods.map(async (pod) => {
      const id = pod.metadata?.name ?? ''
      const text = await api.podLog(id, 20, previous).catch(() => '')
      return text.trim() ? `\n--- last log lines of ${id} ---\n${text.trimEnd()}` : ''
    }),
  )
  return texts.join('')
}
