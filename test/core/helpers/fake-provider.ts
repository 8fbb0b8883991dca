/**
 * An in-memory provider for driving the release engine in-process (test/core). The target's state
 * (fleets, weights, lock, records) lives in a FakeWorld; every node is a real HTTP server on
 * 127.0.0.1 answering the health path with its stamped config name, so the engine's health gate and
 * bake run for real. A config with auth/revoker gives every node a real revocation service (the
 * runtime's filter and Go net/rpc server) on 127.0.0.1. Faults: unhealthy nodes, a provision that
 * fails half-way, failing or hanging calls (a hang is a crash: the call never returns), a lost
 * lock, revocation services that stop answering.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { providerError } from '../../../src/core/errors.ts'
import { recordsToPrune } from '../../../src/core/record-prune.ts'
import type { RevokerConfig } from '../../../src/gateway/components/revoker.ts'
import { SlidingBloomFilter } from '../../../src/gateway/revoker/bloom-filter.ts'
import {
  type RevocationService,
  startRevocationService,
} from '../../../src/gateway/revoker/revocation-service.ts'
import {
  COLOURS,
  type Colour,
  type DecommissionOptions,
  type Fleet,
  type FleetlessColour,
  type FleetNode,
  type FleetSpec,
  type Lock,
  type LockInfo,
  type LockRequest,
  type NodeHealth,
  type ProbeTarget,
  type Provider,
  type RecordListOptions,
  type ReleaseRecord,
  type ReleaseRecords,
  type RevokerEndpoint,
  type TargetState,
  type Weights,
} from '../../../src/providers/types.ts'

interface FakeNode {
  id: string
  server: Server
  port: number
  configName: string
  healthy: boolean
  /** auth/revoker's filter and Go net/rpc service, when the config has a revoker. */
  revocations?: { filter: SlidingBloomFilter; service: RevocationService }
}

/** Points where a call can hang (crash) or fail: provision, route:<green weight>, annotate, append. */
export type FaultPoint = string

export class FakeWorld {
  fleets: Partial<Record<Colour, Fleet>> = {}
  weights: Weights = { blue: 0, green: 0 }
  /** What the provider reports of colours removed outside gwdeploy (TargetState.fleetless). */
  fleetless: FleetlessColour[] = []
  nodes = new Map<string, FakeNode>()
  lock: (LockInfo & { token: number; ttlMs: number }) | null = null
  records: ReleaseRecord[] = []
  /** Records the store reports as unreadable on every list (where, e.g. a file name). */
  unreadableRecords: string[] = []
  /** Every route() call, in order. */
  routes: Weights[] = []
  lockAttempts = 0
  private nextId = 0
  private nextToken = 0

  id(prefix: string): string {
    this.nextId += 1
    return `${prefix}-${this.nextId}`
  }

  token(): number {
    this.nextToken += 1
    return this.nextToken
  }

  /** A lock left by a crashed run expires (its TTL passes). */
  expireLock(): void {
    this.lock = null
  }

  /** Another run takes the lock over: the holder's next renewal fails. */
  stealLock(): void {
    const now = new Date().toISOString()
    this.lock = {
      holder: 'someone else',
      acquiredAt: now,
      renewedAt: now,
      expiresAt: now,
      token: -1,
      ttlMs: 0,
    }
  }

  setHealthy(colour: Colour, healthy: boolean): void {
    for (const node of this.fleets[colour]?.nodes ?? []) {
      const fake = this.nodes.get(node.id)
      if (fake) fake.healthy = healthy
    }
  }

  /** The revocation filters of a colour's nodes (in node order). */
  filters(colour: Colour): SlidingBloomFilter[] {
    return (this.fleets[colour]?.nodes ?? []).flatMap((n) => {
      const filter = this.nodes.get(n.id)?.revocations?.filter
      return filter ? [filter] : []
    })
  }

  /** Nodes the provider reports `starting` for as many more nodeHealth calls as the count says. */
  settling = new Map<string, number>()

  /** What the provider reports for a fleet's node instead (a scenario's view), when it returns one. */
  reportHealth?: (fleet: Fleet, index: number) => NodeHealth | undefined

  /** A node dies (its servers close; the provider reports it gone). */
  async kill(id: string): Promise<void> {
    const node = this.nodes.get(id)
    if (node) await stopNode(node)
    this.nodes.delete(id)
  }

  /** A colour's revocation services stop answering (their ports refuse connections). */
  async stopRevokers(colour: Colour): Promise<void> {
    for (const node of this.fleets[colour]?.nodes ?? [])
      await this.nodes.get(node.id)?.revocations?.service.close()
  }

  async close(): Promise<void> {
    await Promise.all([...this.nodes.values()].map(stopNode))
    this.nodes.clear()
  }
}

async function stopNode(node: FakeNode): Promise<void> {
  await Promise.all([closeServer(node.server), node.revocations?.service.close()])
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections()
  return new Promise((resolve) => server.close(() => resolve()))
}

