/**
 * The `local` provider: gateway processes on this machine (fleet) behind a front proxy
 * process (router), both started detached so they outlive gwdeploy. All state is in files
 * under the state directory plus the processes they name (see state.ts).
 */
import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { copyFile, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import net from 'node:net'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { providerError } from '../../core/errors.ts'
import { testPoint } from '../../core/testpoints.ts'
import { DirectoryRecords } from '../file-records.ts'
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
import { getRouterState, putMaintenance, putRoutes, shutdownRouter } from './admin.ts'
import { FileLock } from './lock.ts'
import type { RouterSnapshot, RouteTable } from './router-proxy.ts'
import {
  ensureDirs,
  isAlive,
  type LocalFleetRecord,
  type LocalNodeRecord,
  type LocalPaths,
  localPaths,
  type RouterRecord,
  readJson,
  toFleet,
} from './state.ts'

const ROUTER_ENTRY = fileURLToPath(
  new URL(`./router-main${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url),
)

export interface LocalProviderOptions {
  listen: string
  stateDir: string
  service: string
  /** fleet.env / fleet.envFrom for a release's nodes, secrets resolved (throws configError when one cannot be). */
  nodeEnv?: (artifact: Artifact) => Record<string, string>
}

/** Copies a file unless it is there already, renamed into place so it is never seen half-written. */
async function copyOnce(from: string, to: string): Promise<void> {
  if (await exists(to)) return
  await copyFile(from, `${to}.tmp`)
  await rmRename(`${to}.tmp`, to)
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
    return readJson<LocalFleetRecord>(this.paths.fleetFile(colour))
  }

  async #routerRecord(): Promise<{ record: RouterRecord; snapshot: RouterSnapshot } | undefined> {
    const record = await readJson<RouterRecord>(this.paths.routerFile)
    if (!record || !isAlive(record.pid)) return undefined
    try {
      const snapshot = await getRouterState(record.admin)
      if (snapshot.pid !== record.pid) return undefined
      return { record, snapshot }
    } catch {
      return undefined
    }
  }

  async inspect(): Promise<TargetState> {
    const fleets: TargetState['fleets'] = {}
    for (const colour of COLOURS) {
      const record = await this.#fleetRecord(colour)
      if (record) fleets[colour] = toFleet(record)
    }
    const router = await this.#routerRecord()
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
    const router = await this.#ensureRouter()
    await putMaintenance(router.record.admin, state)
  }

  async provision(spec: FleetSpec, options: OperationOptions = {}): Promise<Fleet> {
    const { artifact } = spec
    if (!artifact.runtime) throw providerError('local provider: the release has no gateway runtime to run')
    // Before anything changes: a secret that cannot be resolved stops the release here (exit 2).
    const fleetEnv = this.#options.nodeEnv?.(artifact) ?? {}
    await ensureDirs(this.paths)
    const releaseDir = join(
      this.paths.releases,
      `${artifact.sha7}-${artifact.configDigest.replace(/^sha256:/, '').slice(0, 12)}`,
    )
    await mkdir(releaseDir, { recursive: true, mode: 0o700 })
    const configFile = join(releaseDir, 'gateway.json')
    // The config's files first (nodes run in releaseDir, where it reads them): a written config means all are there.
    for (const file of artifact.files ?? []) {
      const path = join(releaseDir, file.path)
      await mkdir(dirname(path), { recursive: true, mode: 0o700 })
      if (!(await exists(path))) await writeAtomicText(path, file.content)
    }
    if (!(await exists(configFile))) await writeAtomicText(configFile, artifact.configText)
    let entry = artifact.runtime.entry
    if (artifact.runtime.bundled) {
      // The lazily loaded libraries first: a copied gateway.cjs means its runtime is complete.
      const lazy = join(dirname(entry), 'lazy')
      if (await exists(lazy)) {
        await mkdir(join(releaseDir, 'lazy'), { recursive: true })
        for (const name of await readdir(lazy))
          await copyOnce(join(lazy, name), join(releaseDir, 'lazy', name))
      }
      const copy = join(releaseDir, basename(entry))
      await copyOnce(entry, copy)
      entry = copy
    }

    const existing = await this.#fleetRecord(spec.colour)
    if (existing && (existing.sha !== artifact.sha || existing.configDigest !== artifact.configDigest)) {
      throw providerError(
        `local: colour ${spec.colour} runs ${existing.sha.slice(0, 7)}; decommission it before provisioning ${artifact.sha7}`,
      )
    }
    const kept: LocalNodeRecord[] = []
    for (const node of existing?.nodes ?? []) {
      if (kept.length < spec.size && (await nodeRunning(node, configFile))) kept.push(node)
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
    await this.#stopOrphans(options.progress)
    // Nodes of both colours share this machine: each gets its own auth/revoker port too.
    const revoker = artifact.revokerPort !== undefined
    const ports = await freePorts(missing.length * (revoker ? 2 : 1))
    const started: LocalNodeRecord[] = missing.map((id, i) => {
      const port = ports[i] as number
      const revokerPort = revoker ? (ports[missing.length + i] as number) : undefined
      const metricsPort = 0
      const log = this.paths.nodeLog(id)
      const fd = openSync(log, 'a', 0o600)
      const child = spawn(
        process.execPath,
        [
          entry,
          '--config',
          configFile,
          '--port',
          String(port),
          '--listen-ip',
          '127.0.0.1',
          '--metrics-port',
          '0',
          ...(revokerPort === undefined ? [] : ['--revoker-port', String(revokerPort)]),
          '--workers',
          '1',
          // The front proxy stops sending before a node is stopped: a short grace is enough.
          '--drain-grace',
          '50ms',
          '--drain-timeout',
          '10s',
        ],
        { detached: true, stdio: ['ignore', fd, fd], cwd: releaseDir, env: { ...nodeEnv(), ...fleetEnv } },
      )
      closeSync(fd)
      child.unref()
      if (child.pid === undefined) throw providerError(`local: could not start node ${id}`)
      return {
        id,
        pid: child.pid,
        port,
        metricsPort,
        ...(revokerPort === undefined ? {} : { revokerPort }),
        startedAt: new Date().toISOString(),
        log,
      }
    })
    // (A kill here leaves nodes no record names: the next provision or destroy finds them.)
    await testPoint('provision:spawned')
    const record: LocalFleetRecord = {
      colour: spec.colour,
      sha: artifact.sha,
      configName: artifact.configName,
      configDigest: artifact.configDigest,
      releaseDir,
      configFile,
      entry,
      createdAt: existing?.createdAt ?? new Date().toISOString(),
      nodes: [...kept, ...started].sort((a, b) => a.id.localeCompare(b.id)),
    }
    await writeJsonAtomic(this.paths.fleetFile(spec.colour), record)
    return toFleet(record)
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
      .map((node) => ({ node: node.id, url: new URL(`http://127.0.0.1:${node.port}`) }))
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
    const router = await this.#ensureRouter()
    const table = await this.#table(router.snapshot.table, undefined, colour)
    await putRoutes(router.record.admin, table)
    return new URL(`http://127.0.0.1:${router.record.previewPort}`)
  }

  async route(weights: Weights): Promise<void> {
    const router = await this.#ensureRouter()
    const table = await this.#table(router.snapshot.table, weights)
    await putRoutes(router.record.admin, table)
  }

  /** The next routing table: nodes from the fleet records, weights given or kept. */
  async #table(
    current: RouteTable,
    weights?: Weights,
    preview?: Colour | null,
    drop?: Colour,
  ): Promise<RouteTable> {
    const table: RouteTable = { revision: current.revision + 1, colours: {}, preview: current.preview }
    if (preview !== undefined) table.preview = preview
    for (const colour of COLOURS) {
      const weight = weights ? weights[colour] : (current.colours[colour]?.weight ?? 0)
      const record = colour === drop ? undefined : await this.#fleetRecord(colour)
      if (!record) {
        if (weight > 0) throw providerError(`local: cannot route ${weight}% to ${colour}: it has no nodes`)
        continue
      }
      table.colours[colour] = { weight, nodes: record.nodes.map((node) => `http://127.0.0.1:${node.port}`) }
    }
    if (table.preview && !table.colours[table.preview]) table.preview = null
    return table
  }

  async #ensureRouter(): Promise<{ record: RouterRecord; snapshot: RouterSnapshot }> {
    const running = await this.#routerRecord()
    if (running && running.record.listen === this.#options.listen) return running
    if (running) await this.#stopRouter(running.record)
    await ensureDirs(this.paths)
    await rm(this.paths.routerFile, { force: true })
    const fd = openSync(this.paths.routerLog, 'a', 0o600)
    const child = spawn(
      process.execPath,
      [
        ROUTER_ENTRY,
        '--listen',
        this.#options.listen,
        '--admin',
        this.paths.adminSocket,
        '--routes',
        this.paths.routesFile,
        '--record',
        this.paths.routerFile,
      ],
      { detached: true, stdio: ['ignore', fd, fd], env: nodeEnv() },
    )
    closeSync(fd)
    child.unref()
    let exited: number | null | undefined
    child.once('exit', (code) => {
      exited = code
    })
    const deadline = Date.now() + 15_000
    while (Date.now() < deadline) {
      if (exited !== undefined) break
      const ready = await this.#routerRecord()
      if (ready && ready.record.pid === child.pid) return ready
      await sleep(25)
    }
    if (child.pid) killGroup(child.pid, 'SIGKILL')
    const log = await tail(this.paths.routerLog, 10)
    throw providerError(`local: the front proxy did not start on ${this.#options.listen}`, {
      hint: `Is the port free? Set provider.local.listen to another address. Front proxy log:\n${log}`,
    })
  }

  async #stopRouter(record: RouterRecord): Promise<void> {
    try {
      await shutdownRouter(record.admin)
    } catch {
      killGroup(record.pid, 'SIGTERM')
    }
    await waitExit([record.pid], 10_000)
  }

  async decommission(fleet: Fleet, options: OperationOptions & { drainMs: number }): Promise<void> {
    const record = await this.#fleetRecord(fleet.colour)
    if (!record) return
    const router = await this.#routerRecord()
    if (router) {
      const entry = router.snapshot.table.colours[fleet.colour]
      if (entry && entry.weight > 0) {
        throw providerError(
          `local: refusing to decommission ${fleet.colour}: it serves ${entry.weight}% of traffic`,
        )
      }
      if (entry)
        await putRoutes(
          router.record.admin,
          await this.#table(router.snapshot.table, undefined, undefined, fleet.colour),
        )
    } else {
      const saved = await readJson<RouteTable>(this.paths.routesFile)
      const entry = saved?.colours[fleet.colour]
      if (saved && entry) {
        if (entry.weight > 0)
          throw providerError(`local: refusing to decommission ${fleet.colour}: it is the serving colour`)
        delete saved.colours[fleet.colour]
        if (saved.preview === fleet.colour) saved.preview = null
        await writeJsonAtomic(this.paths.routesFile, saved)
      }
    }
    options.progress?.(`stopping ${record.nodes.length} node(s) of ${fleet.colour}`)
    const pids = record.nodes.map((node) => node.pid).filter(isAlive)
    for (const pid of pids) killGroup(pid, 'SIGTERM')
    const left = await waitExit(pids, Math.max(options.drainMs, 1_000))
    for (const pid of left) killGroup(pid, 'SIGKILL')
    await waitExit(left, 5_000)
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
  records(): DirectoryRecords {
    return new DirectoryRecords(join(this.#options.stateDir, 'records'))
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
    const router = await this.#routerRecord()
    if (!router) return { requests: 0, errors: 0 }
    return router.snapshot.stats[colour]
  }

  /**
   * Nodes running from this state directory's releases that no fleet record names: left by a
   * run killed between starting them and recording them. Nothing routes to them; stop them.
   */
  async #stopOrphans(progress?: (message: string) => void): Promise<void> {
    const known = new Set<number>()
    for (const colour of COLOURS)
      for (const node of (await this.#fleetRecord(colour))?.nodes ?? []) known.add(node.pid)
    const orphans = (await processesUsing(`${this.paths.releases}/`)).filter((pid) => !known.has(pid))
    if (orphans.length === 0) return
    progress?.(`stopping ${orphans.length} node(s) no fleet record names (left by an interrupted run)`)
    for (const pid of orphans) killGroup(pid, 'SIGKILL')
    await waitExit(orphans, 5_000)
  }

  async destroy(options: OperationOptions = {}): Promise<void> {
    await this.#stopOrphans(options.progress)
    const router = await this.#routerRecord()
    if (router) {
      options.progress?.('stopping the front proxy')
      await this.#stopRouter(router.record)
    }
    const pids: number[] = []
    for (const colour of COLOURS) {
      const record = await this.#fleetRecord(colour)
      for (const node of record?.nodes ?? []) if (isAlive(node.pid)) pids.push(node.pid)
    }
    if (pids.length) options.progress?.(`stopping ${pids.length} node(s)`)
    for (const pid of pids) killGroup(pid, 'SIGTERM')
    const left = await waitExit(pids, 10_000)
    for (const pid of left) killGroup(pid, 'SIGKILL')
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

/**
 * Nodes and the front proxy are detached and outlive the CI job: they get only what a Node
 * process needs (locale, time zone, temp dir, CA bundles), never the job's secrets or
 * gwdeploy's own variables.
 */
const NODE_ENV_KEYS = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
]

export function nodeEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {}
  for (const key of NODE_ENV_KEYS) if (env[key] !== undefined) out[key] = env[key]
  return out
}

/** A live process whose command line still names this release's config (guards pid reuse). */
async function nodeRunning(node: LocalNodeRecord, configFile: string): Promise<boolean> {
  if (!isAlive(node.pid)) return false
  try {
    const cmdline = await readFile(`/proc/${node.pid}/cmdline`, 'utf8')
    return cmdline.includes(configFile) && cmdline.includes(String(node.port))
  } catch {
    return true // no /proc (macOS): trust the pid
  }
}

/** Pids whose command line mentions `marker` (Linux /proc; elsewhere none are found). */
async function processesUsing(marker: string): Promise<number[]> {
  let entries: string[]
  try {
    entries = await readdir('/proc')
  } catch {
    return []
  }
  const found: number[] = []
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8')
      if (cmdline.includes(marker) && isAlive(Number(entry))) found.push(Number(entry))
    } catch {}
  }
  return found
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    try {
      process.kill(pid, signal)
    } catch {}
  }
}

