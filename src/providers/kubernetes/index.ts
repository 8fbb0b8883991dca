/**
 * The `kubernetes` provider: one Deployment per colour (fleet), the live Service's selector
 * (router: 0/100 only, see README "kubernetes"), a preview Service on green, a Lease as the
 * lock. Everything inspect() reports is read back from labels, annotations and the Service.
 */
import type * as k8s from '@kubernetes/client-node'
import { healthGateError, providerError, usageError } from '../../core/errors.ts'
import { sleep } from '../../health/gate.ts'
import {
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
import { call, connect, isConflict, type KubeClient, unlessNotFound } from './client.ts'
import { serviceEndpoint } from './endpoint.ts'
import { LeaseLock } from './lease.ts'
import { podLogLines } from './logs.ts'
import {
  deploymentManifest,
  liveServiceManifest,
  previewServiceManifest,
  renderDocuments,
  type ServiceManifest,
  selectorPatch,
  servicePatch,
} from './manifests.ts'
import { addTraffic, trafficFromMetrics } from './metrics.ts'
import {
  ANNOTATION,
  colourSelector,
  deploymentName,
  LABEL,
  NO_COLOUR,
  PORT_NAME,
  REVOKER_PORT_NAME,
  selectorString,
} from './names.ts'
import { openPortForward, type PortForwarder } from './port-forward.ts'
import { ConfigMapRecords } from './records.ts'
import { rolloutState } from './rollout.ts'
import { missingSecret, missingSecretError, readsSecrets } from './secret-errors.ts'
import { type KubeSettings, kubeSettings } from './settings.ts'
import { openTunnel, podProxyPath, serviceProxyPath, type Tunnel } from './tunnel.ts'

const POLL_MS = 500
const ENDPOINTS_WAIT_MS = 60_000

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
  readonly #connect: () => Promise<KubeClient>
  #client: Promise<KubeClient> | undefined
  #lock: LeaseLock | undefined
  readonly #tunnels = new Map<string, Promise<Tunnel>>()
  readonly #forwards = new Map<string, Promise<PortForwarder>>()
  #forwardProgress: ((message: string) => void) | undefined

  constructor(settings: KubeSettings, connectClient: () => Promise<KubeClient>) {
    this.#settings = settings
    this.#connect = connectClient
  }

  #api(): Promise<KubeClient> {
    this.#client ??= this.#connect()
    return this.#client
  }

  get #ns() {
    return this.#settings.names.namespace
  }

  async #call<T>(what: string, fn: (client: KubeClient) => Promise<T>): Promise<T> {
    const client = await this.#api()
    return call(what, client.server, () => fn(client))
  }

  async #readDeployment(colour: Colour): Promise<k8s.V1Deployment | undefined> {
    const name = deploymentName(this.#settings.names, colour)
    return this.#call(`read Deployment ${this.#ns}/${name}`, (c) =>
      unlessNotFound(() => c.apps.readNamespacedDeployment({ name, namespace: this.#ns })),
    )
  }

  async #readService(name: string): Promise<k8s.V1Service | undefined> {
    return this.#call(`read Service ${this.#ns}/${name}`, (c) =>
      unlessNotFound(() => c.core.readNamespacedService({ name, namespace: this.#ns })),
    )
  }

  /** Deletes a colour's Deployment and (foreground) its pods; already gone is fine. */
  async #deleteDeployment(colour: Colour): Promise<void> {
    const name = deploymentName(this.#settings.names, colour)
    await this.#call(`delete Deployment ${this.#ns}/${name}`, (c) =>
      unlessNotFound(() =>
        c.apps.deleteNamespacedDeployment({
          name,
          namespace: this.#ns,
          body: { propagationPolicy: 'Foreground' },
        }),
      ),
    )
  }

  /** The pods running a Deployment's current release (its SHA and config digest). */
  async #pods(deployment: k8s.V1Deployment, colour: Colour): Promise<k8s.V1Pod[]> {
    const sha = deployment.metadata?.labels?.[LABEL.sha]
    const digest = deployment.metadata?.annotations?.[ANNOTATION.configDigest]
    const selector = selectorString({
      ...colourSelector(this.#settings.names, colour),
      ...(sha ? { [LABEL.sha]: sha } : {}),
    })
    const list = await this.#call(`list pods ${this.#ns} (${selector})`, (c) =>
      c.core.listNamespacedPod({ namespace: this.#ns, labelSelector: selector }),
    )
    return list.items
      .filter((pod) => !pod.metadata?.deletionTimestamp)
      .filter((pod) => pod.metadata?.annotations?.[ANNOTATION.configDigest] === digest)
      .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))
  }

  #toFleet(deployment: k8s.V1Deployment, colour: Colour, pods: k8s.V1Pod[]): Fleet {
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

  /** A Deployment scaled to 0 is retired: it is kept (for its history) but is no fleet. */
  async #fleet(colour: Colour): Promise<Fleet | undefined> {
    const deployment = await this.#readDeployment(colour)
    if (!deployment || (deployment.spec?.replicas ?? 0) === 0) return undefined
    if (deployment.metadata?.labels?.[LABEL.managedBy] !== 'gwdeploy') {
      throw providerError(
        `kubernetes: Deployment ${this.#ns}/${deployment.metadata?.name} exists but is not managed by gwdeploy`,
        { hint: 'Rename provider.kubernetes.service, or remove that Deployment.' },
      )
    }
    return this.#toFleet(deployment, colour, await this.#pods(deployment, colour))
  }

  static #selectedColour(service: k8s.V1Service | undefined): Colour | undefined {
    const colour = service?.spec?.selector?.[LABEL.colour]
    return colour === 'blue' || colour === 'green' ? colour : undefined
  }

  async inspect(): Promise<TargetState> {
    const { names } = this.#settings
    const fleets: TargetState['fleets'] = {}
    for (const colour of COLOURS) {
      const fleet = await this.#fleet(colour)
      if (fleet) fleets[colour] = fleet
    }
    const live = await this.#readService(names.liveService)
    const serving = KubernetesProvider.#selectedColour(live)
    const weights: Weights = { blue: 0, green: 0 }
    if (serving && fleets[serving]) weights[serving] = 100
    const preview = await this.#readService(names.previewService)
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
            detail: `Service ${this.#ns}/${names.liveService} selects ${serving ?? 'no colour'}; ${endpoint.note}`,
          }
        : {
            present: false,
            detail: `Service ${this.#ns}/${names.liveService} does not exist yet (created by the first switch)`,
          },
      lock: await this.lock().status(),
    }
  }

  async provision(spec: FleetSpec, options: OperationOptions = {}): Promise<Fleet> {
    const name = deploymentName(this.#settings.names, spec.colour)
    const existing = await this.#readDeployment(spec.colour)
    const desired = deploymentManifest(spec, this.#settings, {
      createdAt: existing?.metadata?.annotations?.[ANNOTATION.createdAt] ?? new Date().toISOString(),
    })
    if (!existing) {
      options.progress?.(
        `creating Deployment ${name} (${desired.spec.replicas} pod(s), ${spec.artifact.image})`,
      )
      await this.#call(`create Deployment ${this.#ns}/${name}`, async (c) => {
        try {
          return await c.apps.createNamespacedDeployment({
            namespace: this.#ns,
            body: desired as unknown as k8s.V1Deployment,
          })
        } catch (error) {
          if (!isConflict(error)) throw error
          return this.#replace(c, name, desired)
        }
      })
    } else if (this.#matches(existing, desired)) {
      options.progress?.(`Deployment ${name} already runs ${spec.artifact.sha7}`)
    } else {
      options.progress?.(
        `updating Deployment ${name} to ${spec.artifact.sha7} (${desired.spec.replicas} pod(s))`,
      )
      await this.#call(`replace Deployment ${this.#ns}/${name}`, (c) => this.#replace(c, name, desired))
    }
    await this.#waitRollout(name, spec, options)
    const fleet = await this.#fleet(spec.colour)
    if (!fleet)
      throw providerError(`kubernetes: Deployment ${this.#ns}/${name} disappeared during the rollout`)
    return fleet
  }

  /** Same release, same replicas: nothing to send (a re-run after a crash reuses the rollout). */
  #matches(existing: k8s.V1Deployment, desired: ReturnType<typeof deploymentManifest>): boolean {
    const a = existing.metadata?.annotations ?? {}
    return (
      existing.metadata?.labels?.[LABEL.sha] === desired.metadata.labels[LABEL.sha] &&
      a[ANNOTATION.configDigest] === desired.metadata.annotations[ANNOTATION.configDigest] &&
      a[ANNOTATION.image] === desired.metadata.annotations[ANNOTATION.image] &&
      existing.spec?.replicas === desired.spec.replicas &&
      // fleet.env is not part of the config digest: a (kept, failed) Deployment of the same SHA
      // with another environment is replaced, so a fixed Secret reference is rolled out.
      containerEnv(existing) === containerEnv(desired)
    )
  }

  /** Replace with the resourceVersion just read; a 409 (changed meanwhile) re-reads and retries. */
  async #replace(
    c: KubeClient,
    name: string,
    desired: ReturnType<typeof deploymentManifest>,
  ): Promise<k8s.V1Deployment> {
    for (let attempt = 0; ; attempt++) {
      const current = await c.apps.readNamespacedDeployment({ name, namespace: this.#ns })
      const body = {
        ...desired,
        metadata: { ...desired.metadata, resourceVersion: current.metadata?.resourceVersion },
      } as unknown as k8s.V1Deployment
      try {
        return await c.apps.replaceNamespacedDeployment({ name, namespace: this.#ns, body })
      } catch (error) {
        if (!isConflict(error) || attempt >= 4) throw error
      }
    }
  }

  async #waitRollout(name: string, spec: FleetSpec, options: OperationOptions): Promise<void> {
    // The Deployment's own progress deadline decides failure; ours only guards a stalled controller.
    const guard = Date.now() + this.#settings.progressDeadlineMs + 60_000
    let last = ''
    for (;;) {
      const deployment = await this.#readDeployment(spec.colour)
      if (!deployment)
        throw providerError(`kubernetes: Deployment ${this.#ns}/${name} was deleted during the rollout`)
      const state = rolloutState(deployment)
      if (state.done) return
      if (state.message !== last) options.progress?.(`rollout of ${name}: ${state.message}`)
      last = state.message
      await this.#failOnMissingSecret(deployment, spec.colour)
      if (state.failed || Date.now() > guard) {
        const why = state.failed
          ? state.message
          : `no progress reported within ${Math.round((guard - Date.now()) / 1000)} s`
        const pods = await this.#pods(deployment, spec.colour).catch(() => [])
        const problems = pods.map((pod) => ({ message: `${pod.metadata?.name}: ${describePod(pod)}` }))
        const logs = await this.#lastLogLines(pods.slice(0, 2), spec.colour)
        // The engine decides what happens to the failed Deployment (torn down, or --keep-failed).
        throw healthGateError(
          `green (${spec.colour}, ${spec.artifact.sha7}): Deployment ${this.#ns}/${name}: ${why}`,
          {
            problems,
            hint: `Traffic was not touched. Check the pods' events (kubectl describe pods -n ${this.#ns} -l ${LABEL.colour}=${spec.colour}).${logs}`,
          },
        )
      }
      await sleep(POLL_MS, options.signal)
    }
  }

  /** A Secret fleet.env names is missing (pods in CreateContainerConfigError): exit 2 now, not at the deadline. */
  async #failOnMissingSecret(deployment: k8s.V1Deployment, colour: Colour): Promise<void> {
    if (!readsSecrets(this.#settings)) return
    const missing = missingSecret(await this.#pods(deployment, colour))
    const error = missing && missingSecretError(this.#settings, this.#ns, missing)
    if (error) throw error
  }

  /** The last log lines of (running) pods, for an error's hint; a pod without logs yet adds nothing. */
  async #lastLogLines(pods: k8s.V1Pod[], colour: Colour): Promise<string> {
    const texts = await Promise.all(
      pods.map(async (pod) => {
        const id = pod.metadata?.name ?? ''
        const text = await this.logs({ id, colour }, 20).catch(() => '')
        return text.trim() ? `\n--- last log lines of ${id} ---\n${text.trimEnd()}` : ''
      }),
    )
    return texts.join('')
  }

  async #scale(name: string, replicas: number): Promise<void> {
    await this.#call(`scale Deployment ${this.#ns}/${name} to ${replicas}`, (c) =>
      c.apps.patchNamespacedDeployment(
        { name, namespace: this.#ns, body: { spec: { replicas } } },
        c.mergePatch,
      ),
    )
  }

  async nodeHealth(fleet: Fleet): Promise<NodeHealth[]> {
    const deployment = await this.#readDeployment(fleet.colour)
    const pods = deployment ? await this.#pods(deployment, fleet.colour) : []
    return fleet.nodes.map((node) => {
      const pod = pods.find((p) => p.metadata?.name === node.id)
      if (!pod) return { node: node.id, status: 'gone', detail: 'pod no longer exists' }
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True'
      if (ready) return { node: node.id, status: 'healthy', detail: 'Ready' }
      if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded')
        return { node: node.id, status: 'gone', detail: `pod ${pod.status.phase}` }
      const waiting = pod.status?.containerStatuses?.[0]?.state?.waiting?.reason
      const broken =
        waiting === 'CrashLoopBackOff' || waiting === 'ErrImagePull' || waiting === 'ImagePullBackOff'
      return { node: node.id, status: broken ? 'unhealthy' : 'starting', detail: describePod(pod) }
    })
  }

  async #tunnel(path: string): Promise<URL> {
    let tunnel = this.#tunnels.get(path)
    if (!tunnel) {
      tunnel = this.#api().then((client) => openTunnel(client, path))
      this.#tunnels.set(path, tunnel)
      tunnel.catch(() => this.#tunnels.delete(path))
    }
    return (await tunnel).url
  }

  async probeTargets(fleet: Fleet): Promise<ProbeTarget[]> {
    return Promise.all(
      fleet.nodes.map(async (node) => ({
        node: node.id,
        url: await this.#tunnel(podProxyPath(this.#ns, node.id, containerPort(node))),
      })),
    )
  }

  /**
   * Each pod's auth/revoker (the container port named `revoker`), reached through a loopback
   * listener per pod that forwards each connection through the API server's pods/portforward
   * (closed by close()); `options.progress` hears why a forwarded connection failed.
   */
  async revokerEndpoints(fleet: Fleet, options: OperationOptions = {}): Promise<RevokerEndpoint[]> {
    this.#forwardProgress = options.progress
    const deployment = await this.#readDeployment(fleet.colour)
    const pods = deployment ? await this.#pods(deployment, fleet.colour) : []
    const endpoints: RevokerEndpoint[] = []
    for (const node of fleet.nodes) {
      const pod = pods.find((p) => p.metadata?.name === node.id)
      const ports = pod?.spec?.containers.flatMap((c) => c.ports ?? []) ?? []
      const port = ports.find((p) => p.name === REVOKER_PORT_NAME)?.containerPort
      if (!port) continue
      const key = `${node.id}:${port}`
      let forward = this.#forwards.get(key)
      if (!forward) {
        const target = { namespace: this.#ns, pod: node.id, port }
        // A reused listener reports to whoever asked for the endpoints last.
        forward = this.#api().then((client) =>
          openPortForward(client, target, (m) => this.#forwardProgress?.(m)),
        )
        this.#forwards.set(key, forward)
        forward.catch(() => this.#forwards.delete(key))
      }
      endpoints.push({ node: node.id, host: '127.0.0.1', port: (await forward).port })
    }
    return endpoints
  }

  /** Creates the Service, or merge-patches its selector to `colour` (plus type/ports the config changed): one atomic patch. */
  async #pointService(manifest: ServiceManifest, colour: Colour | typeof NO_COLOUR): Promise<void> {
    const name = manifest.metadata.name
    const current = await this.#readService(name)
    if (current && current.metadata?.labels?.[LABEL.managedBy] !== 'gwdeploy') {
      throw providerError(`kubernetes: Service ${this.#ns}/${name} exists but is not managed by gwdeploy`, {
        hint: 'Set provider.kubernetes.service / .previewService to names gwdeploy owns.',
      })
    }
    const patch = current ? servicePatch(current, manifest, colour) : undefined
    if (current && !patch) return
    await this.#call(`switch Service ${this.#ns}/${name} to ${colour}`, async (c) => {
      if (!current) {
        try {
          await c.core.createNamespacedService({
            namespace: this.#ns,
            body: manifest as unknown as k8s.V1Service,
          })
          return
        } catch (error) {
          if (!isConflict(error)) throw error
        }
      }
      await c.core.patchNamespacedService(
        { name, namespace: this.#ns, body: patch ?? selectorPatch(colour) },
        c.mergePatch,
      )
    })
  }

  async preview(colour: Colour, options: OperationOptions = {}): Promise<URL | undefined> {
    const name = this.#settings.names.previewService
    await this.#pointService(previewServiceManifest(this.#settings, colour), colour)
    await this.#waitEndpoints(name, colour, options)
    return this.#tunnel(serviceProxyPath(this.#ns, name, PORT_NAME))
  }

  /**
   * Until the Service's Endpoints and its EndpointSlices list only (and at least one of) the
   * colour's current pods. Two controllers update them asynchronously after a Service is created or
   * its selector changes: the API server's service proxy reads the Endpoints, kube-proxy the
   * EndpointSlices. Until both agree a smoke check could get a 404/503 from the API server, and a
   * new connection through the ClusterIP could still reach the colour selected before (whose pods
   * the next step may already be replacing).
   */
  async #waitEndpoints(service: string, colour: Colour, options: OperationOptions): Promise<void> {
    const deployment = await this.#readDeployment(colour)
    const wanted = new Set(
      (deployment ? await this.#pods(deployment, colour) : []).map((p) => p.metadata?.name),
    )
    const onlyWanted = (names: Array<string | undefined>) =>
      names.length > 0 && names.every((name) => name !== undefined && wanted.has(name))
    const deadline = Date.now() + ENDPOINTS_WAIT_MS
    let last = 'no Endpoints object yet'
    for (;;) {
      const endpoints = await this.#call(`read Endpoints ${this.#ns}/${service}`, (c) =>
        unlessNotFound(() => c.core.readNamespacedEndpoints({ name: service, namespace: this.#ns })),
      )
      const targets = (endpoints?.subsets ?? [])
        .flatMap((s) => s.addresses ?? [])
        .map((a) => a.targetRef?.name)
      if (endpoints) last = `its Endpoints list ${targets.length ? targets.join(', ') : 'no ready pods'}`
      if (onlyWanted(targets)) {
        const slices = await this.#call(`list EndpointSlices of ${this.#ns}/${service}`, (c) =>
          c.discovery.listNamespacedEndpointSlice({
            namespace: this.#ns,
            labelSelector: `kubernetes.io/service-name=${service}`,
          }),
        )
        const sliced = slices.items
          .flatMap((slice) => slice.endpoints ?? [])
          .filter((e) => e.conditions?.ready !== false)
          .map((e) => e.targetRef?.name)
        if (onlyWanted(sliced)) return
        last = `its EndpointSlices list ${sliced.length ? sliced.join(', ') : 'no ready pods'}`
      }
      if (Date.now() > deadline) {
        throw providerError(
          `kubernetes: Service ${this.#ns}/${service} does not reach ${colour}'s pods within ${ENDPOINTS_WAIT_MS / 1000} s: ${last}`,
          { hint: 'Is kube-controller-manager (its endpoints and endpointslice controllers) running?' },
        )
      }
      await sleep(POLL_MS, options.signal)
    }
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
    await this.#pointService(liveServiceManifest(this.#settings, colour ?? NO_COLOUR), colour ?? NO_COLOUR)
    // Done when the switch is in effect: the Service's Endpoints and EndpointSlices name only the new colour's pods.
    if (colour) await this.#waitEndpoints(this.#settings.names.liveService, colour, options)
  }

  async decommission(fleet: Fleet, options: DecommissionOptions): Promise<void> {
    const name = deploymentName(this.#settings.names, fleet.colour)
    const live = await this.#readService(this.#settings.names.liveService)
    if (KubernetesProvider.#selectedColour(live) === fleet.colour) {
      throw providerError(
        `kubernetes: refusing to decommission ${fleet.colour}: Service ${this.#ns}/${live?.metadata?.name} selects it`,
      )
    }
    const deployment = await this.#readDeployment(fleet.colour)
    if (!deployment) return
    if (options.delete) {
      options.progress?.(`deleting Deployment ${name}`)
      await this.#deleteDeployment(fleet.colour)
    } else if ((deployment.spec?.replicas ?? 0) > 0) {
      options.progress?.(`scaling Deployment ${name} to 0`)
      await this.#scale(name, 0)
    }
    // Pods stop on their own (preStop + drain); wait a bounded time so the caller sees them go.
    const deadline =
      Date.now() +
      Math.max(options.drainMs, this.#settings.drainGraceMs + this.#settings.drainTimeoutMs + 5_000)
    for (;;) {
      const pods = await this.#call(`list pods of ${name}`, (c) =>
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

  async annotate(colour: Colour, facts: Pick<Fleet, 'keepUntil'>): Promise<void> {
    const name = deploymentName(this.#settings.names, colour)
    const deployment = await this.#readDeployment(colour)
    if (!deployment) return
    await this.#call(`annotate Deployment ${this.#ns}/${name}`, (c) =>
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
    return new ConfigMapRecords(() => this.#api(), this.#settings.names)
  }

  lock(): Lock {
    this.#lock ??= new LeaseLock(() => this.#api(), this.#settings)
    return this.#lock
  }

  async *streamLogs(node: FleetNode, options: LogStreamOptions): AsyncGenerator<string> {
    yield* podLogLines(await this.#api(), this.#ns, node.id, options)
  }

  async logs(node: FleetNode, lines: number): Promise<string> {
    return this.#call(`read log of pod ${this.#ns}/${node.id}`, (c) =>
      c.core.readNamespacedPodLog({
        name: node.id,
        namespace: this.#ns,
        container: 'gateway',
        tailLines: lines,
      }),
    )
  }

  /**
   * Requests and 5xx answers of a colour's pods, summed from each gateway's own counters. A pod
   * that cannot be scraped right now (stopping, not started) is left out: its health is the
   * bake's other check, and one missed scrape must not fail a release.
   */
  async traffic(colour: Colour): Promise<TrafficSample> {
    const deployment = await this.#readDeployment(colour)
    if (!deployment) return { requests: 0, errors: 0 }
    const client = await this.#api()
    const samples = await Promise.all(
      (await this.#pods(deployment, colour)).map(async (pod) => {
        try {
          const text = await client.core.connectGetNamespacedPodProxyWithPath({
            // Pod proxies take a port number (unlike service proxies, no port names).
            name: `${pod.metadata?.name}:${this.#settings.metricsPort}`,
            namespace: this.#ns,
            path: 'metrics',
          })
          return trafficFromMetrics(text)
        } catch {
          return { requests: 0, errors: 0 }
        }
      }),
    )
    return samples.reduce(addTraffic, { requests: 0, errors: 0 })
  }

  render(spec: FleetSpec): RenderedDocument[] {
    return renderDocuments(spec, this.#settings)
  }

  async destroy(options: OperationOptions = {}): Promise<void> {
    const { names } = this.#settings
    const remove = async (what: string, fn: (c: KubeClient) => Promise<unknown>) => {
      options.progress?.(`deleting ${what}`)
      await this.#call(`delete ${what}`, (c) => unlessNotFound(() => fn(c)))
    }
    await remove(`Service ${this.#ns}/${names.liveService}`, (c) =>
      c.core.deleteNamespacedService({ name: names.liveService, namespace: this.#ns }),
    )
    await remove(`Service ${this.#ns}/${names.previewService}`, (c) =>
      c.core.deleteNamespacedService({ name: names.previewService, namespace: this.#ns }),
    )
    for (const colour of COLOURS) {
      options.progress?.(`deleting Deployment ${this.#ns}/${deploymentName(names, colour)}`)
      await this.#deleteDeployment(colour)
    }
    // Foreground deletion: a Deployment stays readable (with a deletionTimestamp) until its
    // ReplicaSets and pods are gone. Wait a bounded time so `destroy` ends with them gone.
    const deadline = Date.now() + this.#settings.drainGraceMs + this.#settings.drainTimeoutMs + 30_000
    for (;;) {
      const left = []
      for (const colour of COLOURS)
        if (await this.#readDeployment(colour)) left.push(deploymentName(names, colour))
      if (left.length === 0) return
      if (Date.now() > deadline) {
        options.progress?.(`${left.join(', ')} still terminating; Kubernetes finishes the job`)
        return
      }
      await sleep(POLL_MS, options.signal)
    }
  }

  async close(): Promise<void> {
    const tunnels: Array<Promise<{ close(): Promise<void> }>> = [
      ...this.#tunnels.values(),
      ...this.#forwards.values(),
    ]
    this.#tunnels.clear()
    this.#forwards.clear()
    await Promise.all(
      tunnels.map((t) =>
        t.then(
          (tunnel) => tunnel.close(),
          () => {},
        ),
      ),
    )
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

/** One line on why a pod is not ready: waiting reason, last termination, or its phase. */
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

export function describePod(pod: k8s.V1Pod): string {
  const status = pod.status?.containerStatuses?.[0]
  const waiting = status?.state?.waiting
  if (waiting) return `waiting: ${waiting.reason ?? ''}${waiting.message ? ` (${waiting.message})` : ''}`
  const terminated = status?.state?.terminated ?? status?.lastState?.terminated
  if (terminated) return `terminated: ${terminated.reason ?? ''} exit ${terminated.exitCode}`
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')
  return `${pod.status?.phase ?? 'Pending'}${ready?.status === 'False' ? ', not ready' : ''}${ready?.message ? ` (${ready.message})` : ''}`
}

export function createProvider(context: ProviderContext): Provider {
  const settings = kubeSettings(context.config)
  const section = context.config.provider.kubernetes
  return new KubernetesProvider(settings, () =>
    connect({ kubeconfig: section?.kubeconfig, context: section?.context, dir: context.dir }),
  )
}
