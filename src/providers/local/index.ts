/**
 * The `local` provider: gateway processes on this machine (fleet) behind a front proxy
 * process (router), both started detached so they outlive gwdeploy. All state is in files
 * under the state directory plus the processes they name (see state.ts).
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { providerError } from '../../core/errors.ts'
import { testPoint } from '../../core/testpoints.ts'
import { writeJsonAtomic } from '../json-file.ts'
import { fileLogLines } from '../logs/file.ts'
import { resolveLocalNodeEnv } from '../node-env.ts'
import {
  type Artifact,
  COLOURS,
  type Colour,
  type Fleet,
  type FleetNode,
  type FleetSpec,
  type Lock,
  type LogStreamOptions,
  type MaintenanceState,
  type NodeHealth,
  type OperationOptions,
  type ProbeTarget,
  type Provider,
  type ProviderCapabilities,
  type ProviderContext,
  type RevokerEndpoint,
  type TargetState,
  type TrafficSample,
  type Weights,
} from '../types.ts'
import { putMaintenance, putRoutes } from './admin.ts'
import { FileLock } from './lock.ts'
import { nodeRunning, startNodes, stopOrphans } from './nodes.ts'
import { killGroup, stopProcesses } from './processes.ts'
import { LocalRecords } from './records.ts'
import { stageRelease } from './release-dir.ts'
import {
  ensureRouter,
  listenProblem,
  nextTable,
  nodeOrigin,
  runningRouter,
  stopRouter,
  withdrawColour,
} from './router.ts'
import type { RouteTable } from './router-protocol.ts'
import {
  ensureDirs,
  isAlive,
  type LocalFleetRecord,
  type LocalNodeRecord,
  type LocalPaths,
  localPaths,
  readFleetRecord,
  readJson,
  toFleet,
} from './state.ts'
import { tail } from './tail.ts'

export { nodeEnv } from './processes.ts'
export { tail } from './tail.ts'

export interface LocalProviderOptions {
  listen: string
  stateDir: string
  service: string
  /** fleet.env / fleet.envFrom for a release's nodes, secrets resolved (throws configError when one cannot be). */
  nodeEnv?: (artifact: Artifact) => Record<string, string>
}

export class LocalProvider implements Provider {
  readonly id = 'local' as const
  readonly capabilities: ProviderCapabilities = {
    weights: true,
    directProbe: true,
    preview: true,
    image: false,
    traffic: true,
  }
  readonly paths: LocalPaths
  readonly #options: LocalProviderOptions
  #lock: FileLock | undefined

  constructor(options: LocalProviderOptions) {
    this.#options = options
    this.paths = localPaths(options.stateDir)
  }

