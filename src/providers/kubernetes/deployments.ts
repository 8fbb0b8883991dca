/** Sending a colour's Deployment: created, replaced when the release changed, or left alone. */
import type * as k8s from '@kubernetes/client-node'
import type { FleetSpec, OperationOptions } from '../types.ts'
import type { KubeApi } from './api.ts'
import { isConflict } from './client.ts'
import { deploymentManifest } from './manifests.ts'
import { ANNOTATION, deploymentName, LABEL } from './names.ts'
import type { KubeSettings } from './settings.ts'

export async function applyDeployment(
  api: KubeApi,
  settings: KubeSettings,
  spec: FleetSpec,
  options: OperationOptions,
): Promise<void> {
  const name = deploymentName(settings.names, spec.colour)
  const existing = await api.readDeployment(spec.colour)
  const desired = deploymentManifest(spec, settings, {
    createdAt: existing?.metadata?.annotations?.[ANNOTATION.createdAt] ?? new Date().toISOString(),
  })
  if (!existing) {
    options.progress?.(
      `creating Deployment ${name} (${desired.spec.replicas} pod(s), ${spec.artifact.image})`,
    )
    await api.call(`create Deployment ${api.ns}/${name}`, async (c) => {
      try {
        return await c.apps.createNamespacedDeployment({
          namespace: api.ns,
          body: desired as unknown as k8s.V1Deployment,
        })
      } catch (error) {
        if (!isConflict(error)) throw error
        return api.replaceDeployment(c, name, desired)
      }
    })
  } else if (matches(existing, desired)) {
    options.progress?.(`Deployment ${name} already runs ${spec.artifact.sha7}`)
  } else {
    options.progress?.(
      `updating Deployment ${name} to ${spec.artifact.sha7} (${desired.spec.replicas} pod(s))`,
    )
    await api.call(`replace Deployment ${api.ns}/${name}`, (c) => api.replaceDeployment(c, name, desired))
  }
}

/**
 * Same release, same replicas: nothing to send (a re-run after a crash reuses the rollout). The
 * pod template is compared too, not only the Deployment's own labels: an image set by hand
 * (`kubectl set image`) or a paused rollout leaves those as gwdeploy wrote them while the pods run
 * something else, and a redeploy (a rollback) must put the release back.
 */
function matches(existing: k8s.V1Deployment, desired: ReturnType<typeof deploymentManifest>): boolean {
  const a = existing.metadata?.annotations ?? {}
  const template = existing.spec?.template
  const wanted = desired.spec.template as {
    metadata: { labels: Record<string, string>; annotations: Record<string, string> }
  }
  return (
    existing.metadata?.labels?.[LABEL.sha] === desired.metadata.labels[LABEL.sha] &&
    a[ANNOTATION.configDigest] === desired.metadata.annotations[ANNOTATION.configDigest] &&
    a[ANNOTATION.image] === desired.metadata.annotations[ANNOTATION.image] &&
    templateImage(existing) === templateImage(desired) &&
    template?.metadata?.labels?.[LABEL.sha] === wanted.metadata.labels[LABEL.sha] &&
    template?.metadata?.annotations?.[ANNOTATION.configDigest] ===
      wanted.metadata.annotations[ANNOTATION.configDigest] &&
    !existing.spec?.paused &&
    existing.spec?.replicas === desired.spec.replicas &&
    // fleet.env is not part of the config digest: a (kept, failed) Deployment of the same SHA
    // with another environment is replaced, so a fixed Secret reference is rolled out.
    containerEnv(existing) === containerEnv(desired)
  )
}

/** The gateway container's image in a Deployment's pod template. */
export function templateImage(deployment: { spec?: unknown }): string | undefined {
  const spec = deployment.spec as
    | { template?: { spec?: { containers?: Array<{ image?: string }> } } }
    | undefined
  return spec?.template?.spec?.containers?.[0]?.image
}

/** The gateway container's env and envFrom, keys sorted (the API server's objects order them differently). */
function containerEnv(deployment: { spec?: unknown }): string {
  const spec = deployment.spec as
    | { template?: { spec?: { containers?: Array<{ env?: unknown; envFrom?: unknown }> } } }
    | undefined
  const container = spec?.template?.spec?.containers?.[0]
  return JSON.stringify({ env: container?.env ?? [], envFrom: container?.envFrom ?? [] }, (_key, value) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)))
      : value,
  )
}
