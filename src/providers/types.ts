/**
 * The provider contract. A provider is a fleet (where gateway nodes run) plus a router (what
 * shifts traffic between the two colours). The release engine (src/core) is written against
 * these types only; every provider lives in its own folder and is loaded lazily (registry.ts).
 *
 * Rules every provider follows:
 * - Provider-side state is the source of truth: `inspect()` must rebuild the whole picture
 *   (colours, SHAs, config names, digests, nodes, weights, lock) from the target itself
 *   (labels, tags, annotations, state files), never from memory of an earlier run.
 * - Every mutating call is idempotent and convergent: calling it again with the same input
 *   after a crash at any point finishes the job instead of failing or duplicating.
 * - `route()` is atomic where the router allows it; a router that can only do 0/100 says so
 *   in `capabilities.weights` and the engine collapses weighted steps.
 * - The engine, not the provider, decides what is safe: it never routes to a colour that has
 *   not passed the health gate in the current run and never decommissions a serving colour.
 */
import type { GwConfig } from '../config/schema.ts'
import type { EngineEvent } from '../core/events.ts'
import type { ProviderCapabilities } from './capabilities.ts'
import type { ReleaseRecords } from './release-records.ts'

export type ProviderId = 'local' | 'haproxy' | 'aws' | 'kubernetes'

export const COLOURS = ['blue', 'green'] as const
export type Colour = (typeof COLOURS)[number]

export const otherColour = (colour: Colour): Colour => (colour === 'blue' ? 'green' : 'blue')

/** Traffic percentages per colour (0-100, summing to 100, or all 0 when nothing serves). */
export type Weights = Record<Colour, number>

/** What a release ships: the stamped config, and how nodes run it. */
export interface Artifact {
  sha: string
  sha7: string
  /** The stamped config `name` every node must report on /__health. */
  configName: string
  /** sha256 (hex) of the canonical stamped config. */
  configDigest: string
  /** The stamped gateway config, as written into the image / release directory. */
  configText: string
  /** auth/revoker's Go net/rpc port in each node (0 = any), when the config has a revoker. */
  revokerPort?: number
  /** Files the config makes the runtime read (Lua sources, client_tls certificates), relative to it: shipped beside it. */
  files?: Array<{ path: string; content: string }>
  /** The SHA, plus `_uncommitted_<hash>` when released from a dirty tree with --allow-dirty. */
  version?: string
  /** Image reference deployed by digest (`repository@sha256:...`); image-based providers only. */
  image?: string
  /**
   * The gateway runtime the local provider runs (`node <entry> --config <file> ...`): a one-file
   * bundle (copied next to the stamped config, so the release is immutable) or, when no bundle
   * can be built, the runtime's entry module (run in place).
   */
  runtime?: { entry: string; bundled: boolean }
}

/** Everything a provider needs to bring up one colour. Same spec => same fleet (idempotent). */
export interface FleetSpec {
  service: string
  env: string | undefined
  colour: Colour
  artifact: Artifact
  size: number
  /** The port the gateway listens on inside each node. */
  port: number
  healthPath: string
}

export interface FleetNode {
  /** Stable, unique within the provider: pid-based, container id, instance id, pod name. */
  id: string
  colour: Colour
  /** host:port when known (for display). */
  address?: string
  startedAt?: string
  /** Free-form provider facts shown by `status` (pid, instance type, zone, ...). */
  meta?: Record<string, string | number>
}

export interface Fleet {
  colour: Colour
  sha: string
  configName: string
  configDigest: string
  image?: string
  nodes: FleetNode[]
  createdAt?: string
  /** Set by the engine at finalize for the colour that was replaced: idle until then. */
  keepUntil?: string
}

export type NodeHealthStatus = 'healthy' | 'unhealthy' | 'starting' | 'unknown' | 'gone'