/** What the stamped config's auth/revoker asks for (the stamp step has validated it). */
function revokerOf(configText: string): RevokerConfig | undefined {
  const config = JSON.parse(configText) as { extra_config?: Record<string, Record<string, unknown>> }
  const r = config.extra_config?.['auth/revoker'] as
    | { n: number; p: number; hash_name: RevokerConfig['hashName']; ttl: number; token_keys: string[] }
    | undefined
  return r && { n: r.n, p: r.p, hashName: r.hash_name, ttlS: r.ttl, port: 0, tokenKeys: r.token_keys }
}

async function startNode(
  world: FakeWorld,
  colour: Colour,
  artifact: FleetSpec['artifact'],
): Promise<FakeNode> {
  const node = { id: world.id(colour), configName: artifact.configName, healthy: true } as FakeNode
  const revoker = revokerOf(artifact.configText)
  if (revoker) {
    const filter = new SlidingBloomFilter(revoker)
    const service = await startRevocationService(revoker, filter, {
      host: '127.0.0.1',
      log: () => {},
    })
    node.revocations = { filter, service }
  }
  node.server = createServer((_req, res) => {
    res.writeHead(node.healthy ? 200 : 503, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ status: node.healthy ? 'ok' : 'failing', name: node.configName }))
  })
  await new Promise<void>((resolve) => node.server.listen(0, '127.0.0.1', resolve))
  node.port = (node.server.address() as AddressInfo).port
  world.nodes.set(node.id, node)
  return node
}

const copy = <T>(value: T): T => structuredClone(value)

export class FakeProvider implements Provider {
  readonly id = 'local' as const
  readonly capabilities = { weights: true, directProbe: true, preview: false, image: false, traffic: false }
  readonly world: FakeWorld
  /** Calls that never return (a crash at that point), after doing their work. */
  hangAt = new Set<FaultPoint>()
  /** Calls that fail with a provider error, before doing their work. */
  failAt = new Set<FaultPoint>()
  /** A provision that starts this many nodes, then fails. */
  provisionFailsAfter: number | undefined
  /** New nodes start unhealthy. */
  startUnhealthy = false
  /** The router is not running (the local front proxy after a kill -9); the next route starts it. */
  routerDown = false
  /** Called after every route (after the weights are set). */
  onRoute: ((weights: Weights) => void) | undefined
  /** Resolves when a hang point is reached. */
  crashed: Promise<FaultPoint>
  private crash!: (point: FaultPoint) => void

  constructor(world = new FakeWorld()) {
    this.world = world
    this.crashed = this.resetCrash()
  }

  resetCrash(): Promise<FaultPoint> {
    this.hangAt.clear()
    this.crashed = new Promise((resolve) => {
      this.crash = resolve
    })
    return this.crashed
  }

  private async fault(point: FaultPoint): Promise<void> {
    if (this.failAt.has(point)) throw providerError(`fake: ${point} failed`)
  }

  private async after(point: FaultPoint): Promise<void> {
    if (!this.hangAt.has(point)) return
    this.crash(point)
    await new Promise(() => {})
  }

  async inspect(): Promise<TargetState> {
    const lock = this.world.lock
    return {
      provider: 'local',
      service: 'fake',
      fleets: copy(this.world.fleets),
      weights: { ...this.world.weights },
      ...(this.world.fleetless.length ? { fleetless: copy(this.world.fleetless) } : {}),
      router: this.routerDown
        ? { present: false, detail: 'fake router down' }
        : { present: true, endpoint: 'http://fake.invalid' },
      lock: lock
        ? {
            holder: lock.holder,
            acquiredAt: lock.acquiredAt,
            renewedAt: lock.renewedAt,
            expiresAt: lock.expiresAt,
          }
        : null,
    }
  }

  async provision(spec: FleetSpec): Promise<Fleet> {
    await this.fault('provision')
    const { colour, artifact } = spec
    const existing = this.world.fleets[colour]
    const same = existing?.sha === artifact.sha && existing.configDigest === artifact.configDigest
    if (existing && !same) await this.decommission(existing)
    const nodes: FleetNode[] = same
      ? [...(existing?.nodes ?? [])].filter((n) => this.world.nodes.has(n.id))
      : []
    const fleet: Fleet = {
      colour,
      sha: artifact.sha,
      configName: artifact.configName,
      configDigest: artifact.configDigest,
      nodes,
      createdAt:
        existing && same ? (existing.createdAt ?? new Date().toISOString()) : new Date().toISOString(),
    }
    this.world.fleets[colour] = fleet
    while (nodes.length < spec.size) {
      if (this.provisionFailsAfter !== undefined && nodes.length >= this.provisionFailsAfter) {
        throw providerError(`fake: only ${nodes.length} of ${spec.size} node(s) came up`)
      }
      const node = await startNode(this.world, colour, artifact)
      if (this.startUnhealthy) node.healthy = false
      // As the real providers name it in a node's meta (status shows it).
      const revoker = node.revocations ? { meta: { revoker: node.revocations.service.port } } : {}
      nodes.push({ id: node.id, colour, address: `127.0.0.1:${node.port}`, ...revoker })
    }
    await this.after('provision')
    return copy(fleet)
  }

