/** Names, labels and annotations gwdeploy puts on Kubernetes objects (the source of truth for inspect). */
import type { Colour } from '../types.ts'

/** Whether a gwdeploy Service is a target's live or preview Service. */
export const ROLE_LABEL = 'gwdeploy.dev/role'

export const LABEL = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  version: 'app.kubernetes.io/version',
  component: 'app.kubernetes.io/component',
  managedBy: 'app.kubernetes.io/managed-by',
  colour: 'gwdeploy.dev/colour',
  sha: 'gwdeploy.dev/sha',
} as const

export const ANNOTATION = {
  configName: 'gwdeploy.dev/config-name',
  configDigest: 'gwdeploy.dev/config-digest',
  image: 'gwdeploy.dev/image',
  createdAt: 'gwdeploy.dev/created-at',
  keepUntil: 'gwdeploy.dev/keep-until',
  operation: 'gwdeploy.dev/operation',
  sha: 'gwdeploy.dev/sha',
} as const

export const MANAGED_BY = 'gwdeploy'
/** The live Service's colour label when no colour serves (route({blue: 0, green: 0})). */
export const NO_COLOUR = 'none'
export const PORT_NAME = 'http'
export const METRICS_PORT_NAME = 'metrics'
export const REVOKER_PORT_NAME = 'revoker'

/** Where and under which names one gwdeploy service lives in a cluster. */
export interface KubeNames {
  namespace: string
  /** app.kubernetes.io/name: the gwdeploy service. */
  app: string
  /** app.kubernetes.io/instance and the base of every object name: the live Service's name. */
  instance: string
  liveService: string
  previewService: string
  lease: string
}

export function kubeNames(options: {
  namespace: string
  service: string
  liveService?: string | undefined
  previewService?: string | undefined
}): KubeNames {
  const instance = options.liveService ?? options.service
  return {
    namespace: options.namespace,
    app: options.service,
    instance,
    liveService: instance,
    previewService: options.previewService ?? `${instance}-preview`,
    lease: `${instance}-gwdeploy-lock`,
  }
}

export const deploymentName = (names: KubeNames, colour: Colour) => `${names.instance}-${colour}`

/** The labels that select one service's pods (a Deployment's selector adds the colour). */
export function baseSelector(names: KubeNames): Record<string, string> {
  return { [LABEL.name]: names.app, [LABEL.instance]: names.instance }
}

export function colourSelector(names: KubeNames, colour: Colour | typeof NO_COLOUR): Record<string, string> {
  return { ...baseSelector(names), [LABEL.colour]: colour }
}

/** `k=v,k=v` for list calls. */
export function selectorString(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',')
}
