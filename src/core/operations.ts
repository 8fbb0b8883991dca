/** status, retire and history: the rest of the release family (destroy: destroy.ts; the lock's: lock-commands.ts). */
import { probe, sleep } from '../health/gate.ts'
import {
  COLOURS,
  type Colour,
  type Fleet,
  type FleetlessColour,
  type MaintenanceState,
  type NodeHealth,
  type NodeHealthStatus,
  type ReleaseRecord,
  type RouterState,
  type TargetState,
  type Weights,
} from '../providers/types.ts'
import { usageError } from './errors.ts'
import { step } from './events.ts'
import {
  describeRollback,
  keptGoneWarning,
  noLiveNode,
  nothingLeftServing,
  type RollbackView,
  rollbackView,
} from './fleetless.ts'
import type { HistoryEntry } from './history.ts'
import { type LockView, lockView } from './lock-commands.ts'
import { isCompleted, listRecords, recordsOrNone, writeRecord } from './records.ts'
import type { EngineContext } from './release/context.ts'
import {
  afterDestroyWays,
  nothingDeployedSince,
  unfinishedDestroy,
  unfinishedDestroyFact,
  unfinishedDestroyWays,
} from './release/destroyed.ts'
import { liveLineage, pendingColour, releaseBefore } from './release/lineage.ts'
import { withLock } from './release/lock-scope.ts'
import { servingColour } from './release/plan.ts'
import { hooks, preHooks } from './release/steps/hooks.ts'
import {
  describeInterruptedRollback,
  describeStoppedRun,
  describeUnfinishedLive,
  stoppedRetirePartWay,
} from './stopped-run.ts'
import type { Target } from './target.ts'

export { destroy } from './destroy.ts'

export interface NodeStatus {
  id: string
  address?: string | undefined
  provider: NodeHealthStatus
  providerDetail?: string | undefined
  /** What the node itself answers on the health path (when gwdeploy can reach it). */
  health?: { ok: boolean; status?: number | undefined; name?: string | undefined; detail: string } | undefined
  meta?: Record<string, string | number> | undefined
}

export interface ColourStatus {
  colour: Colour
  role: 'live' | 'shifting' | 'previous' | 'idle' | 'preview'
  weight: number
  sha: string
  configName: string
  configDigest: string
  image?: string | undefined
  createdAt?: string | undefined
  keepUntil?: string | undefined
  /** An idle colour none of whose nodes is live (gone, or unhealthy and not answering): no instant switch. */
  noLiveNode?: true | undefined
  nodes: NodeStatus[]
}

export interface StatusResult {
  service: string
  provider: string
  env?: string | undefined
  endpoint?: string | undefined
  preview?: string | undefined
  router: { present: boolean; detail?: string | undefined; unreadable?: RouterState['unreadable'] }
  /** Weights the target records; `served` says whether anything answers them right now. */
  weights: Weights
  served: boolean
  serving: Colour | null
  colours: ColourStatus[]
  lock: LockView | null
  /** The page clients get instead of the gateway (null: routing); absent where unsupported. */
  maintenance?: MaintenanceState | null | undefined
  lastRelease?: HistoryEntry | undefined
  /** Colours removed outside gwdeploy that the router still sends traffic to, or that were kept (see TargetState). */
  fleetless?: FleetlessColour[] | undefined
  /** What `gwdeploy rollback` would do now (null: nothing to roll back to). */
  rollback?: RollbackView | null | undefined
  /** The target was destroyed and nothing went live since: when, by whom, the ways back. */
  destroyed?: { time: string; holder?: string | undefined; ways: string } | undefined
  /** A destroy began and did not finish (its process is gone): when, by whom, the ways on. */
  unfinishedDestroy?: { time: string; holder?: string | undefined; ways: string } | undefined
}

