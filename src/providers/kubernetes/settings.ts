/** The provider's settings, resolved once from gwdeploy.yml (provider.kubernetes + fleet). */
import type { GwConfig } from '../../config/schema.ts'
import { configError } from '../../core/errors.ts'
import { type KubeNames, kubeNames } from './names.ts'

type Section = NonNullable<GwConfig['provider']['kubernetes']>

export interface KubeSettings {
  names: KubeNames
  /** Pods per colour when set; otherwise the FleetSpec's size (fleet.size). */
  replicas: number | undefined
  /** fleet.size: the pods per colour when `replicas` is unset. */
  fleetSize: number
  resources: Section['resources']
  nodeSelector: Record<string, string>
  tolerations: Section['tolerations']
  imagePullSecrets: string[]
  serviceAccountName: string | undefined
  servicePort: number
  metricsPort: number
  serviceType: Section['serviceType']
  labels: Record<string, string>
  annotations: Record<string, string>
  progressDeadlineMs: number
  /** health.deadline: how long green pods may stay unschedulable or refused before the release fails. */
  healthDeadlineMs: number
  drainGraceMs: number
  drainTimeoutMs: number
  /** fleet.env (plain values and secretKeyRef references) and fleet.envFrom Secrets. */
  env: GwConfig['fleet']['env']
  envFrom: GwConfig['fleet']['envFrom']
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

export function kubeSettings(config: GwConfig): KubeSettings {
  const section = config.provider.kubernetes
  if (!section) {
    throw configError('provider.kind is "kubernetes" but there is no provider.kubernetes section', {
      hint: 'gwdeploy init --provider kubernetes writes an example.',
    })
  }
  const names = kubeNames({
    namespace: section.namespace,
    service: config.service,
    liveService: section.service,
    previewService: section.previewService,
  })
  // Object names get a "-blue"/"-green"/"-gwdeploy-lock" suffix and must stay valid RFC 1123 labels.
  if (!DNS_LABEL.test(names.instance) || names.instance.length > 63 - '-gwdeploy-lock'.length) {
    throw configError(
      `provider.kubernetes.service (default: service): "${names.instance}" cannot name Kubernetes objects (lowercase a-z, 0-9 and "-", at most 49 characters)`,
      { hint: 'Set provider.kubernetes.service to a valid name, e.g. "payments-gateway".' },
    )
  }
  if (section.metricsPort === config.fleet.port) {
    throw configError(
      `provider.kubernetes.metricsPort ${section.metricsPort} is also fleet.port: the gateway cannot serve both on one port`,
      { hint: 'Pick another provider.kubernetes.metricsPort (default 9090).' },
    )
  }
  if (names.previewService === names.liveService) {
    throw configError('provider.kubernetes.previewService must differ from the live Service name')
  }
  return {
    names,
    replicas: section.replicas,
    fleetSize: config.fleet.size,
    resources: section.resources,
    nodeSelector: section.nodeSelector,
    tolerations: section.tolerations,
    imagePullSecrets: section.imagePullSecrets,
    serviceAccountName: section.serviceAccountName,
    servicePort: section.servicePort,
    metricsPort: section.metricsPort,
    serviceType: section.serviceType,
    labels: section.labels,
    annotations: section.annotations,
    progressDeadlineMs: section.progressDeadline,
    healthDeadlineMs: config.health.deadline,
    drainGraceMs: section.drainGrace,
    drainTimeoutMs: section.drainTimeout,
    env: config.fleet.env,
    envFrom: config.fleet.envFrom,
  }
}
