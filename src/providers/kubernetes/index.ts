/**
 * The `kubernetes` provider: one Deployment per colour (fleet), the live Service's selector
 * (router: 0/100 only, see README "kubernetes"), a preview Service on green, a Lease as the
 * lock. Everything inspect() reports is read back from labels, annotations and the Service.
 */
import { providerError, usageError } from '../../core/errors.ts'
import { sleep } from '../../health/gate.ts'
import {
  type CallOptions,
  COLOURS,
  type Colour,
  type DecommissionOptions,
  type Fleet,
  type FleetNode,
  type FleetSpec,
  type Lock,
  type LogStreamOptions,
  type NodeHealth,
  type OperationOptions,
  type ProbeTarget,
  type Provider,
  type ProviderCapabilities,
  type ProviderContext,
  type RenderedDocument,
  type RevokerEndpoint,
  type TargetState,
  type TrafficSample,
  type Weights,
} from '../types.ts'
import { KubeApi, POLL_MS } from './api.ts'
import { connect, type KubeClient } from './client.ts'
import { applyDeployment } from './deployments.ts'
import { destroyTarget } from './destroy.ts'
import { serviceEndpoint } from './endpoint.ts'
import { MISSING_NODE_PREFIX, podHealth, readFleet, selectedColour, serviceSelection } from './fleet.ts'
import { emptiedDetail, handEmptied, wantedPods } from './hand-emptied.ts'
import { LeaseLock } from './lease.ts'
import { podLogLines } from './logs.ts'
import { Loopbacks } from './loopbacks.ts'
import { liveServiceManifest, previewServiceManifest, renderDocuments } from './manifests.ts'
import {
  ANNOTATION,
  colourSelector,
  deploymentName,
  NO_COLOUR,
  PORT_NAME,
  REVOKER_PORT_NAME,
  selectorString,
} from './names.ts'
import { checkOwnership } from './ownership.ts'
import { checkPermissions, releasePermissions } from './permissions.ts'
import { ConfigMapRecords } from './records.ts'
import { waitRollout } from './rollout-wait.ts'
import { pointService, waitEndpoints } from './services.ts'
import { type KubeSettings, kubeSettings } from './settings.ts'
import { colourTraffic } from './traffic.ts'
import { podProxyPath, serviceProxyPath } from './tunnel.ts'

export { describePod } from './fleet.ts'

export class KubernetesProvider implements Provider {
  readonly id = 'kubernetes' as const
  /** No setMaintenance: a Service only forwards to pods, nothing in this router answers by itself. */
  readonly maintenanceUnsupported =
    'gwdeploy routes Kubernetes traffic by switching the Service selector between the colours, and a Service can only ' +
    'forward to pods: nothing in it can answer with a page. Serve the page from what sits in front of the Service ' +
    '(your Ingress or Gateway controller, e.g. a custom default backend), or scale the service down and let that ' +
    'layer answer. gwdeploy does not start a responder of its own in your cluster (a pod it would have to gate, ' +
    'route to and clean up like a third colour).'
  readonly capabilities: ProviderCapabilities = {
    // A Service selects one colour: no weights without a traffic-splitting layer (README).
    weights: false,
    directProbe: true,
    preview: true,
    image: true,
    // Each pod's gateway counters, scraped through the pod proxy (metrics.ts).
    traffic: true,
  }
  readonly #settings: KubeSettings
  readonly #api: KubeApi
  readonly #loopbacks: Loopbacks
  /**
   * Aborted by close(): a call still in flight that nothing awaits any more (the lock watch's read
   * on an API server that stopped answering) would keep the process alive until its deadline.
   */
  readonly #closed = new AbortController()
  #lock: LeaseLock | undefined

  constructor(settings: KubeSettings, connectClient: () => Promise<KubeClient>) {
    this.#settings = settings
    this.#api = new KubeApi(settings, connectClient, [this.#closed.signal])
    this.#loopbacks = new Loopbacks(() => this.#api.client())
  }