export async function status(
  target: Target,
  signal?: AbortSignal,
  warn?: (message: string) => void,
): Promise<StatusResult> {
  const { provider, config } = target
  const state = await provider.inspect({ partial: true, ...(signal ? { signal } : {}) })
  const serving = servingColour(state.weights)
  // From the target: a fresh CI runner shows the same as the machine that released.
  const records = await recordsOrNone(target, 50, warn ?? (() => {}), signal)
  // A colour is "preview" only when `promote` would take it (a `--no-shift` release that passed
  // its gate); a green left by a run killed before its gate is idle, not waiting for promote.
  const pending = serving ? pendingColour(state, records) : null
  const colours: ColourStatus[] = []
  for (const colour of COLOURS) {
    const fleet = state.fleets[colour]
    if (!fleet) continue
    const [view, targets] = await Promise.all([
      provider.nodeHealth(fleet, signal ? { signal } : {}),
      provider.probeTargets(fleet),
    ])
    const nodes = await Promise.all(
      fleet.nodes.map(async (node): Promise<NodeStatus> => {
        const own = view.find((v) => v.node === node.id)
        const target = targets.find((t) => t.node === node.id)
        const health = target
          ? await probe(target.url, config.health.path, config.health.timeout, undefined, signal)
          : undefined
        return {
          id: node.id,
          address: node.address,
          provider: own?.status ?? 'unknown',
          providerDetail: own?.detail,
          health: health
            ? { ok: health.ok, status: health.status, name: health.name, detail: health.detail }
            : undefined,
          meta: node.meta,
        }
      }),
    )
    // A probe stopped by the interrupt reads as a failed one: the status ends with the interrupt instead.
    if (signal?.aborted) throw signal.reason
    const weight = state.weights[colour]
    const role: ColourStatus['role'] =
      weight === 100
        ? 'live'
        : weight > 0
          ? 'shifting'
          : fleet.keepUntil
            ? 'previous'
            : pending === colour
              ? 'preview'
              : 'idle'
    colours.push({
      colour,
      role,
      weight,
      sha: fleet.sha,
      configName: fleet.configName,
      configDigest: fleet.configDigest,
      image: fleet.image,
      createdAt: fleet.createdAt,
      keepUntil: fleet.keepUntil,
      ...(weight === 0 && nodes.length > 0 && noLiveNode(nodes) ? { noLiveNode: true as const } : {}),
      nodes,
    })
  }
  const last = records.find(isCompleted)
  const destroyed = nothingDeployedSince(state, records)
  const externalNodes = provider.capabilities.externalNodes === true
  const rollback = rollbackView(state, records, colours, externalNodes)
  const kept = keptGoneWarning({ colours, fleetless: state.fleetless, rollback }, records, {
    keepMs: config.shift.keep,
    externalNodes,
    resource: provider.fleetResource?.bind(provider),
  })
  if (kept) warn?.(kept)
  const unrecorded = serving ? unrecordedLive(state, serving, records, rollback) : undefined
  if (unrecorded) warn?.(unrecorded)
  const lock = state.lock ? lockView(state.lock, provider.id, target.env) : null
  // A destroy that did not finish: its intent record says so even after its dead lock was taken over.
  const destroying =
    lock?.operation === 'destroy' && !lock.dead && !lock.expired ? undefined : unfinishedDestroy(records)
  const halfDestroyed = destroying && {
    time: destroying.time,
    holder: destroying.holder,
    ways: unfinishedDestroyWays(records, target.env),
  }
  const stopped = halfDestroyed
    ? `${unfinishedDestroyFact(destroying, state)}; ${halfDestroyed.ways}`
    : (describeStoppedRun(state, lock, target.env) ?? describeInterruptedRollback(state, records, target.env))
  if (stopped) warn?.(stopped)
  const unfinished = describeUnfinishedLive(state, records, target.env)
  if (unfinished) warn?.(unfinished)
  return {
    service: config.service,
    provider: provider.id,
    env: target.env,
    endpoint: state.router.endpoint,
    preview: state.router.preview,
    router: {
      present: state.router.present,
      detail: state.router.detail,
      ...(state.router.unreadable ? { unreadable: state.router.unreadable } : {}),
    },
    weights: state.weights,
    served: state.router.present && serving !== null,
    serving,
    colours,
    lock,
    ...(state.maintenance !== undefined ? { maintenance: state.maintenance } : {}),
    lastRelease: last ? withoutConfig(last) : undefined,
    ...(state.fleetless?.length ? { fleetless: state.fleetless } : {}),
    rollback,
    ...(destroyed
      ? { destroyed: { time: destroyed.time, holder: destroyed.holder, ways: afterDestroyWays(records) } }
      : {}),
    ...(halfDestroyed ? { unfinishedDestroy: halfDestroyed } : {}),
  }
}

