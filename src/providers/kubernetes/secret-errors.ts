/**
 * A green pod the kubelet cannot start because a Secret fleet.env / fleet.envFrom names is
 * missing, or lacks the key: the pod waits in CreateContainerConfigError until someone creates
 * it, so waiting for the rollout deadline only delays the same answer. Recognized from the
 * kubelet's own messages (pkg/kubelet/kubelet_pods.go) and turned into a configuration error
 * naming the gwdeploy.yml key. Other CreateContainerConfigError messages (e.g. the kubelet's
 * secret cache not synced yet) are transient and left to the rollout.
 */
import type * as k8s from '@kubernetes/client-node'
import { configError, type GwError } from '../../core/errors.ts'
import type { KubeSettings } from './settings.ts'

const CONFIG_ERROR = 'CreateContainerConfigError'
const SECRET_MISSING = /^secrets? "([^"]+)" not found$/
const KEY_MISSING = /^couldn't find key (\S+) in Secret ([^/\s]+)\/(\S+)$/

export interface MissingSecret {
  secret: string
  /** Set when the Secret exists but lacks this key. */
  key?: string
  pod: string
}

/** The pods read a Secret: fleet.env has a secretKeyRef or fleet.envFrom a Secret. */
export const readsSecrets = (settings: Pick<KubeSettings, 'env' | 'envFrom'>): boolean =>
  settings.envFrom.some((entry) => 'secret' in entry) ||
  Object.values(settings.env).some((value) => typeof value !== 'string')

/** The first pod that waits because a Secret or one of its keys is missing. */
export function missingSecret(pods: k8s.V1Pod[]): MissingSecret | undefined {
  for (const pod of pods) {
    for (const status of pod.status?.containerStatuses ?? []) {
      const waiting = status.state?.waiting
      if (waiting?.reason !== CONFIG_ERROR || !waiting.message) continue
      const message = waiting.message.trim()
      const name = pod.metadata?.name ?? ''
      const noSecret = SECRET_MISSING.exec(message)
      if (noSecret) return { secret: noSecret[1] as string, pod: name }
      const noKey = KEY_MISSING.exec(message)
      if (noKey) return { secret: noKey[3] as string, key: noKey[1] as string, pod: name }
    }
  }
  return undefined
}

/** The gwdeploy.yml keys that name the Secret (and key): fleet.env.NAME.secretKeyRef, fleet.envFrom[N].secret. */
function referencingKeys(settings: Pick<KubeSettings, 'env' | 'envFrom'>, missing: MissingSecret): string[] {
  const keys: string[] = []
  for (const [name, value] of Object.entries(settings.env)) {
    if (typeof value === 'string' || !('secretKeyRef' in value)) continue
    const ref = value.secretKeyRef
    if (ref.name === missing.secret && (missing.key === undefined || ref.key === missing.key))
      keys.push(`fleet.env.${name}.secretKeyRef`)
  }
  if (missing.key === undefined)
    settings.envFrom.forEach((entry, index) => {
      if ('secret' in entry && entry.secret === missing.secret) keys.push(`fleet.envFrom[${index}].secret`)
    })
  return keys
}

/** The configuration error (exit 2) for a missing Secret or key, or undefined when fleet.env names neither. */
export function missingSecretError(
  settings: Pick<KubeSettings, 'env' | 'envFrom'>,
  namespace: string,
  missing: MissingSecret,
): GwError | undefined {
  const keys = referencingKeys(settings, missing)
  if (!keys.length) return undefined
  const what = missing.key
    ? `Secret ${namespace}/${missing.secret} has no key "${missing.key}"`
    : `Secret ${namespace}/${missing.secret} does not exist`
  const create = missing.key
    ? `Add the key to the Secret (kubectl create secret generic ${missing.secret} -n ${namespace} --from-literal=${missing.key}=... --dry-run=client -o yaml | kubectl apply -f -)`
    : `Create the Secret (kubectl create secret generic ${missing.secret} -n ${namespace} --from-literal=KEY=...)`
  return configError(
    `${keys.join(', ')}: ${what}; the kubelet cannot start the green pods (${CONFIG_ERROR})`,
    {
      location: { file: 'gwdeploy.yml', path: keys[0] as string },
      hint: `${create}, or fix ${keys[0]} in gwdeploy.yml, then release again. Traffic was not touched.`,
      details: { pod: missing.pod, secret: missing.secret, ...(missing.key ? { key: missing.key } : {}) },
    },
  )
}
