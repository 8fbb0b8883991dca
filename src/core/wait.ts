/**
 * `status --wait-for`, the exit code of plain `status`, and `status --watch --json`: verdicts on
 * a StatusResult and polling loops over it. Nothing here prints; callers get results and events.
 */
import { sleep } from '../health/gate.ts'
import { GwError, providerError } from './errors.ts'
import { ExitCode } from './exit-codes.ts'
import { type ColourStatus, type NodeStatus, nothingServed, type StatusResult } from './operations.ts'
import { isStoppedDestroy, stoppedDestroyWays } from './stopped-run.ts'

export const WAIT_GOALS = ['live', 'healthy', 'preview'] as const
export type WaitGoal = (typeof WAIT_GOALS)[number]

type NodeVerdict = 'healthy' | 'unhealthy' | 'pending'

/** Unhealthy when the provider says so or the node's own health check fails; pending while starting. */
function nodeVerdict(node: NodeStatus): NodeVerdict {
  if (node.provider === 'unhealthy' || node.provider === 'gone') return 'unhealthy'
  if (node.health && !node.health.ok) return 'unhealthy'
  if (node.health?.ok || node.provider === 'healthy') return 'healthy'
  return 'pending'
}

// Shown after 'unhealthy: ': the provider's reason alone when it says unhealthy (not the word twice).
const nodeProblem = (colour: ColourStatus, node: NodeStatus) =>
  `${colour.colour} node ${node.id} (${colour.weight}% of traffic): ${
    node.health && !node.health.ok
      ? node.health.detail
      : node.provider === 'unhealthy' && node.providerDetail
        ? node.providerDetail
        : `${node.provider}${node.providerDetail ? `, ${node.providerDetail}` : ''}`
  }`

/** Nodes that receive traffic and are unhealthy, described for a person. */
export function unhealthyServing(result: StatusResult): string[] {
  const fleetless = (result.fleetless ?? [])
    .filter((f) => f.weight > 0)
    .map((f) => `${f.colour} (${f.weight}% of traffic): ${f.why}`)
  return [
    ...fleetless,
    ...result.colours
      .filter((c) => c.weight > 0)
      .flatMap((c) => c.nodes.filter((n) => nodeVerdict(n) === 'unhealthy').map((n) => nodeProblem(c, n))),
  ]
}

const allHealthy = (colour: ColourStatus) =>
  colour.nodes.length > 0 && colour.nodes.every((n) => nodeVerdict(n) === 'healthy')

/** A release, rollback or promote running now; a holder whose process is gone (kill -9) runs nothing. */
function inProgress(result: StatusResult): string | undefined {
  const lock = result.lock
  return lock && !lock.expired && !lock.dead && lock.operation && !lock.operation.startsWith('freeze')
    ? `${lock.operation} in progress (${lock.holder})`
    : undefined
}

/**
 * A target that should serve and serves nothing (the router down, or no node left where traffic
 * goes): exit 6, for plain `status` and for `--wait-for` when no release is running that could
 * change it (waiting cannot help then).
 */
export function nothingServedError(result: StatusResult, waiting?: WaitGoal): GwError | undefined {
  const nothing = nothingServed(result)
  if (!nothing) return undefined
  // A destroy killed part-way left this on purpose: finishing it is one way on, serving again the other.
  const destroying = result.unfinishedDestroy
    ? `A destroy started at ${result.unfinishedDestroy.time} did not finish: ${result.unfinishedDestroy.ways}.`
    : isStoppedDestroy(result.lock)
      ? `A destroy stopped part-way (its lock holder is gone): ${stoppedDestroyWays(nothing.sha.startsWith('<') ? undefined : nothing.sha, result.env ? ` -e ${result.env}` : '')}.`
      : undefined
  return providerError(
    `nothing is served${waiting ? `, waiting for ${waiting} cannot help` : ''}: ${nothing.why}`,
    {
      hint:
        destroying ??
        nothing.hint ??
        `Restore it with \`gwdeploy release --sha ${nothing.sha}\` (the live SHA).`,
      details: { status: result },
    },
  )
}

/**
 * After a destroy (finished, or stopped part-way) nothing is deployed: no state can be reached until
 * someone releases again, so a wait ends at once (exit 6) rather than at its timeout.
 */
function nothingDeployedError(result: StatusResult, goal: WaitGoal): GwError | undefined {
  const destroy = result.destroyed ?? result.unfinishedDestroy
  if (!destroy || result.colours.some((c) => c.weight > 0)) return undefined
  const how = result.destroyed ? 'was destroyed' : 'is half destroyed: a destroy started'
  return providerError(
    `nothing is deployed, waiting for ${goal} cannot help: the target ${how} at ${destroy.time}${destroy.holder ? ` by ${destroy.holder}` : ''}${result.destroyed ? '' : ' and did not finish'}`,
    { hint: `${destroy.ways}.`, details: { status: result } },
  )
}

