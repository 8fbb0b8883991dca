/** status and history: the rest of the release family (destroy.ts, retire.ts; the lock's: lock-commands.ts). */
import { probe } from '../health/gate.ts'
import {
  COLOURS,
  type Colour,
  type FleetlessColour,
  type MaintenanceState,
  type NodeHealthStatus,
  type ReleaseRecord,
  type RouterState,
  type TargetState,
  type Weights,
} from '../providers/types.ts'
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
import { isCompleted, LOOKBACK, listRecords, recordsOrNone } from './records.ts'
import {
  afterDestroyWays,
  nothingDeployedSince,
  unfinishedDestroy,
  unfinishedDestroyFact,
  unfinishedDestroyWays,
} from './release/destroyed.ts'
import { liveLineage, pendingColour, releaseBefore, unrecordedPromotion } from './release/lineage.ts'
import { servingColour } from './release/plan.ts'
import { unfinishedRetire, unfinishedRetireFact } from './release/unfinished-retire.ts'
import { describeInterruptedRollback, describeStoppedRun, describeUnfinishedLive } from './stopped-run.ts'
import type { Target } from './target.ts'

export { destroy } from './destroy.ts'
export { type RetireResult, retire } from './retire.ts'

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
  router: {
    present: boolean
    detail?: string | undefined
    unreadable?: RouterState['unreadable']
    unrouted?: RouterState['unrouted']
  }
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
  /** A retire began and did not finish (its process is gone, or it was stopped): `retire` finishes it. */
  unfinishedRetire?: { time: string; holder?: string | undefined } | undefined
}

export async function status(
  target: Target,
  signal?: AbortSignal,
  warn?: (message: string) => void,
): Promise<StatusResult> {
  const { provider, config } = target
  const state = await provider.inspect({ partial: true, ...(signal ? { signal } : {}) })
  const serving = servingColour(state.weights)
  // From the target: a fresh CI runner shows the same as the machine that released. As far back as
  // `rollback` reads, so the rollback line names what `gwdeploy rollback` does after many failures.
  const records = await recordsOrNone(target, LOOKBACK, warn ?? (() => {}), signal)
  // A colour is "preview" only when `promote` would take it (a `--no-shift` release that passed
  // its gate); a green left by a run killed before its gate is idle, not waiting for promote.
  const pending = serving ? pendingColour(state, records) : null
  const colours: ColourStatus[] = []
  for (const colour of COLOURS) {
    const fleet = state.fleets[colour]
    if (!fleet) continue
    // A node must report its colour's stamped name, as at the gate: one that runs another release
    // (a servers-mode address restarted with a newer SHA) is not what `rollback` would switch to.
    const expectName = config.health.expectName ? fleet.configName : undefined
    const [view, targets] = await Promise.all([
      provider.nodeHealth(fleet, signal ? { signal } : {}),
      provider.probeTargets(fleet),
    ])
    const nodes = await Promise.all(
      fleet.nodes.map(async (node): Promise<NodeStatus> => {
        const own = view.find((v) => v.node === node.id)
        const target = targets.find((t) => t.node === node.id)
        const health = target
          ? await probe(target.url, config.health.path, config.health.timeout, expectName, signal)
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
  // A retire that did not finish: not the colour kept for rollback removed by hand (its record says so).
  const retiring =
    lock?.operation === 'retire' && !lock.dead && !lock.expired ? undefined : unfinishedRetire(records)
  const stopped = halfDestroyed
    ? `${unfinishedDestroyFact(destroying, state)}; ${halfDestroyed.ways}`
    : retiring
      ? unfinishedRetireFact(retiring, state, target.env)
      : (describeStoppedRun(state, lock, target.env, records) ??
        describeInterruptedRollback(state, records, target.env))
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
      ...(state.router.unrouted ? { unrouted: state.router.unrouted } : {}),
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
    ...(retiring ? { unfinishedRetire: { time: retiring.time, holder: retiring.holder } } : {}),
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
  // Recorded only as a preview: the promote that switched to it was stopped before its record.
  const promoted = unrecordedPromotion(state, records)?.colour === serving
  const who = before ? 'a rollback (or a release of that SHA)' : promoted ? 'a promote' : 'a release'
  const finish = before
    ? '`gwdeploy rollback` completes and records it'
    : `${promoted ? '`gwdeploy promote` finishes it (gate, bake, record) and records it as live' : `\`gwdeploy release --sha ${sha}\` records it as live`}${back}`
  return `${serving} serves ${sha.slice(0, 7)}, but the records say ${top.slice(0, 7)} went live last: ${who} stopped before its record (or traffic was switched by hand); ${finish}`
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
