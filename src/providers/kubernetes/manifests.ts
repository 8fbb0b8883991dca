/**
 * The Kubernetes objects gwdeploy sends, as pure functions of the release and the settings
 * (golden-tested in test/providers/kubernetes). The I/O layer (index.ts) only adds what
 * depends on the moment (created-at) and the server (resourceVersion).
 */
import { stringify } from 'yaml'
import { readsRuntimeEnv } from '../../image/runtime-env.ts'
import { CONTAINER_ENV_DIR } from '../node-env.ts'
import type { Colour, FleetSpec, RenderedDocument } from '../types.ts'
import {
  ANNOTATION,
  baseSelector,
  colourSelector,
  deploymentName,
  LABEL,
  MANAGED_BY,
  METRICS_PORT_NAME,
  type NO_COLOUR,
  PORT_NAME,
  REVOKER_PORT_NAME,
  ROLE_LABEL,
} from './names.ts'
import type { KubeSettings } from './settings.ts'

/** The uid:gid the image runs as (src/image/dockerfile.ts default user). */
const IMAGE_UID = 1000
const SECRET_FILES_VOLUME = 'gwdeploy-env'

export interface ManifestMetadata {
  name: string
  namespace: string
  labels: Record<string, string>
  annotations: Record<string, string>
}

export interface DeploymentManifest {
  apiVersion: 'apps/v1'
  kind: 'Deployment'
  metadata: ManifestMetadata
  spec: Record<string, unknown> & { replicas: number }
}

export interface ServicePort {
  name: string
  port: number
  targetPort: string | number
  protocol: string
}

export interface ServiceManifest {
  apiVersion: 'v1'
  kind: 'Service'
  metadata: ManifestMetadata
  spec: { type: string; selector: Record<string, string>; ports: ServicePort[] }
}

function commonLabels(settings: KubeSettings): Record<string, string> {
  return {
    ...settings.labels,
    ...baseSelector(settings.names),
    [LABEL.component]: 'gateway',
    [LABEL.managedBy]: MANAGED_BY,
  }
}

const replicasFor = (spec: FleetSpec, settings: KubeSettings) => settings.replicas ?? spec.size

/** Seconds, rounded up (Kubernetes fields are whole seconds). */
const seconds = (ms: number) => Math.ceil(ms / 1000)