async function waitExit(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs
  let left = pids.filter(isAlive)
  while (left.length && Date.now() < deadline) {
    await sleep(25)
    left = left.filter(isAlive)
  }
  return left
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** n distinct free loopback ports: all are held open together, then released. */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Server>((resolveServer, reject) => {
          const server = net.createServer()
          server.unref()
          server.once('error', reject)
          server.listen(0, '127.0.0.1', () => resolveServer(server))
        }),
    ),
  )
  const ports = servers.map((server) => {
    const address = server.address()
    return typeof address === 'object' && address ? address.port : 0
  })
  await Promise.all(servers.map((server) => new Promise((r) => server.close(r))))
  return ports
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file)
    return true
  } catch {
    return false
  }
}

async function writeAtomicText(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, text, { mode: 0o600 })
  await rmRename(tmp, file)
}

async function rmRename(from: string, to: string): Promise<void> {
  await rename(from, to)
}

export async function tail(file: string, lines: number): Promise<string> {
  try {
    const handle = await open(resolve(file), 'r')
    try {
      const { size } = await handle.stat()
      const length = Math.min(size, 64 * 1024)
      const buffer = Buffer.alloc(length)
      await handle.read(buffer, 0, length, size - length)
      return buffer.toString('utf8').split('\n').filter(Boolean).slice(-lines).join('\n')
    } finally {
      await handle.close()
    }
  } catch {
    return ''
  }
}