/** The provider's own view of a node (process alive, ALB target health, pod readiness, HAProxy check). */
export interface NodeHealth {
  node: string
  status: NodeHealthStatus
  detail?: string
  /**
   * The provider knows waiting will not make this node healthy (an ALB target still failing its
   * checks past provider.aws.bootGrace): the gate fails at once with it instead of at its deadline.
   */
  final?: boolean
}

/** Where gwdeploy can reach one node directly (base URL, no path), for the health gate. */
export interface ProbeTarget {
  node: string
  url: URL
}

/** Where gwdeploy can reach one node's auth/revoker (Go net/rpc over TCP), to carry revocations. */
export interface RevokerEndpoint {
  node: string
  host: string
  port: number
}

export interface LockInfo {
  holder: string
  sha?: string
  /** What the holder is doing: release, rollback, promote, retire, destroy. */
  operation?: string
  acquiredAt: string
  renewedAt: string
  expiresAt: string
  /**
   * Set when the lock store could not read the lock (a corrupt lock file: where and why). Such a
   * lock may be a freeze or a running release: it is never taken over as if it had expired.
   */
  unreadable?: string
}

export interface LockRequest {
  holder: string
  sha?: string
  operation: string
  ttlMs: number
}

/**
 * What stops one call to the target besides its own deadline: `signal` is the run's interrupt
 * (SIGINT/SIGTERM), so a lock store or API server that stopped answering does not hold Ctrl-C.
 * Providers whose calls are local and quick may ignore it.
 */
export interface CallOptions {
  signal?: AbortSignal
}

/**
 * What `tryAcquire` got: the new lock, with `tookOver` the lock of an expired or dead holder it
 * replaced (the engine warns about it), or the holder's lock when it is held.
 */
export type LockAttempt =
  | { acquired: true; lock: LockInfo; tookOver?: LockInfo }
  | { acquired: false; lock: LockInfo }

/**
 * One lock per target, stored where the target lives. `acquire` is atomic: it creates the
 * lock or takes over an expired one; it never waits (the engine does the waiting).
 */
export interface Lock {
  /**
   * Returns the new lock, or the current holder's lock when it is held (not expired). `signal`
   * (the run's interrupt) may stop a lock store that answers slowly, leaving no lock behind.
   */
  tryAcquire(request: LockRequest, options?: CallOptions): Promise<LockAttempt>
  /** Extends the TTL of the lock this process holds; throws when it was lost/broken. */
  renew(): Promise<LockInfo>
  /** Releases the lock this process holds (no-op when it no longer holds it). */
  release(): Promise<void>
  /** The current lock, or null. Expired locks are reported with their expiry. */
  status(options?: CallOptions): Promise<LockInfo | null>
  /** Breaks whatever lock exists. Returns what was broken. */
  forceRelease(options?: CallOptions): Promise<LockInfo | null>
}

export interface RouterState {
  /** Is the router there at all (front proxy up, listener exists, service exists)? */
  present: boolean
  /** Where clients reach the service. */
  endpoint?: string
  /** Where the preview route reaches green, when there is one. */
  preview?: string
  detail?: string
  /**
   * Parts of the router that could not be read for an `inspect({ partial: true })` (one of several
   * HAProxy instances down): the state above is what the others say.
   */
  unreadable?: Array<{ message: string; hint?: string | undefined }>
  /**
   * Shares of requests the router answers with no backend at all, though it sends some colour
   * traffic (an HAProxy map edited by hand: `blue 0` while green is under 100).
   */
  unrouted?: Array<{ message: string; hint?: string | undefined }>
}

/**
 * What clients get instead of the gateway while maintenance is on. The router answers every
 * request on the live route itself (the preview route keeps reaching its colour, so a release
 * can be gated behind the page); the split underneath is kept, and turning it off restores it.
 */
export interface MaintenancePage {
  /** 400-599; 503 by default. */
  status: number
  contentType: string
  body: string
  /** Seconds for the Retry-After header (omitted when undefined). */
  retryAfter?: number | undefined
}