  /** `failAt('preflight')`: what provision would refuse, found before anything changes. */
  async preflight(): Promise<void> {
    await this.fault('preflight')
  }

  async nodeHealth(fleet: Fleet): Promise<NodeHealth[]> {
    return fleet.nodes.map((n, index) => {
      const reported = this.world.reportHealth?.(fleet, index)
      if (reported) return reported
      const node = this.world.nodes.get(n.id)
      if (!node) return { node: n.id, status: 'gone' as const }
      const settling = this.world.settling.get(n.id) ?? 0
      if (settling > 0) {
        this.world.settling.set(n.id, settling - 1)
        return { node: n.id, status: 'starting' as const }
      }
      return { node: n.id, status: node.healthy ? ('healthy' as const) : ('unhealthy' as const) }
    })
  }

  async probeTargets(fleet: Fleet): Promise<ProbeTarget[]> {
    return fleet.nodes.flatMap((n) => {
      const node = this.world.nodes.get(n.id)
      return node ? [{ node: n.id, url: new URL(`http://127.0.0.1:${node.port}`) }] : []
    })
  }

  async revokerEndpoints(fleet: Fleet): Promise<RevokerEndpoint[]> {
    return fleet.nodes.flatMap((n) => {
      const service = this.world.nodes.get(n.id)?.revocations?.service
      return service ? [{ node: n.id, host: '127.0.0.1', port: service.port }] : []
    })
  }

  async preview(): Promise<URL | undefined> {
    return undefined
  }

  async route(weights: Weights): Promise<void> {
    const point = `route:${weights.green}`
    await this.fault(point)
    for (const colour of COLOURS) {
      if (weights[colour] > 0 && !this.world.fleets[colour])
        throw new Error(`fake: route to ${colour}, which has no fleet`)
    }
    this.world.weights = { ...weights }
    this.world.routes.push({ ...weights })
    this.routerDown = false
    this.onRoute?.(weights)
    await this.after(point)
  }

  async decommission(fleet: Fleet, _options?: DecommissionOptions): Promise<void> {
    if (this.world.weights[fleet.colour] > 0) throw new Error(`fake: decommission of serving ${fleet.colour}`)
    const current = this.world.fleets[fleet.colour]
    for (const node of current?.nodes ?? []) {
      const fake = this.world.nodes.get(node.id)
      if (fake) await stopNode(fake)
      this.world.nodes.delete(node.id)
    }
    delete this.world.fleets[fleet.colour]
  }

  async annotate(colour: Colour, facts: Pick<Fleet, 'keepUntil'>): Promise<void> {
    await this.fault('annotate')
    const fleet = this.world.fleets[colour]
    if (!fleet) return
    if (facts.keepUntil) fleet.keepUntil = facts.keepUntil
    else delete fleet.keepUntil
    await this.after('annotate')
  }

  lock(): Lock {
    const world = this.world
    let mine: number | undefined
    const info = (l: LockInfo & { token: number; ttlMs: number }): LockInfo => {
      const { token: _token, ttlMs: _ttl, ...rest } = l
      return rest
    }
    return {
      async tryAcquire(request: LockRequest) {
        world.lockAttempts += 1
        if (world.lock) return { acquired: false as const, lock: info(world.lock) }
        const now = new Date()
        mine = world.token()
        world.lock = {
          holder: request.holder,
          operation: request.operation,
          ...(request.sha ? { sha: request.sha } : {}),
          acquiredAt: now.toISOString(),
          renewedAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + request.ttlMs).toISOString(),
          token: mine,
          ttlMs: request.ttlMs,
        }
        return { acquired: true as const, lock: info(world.lock) }
      },
      async renew() {
        if (!world.lock || world.lock.token !== mine) throw new Error('the lock was taken over')
        const now = Date.now()
        world.lock.renewedAt = new Date(now).toISOString()
        world.lock.expiresAt = new Date(now + world.lock.ttlMs).toISOString()
        return info(world.lock)
      },
      async release() {
        if (world.lock?.token === mine) world.lock = null
      },
      async status() {
        return world.lock ? info(world.lock) : null
      },
      async forceRelease() {
        const was = world.lock ? info(world.lock) : null
        world.lock = null
        return was
      },
    }
  }

  records(): ReleaseRecords {
    const provider = this
    const world = this.world
    return {
      where: 'memory',
      async append(record: ReleaseRecord) {
        await provider.fault('append')
        world.records.unshift(copy(record))
        await provider.after('append')
      },
      async list(limit: number, options: RecordListOptions = {}) {
        await provider.fault('list-records')
        for (const where of world.unreadableRecords)
          options.unreadable?.(where, 'Unexpected end of JSON input')
        return copy(world.records.slice(0, limit))
      },
      async prune(keep: number) {
        const doomed = recordsToPrune(world.records, keep)
        const before = world.records.length
        world.records = world.records.filter((_, i) => !doomed[i])
        return before - world.records.length
      },
    }
  }

  async destroy(): Promise<void> {
    this.world.weights = { blue: 0, green: 0 }
    for (const colour of COLOURS) {
      const fleet = this.world.fleets[colour]
      if (fleet) await this.decommission(fleet)
    }
  }
}
