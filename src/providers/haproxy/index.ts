/**
 * The `haproxy` provider: gateway containers on Docker hosts (or static `servers` managed
 * elsewhere) behind one or more HAProxy instances driven through their runtime API.
 *
 * Routing design (README "### haproxy"): the frontend sends each request to the green backend
 * when `rand(100)` falls below the map entry `green`, else to the blue backend. One map entry
 * therefore gives both an atomic all-at-once switch (green 0 -> 100) and weighted steps
 * (green 10, 50, 100). Each colour's backend has fixed slot servers (`blue1..N`) that gwdeploy
 * points at the nodes. Every runtime change is also written to haproxy.cfg / the map file.
 */

import { readFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import type { HaproxyProviderConfig } from '../../config/providers/haproxy.ts'
import { providerError, usageError } from '../../core/errors.ts'
import { testPoint } from '../../core/testpoints.ts'
import { DirectoryRecords } from '../file-records.ts'
import { FileLock } from '../local/lock.ts'
import { containerEnv } from '../node-env.ts'
import {
  type Artifact,
  type CallOptions,
  COLOURS,
  type Colour,
  type Fleet,
  type FleetNode,
  type FleetSpec,
  type InspectOptions,
  type Lock,
  type LogStreamOptions,
  type MaintenanceState,
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
import { haproxyCapabilities } from './capabilities.ts'
import { frontendEndpoint } from './config-file.ts'
import { dockerTimeoutMs } from './docker-calls.ts'
import { type DockerHostConfig, processConnectionEnvironment } from './docker-connection.ts'
import { DockerFleet } from './docker-fleet.ts'
import { mapFileEdits, serverBlockEdits } from './hand-edits.ts'
import type { HaproxyInstance, InstanceView } from './instance.ts'
import { servedMaintenance, switchMaintenance } from './maintenance-switch.ts'
import { healthOnInstances } from './node-health.ts'
import { renderDocuments } from './render.ts'
import { HaproxyRouter } from './router.ts'
import { summarizeViews } from './router-summary.ts'
import { parseSocketAddress } from './runtime-api.ts'
import { instancesToReload } from './server-options.ts'
import { ServersFleet } from './servers-fleet.ts'
import { type FleetRecord, lockInStateDir, StateStore, slotsOf, toFleet } from './state.ts'

type FleetDriver = Pick<DockerFleet, 'fleets' | 'provision'> &
  Partial<Pick<DockerFleet, 'health' | 'stop' | 'logs' | 'streamLogs' | 'removeAll'>>

export class HaproxyProvider implements Provider {
  readonly id = 'haproxy' as const
  readonly capabilities: ProviderCapabilities
  readonly router: HaproxyRouter
  readonly #config: HaproxyProviderConfig
  readonly #context: ProviderContext
  readonly #store: StateStore
  readonly #fleet: FleetDriver
  readonly #target: string
  /** dockerHosts with tlsCertPath resolved against gwdeploy.yml's directory. */
  readonly #dockerHosts: DockerHostConfig[]
  readonly #environment = processConnectionEnvironment()
  #lock: Lock | undefined
  /** The target id as last read from the state file, for `release --dry-run`'s container names. */
  #targetId: string | undefined
  /**
   * `servers` mode: colours this run recorded a release for while HAProxy already sent them
   * traffic with no release recorded (the fleet record was lost): if that release then fails its
   * gate, its record goes again instead of claiming the serving addresses run it.
   */
  readonly #adopted = new Set<Colour>()
  readonly #warned = new Set<string>()

  constructor(context: ProviderContext) {
    const config = context.config.provider.haproxy
    if (!config) throw providerError('provider.kind is haproxy but there is no provider.haproxy section')
    this.#config = config
    this.#context = context
    const at = (path: string) => resolve(context.dir, path)
    this.#target = context.env ? `${context.config.service}-${context.env}` : context.config.service
    this.router = new HaproxyRouter(
      config.instances.map((instance, index) => ({
        name: instance.name ?? `lb${index + 1}`,
        socket: parseSocketAddress(instance.socket, at),
        master: instance.masterSocket ? parseSocketAddress(instance.masterSocket, at) : undefined,
        files: {
          configFile: at(instance.configFile),
          mapFile: at(instance.mapFile),
          mapReference: instance.mapFile,
        },
      })),
      {
        target: this.#target,
        frontend: config.frontend,
        backends: config.backends,
        slots: config.slots,
        serverOptions: config.serverOptions,
      },
    )
    this.#dockerHosts = (config.dockerHosts ?? []).map((host) => ({
      ...host,
      ...(host.tlsCertPath ? { tlsCertPath: at(host.tlsCertPath) } : {}),
    }))
    const first = config.instances[0]
    const stateDir = config.stateDir ? at(config.stateDir) : dirname(at(first?.configFile ?? '.'))
    this.#store = new StateStore(stateDir, this.#target)
    this.#fleet = config.servers
      ? new ServersFleet(config.servers, this.#store)
      : new DockerFleet(this.#dockerHosts, {
          target: this.#target,
          store: this.#store,
          restartPolicy: config.restartPolicy,
          port: context.config.fleet.port,
          environment: this.#environment,
          timeoutMs: dockerTimeoutMs(),
          env: (artifact) => containerEnv(context.config, artifact),
        })
    this.capabilities = haproxyCapabilities(config.servers !== undefined)
  }

  async #records(signal?: AbortSignal): Promise<Partial<Record<Colour, FleetRecord>>> {
    const records = await this.#fleet.fleets(signal)
    const state = await this.#store.read()
    this.#targetId = state.targetId
    const saved = state.fleets
    for (const colour of COLOURS) {
      const record = records[colour]
      const keepUntil = saved[colour]?.sha === record?.sha ? saved[colour]?.keepUntil : undefined
      if (record && keepUntil) record.keepUntil = keepUntil
    }
    return records
  }

  async inspect(options: InspectOptions = {}): Promise<TargetState> {
    const [records, { views, unreachable }] = await Promise.all([
      this.#records(options.signal),
      options.partial
        ? this.router.readableViews()
        : this.router.views().then((views) => ({ views, unreachable: [] })),
    ])
    const summary = summarizeViews(
      views,
      { blue: records.blue !== undefined, green: records.green !== undefined },
      this.#config.servers
        ? `${this.#store.file} names none: lost or replaced?`
        : 'no container of this target runs for it',
    )
    // Docker: traffic to a colour none of whose containers runs (removed by hand) reaches nothing;
    // the engine says so (fleetless). Static servers may still answer: a warning.
    const fleetless = this.#config.servers
      ? []
      : summary.unrecorded.map(({ colour, weight }) => ({
          colour,
          weight,
          why: `no container of this target runs for ${colour} on the Docker host(s) (removed outside gwdeploy): its HAProxy servers answer nothing`,
        }))
    const said = new Set(
      fleetless.length ? summary.unrecorded.map(({ message }) => `HAProxy ${message}`) : [],
    )
    for (const message of summary.warnings)
      if (!said.has(message)) this.#context.emit?.({ type: 'warn', message })
    const edits = [
      ...(await serverBlockEdits(this.router.instances, (await this.#store.read()).fleets, this.#config)),
      ...(await mapFileEdits(this.router.instances, views)),
    ]
    for (const edit of edits) this.#warnOnce(edit.warning)
    const config = await readFile(this.router.instances[0]?.spec.files.configFile ?? '', 'utf8').catch(
      () => '',
    )
    const endpoint = frontendEndpoint(config, this.#config.frontend)
    return {
      provider: 'haproxy',
      service: this.#context.config.service,
      fleets: Object.fromEntries(
        COLOURS.flatMap((colour) => {
          const record = records[colour]
          return record ? [[colour, toFleet(record)]] : []
        }),
      ),
      weights: summary.weights,
      router: {
        present: true,
        ...(endpoint ? { endpoint } : {}),
        detail: `${summary.detail}${unreachable.map((error) => `; UNREACHABLE: ${error.details.unreachable}`).join('')}${edits.map((edit) => `; EDITED BY HAND: ${edit.where}`).join('')}`,
        ...(unreachable.length
          ? { unreadable: unreachable.map((error) => ({ message: error.message, hint: error.hint })) }
          : {}),
        ...(summary.unrouted.length ? { unrouted: summary.unrouted } : {}),
      },
      lock: await this.lock().status(),
      maintenance: await servedMaintenance(
        this.#store,
        views.map((view) => view.maintenance),
      ),
      ...(fleetless.length ? { fleetless } : {}),
    }
  }

  /** A warning said once per run, however often the engine reads the target. */
  #warnOnce(message: string): void {
    if (this.#warned.has(message)) return
    this.#warned.add(message)
    this.#context.emit?.({ type: 'warn', message })
  }

  /** The page loaded by every instance first, then switched on (or off) on each, all or none. */
  async setMaintenance(state: MaintenanceState | null, options: OperationOptions = {}): Promise<void> {
    await switchMaintenance(this.router, this.#store, this.#config.frontend, state, options, (message) =>
      this.#context.emit?.({ type: 'warn', message }),
    )
  }

  async provision(spec: FleetSpec, options: OperationOptions = {}): Promise<Fleet> {
    // Every instance must be usable before anything starts: a bad socket or config changes nothing.
    const views = await this.router.views()
    // Every node needs a slot on every instance: checked before any container starts.
    const nodes = this.#config.servers ? this.#config.servers[spec.colour].length : spec.size
    for (const view of views) {
      const slots = view.servers[spec.colour].length
      if (nodes > slots)
        throw providerError(
          `HAProxy ${view.name}: backend ${this.#config.backends[spec.colour]} has ${slots} slot server(s), the ${spec.colour} fleet needs ${nodes} (nothing was started)`,
          {
            hint: `Lower fleet.size to ${slots}, or give both backends ${nodes} slots: set provider.haproxy.slots to ${nodes}, add the missing \`server ${spec.colour}${slots + 1} 127.0.0.1:1 ${this.#config.serverOptions} disabled\` ... lines to the "# BEGIN gwdeploy servers" blocks of ${view.name}'s haproxy.cfg and reload HAProxy.`,
          },
        )
    }
    if (
      this.#config.servers &&
      !(await this.#store.read()).fleets[spec.colour] &&
      views.some((view) => view.weights[spec.colour] > 0)
    )
      this.#adopted.add(spec.colour)
    const reload = await instancesToReload(
      this.router.instances,
      this.#config.backends[spec.colour],
      this.#config.serverOptions,
    )
    const record = {
      ...(await this.#fleet.provision(spec, options)),
      serverOptions: this.#config.serverOptions,
    }
    await this.#store.update((state) => {
      state.fleets[spec.colour] = record
    })
    await this.#placeServers(spec.colour, record, options, reload)
    return toFleet(record)
  }

  outsideFleet(colour: Colour, artifact: Artifact): Fleet | undefined {
    return this.#fleet instanceof ServersFleet ? toFleet(this.#fleet.recordOf(colour, artifact)) : undefined
  }

  /** Writes the colour's servers on every instance; those in `reload` then load new server options. */
  async #placeServers(
    colour: Colour,
    record: FleetRecord | undefined,
    options: OperationOptions,
    reload = new Set<HaproxyInstance>(),
  ): Promise<void> {
    const views = await this.router.views()
    const slots = record ? slotsOf(record) : []
    for (const [index, instance] of this.router.instances.entries()) {
      const view = views[index] as InstanceView
      await instance.setServers(colour, slots, view.servers[colour])
      options.progress?.(`${instance.name}: ${colour} backend -> ${slots.length} server(s)`)
      // so the gate checks the new nodes with the new options
      if (reload.has(instance))
        await instance.reloadToLoad('the new server options', 'Traffic was not moved.', options.progress)
    }
  }

  async nodeHealth(fleet: Fleet, options: OperationOptions = {}): Promise<NodeHealth[]> {
    const record = (await this.#records(options.signal))[fleet.colour]
    const own =
      record && this.#fleet.health
        ? await this.#fleet.health(record, options.signal)
        : new Map<string, NodeHealth>()
    // An instance that cannot be reached says nothing about a node; what changes the target still
    // needs every instance (views()), so this only lets `status` show the others.
    const { views } = await this.router.readableViews()
    return healthOnInstances(fleet, record, own, views, this.#config.serverOptions)
  }

  async probeTargets(fleet: Fleet): Promise<ProbeTarget[]> {
    return fleet.nodes
      .filter((node) => node.address)
      .map((node) => ({ node: node.id, url: new URL(`http://${node.address}`) }))
  }

  async revokerEndpoints(fleet: Fleet, options: OperationOptions = {}): Promise<RevokerEndpoint[]> {
    const record = (await this.#records(options.signal))[fleet.colour]
    return (record?.nodes ?? []).flatMap((node) =>
      node.revokerPort && fleet.nodes.some((n) => n.id === node.id)
        ? [{ node: node.id, host: node.address, port: node.revokerPort }]
        : [],
    )
  }

  async preview(): Promise<URL | undefined> {
    return undefined
  }

  async route(weights: Weights, options: OperationOptions = {}): Promise<void> {
    const records = await this.#records(options.signal)
    for (const colour of COLOURS) {
      if (weights[colour] > 0 && !records[colour])
        throw providerError(`haproxy: cannot route ${weights[colour]}% to ${colour}: it has no nodes`)
    }
    await this.router.setWeights(weights, options.progress)
  }

  async decommission(fleet: Fleet, options: OperationOptions & { drainMs: number }): Promise<void> {
    const records = await this.#records(options.signal)
    const record = records[fleet.colour]
    const views = await this.router.views()
    for (const view of record ? views : []) {
      const share = view.weights[fleet.colour]
      if (share === 0) continue
      if (this.#adopted.has(fleet.colour)) {
        // Its servers serve whatever ran there before this run's record: forget the record again.
        await this.#store.update((state) => {
          delete state.fleets[fleet.colour]
        })
        this.#adopted.delete(fleet.colour)
        throw providerError(
          `haproxy: ${fleet.colour} keeps serving (${view.name} sends it ${share}% of requests): its servers were not recorded before this run, so they stay untouched and the ${fleet.colour} record this run wrote (${fleet.sha.slice(0, 7)}) was removed again`,
        )
      }
      throw providerError(
        `haproxy: refusing to decommission ${fleet.colour}: ${view.name} sends it ${share}% of requests`,
      )
    }
    // Drain: no new requests, existing ones finish (bounded by drainMs), then maintenance.
    await this.router.drain(fleet.colour, views, options.drainMs, options.progress)
    await this.#placeServers(fleet.colour, undefined, options)
    await testPoint('decommission:withdrawn', options.signal)
    if (record && this.#fleet.stop) {
      options.progress?.(`stopping ${record.nodes.length} container(s) of ${fleet.colour}`)
      await this.#fleet.stop(record, options.drainMs, options.signal)
    }
    await this.#store.update((state) => {
      delete state.fleets[fleet.colour]
    })
  }

  async annotate(colour: Colour, facts: Pick<Fleet, 'keepUntil'>, options: CallOptions = {}): Promise<void> {
    const record = (await this.#records(options.signal))[colour]
    if (!record) return
    await this.#store.update((state) => {
      const saved = state.fleets[colour]?.sha === record.sha ? (state.fleets[colour] as FleetRecord) : record
      if (facts.keepUntil) saved.keepUntil = facts.keepUntil
      else delete saved.keepUntil
      state.fleets[colour] = saved
    })
  }

  /** Release records beside the fleet record: `<stateDir>/gwdeploy-<target>-releases/`. */
  records(): DirectoryRecords {
    return new DirectoryRecords(join(dirname(this.#store.file), `gwdeploy-${this.#target}-releases`))
  }

  lock(): Lock {
    this.#lock ??= lockInStateDir(new FileLock(this.#store.lockFile), this.#store.lockFile)
    return this.#lock
  }

  async logs(node: FleetNode, lines: number, options: CallOptions = {}): Promise<string> {
    return this.#fleet.logs ? this.#fleet.logs(node, lines, options.signal) : ''
  }

  async *streamLogs(node: FleetNode, options: LogStreamOptions): AsyncGenerator<string> {
    if (!this.#fleet.streamLogs)
      throw usageError('haproxy: gwdeploy does not run static `servers`, so it cannot read their logs', {
        hint: 'Read them where those servers run (journalctl, docker logs, your log shipper).',
      })
    yield* this.#fleet.streamLogs(node, options)
  }

  async traffic(colour: Colour): Promise<TrafficSample> {
    return this.router.traffic(colour)
  }

  render(spec: FleetSpec): RenderedDocument[] {
    return renderDocuments(spec, {
      target: this.#target,
      targetId: this.#targetId,
      backends: this.#config.backends,
      slots: this.#config.slots,
      serverOptions: this.#config.serverOptions,
      instances: this.router.instances.map((instance) => ({
        name: instance.name,
        configFile: instance.spec.files.configFile,
        mapFile: instance.spec.files.mapFile,
      })),
      dockerHosts: this.#dockerHosts,
      environment: this.#environment,
      restartPolicy: this.#config.restartPolicy,
      servers: this.#config.servers,
      env: containerEnv(this.#context.config, spec.artifact),
    })
  }

  async destroy(options: OperationOptions = {}): Promise<void> {
    options.progress?.('emptying the gwdeploy server blocks, nothing served')
    await this.router.setWeights({ blue: 0, green: 0 })
    await this.setMaintenance(null)
    for (const colour of COLOURS) await this.#placeServers(colour, undefined, options)
    if (this.#fleet.removeAll) {
      options.progress?.('removing the containers')
      await this.#fleet.removeAll(options.signal)
    }
    await this.#store.update((state) => {
      state.fleets = {}
    })
  }
}

export function createProvider(context: ProviderContext): Provider {
  return new HaproxyProvider(context)
}