/**
 * The serving colour runs a SHA the records do not say went live last: a run killed between its
 * switch and its record (or traffic switched by hand). Said, with the command that records it.
 */
function unrecordedLive(
  state: TargetState,
  serving: Colour,
  records: ReleaseRecord[],
  rollback: RollbackView | null,
): string | undefined {
  const sha = state.fleets[serving]?.sha
  const lineage = liveLineage(records)
  const top = lineage.at(-1)
  if (!sha || !top || sha === top || state.weights[serving] !== 100) return undefined
  const before = releaseBefore(lineage, top) === sha
  // Which one should serve is the operator's call: recording what serves, or going back from it.
  const back = rollback && rollback.sha !== sha ? `; or ${describeRollback(rollback)}` : ''
  return `${serving} serves ${sha.slice(0, 7)}, but the records say ${top.slice(0, 7)} went live last: ${before ? 'a rollback (or a release of that SHA)' : 'a release'} stopped before its record (or traffic was switched by hand); ${before ? '`gwdeploy rollback` completes and records it' : `\`gwdeploy release --sha ${sha}\` records it as live${back}`}`
}

/**
 * Why clients get no gateway although they should, or undefined: the router is down under a serving
 * colour, every colour it sends traffic to has no node left (removed outside gwdeploy), or it sends
 * no colour any traffic while the last completed release's colour is up (a listener's default
 * action or a map edited by hand). A maintenance page is served on purpose.
 */
export function nothingServed(
  result: StatusResult,
): { why: string; sha: string; hint?: string | undefined } | undefined {
  if (result.serving && !result.router.present) {
    const sha = result.colours.find((c) => c.colour === result.serving)?.sha ?? '<live sha>'
    return { why: `the router is not running (${result.router.detail ?? result.provider})`, sha }
  }
  if (result.maintenance || !result.router.present) return undefined
  // Traffic to colours whose nodes were all removed outside gwdeploy (deleted, terminated).
  const left = nothingLeftServing(result)
  if (left) return { why: left.why, sha: left.sha ?? '<live sha>', hint: left.hint }
  if (result.served) return undefined
  const last = result.lastRelease
  const up = last?.sha && result.colours.find((c) => c.sha === last.sha)
  if (!last?.sha || !up) return undefined
  return {
    why: `the router sends no colour any traffic, though ${last.sha.slice(0, 7)} went live and ${up.colour} still runs it (${result.router.detail ?? result.provider})`,
    sha: last.sha,
  }
}

export interface RetireResult {
  retired: { colour: Colour; sha: string; nodes: number } | null
}

/**
 * The idle colour is what `rollback` switches to: it is not retired while no node of the serving
 * colour works (all gone or unhealthy in the provider's view), which would leave nothing to serve.
 * Nodes the provider still reports `starting` (HAProxy's first checks right after a release, an
 * instance registering) get the health gate's deadline to settle before that is decided.
 */
async function refuseWithoutServingNode(
  ctx: EngineContext,
  state: TargetState,
  serving: Colour,
  idle: Fleet,
): Promise<void> {
  const fleet = state.fleets[serving]
  const { interval, deadline } = ctx.target.config.health
  const settleBy = Date.now() + deadline
  const works = (node: NodeHealth) => node.status === 'healthy' || node.status === 'unknown'
  let view = fleet ? await ctx.target.provider.nodeHealth(fleet, { signal: ctx.signal }) : []
  while (
    fleet &&
    !view.some(works) &&
    view.some((node) => node.status === 'starting') &&
    Date.now() < settleBy
  ) {
    // Rejects with the signal's reason (the interrupt), as the engine's other waits do.
    await sleep(Math.min(interval, settleBy - Date.now()), ctx.signal)
    view = await ctx.target.provider.nodeHealth(fleet, { signal: ctx.signal })
  }
  if (view.some(works)) return
  const nodes = view.map((node) => `${node.node} ${node.status}`).join(', ') || 'no nodes'
  throw usageError(
    `${serving} serves all traffic but none of its nodes works (${nodes}): ${idle.colour} (${idle.sha.slice(0, 7)}) is what \`rollback\` would switch to; it is not retired`,
    {
      hint: '`gwdeploy rollback` switches to it; `gwdeploy release --sha <live SHA>` replaces the serving nodes; then retire.',
    },
  )
}

