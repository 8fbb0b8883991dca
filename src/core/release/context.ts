/**
 * What every step of the release engine works on: the context of one command (target, reporter,
 * signal and, once taken, the lock) and the one state record a run carries from step to step.
 */
import type {
  Artifact,
  Colour,
  Fleet,
  ReleaseRecord,
  RenderedDocument,
  TargetState,
  Weights,
} from '../../providers/types.ts'
import type { ConfigDiff } from '../config-diff.ts'
import type { EngineEvent, Reporter } from '../events.ts'
import type { HeldLock } from '../lock.ts'
import type { Target } from '../target.ts'

export interface EngineContext {
  target: Target
  reporter: Reporter
  signal: AbortSignal
  /** The target's lock, once this command holds it (lock-scope.ts: taking it again is a no-op). */
  lock?: HeldLock | undefined
}

/** A context inside the lock scope. */
export type LockedContext = EngineContext & { lock: HeldLock }

export type Operation = 'release' | 'rollback' | 'promote'

export interface ReleaseOptions {
  sha?: string | undefined
  allowDirty?: boolean
  dryRun?: boolean
  noShift?: boolean
  steps?: number[] | undefined
  lockWaitMs?: number
  keepFailed?: boolean
}

export interface PlanSummary {
  sha: string
  version: string
  configName: string
  configDigest: string
  green: Colour
  serving: Colour | null
  previousSha: string | null
  /** What the run does to reach the goal, in order. */
  actions: string[]
  steps: number[]
  /** What the provider would send (manifests, haproxy.cfg, request inputs), on dry runs. */
  documents?: RenderedDocument[]
  /** The gateway config against the live one, on dry runs. */
  configDiff?: ConfigDiff
}

export interface ReleaseResult {
  status: 'released' | 'unchanged' | 'repaired' | 'planned' | 'preview' | 'switched'
  /** What a release of the live SHA had to repair (status `repaired`): a router started, nodes replaced. */
  repaired?: string[] | undefined
  sha: string
  configName: string
  colour: Colour
  /** The release it replaced, kept for rollback (never a canary that did not go live). */
  previous: { colour: Colour; sha: string } | null
  /** The colour it took a split's share from whose release never went live: left idle, not kept. */
  leftIdle?: { colour: Colour; sha: string } | undefined
  weights: Weights
  endpoint?: string | undefined
  preview?: string | undefined
  plan?: PlanSummary
  /** Steps that did not finish after traffic had moved (the release is live; exit 8). */
  unfinished?: string[] | undefined
  durationMs: number
}

/** Where green goes and what has to happen first (plan.ts, computed once per run). */
export interface Decision {
  green: Colour
  serving: Colour | null
  unchanged: boolean
  revertFirst: boolean
  replace: Fleet | undefined
}

/** The one state record a run carries: each step reads it and writes what it changed. */
export interface Run {
  operation: Operation
  started: number
  artifact: Artifact
  version: string
  /** The target as inspected by the plan step. */
  state: TargetState
  decision: Decision
  summary: PlanSummary
  green: Colour
  /** The colour serving before this run (null on a first release). */
  serving: Colour | null
  previous: Fleet | undefined
  /**
   * `previous` runs a release that never went live (one killed mid-shift that a rollback undid):
   * finalize leaves it idle rather than keep it for rollback.
   */
  previousNeverLive?: boolean
  /** What the router is known to carry now. */
  weights: Weights
  /** The last weights every colour with traffic passed its gate (health gate + bake) for. */
  gated: Weights
  /** Green as provisioned (possibly only part of it, after a failed provision). */
  greenFleet?: Fleet | undefined
  /** The provision step began changing green's slot (retiring what ran there, starting nodes). */
  provisionStarted?: boolean
  /** What did not finish after the release went live. */
  unfinished: string[]
  /** The target did not take the record of the live release (then no record says what did not finish). */
  unrecorded?: boolean
  /** Overrides `shift.bake` (rollback --force-now: no bake). */
  bakeMs?: number | undefined
  /**
   * Where a stop or failure before green is live puts traffic, instead of taking green's share away:
   * a rollback redeploying onto the colour that already served found that share, it did not give it.
   */
  revertTo?: Weights | undefined
}

export type RecordEntry = Omit<ReleaseRecord, 'time' | 'service' | 'env'>

export const emitter = (reporter: Reporter) => (event: EngineEvent) => reporter.emit(event)

export function info(ctx: EngineContext, message: string): void {
  ctx.reporter.emit({ type: 'info', message })
}

export function warn(ctx: EngineContext, message: string): void {
  ctx.reporter.emit({ type: 'warn', message })
}

export function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason
}

export const describeWeights = (weights: Weights) => `blue ${weights.blue}% / green ${weights.green}%`

export const sameWeights = (a: Weights, b: Weights) => a.blue === b.blue && a.green === b.green

/** The release the run replaced, when it went live: a canary it took traffic from is no `previous`. */
const keptPrevious = (run: Run) =>
  run.previous && !run.previousNeverLive ? { colour: run.previous.colour, sha: run.previous.sha } : undefined

/** The base of every record a run writes. */
export function recordBase(ctx: LockedContext, run: Run): RecordEntry {
  const { artifact } = run
  return {
    operation: run.operation,
    status: 'released',
    sha: artifact.sha,
    version: run.version,
    configName: artifact.configName,
    configDigest: artifact.configDigest,
    image: artifact.image,
    configText: artifact.configText || undefined,
    colour: run.green,
    previous: keptPrevious(run),
    weights: run.weights,
    holder: ctx.lock.info.holder,
    durationMs: Date.now() - run.started,
  }
}

export function resultOf(run: Run, status: ReleaseResult['status']): ReleaseResult {
  return {
    status,
    sha: run.artifact.sha,
    configName: run.artifact.configName,
    colour: run.green,
    previous: keptPrevious(run) ?? null,
    ...(run.previous && run.previousNeverLive
      ? { leftIdle: { colour: run.previous.colour, sha: run.previous.sha } }
      : {}),
    weights: run.weights,
    endpoint: run.state.router.endpoint,
    plan: run.summary,
    ...(run.unfinished.length ? { unfinished: run.unfinished } : {}),
    durationMs: Date.now() - run.started,
  }
}