export function deploymentManifest(
  spec: FleetSpec,
  settings: KubeSettings,
  options: { createdAt?: string } = {},
): DeploymentManifest {
  const { names } = settings
  const { artifact } = spec
  const image = artifact.image
  if (!image) throw new Error('kubernetes: the release has no image (capabilities.image is true)')
  const labels = {
    ...commonLabels(settings),
    [LABEL.version]: artifact.sha7,
    [LABEL.colour]: spec.colour,
    [LABEL.sha]: artifact.sha,
  }
  const releaseAnnotations = {
    [ANNOTATION.configName]: artifact.configName,
    [ANNOTATION.configDigest]: artifact.configDigest,
  }
  // SIGTERM and the endpoint removal race: the preStop delay keeps serving while endpoints drop
  // the pod, then the gateway finishes in-flight requests (its own 503 grace is not needed).
  const terminationGracePeriodSeconds = seconds(settings.drainGraceMs + settings.drainTimeoutMs) + 5
  const resources: Record<string, unknown> = {}
  if (settings.resources.requests) resources.requests = settings.resources.requests
  if (settings.resources.limits) resources.limits = settings.resources.limits
  const secretFiles = secretFilesVolume(settings)
  const podSpec: Record<string, unknown> = {
    terminationGracePeriodSeconds,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: IMAGE_UID,
      runAsGroup: IMAGE_UID,
      // The Secret files' group, so that mode 0440 lets the gateway read them.
      ...(secretFiles ? { fsGroup: IMAGE_UID } : {}),
    },
    containers: [
      {
        name: 'gateway',
        image,
        imagePullPolicy: 'IfNotPresent',
        ports: [
          { name: PORT_NAME, containerPort: spec.port, protocol: 'TCP' },
          { name: METRICS_PORT_NAME, containerPort: settings.metricsPort, protocol: 'TCP' },
          // auth/revoker's Go net/rpc: revoke tools reach each pod on it (pod IPs, a headless Service).
          ...(artifact.revokerPort
            ? [{ name: REVOKER_PORT_NAME, containerPort: artifact.revokerPort, protocol: 'TCP' }]
            : []),
        ],
        env: [
          { name: 'GATEWAY_METRICS_PORT', value: String(settings.metricsPort) },
          { name: 'GATEWAY_DRAIN_GRACE', value: '0ms' },
          { name: 'GATEWAY_DRAIN_TIMEOUT', value: `${settings.drainTimeoutMs}ms` },
          ...fleetEnv(settings, artifact.configText),
        ],
        ...envFrom(settings),
        ...(secretFiles ? { volumeMounts: [secretFiles.mount] } : {}),
        readinessProbe: {
          httpGet: { path: spec.healthPath, port: PORT_NAME },
          periodSeconds: 2,
          timeoutSeconds: 2,
          successThreshold: 1,
          failureThreshold: 2,
        },
        lifecycle: {
          preStop: {
            // The image has node but no shell or sleep binary.
            exec: { command: ['node', '-e', `setTimeout(() => {}, ${settings.drainGraceMs})`] },
          },
        },
        resources,
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        },
      },
    ],
  }
  if (secretFiles) podSpec.volumes = [secretFiles.volume]
  if (Object.keys(settings.nodeSelector).length) podSpec.nodeSelector = settings.nodeSelector
  if (settings.tolerations.length) podSpec.tolerations = settings.tolerations
  if (settings.imagePullSecrets.length)
    podSpec.imagePullSecrets = settings.imagePullSecrets.map((name) => ({ name }))
  if (settings.serviceAccountName) podSpec.serviceAccountName = settings.serviceAccountName
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: deploymentName(names, spec.colour),
      namespace: names.namespace,
      labels,
      annotations: {
        ...settings.annotations,
        ...releaseAnnotations,
        [ANNOTATION.image]: image,
        ...(options.createdAt ? { [ANNOTATION.createdAt]: options.createdAt } : {}),
      },
    },
    spec: {
      replicas: replicasFor(spec, settings),
      // Immutable: the colour is part of it, the SHA is not (a colour is reused across releases).
      selector: { matchLabels: colourSelector(names, spec.colour) },
      progressDeadlineSeconds: seconds(settings.progressDeadlineMs),
      revisionHistoryLimit: 3,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: {
        metadata: { labels, annotations: { ...settings.annotations, ...releaseAnnotations } },
        spec: podSpec,
      },
    },
  }
}

/**
 * fleet.env as container env: plain values inline, secrets as `valueFrom.secretKeyRef` (the
 * kubelet reads the Secret; the manifest, the Deployment and gwdeploy never hold the value).
 */
function fleetEnv(settings: KubeSettings, configText: string): Array<Record<string, unknown>> {
  const env: Array<Record<string, unknown>> = Object.entries(settings.env)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, value]) =>
      typeof value === 'string'
        ? { name, value }
        : 'secretKeyRef' in value
          ? {
              name,
              valueFrom: { secretKeyRef: { name: value.secretKeyRef.name, key: value.secretKeyRef.key } },
            }
          : unsupported(name),
    )
  if (readsRuntimeEnv(configText)) env.push({ name: 'FC_ENABLE', value: '1' })
  return env
}

const unsupported = (name: string): never => {
  throw new Error(`kubernetes: fleet.env.${name} is not a secretKeyRef (the config check refuses it)`)
}

/**
 * fleet.env's secretKeyRefs also as files, CONTAINER_ENV_DIR/NAME, where the haproxy and aws
 * providers' containers have every secret: a gateway config can name them where it wants a file
 * (client_tls's private_key). The items are optional so that a missing Secret or key still fails
 * the pod on its env reference (CreateContainerConfigError, seen at once), not in a mount that
 * would wait until the progress deadline.
 */
function secretFilesVolume(settings: KubeSettings) {
  const sources = Object.entries(settings.env)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .flatMap(([name, value]) =>
      typeof value !== 'string' && 'secretKeyRef' in value
        ? [
            {
              secret: {
                name: value.secretKeyRef.name,
                items: [{ key: value.secretKeyRef.key, path: name }],
                optional: true,
              },
            },
          ]
        : [],
    )
  if (sources.length === 0) return undefined
  return {
    volume: { name: SECRET_FILES_VOLUME, projected: { defaultMode: 0o440, sources } },
    mount: { name: SECRET_FILES_VOLUME, mountPath: CONTAINER_ENV_DIR, readOnly: true },
  }
}