/** `gwdeploy retire`: tears down the idle colour; never the serving one, never mid-shift. */
export async function retire(
  ctx: EngineContext,
  options: { lockWaitMs?: number; delete?: boolean } = {},
): Promise<RetireResult> {
  const { target, reporter, signal } = ctx
  const { provider } = target
  return withLock(ctx, 'retire', undefined, options.lockWaitMs ?? 0, async ({ lock }) => {
    const state = await step(reporter, 'plan', () => provider.inspect({ signal }))
    const idle = COLOURS.filter((c) => state.fleets[c] && state.weights[c] === 0)
    const busy = COLOURS.filter((c) => state.weights[c] > 0)
    if (busy.length > 1) {
      throw usageError(
        `traffic is split (${busy.map((c) => `${c} ${state.weights[c]}%`).join(', ')}): nothing is idle`,
        {
          hint: 'Finish the shift with `gwdeploy promote` or `gwdeploy rollback` first.',
        },
      )
    }
    const colour = idle.find((c) => busy.length === 0 || c !== busy[0])
    const fleet = colour ? state.fleets[colour] : undefined
    if (!colour || !fleet || busy.length === 0) {
      if (busy.length === 0 && idle.length > 0) {
        throw usageError('no colour is serving: refusing to guess which one is idle', {
          hint: 'Use `gwdeploy destroy` to remove everything, or `gwdeploy promote` to serve one.',
        })
      }
      reporter.emit({ type: 'info', message: 'no idle colour to retire' })
      return { retired: null }
    }
    await refuseWithoutServingNode(ctx, state, busy[0] as Colour, fleet)
    const values = {
      sha: fleet.sha,
      colour,
      previousSha: undefined,
      service: target.config.service,
      env: target.env,
      operation: 'retire',
    }
    await preHooks(ctx, values)
    await step(reporter, 'retire', () =>
      provider.decommission(fleet, {
        drainMs: 5_000,
        ...(options.delete ? { delete: true } : {}),
        signal,
        progress: (message) => reporter.emit({ type: 'progress', step: 'retire', message }),
      }),
    ).catch(async (error: unknown) => {
      await hooks(ctx, 'onFailure', values, false)
      throw stoppedRetirePartWay(error, signal, fleet, target.env)
    })
    await writeRecord(
      target,
      {
        time: new Date().toISOString(),
        operation: 'retire',
        status: 'retired',
        service: target.config.service,
        env: target.env,
        sha: fleet.sha,
        configName: fleet.configName,
        colour,
        holder: lock.info.holder,
      },
      (message) => reporter.emit({ type: 'warn', message }),
      signal,
    )
    await hooks(ctx, 'postRelease', values, false)
    return { retired: { colour, sha: fleet.sha, nodes: fleet.nodes.length } }
  })
}

const withoutConfig = ({ configText: _config, ...entry }: ReleaseRecord): HistoryEntry => entry

/**
 * `gwdeploy history`: the newest `limit` records, newest first, read from the target (the local
 * history.jsonl is only a cache, used for providers that keep no records).
 */
export async function history(
  target: Target,
  limit = 20,
  warn?: (message: string) => void,
  signal?: AbortSignal,
): Promise<HistoryEntry[]> {
  return (await listRecords(target, limit, warn, signal)).map(withoutConfig)
}
