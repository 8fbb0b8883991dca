/** kubectl's rollout-status rule for a Deployment, as a pure function of the object. */

export interface DeploymentLike {
  metadata?: { generation?: number }
  spec?: { replicas?: number }
  status?: {
    observedGeneration?: number
    replicas?: number
    updatedReplicas?: number
    availableReplicas?: number
    conditions?: Array<{ type: string; status?: string; reason?: string; message?: string }>
  }
}

export type RolloutState =
  | { done: true; message: string }
  | { done: false; failed: false; message: string }
  | { done: false; failed: true; message: string }

/** Mirrors `kubectl rollout status` (DeploymentStatusViewer): done, still going, or failed (deadline). */
export function rolloutState(deployment: DeploymentLike): RolloutState {
  const generation = deployment.metadata?.generation ?? 0
  const status = deployment.status ?? {}
  if (generation > (status.observedGeneration ?? 0)) {
    return { done: false, failed: false, message: 'waiting for the deployment spec update to be observed' }
  }
  const progressing = status.conditions?.find((c) => c.type === 'Progressing')
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return {
      done: false,
      failed: true,
      message: `rollout exceeded its progress deadline${progressing.message ? `: ${progressing.message}` : ''}`,
    }
  }
  const wanted = deployment.spec?.replicas ?? 1
  const updated = status.updatedReplicas ?? 0
  const replicas = status.replicas ?? 0
  const available = status.availableReplicas ?? 0
  if (updated < wanted) {
    return { done: false, failed: false, message: `${updated} of ${wanted} updated replicas are available` }
  }
  if (replicas > updated) {
    return {
      done: false,
      failed: false,
      message: `${replicas - updated} old replicas are pending termination`,
    }
  }
  if (available < updated) {
    return {
      done: false,
      failed: false,
      message: `${available} of ${updated} updated replicas are available`,
    }
  }
  return { done: true, message: `${updated} of ${wanted} replicas available` }
}
