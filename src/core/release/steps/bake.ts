/** Bake: watching green while it takes traffic. The outcome is a value; only a stop (interrupt, lock lost) throws. */
import { probe, sleep } from '../../../health/gate.ts'
import type { Fleet, TrafficSample } from '../../../providers/types.ts'
import { testPoint } from '../../testpoints.ts'
import type { EngineContext } from '../context.ts'
import { providerVerdict } from './verify.ts'

export type BakeOutcome = { ok: true } | { ok: false; reason: string }

const passed: BakeOutcome = { ok: true }

/** One round of checks: the nodes' own health (stamped name), the provider's view, the error ratio. */
type Report = (node: string, status: 'pending' | 'healthy' | 'unhealthy', detail?: string) => void

/** Node health as it changes while baking (the first round reports every node), for the live view. */
function nodeReporter(ctx: EngineContext): Report {
  const seen = new Map<string, string>()
  return (node, status, detail) => {
    if (seen.get(node) === status) return
    seen.set(node, status)
    ctx.reporter.emit({ type: 'node', step: 'shift', node, status, ...(detail ? { detail } : {}) })
  }
}

const viewStatus = (status: string) =>
  status === 'healthy' ? 'healthy' : status === 'starting' ? 'pending' : 'unhealthy'

async function checkOnce(
  ctx: EngineContext,
  fleet: Fleet,
  targets: Array<{ node: string; url: URL }>,
  first: TrafficSample | undefined,
  report: Report,
): Promise<BakeOutcome> {
  const { provider, config } = ctx.target
  const expectName = config.health.expectName ? fleet.configName : undefined
  for (const t of targets) {
    const result = await probe(t.url, config.health.path, config.health.timeout, expectName, ctx.signal)
    report(t.node, result.ok ? 'healthy' : 'unhealthy', result.ok ? undefined : result.detail)
    if (!result.ok) return { ok: false, reason: `${t.node}: ${result.detail}` }
  }
  const view = await provider.nodeHealth(fleet, { signal: ctx.signal })
  if (targets.length === 0) for (const v of view) report(v.node, viewStatus(v.status), v.detail)
  const bad = view.find((v) => v.status === 'gone' || v.status === 'unhealthy')
  if (bad) {
    return {
      ok: false,
      reason: `${bad.node}: ${providerVerdict(bad)}`,
    }
  }
  if (first && provider.traffic) {
    const now = await provider.traffic(fleet.colour, { signal: ctx.signal })
    const requests = now.requests - first.requests
    const errors = now.errors - first.errors
    const ratio = requests > 0 ? errors / requests : 0
    const max = config.shift.maxErrorRatio
    if (requests >= 10 && ratio > max) {
      const percent = (n: number) => (n * 100).toFixed(1)
      return {
        ok: false,
        reason: `error ratio ${percent(ratio)}% (${errors}/${requests}) above ${percent(max)}%`,
      }
    }
  }
  return passed
}

/** Watches green for `ms`. A failed check ends the bake with `{ ok: false }`; an abort throws its reason. */
export async function bake(ctx: EngineContext, fleet: Fleet, ms: number): Promise<BakeOutcome> {
  const { provider, config } = ctx.target
  if (ms <= 0) return passed
  await testPoint('bake', ctx.signal)
  ctx.reporter.emit({ type: 'progress', step: 'shift', message: `baking for ${Math.round(ms / 100) / 10} s` })
  const end = Date.now() + ms
  ctx.reporter.emit({ type: 'bake', step: 'shift', colour: fleet.colour, durationMs: ms, endsAt: end })
  const report = nodeReporter(ctx)
  const targets = await provider.probeTargets(fleet)
  const first = provider.traffic ? await provider.traffic(fleet.colour, { signal: ctx.signal }) : undefined
  for (;;) {
    const wait = Math.min(config.health.interval, end - Date.now())
    if (wait > 0) await sleep(wait, ctx.signal)
    const outcome = await checkOnce(ctx, fleet, targets, first, report)
    // A probe cut short by an abort is a stop, not a failed check.
    if (ctx.signal.aborted) throw ctx.signal.reason
    if (!outcome.ok || Date.now() >= end) return outcome
  }
}