export interface MaintenanceState extends MaintenancePage {
  /** When it was turned on, and by whom (user@host, CI job). */
  since: string
  by: string
}

/** The live picture of one target, rebuilt from the provider every time. */
export interface TargetState {
  provider: ProviderId
  service: string
  fleets: Partial<Record<Colour, Fleet>>
  weights: Weights
  router: RouterState
  lock: LockInfo | null
  /** The maintenance page being served (null: routing normally); undefined where unsupported. */
  maintenance?: MaintenanceState | null
  /**
   * Colours whose fleet was removed outside gwdeploy (a Deployment deleted or scaled to 0 by hand,
   * the containers removed) while the router still sends them traffic (`weight`, not counted in
   * `weights`: no release runs there) or while they are kept for rollback (`weight` 0). The engine
   * decides what that means (nothing served, rollback a redeploy); the provider says what it sees.
   */
  fleetless?: FleetlessColour[]
}

export interface FleetlessColour {
  colour: Colour
  /** A colour kept for rollback: when its keep-until ends, as annotated on it. */
  keepUntil?: string
  /** The share of requests the router still sends there (0 for a colour kept for rollback). */
  weight: number
  /** What the provider sees, naming the resource: `Deployment ns/x-blue does not exist (deleted outside gwdeploy)`. */
  why: string
  /** The provider's own way to bring the nodes back, when there is one (`kubectl scale ...`). */
  restore?: string
}

/** Traffic counters seen by the router (or the gateways' metrics) since the given mark. */
export interface TrafficSample {
  requests: number
  errors: number
}

export type { ProviderCapabilities } from './capabilities.ts'

/** An outside-world input a provider would send (manifest, haproxy.cfg, API request), for `release --dry-run`. */
export interface RenderedDocument {
  title: string
  /** How to print it: YAML manifests, JSON request inputs, haproxy.cfg text... */
  language: 'yaml' | 'json' | 'haproxy' | 'text'
  content: string
}

export interface OperationOptions extends CallOptions {
  /** Progress for the current step (the engine forwards it to the reporter). */
  progress?: (message: string) => void
}

export interface InspectOptions extends OperationOptions {
  /**
   * A reader that shows what it can (`status`): a part of the router that cannot be reached is
   * named in `router.unreadable` instead of failing the call. Commands that change the target never
   * ask for it: they need every part (a switch is all or none).
   */
  partial?: boolean
}

export interface DecommissionOptions extends OperationOptions {
  /** How long nodes get to drain after they stop receiving traffic. */
  drainMs: number
  /** Also delete what a provider keeps scaled down for a fast re-release (Kubernetes Deployments). */
  delete?: boolean
}

/** What `streamLogs` returns: the last `lines` lines (logged at or after `sinceMs`), then new ones while `follow`. */
export interface LogStreamOptions {
  /** How many of the last lines to start with; 0: every line (since `sinceMs` when given). */
  lines: number
  /** Only lines logged at or after this instant (ms since epoch); a provider that cannot tell leaves it to the caller. */
  sinceMs?: number
  /** Keep streaming new lines until `signal` aborts (or the node goes away). */
  follow: boolean
  signal?: AbortSignal
}

