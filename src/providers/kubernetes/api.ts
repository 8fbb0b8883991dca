/**
 * The calls the provider makes on its own objects (the colours' Deployments and pods, its
 * Services) in its namespace, on a client connected on first use. A failure becomes a
 * providerError naming the call (client.ts).
 */
import type * as k8s from '@kubernetes/client-node'
import type { Colour } from '../types.ts'
import { call, isConflict, type KubeClient, unlessNotFound } from './client.ts'
import type { deploymentManifest } from './manifests.ts'
import { ANNOTATION, colourSelector, deploymentName, LABEL, selectorString } from './names.ts'
import type { KubeSettings } from './settings.ts'

/** How often a wait re-reads the objects it waits on. */
export const POLL_MS = 500

export class KubeApi {
  readonly #settings: KubeSettings
  /** Connects on first use; shared by the views `under()` makes. */
  readonly #connection: () => Promise<KubeClient>
  /** What stops this view's calls besides their deadline: the provider closing, an operation's `options.signal`. */
  readonly #stops: AbortSignal[]
  /** Aborted when any of them is. */
  readonly signal: AbortSignal | undefined

  constructor(settings: KubeSettings, connectClient: () => Promise<KubeClient>, stops: AbortSignal[] = []) {
    this.#settings = settings
    let connected: Promise<KubeClient> | undefined
    this.#connection = () => {
      connected ??= connectClient()
      return connected
    }
    this.#stops = stops
    this.signal = stops.length > 1 ? AbortSignal.any(stops) : stops[0]
  }

  /** The same calls on the same client, also stopped at once when `signal` aborts (Ctrl-C mid-call). */
  under(signal: AbortSignal | undefined): KubeApi {
    return signal ? new KubeApi(this.#settings, this.#connection, [...this.#stops, signal]) : this
  }

  /** The client whose calls stop with this view's signals (each level cached by the client). */
  async client(): Promise<KubeClient> {
    let client = await this.#connection()
    for (const stop of this.#stops) client = client.under(stop)
    return client
  }

  get ns() {
    return this.#settings.names.namespace
  }

  async call<T>(what: string, fn: (client: KubeClient) => Promise<T>): Promise<T> {
    const client = await this.client()
    return call(what, client, () => fn(client), this.signal)
  }

  async readDeployment(colour: Colour): Promise<k8s.V1Deployment | undefined> {
    const name = deploymentName(this.#settings.names, colour)
    return this.call(`read Deployment ${this.ns}/${name}`, (c) =>
      unlessNotFound(() => c.apps.readNamespacedDeployment({ name, namespace: this.ns })),
    )
  }

  async readService(name: string): Promise<k8s.V1Service | undefined> {
    return this.call(`read Service ${this.ns}/${name}`, (c) =>
      unlessNotFound(() => c.core.readNamespacedService({ name, namespace: this.ns })),
    )
  }

  /** Deletes a colour's Deployment and (foreground) its pods; already gone is fine. */
  async deleteDeployment(colour: Colour): Promise<void> {
    const name = deploymentName(this.#settings.names, colour)
    await this.call(`delete Deployment ${this.ns}/${name}`, (c) =>
      unlessNotFound(() =>
        c.apps.deleteNamespacedDeployment({
          name,
          namespace: this.ns,
          body: { propagationPolicy: 'Foreground' },
        }),
      ),
    )
  }

  /** Replace with the resourceVersion just read; a 409 (changed meanwhile) re-reads and retries. */
  async replaceDeployment(
    c: KubeClient,
    name: string,
    desired: ReturnType<typeof deploymentManifest>,
  ): Promise<k8s.V1Deployment> {
    for (let attempt = 0; ; attempt++) {
      const current = await c.apps.readNamespacedDeployment({ name, namespace: this.ns })
      const body = {
        ...desired,
        metadata: { ...desired.metadata, resourceVersion: current.metadata?.resourceVersion },
      } as unknown as k8s.V1Deployment
      try {
        return await c.apps.replaceNamespacedDeployment({ name, namespace: this.ns, body })
      } catch (error) {
        if (!isConflict(error) || attempt >= 4) throw error
      }
    }
  }

  /**
   * Scaled to 0 by gwdeploy (retired, or a failed gate torn down) it is kept for rollback no
   * longer: the keep-until goes in the same patch, so a kept colour found at 0 replicas was
   * scaled down by hand (inspect warns).
   */
  async scale(name: string, replicas: number): Promise<void> {
    const metadata = replicas === 0 ? { metadata: { annotations: { [ANNOTATION.keepUntil]: null } } } : {}
    await this.call(`scale Deployment ${this.ns}/${name} to ${replicas}`, (c) =>
      c.apps.patchNamespacedDeployment(
        { name, namespace: this.ns, body: { ...metadata, spec: { replicas } } },
        c.mergePatch,
      ),
    )
  }

  /** The pods running a Deployment's current release (its SHA and config digest). */
  async pods(deployment: k8s.V1Deployment, colour: Colour): Promise<k8s.V1Pod[]> {
    const sha = deployment.metadata?.labels?.[LABEL.sha]
    const digest = deployment.metadata?.annotations?.[ANNOTATION.configDigest]
    const selector = selectorString({
      ...colourSelector(this.#settings.names, colour),
      ...(sha ? { [LABEL.sha]: sha } : {}),
    })
    const list = await this.call(`list pods ${this.ns} (${selector})`, (c) =>
      c.core.listNamespacedPod({ namespace: this.ns, labelSelector: selector }),
    )
    return list.items
      .filter((pod) => !pod.metadata?.deletionTimestamp)
      .filter((pod) => pod.metadata?.annotations?.[ANNOTATION.configDigest] === digest)
      .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))
  }

  /** The current release's pods of a colour; none when it has no Deployment. */
  async colourPods(colour: Colour): Promise<k8s.V1Pod[]> {
    const deployment = await this.readDeployment(colour)
    return deployment ? this.pods(deployment, colour) : []
  }

  /** `previous`: the log of the container's last run (one that crashed and waits to restart). */
  async podLog(pod: string, lines: number, previous = false): Promise<string> {
    return this.call(`read log of pod ${this.ns}/${pod}`, (c) =>
      c.core.readNamespacedPodLog({
        name: pod,
        namespace: this.ns,
        container: 'gateway',
        tailLines: lines,
        ...(previous ? { previous } : {}),
      }),
    )
  }
}