  get #ns() {
    return this.#settings.names.namespace
  }

  fleetResource(colour: Colour): string {
    return `Deployment ${this.#ns}/${deploymentName(this.#settings.names, colour)}`
  }

  get #wanted() {
    return wantedPods(this.#settings)
  }

  async inspect(options: OperationOptions = {}): Promise<TargetState> {
    const { names } = this.#settings
    const api = this.#api.under(options.signal)
    const fleets: TargetState['fleets'] = {}
    for (const colour of COLOURS) {
      const fleet = await readFleet(api, colour)
      if (fleet) fleets[colour] = fleet
    }
    const live = await api.readService(names.liveService)
    const selection = serviceSelection(live, names)
    const serving = selection.colour
    // Deployments scaled to 0 or deleted by hand under the live Service or a kept colour (hand-emptied.ts).
    const emptied = await handEmptied(api, this.#settings, serving, fleets)
    if (serving && emptied.live) fleets[serving] = emptied.live
    const missing = emptied.liveMissing ?? ''
    const weights: Weights = { blue: 0, green: 0 }
    if (serving && fleets[serving]) weights[serving] = 100
    const selects = selection.edited
      ? `has a selector edited outside gwdeploy (${selection.edited}), so it routes to no colour of ${names.app}; ` +
        'a release of the live SHA sets it back'
      : `selects ${serving ?? 'no colour'}${missing}`
    const preview = await api.readService(names.previewService)
    const endpoint = live ? serviceEndpoint(live) : undefined
    return {
      provider: 'kubernetes',
      service: names.app,
      fleets,
      weights,
      router: endpoint
        ? {
            present: true,
            endpoint: endpoint.url,
            // Always ClusterIP: reached by gwdeploy through the API server, shown for in-cluster use.
            ...(preview ? { preview: serviceEndpoint(preview).url } : {}),
            detail: `Service ${this.#ns}/${names.liveService} ${selects}; ${endpoint.note}`,
          }
        : {
            present: false,
            detail: `Service ${this.#ns}/${names.liveService} does not exist yet (created by the first switch)`,
          },
      lock: await this.#leaseLock().status({ ...(options.signal ? { signal: options.signal } : {}) }),
      ...(emptied.fleetless.length ? { fleetless: emptied.fleetless } : {}),
    }
  }

  /**
   * Before anything changes (the colour kept for rollback retired, a Deployment replaced): a Role
   * missing a verb the release needs is exit 6 naming each one, and the colour's Deployment name
   * or a Service name held by an object that is not this target's is refused.
   */
  async preflight(spec: FleetSpec, options: OperationOptions = {}): Promise<void> {
    const api = this.#api.under(options.signal)
    const client = await api.client()
    await checkPermissions(
      async () =>
        client.authorization.createSelfSubjectRulesReview({
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectRulesReview',
            spec: { namespace: this.#ns },
          },
        }),
      this.#ns,
      releasePermissions({ revoker: spec.artifact.revokerPort !== undefined }),
      client,
    )
    await checkOwnership(api, this.#settings, spec.colour)
  }

  async provision(spec: FleetSpec, options: OperationOptions = {}): Promise<Fleet> {
    const name = deploymentName(this.#settings.names, spec.colour)
    const api = this.#api.under(options.signal)
    await applyDeployment(api, this.#settings, spec, options)
    await waitRollout(api, this.#settings, name, spec, options)
    const fleet = await readFleet(api, spec.colour)
    if (!fleet)
      throw providerError(`kubernetes: Deployment ${this.#ns}/${name} disappeared during the rollout`)
    return fleet
  }

  async nodeHealth(fleet: Fleet, options: OperationOptions = {}): Promise<NodeHealth[]> {
    const pods = await this.#api.under(options.signal).colourPods(fleet.colour)
    const name = deploymentName(this.#settings.names, fleet.colour)
    return fleet.nodes.map((node) =>
      node.id.startsWith(MISSING_NODE_PREFIX)
        ? { node: node.id, status: 'gone', detail: emptiedDetail(this.#ns, name, this.#wanted) }
        : podHealth(
            node,
            pods.find((p) => p.metadata?.name === node.id),
            fleet.image,
          ),
    )
  }

  async probeTargets(fleet: Fleet): Promise<ProbeTarget[]> {
    return Promise.all(
      fleet.nodes
        .filter((node) => !node.id.startsWith(MISSING_NODE_PREFIX))
        .map(async (node) => ({
          node: node.id,
          url: await this.#loopbacks.tunnel(podProxyPath(this.#ns, node.id, containerPort(node))),
        })),
    )
  }

  /**
   * Each pod's auth/revoker (the container port named `revoker`), reached through a loopback
   * listener per pod that forwards each connection through the API server's pods/portforward
   * (closed by close()); `options.progress` hears why a forwarded connection failed.
   */
  async revokerEndpoints(fleet: Fleet, options: OperationOptions = {}): Promise<RevokerEndpoint[]> {
    this.#loopbacks.forwardProgress = options.progress
    const pods = await this.#api.under(options.signal).colourPods(fleet.colour)
    const endpoints: RevokerEndpoint[] = []
    for (const node of fleet.nodes) {
      const pod = pods.find((p) => p.metadata?.name === node.id)
      const ports = pod?.spec?.containers.flatMap((c) => c.ports ?? []) ?? []
      const port = ports.find((p) => p.name === REVOKER_PORT_NAME)?.containerPort
      if (!port) continue
      const local = await this.#loopbacks.portForward({ namespace: this.#ns, pod: node.id, port })
      endpoints.push({ node: node.id, host: '127.0.0.1', port: local })
    }
    return endpoints
  }

  async preview(colour: Colour, options: OperationOptions = {}): Promise<URL | undefined> {
    const name = this.#settings.names.previewService
    const api = this.#api.under(options.signal)
    await pointService(api, previewServiceManifest(this.#settings, colour), colour)
    await waitEndpoints(api, name, colour, options)
    return this.#loopbacks.tunnel(serviceProxyPath(this.#ns, name, PORT_NAME))
  }

  async route(weights: Weights, options: OperationOptions = {}): Promise<void> {
    const colour = COLOURS.find((c) => weights[c] === 100)
    const none = weights.blue === 0 && weights.green === 0
    if (!colour && !none) {
      throw usageError(
        `kubernetes: cannot split traffic ${weights.blue}/${weights.green}: a Service selects one colour`,
        { hint: 'Use weights 0 or 100 (the kubernetes provider shifts all at once).' },
      )
    }
    if (options.signal?.aborted) throw options.signal.reason
    // The switch itself is not cut short by an interrupt: a patch stopped in flight may or may not
    // have been applied, and the engine could then not tell where traffic is.
    await pointService(
      this.#api,
      liveServiceManifest(this.#settings, colour ?? NO_COLOUR),
      colour ?? NO_COLOUR,
    )
    if (!colour) return
    // Done when the switch is in effect: the Service's Endpoints and EndpointSlices name only the
    // new colour's pods. An interrupt during that wait returns: the switch was made, and the
    // engine, which sees the interrupt next, reverts it knowing where traffic is.
    await waitEndpoints(
      this.#api.under(options.signal),
      this.#settings.names.liveService,
      colour,
      options,
    ).catch((error: unknown) => {
      if (!options.signal?.aborted) throw error
    })
  }

  async decommission(fleet: Fleet, options: DecommissionOptions): Promise<void> {
    const name = deploymentName(this.#settings.names, fleet.colour)
    const api = this.#api.under(options.signal)
    const live = await api.readService(this.#settings.names.liveService)
    if (selectedColour(live) === fleet.colour) {
      throw providerError(
        `kubernetes: refusing to decommission ${fleet.colour}: Service ${this.#ns}/${live?.metadata?.name} selects it`,
      )
    }
    const deployment = await api.readDeployment(fleet.colour)
    if (!deployment) return
    if (options.delete) {
      options.progress?.(`deleting Deployment ${name}`)
      await api.deleteDeployment(fleet.colour)
    } else if ((deployment.spec?.replicas ?? 0) > 0) {
      options.progress?.(`scaling Deployment ${name} to 0`)
      await api.scale(name, 0)
    }
    // Pods stop on their own (preStop + drain); wait a bounded time so the caller sees them go.
    const deadline =
      Date.now() +
      Math.max(options.drainMs, this.#settings.drainGraceMs + this.#settings.drainTimeoutMs + 5_000)
    for (;;) {
      const pods = await api.call(`list pods of ${name}`, (c) =>
        c.core.listNamespacedPod({
          namespace: this.#ns,
          labelSelector: selectorString(colourSelector(this.#settings.names, fleet.colour)),
        }),
      )
      if (pods.items.length === 0) return
      if (Date.now() > deadline) {
        options.progress?.(
          `${pods.items.length} pod(s) of ${name} still terminating; Kubernetes finishes the job`,
        )
        return
      }
      await sleep(POLL_MS, options.signal)
    }
  }

  async annotate(colour: Colour, facts: Pick<Fleet, 'keepUntil'>, options: CallOptions = {}): Promise<void> {
    const name = deploymentName(this.#settings.names, colour)
    const api = this.#api.under(options.signal)
    const deployment = await api.readDeployment(colour)
    if (!deployment) return
    await api.call(`annotate Deployment ${this.#ns}/${name}`, (c) =>
      c.apps.patchNamespacedDeployment(
        {
          name,
          namespace: this.#ns,
          body: { metadata: { annotations: { [ANNOTATION.keepUntil]: facts.keepUntil ?? null } } },
        },
        c.mergePatch,
      ),
    )
  }

  /** Release records: ConfigMaps in the namespace (records.ts). */
  records(): ConfigMapRecords {
    return new ConfigMapRecords(() => this.#api.client(), this.#settings.names)
  }

  lock(): Lock {
    return this.#leaseLock()
  }

  #leaseLock(): LeaseLock {
    this.#lock ??= new LeaseLock(() => this.#api.client(), this.#settings)
    return this.#lock
  }

  async *streamLogs(node: FleetNode, options: LogStreamOptions): AsyncGenerator<string> {
    yield* podLogLines(await this.#api.under(options.signal).client(), this.#ns, node.id, options)
  }

  async logs(node: FleetNode, lines: number, options: CallOptions = {}): Promise<string> {
    return this.#api.under(options.signal).podLog(node.id, lines)
  }

  /** Each pod's gateway counters, for the bake's error ratio (traffic.ts). */
  async traffic(colour: Colour, options: OperationOptions = {}): Promise<TrafficSample> {
    return colourTraffic(this.#api.under(options.signal), colour, this.#settings.metricsPort)
  }

  render(spec: FleetSpec): RenderedDocument[] {
    return renderDocuments(spec, this.#settings)
  }

  async destroy(options: OperationOptions = {}): Promise<void> {
    await destroyTarget(this.#api.under(options.signal), this.#settings, options)
  }

  async close(): Promise<void> {
    this.#closed.abort(new Error('kubernetes: the client was closed'))
    await this.#loopbacks.close()
  }
}

/**
 * The gateway's container port of a pod, as a number: the API server's pod proxy does not
 * resolve port names (a named port makes it fail), unlike the service proxy.
 */
function containerPort(node: FleetNode): number | string {
  const port = node.meta?.port
  return typeof port === 'number' ? port : PORT_NAME
}

export function createProvider(context: ProviderContext): Provider {
  const settings = kubeSettings(context.config)
  const section = context.config.provider.kubernetes
  return new KubernetesProvider(settings, () =>
    connect({ kubeconfig: section?.kubeconfig, context: section?.context, dir: context.dir }),
  )
}