export interface Provider {
  readonly id: ProviderId
  readonly capabilities: ProviderCapabilities
  inspect(options?: InspectOptions): Promise<TargetState>
  /**
   * What `provision(spec)` would refuse that is known without starting anything (the local front
   * proxy's address held by another process), thrown before the engine changes anything for it:
   * before the idle colour, kept for rollback, is retired.
   */
  preflight?(spec: FleetSpec, options?: OperationOptions): Promise<void>
  /** Brings up `spec.size` nodes of `spec.colour` in parallel; reuses what matches, replaces dead nodes. */
  provision(spec: FleetSpec, options?: OperationOptions): Promise<Fleet>
  /**
   * Where nodes run outside gwdeploy (capabilities.externalNodes): the fleet `colour`'s servers
   * would be once they run `artifact` — what a rollback must find running, since it cannot start it.
   */
  outsideFleet?(colour: Colour, artifact: Artifact): Fleet | undefined
  /** The provider's own health view of every node in the fleet. */
  nodeHealth(fleet: Fleet, options?: OperationOptions): Promise<NodeHealth[]>
  /** Where gwdeploy can reach nodes directly; [] when it cannot (the gate then uses nodeHealth + preview). */
  probeTargets(fleet: Fleet): Promise<ProbeTarget[]>
  /**
   * Where gwdeploy can reach each node's auth/revoker, so the revocations of the colour that
   * serves reach the colour about to take traffic; [] when the nodes run no revoker. Left out by
   * providers whose nodes gwdeploy cannot reach (the engine then warns that nothing is carried).
   */
  revokerEndpoints?(fleet: Fleet, options?: OperationOptions): Promise<RevokerEndpoint[]>
  /** Points the preview route at `colour` and returns its base URL; undefined without a preview route. */
  preview(colour: Colour, options?: OperationOptions): Promise<URL | undefined>
  /** Sets the traffic split in one step where the router allows. Creates the router if missing. */
  route(weights: Weights, options?: OperationOptions): Promise<void>
  /** Removes the fleet from the router, drains and stops its nodes, forgets it. Idempotent. */
  decommission(fleet: Fleet, options: DecommissionOptions): Promise<void>
  /** Records facts about a fleet on the provider side (e.g. keepUntil). */
  annotate(colour: Colour, facts: Pick<Fleet, 'keepUntil'>, options?: CallOptions): Promise<void>
  lock(): Lock
  /** The last lines of a node's log, for failure output and `status`. */
  logs?(node: FleetNode, lines: number, options?: CallOptions): Promise<string>
  /** A node's log as lines, for `gwdeploy logs` (optionally following); see LogStreamOptions. */
  streamLogs?(node: FleetNode, options: LogStreamOptions): AsyncIterable<string>
  /**
   * Makes the router answer every live request with `state`'s page (null: route normally again),
   * without touching the split. Providers whose router cannot answer by itself leave it out and
   * say why in `maintenanceUnsupported`.
   */
  setMaintenance?(state: MaintenanceState | null, options?: OperationOptions): Promise<void>
  /** Why this provider cannot serve a maintenance page (shown by `gwdeploy maintenance`, exit 2). */
  readonly maintenanceUnsupported?: string
  /** Traffic counters for a colour since `since` (a value returned earlier), for the bake's error ratio. */
  traffic?(colour: Colour, options?: OperationOptions): Promise<TrafficSample>
  /**
   * The documents provision/route would send for `spec` (pure, no I/O), shown by `release --dry-run`.
   * On a dry run the image is not built yet: `spec.artifact.image` is the tag it would get.
   */
  render?(spec: FleetSpec): RenderedDocument[]
  /** Everything this provider created for the service (fleets, router, state). Idempotent. */
  destroy(options?: OperationOptions): Promise<void>
  /** Releases clients/sockets; the process should be able to exit after. */
  close?(): Promise<void>
  /** The release records kept on the target (the source of truth for history and rollback --to). */
  records?(): ReleaseRecords
  /** The resource holding a colour's fleet, as the operator's own tools name it (`Deployment ns/x-green`). */
  fleetResource?(colour: Colour): string
}

export type { RecordListOptions, ReleaseRecord, ReleaseRecords } from './release-records.ts'

export interface ProviderContext {
  config: GwConfig
  /** Directory of gwdeploy.yml: relative paths in the config are resolved against it. */
  dir: string
  env: string | undefined
  /** Local state directory (audit log, local provider state), absolute. */
  stateDir: string
  emit?: (event: EngineEvent) => void
}

export type ProviderFactory = (context: ProviderContext) => Provider | Promise<Provider>

export interface ProviderModule {
  createProvider: ProviderFactory
}