/** fleet.envFrom Secrets: every key of each becomes a variable (listed before env, which wins). */
function envFrom(settings: KubeSettings): { envFrom?: Array<{ secretRef: { name: string } }> } {
  const refs = settings.envFrom.flatMap((entry) =>
    'secret' in entry ? [{ secretRef: { name: entry.secret } }] : [],
  )
  return refs.length ? { envFrom: refs } : {}
}

function serviceManifest(
  settings: KubeSettings,
  name: string,
  colour: Colour | typeof NO_COLOUR,
  type: string,
  role: 'live' | 'preview',
): ServiceManifest {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: settings.names.namespace,
      labels: { ...commonLabels(settings), [ROLE_LABEL]: role },
      annotations: { ...settings.annotations },
    },
    spec: {
      type,
      selector: colourSelector(settings.names, colour),
      ports: [{ name: PORT_NAME, port: settings.servicePort, targetPort: PORT_NAME, protocol: 'TCP' }],
    },
  }
}

/** The Service clients use; its selector's colour is the serving colour. */
export const liveServiceManifest = (settings: KubeSettings, colour: Colour | typeof NO_COLOUR) =>
  serviceManifest(settings, settings.names.liveService, colour, settings.serviceType, 'live')

/** Always ClusterIP: the preview route is for gwdeploy's smoke checks, not for clients. */
export const previewServiceManifest = (settings: KubeSettings, colour: Colour) =>
  serviceManifest(settings, settings.names.previewService, colour, 'ClusterIP', 'preview')

/** The merge patch that switches a Service to a colour: one field, atomic on the server. */
export const selectorPatch = (colour: Colour | typeof NO_COLOUR) => ({
  spec: { selector: { [LABEL.colour]: colour } },
})

/**
 * The merge patch that brings an existing Service to `colour` and to the configured type and
 * ports (a changed serviceType or servicePort is applied with the next switch), or undefined
 * when it already matches. One patch: the API server applies it atomically.
 */
export function servicePatch(
  current: {
    spec?: { type?: string; selector?: Record<string, string>; ports?: Array<Partial<ServicePort>> }
  },
  manifest: ServiceManifest,
  colour: Colour | typeof NO_COLOUR,
): Record<string, unknown> | undefined {
  const portsMatch =
    (current.spec?.ports ?? []).map(portKey).join() === manifest.spec.ports.map(portKey).join()
  const shape = current.spec?.type === manifest.spec.type && portsMatch
  // The whole selector, not only the colour: a key added or changed by hand (kubectl edit) would
  // keep selecting no pod, or another service's, after the switch.
  const selector = selectorChanges(current.spec?.selector ?? {}, {
    ...manifest.spec.selector,
    [LABEL.colour]: colour,
  })
  if (shape && !selector) return undefined
  if (shape) return { spec: { selector } }
  return {
    spec: {
      type: manifest.spec.type,
      ports: manifest.spec.ports,
      selector: selector ?? { [LABEL.colour]: colour },
    },
  }
}

/** The merge-patch entries that turn selector `current` into `wanted` (null removes a key), or undefined when equal. */
export function selectorChanges(
  current: Record<string, string>,
  wanted: Record<string, string>,
): Record<string, string | null> | undefined {
  const changes: Record<string, string | null> = {}
  for (const [key, value] of Object.entries(wanted)) if (current[key] !== value) changes[key] = value
  for (const key of Object.keys(current)) if (!(key in wanted)) changes[key] = null
  return Object.keys(changes).length ? changes : undefined
}

const portKey = (p: Partial<ServicePort>) => `${p.name}/${p.port}/${p.targetPort}/${p.protocol ?? 'TCP'}`

/** What a release sends, for `release --dry-run`. */
export function renderDocuments(spec: FleetSpec, settings: KubeSettings): RenderedDocument[] {
  const yaml = (value: unknown) => stringify(value, { lineWidth: 0, aliasDuplicateObjects: false })
  return [
    {
      title: `Deployment ${settings.names.namespace}/${deploymentName(settings.names, spec.colour)}`,
      language: 'yaml',
      content: yaml(deploymentManifest(spec, settings)),
    },
    {
      title: `Service ${settings.names.namespace}/${settings.names.previewService} (preview, checked before the switch)`,
      language: 'yaml',
      content: yaml(previewServiceManifest(settings, spec.colour)),
    },
    {
      title: `Service ${settings.names.namespace}/${settings.names.liveService} (live, after the switch: merge patch of spec.selector)`,
      language: 'yaml',
      content: yaml(liveServiceManifest(settings, spec.colour)),
    },
  ]
}