  async #fleetRecord(colour: Colour): Promise<LocalFleetRecord | undefined> {
    return readFleetRecord(this.paths, colour)
  }

  async inspect(): Promise<TargetState> {
    const fleets: TargetState['fleets'] = {}
    for (const colour of COLOURS) {
      const record = await this.#fleetRecord(colour)
      if (record) fleets[colour] = toFleet(record)
    }
    const router = await runningRouter(this.paths)
    const table = router?.snapshot.table ?? (await readJson<RouteTable>(this.paths.routesFile))
    const weights: Weights = { blue: 0, green: 0 }
    for (const colour of COLOURS) {
      const entry = table?.colours[colour]
      if (entry?.nodes.length) weights[colour] = entry.weight
    }
    return {
      provider: 'local',
      service: this.#options.service,
      fleets,
      weights,
      router: router
        ? {
            present: true,
            endpoint: `http://${router.record.listen}`,
            preview: `http://127.0.0.1:${router.record.previewPort}`,
            detail: `front proxy pid ${router.record.pid}`,
          }
        : { present: false, detail: 'front proxy not running (it is started by the next route change)' },
      lock: await this.lock().status(),
      maintenance: router
        ? router.snapshot.maintenance
        : ((
            await readJson<{ maintenance: MaintenanceState | null }>(join(this.paths.dir, 'maintenance.json'))
          )?.maintenance ?? null),
    }
  }

  /** The front proxy answers its main listener with the page (preview untouched); started if down. */
  async setMaintenance(state: MaintenanceState | null): Promise<void> {
    const router = await ensureRouter(this.paths, this.#options.listen)
    await putMaintenance(router.record.admin, state)
  }

  async preflight(spec: FleetSpec): Promise<void> {
    this.#options.nodeEnv?.(spec.artifact)
    await this.#checkListen()
  }

  async provision(spec: FleetSpec, options: OperationOptions = {}): Promise<Fleet> {
    const { artifact } = spec
    if (!artifact.runtime) throw providerError('local provider: the release has no gateway runtime to run')
    // Before anything changes: a secret that cannot be resolved stops the release here (exit 2).
    const fleetEnv = this.#options.nodeEnv?.(artifact) ?? {}
    await this.#checkListen()
    await ensureDirs(this.paths)
    const release = await stageRelease(this.paths, artifact, artifact.runtime)

    const existing = await this.#fleetRecord(spec.colour)
    if (existing && (existing.sha !== artifact.sha || existing.configDigest !== artifact.configDigest)) {
      throw providerError(
        `local: colour ${spec.colour} runs ${existing.sha.slice(0, 7)}; decommission it before provisioning ${artifact.sha7}`,
      )
    }
    const kept: LocalNodeRecord[] = []
    for (const node of existing?.nodes ?? []) {
      if (kept.length < spec.size && (await nodeRunning(node, release.configFile))) kept.push(node)
      else killGroup(node.pid, 'SIGKILL')
    }
    const used = new Set(kept.map((node) => node.id))
    const missing: string[] = []
    for (let i = 0; missing.length + kept.length < spec.size; i++) {
      const id = `${spec.colour}-${artifact.sha7}-${i}`
      if (!used.has(id)) missing.push(id)
    }
    if (missing.length)
      options.progress?.(`starting ${missing.length} node(s)${kept.length ? `, reusing ${kept.length}` : ''}`)
    else options.progress?.(`reusing ${kept.length} running node(s)`)
    await stopOrphans(this.paths, options.progress)
    // Nodes of both colours share this machine: each gets its own auth/revoker port too.
    const started = await startNodes(this.paths, missing, release, {
      revoker: artifact.revokerPort !== undefined,
      env: fleetEnv,
    })
    // (A kill here leaves nodes no record names: the next provision or destroy finds them.)
    await testPoint('provision:spawned')
    const record: LocalFleetRecord = {
      colour: spec.colour,
      sha: artifact.sha,
      configName: artifact.configName,
      configDigest: artifact.configDigest,
      releaseDir: release.releaseDir,
      configFile: release.configFile,
      entry: release.entry,
      healthPath: spec.healthPath,
      createdAt: existing?.createdAt ?? new Date().toISOString(),
      nodes: [...kept, ...started].sort((a, b) => a.id.localeCompare(b.id)),
    }
    await writeJsonAtomic(this.paths.fleetFile(spec.colour), record)
    return toFleet(record)
  }

  /** A front proxy that is not running yet must be able to listen: probed before any node starts. */
  async #checkListen(): Promise<void> {
    const { listen } = this.#options
    if ((await runningRouter(this.paths))?.record.listen === listen) return
    const code = await listenProblem(listen)
    if (code)
      throw providerError(
        `local: the front proxy cannot listen on ${listen} (${code}); no node was started`,
        {
          hint: 'Another process holds that address: stop it, or set provider.local.listen in gwdeploy.yml to a free one.',
        },
      )
  }

  async nodeHealth(fleet: Fleet): Promise<NodeHealth[]> {
    const record = await this.#fleetRecord(fleet.colour)
    return fleet.nodes.map((node) => {
      const known = record?.nodes.find((n) => n.id === node.id)
      if (!known) return { node: node.id, status: 'gone', detail: 'not in the fleet record' }
      return isAlive(known.pid)
        ? { node: node.id, status: 'healthy', detail: `pid ${known.pid} running` }
        : { node: node.id, status: 'gone', detail: `pid ${known.pid} exited` }
    })
  }

  async probeTargets(fleet: Fleet): Promise<ProbeTarget[]> {
    const record = await this.#fleetRecord(fleet.colour)
    return (record?.nodes ?? [])
      .filter((node) => fleet.nodes.some((n) => n.id === node.id))
      .map((node) => ({ node: node.id, url: new URL(nodeOrigin(node.port)) }))
  }

  async revokerEndpoints(fleet: Fleet): Promise<RevokerEndpoint[]> {
    const record = await this.#fleetRecord(fleet.colour)
    return (record?.nodes ?? []).flatMap((node) =>
      node.revokerPort && fleet.nodes.some((n) => n.id === node.id)
        ? [{ node: node.id, host: '127.0.0.1', port: node.revokerPort }]
        : [],
    )
  }

  async preview(colour: Colour): Promise<URL | undefined> {
    const router = await ensureRouter(this.paths, this.#options.listen)
    const table = await nextTable(this.paths, router.snapshot.table, undefined, colour)
    await putRoutes(router.record.admin, table)
    return new URL(`http://127.0.0.1:${router.record.previewPort}`)
  }

  async route(weights: Weights): Promise<void> {
    const router = await ensureRouter(this.paths, this.#options.listen)
    const table = await nextTable(this.paths, router.snapshot.table, weights)
    await putRoutes(router.record.admin, table)
  }

  async decommission(fleet: Fleet, options: OperationOptions & { drainMs: number }): Promise<void> {
    const record = await this.#fleetRecord(fleet.colour)
    if (!record) return
    await withdrawColour(this.paths, fleet.colour)
    await testPoint('decommission:withdrawn', options.signal)
    options.progress?.(`stopping ${record.nodes.length} node(s) of ${fleet.colour}`)
    await stopProcesses(
      record.nodes.map((node) => node.pid).filter(isAlive),
      Math.max(options.drainMs, 1_000),
    )
    await rm(this.paths.fleetFile(fleet.colour), { force: true })
  }

  async annotate(colour: Colour, facts: Pick<Fleet, 'keepUntil'>): Promise<void> {
    const record = await this.#fleetRecord(colour)
    if (!record) return
    if (facts.keepUntil) record.keepUntil = facts.keepUntil
    else delete record.keepUntil
    await writeJsonAtomic(this.paths.fleetFile(colour), record)
  }

  /** Release records in the state dir (the local target): `<stateDir>/records/`. */
  records(): LocalRecords {
    return new LocalRecords(join(this.#options.stateDir, 'records'), this.paths)
  }

  lock(): Lock {
    this.#lock ??= new FileLock(join(this.#options.stateDir, 'lock.json'))
    return this.#lock
  }

  async logs(node: FleetNode, lines: number): Promise<string> {
    return tail(this.paths.nodeLog(node.id), lines)
  }

  streamLogs(node: FleetNode, options: LogStreamOptions): AsyncIterable<string> {
    return fileLogLines(this.paths.nodeLog(node.id), options)
  }

  async traffic(colour: Colour): Promise<TrafficSample> {
    const router = await runningRouter(this.paths)
    if (!router) return { requests: 0, errors: 0 }
    return router.snapshot.stats[colour]
  }

  async destroy(options: OperationOptions = {}): Promise<void> {
    await stopOrphans(this.paths, options.progress)
    const router = await runningRouter(this.paths)
    if (router) {
      options.progress?.('stopping the front proxy')
      await stopRouter(router.record)
      await testPoint('destroy:router', options.signal)
    }
    const pids: number[] = []
    for (const colour of COLOURS) {
      const record = await this.#fleetRecord(colour)
      for (const node of record?.nodes ?? []) if (isAlive(node.pid)) pids.push(node.pid)
    }
    if (pids.length) options.progress?.(`stopping ${pids.length} node(s)`)
    // destroy returns once its nodes are gone (their ports free for whatever comes next).
    await stopProcesses(pids, 10_000)
    await rm(this.paths.dir, { recursive: true, force: true })
    await rm(this.paths.adminSocket, { force: true })
  }
}

export function createProvider(context: ProviderContext): Provider {
  return new LocalProvider({
    listen: context.config.provider.local.listen,
    stateDir: context.stateDir,
    service: context.config.service,
    nodeEnv: (artifact) =>
      resolveLocalNodeEnv(context.config, artifact, { dir: context.dir, file: 'gwdeploy.yml' }),
  })
}