/** Is the goal reached? And if not, what is still missing (for progress lines and the timeout error). */
export function goalState(goal: WaitGoal, result: StatusResult): { reached: boolean; missing: string } {
  const serving = result.colours.filter((c) => c.weight > 0)
  const releasing = inProgress(result)
  const unready = (colours: ColourStatus[]) =>
    colours
      .filter((c) => !allHealthy(c))
      .map(
        (c) =>
          `${c.colour}: ${c.nodes.filter((n) => nodeVerdict(n) === 'healthy').length}/${c.nodes.length} nodes healthy`,
      )
  if (goal === 'preview') {
    const preview = result.colours.find((c) => c.role === 'preview')
    if (!preview)
      return { reached: false, missing: 'no preview colour yet (a `release --no-shift` brings one up)' }
    const missing = unready([preview])
    return { reached: missing.length === 0, missing: missing.join(', ') }
  }
  if (serving.length === 0) return { reached: false, missing: 'no colour serves traffic' }
  const missing = unready(serving)
  // what the records say serves does not while clients reach nothing (the router down, say)
  const nothing = nothingServed(result)
  if (nothing) missing.push(`nothing is served: ${nothing.why}`)
  if (goal === 'live') {
    if (serving.length > 1)
      missing.push(`traffic is split (blue ${result.weights.blue}% / green ${result.weights.green}%)`)
    if (releasing) missing.push(releasing)
    for (const part of result.router.unreadable ?? []) missing.push(part.message)
    // Clients get the page, not the release: live again once `maintenance off` routes them.
    if (result.maintenance)
      missing.push(
        `maintenance is on: clients get the ${result.maintenance.status} page (gwdeploy maintenance off)`,
      )
  }
  return { reached: missing.length === 0, missing: missing.join(', ') }
}

export interface WaitOptions {
  goal: WaitGoal
  timeoutMs: number
  intervalMs: number
  signal?: AbortSignal | undefined
  /** Called after every poll that did not reach the goal (for progress output). */
  onWaiting?: (missing: string) => void
}

/**
 * Polls until the goal is reached (returns the status), serving nodes are unhealthy twice in a row
 * (exit 4) or time runs out (exit 7). Nothing served is exit 6 at the first poll, unless a release
 * (or rollback) is running: that may serve again, so the wait goes on.
 */
export async function waitForGoal(
  read: () => Promise<StatusResult>,
  options: WaitOptions,
): Promise<StatusResult> {
  const deadline = Date.now() + options.timeoutMs
  let degradedBefore = false
  for (;;) {
    const result = await read()
    const { reached, missing } = goalState(options.goal, result)
    if (reached) return result
    const nothing = nothingServedError(result, options.goal) ?? nothingDeployedError(result, options.goal)
    if (nothing && !inProgress(result)) throw nothing
    // Nodes that serve nothing are not "degraded" while the run that replaces them is under way.
    const unhealthy = nothing ? [] : unhealthyServing(result)
    if (unhealthy.length && degradedBefore) {
      throw new GwError(
        'degraded',
        ExitCode.healthGate,
        `degraded while waiting for ${options.goal}: ${unhealthy.join('; ')}`,
        {
          hint: 'See `gwdeploy status` and `gwdeploy logs --colour live`; `gwdeploy rollback` moves traffic back.',
          details: { status: result },
        },
      )
    }
    degradedBefore = unhealthy.length > 0
    if (Date.now() + options.intervalMs > deadline) {
      throw new GwError(
        'timed_out',
        ExitCode.timedOut,
        `${options.goal} not reached within ${Math.round(options.timeoutMs / 1000)} s: ${missing}`,
        {
          hint: 'Wait longer with --timeout, or see `gwdeploy status` and `gwdeploy logs`.',
          details: { status: result },
        },
      )
    }
    options.onWaiting?.(missing)
    await sleep(options.intervalMs, options.signal)
  }
}

/** What `status --watch --json` compares: the facts, not probe latencies or timestamps that move every poll. */
function statusFingerprint(result: StatusResult): string {
  return JSON.stringify({
    weights: result.weights,
    router: result.router.present,
    colours: result.colours.map((c) => [
      c.colour,
      c.role,
      c.sha,
      c.configName,
      c.keepUntil,
      c.nodes.map((n) => [n.id, n.provider, nodeVerdict(n), n.health?.name]),
    ]),
    lock: result.lock
      ? [result.lock.holder, result.lock.operation, result.lock.acquiredAt, result.lock.expired]
      : null,
    maintenance: result.maintenance ? [result.maintenance.since, result.maintenance.status] : null,
  })
}

/** Emits the status, then again each time it changes, until the signal aborts. */
export async function watchStatus(
  read: () => Promise<StatusResult>,
  options: { intervalMs: number; signal: AbortSignal; onChange: (result: StatusResult) => void },
): Promise<void> {
  let last: string | undefined
  while (!options.signal.aborted) {
    const result = await read()
    const fingerprint = statusFingerprint(result)
    if (fingerprint !== last) options.onChange(result)
    last = fingerprint
    try {
      await sleep(options.intervalMs, options.signal)
    } catch {
      return
    }
  }
}
