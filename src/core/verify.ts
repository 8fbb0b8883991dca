/** The verify and bake steps: health gate, smoke checks, and watching green while it takes traffic. */
import { type GateTarget, probe, runHealthGate, sleep } from '../health/gate.ts'
import { runSmokeChecks } from '../health/smoke.ts'
import type { Fleet } from '../providers/types.ts'
import type { EngineContext } from './engine.ts'
import { GwError, healthGateError, providerError } from './errors.ts'
import { ExitCode } from './exit-codes.ts'
import { testPoint } from './testpoints.ts'

export interface GateSettings {
  rise?: number
  deadlineMs?: number
}

/** Health gate over every green node (direct probes, provider health, preview + smoke). Throws exit 4. */
export async function verifyFleet(
  ctx: EngineContext,
  fleet: Fleet,
  options: GateSettings & { smoke: boolean } = { smoke: true },
): Promise<void> {
  const { target, reporter, signal } = ctx
  const { provider, config } = target
  const health = config.health
  const settings = {
    path: health.path,
    intervalMs: health.interval,
    timeoutMs: health.timeout,
    rise: options.rise ?? health.rise,
    deadlineMs: options.deadlineMs ?? health.deadline,
    expectName: health.expectName ? fleet.configName : undefined,
  }
  const started = Date.now()
  const failures: Array<{ node: string; detail: string }> = []
  const targets: GateTarget[] = await provider.probeTargets(fleet)
  if (targets.length > 0) {
    reporter.emit({
      type: 'progress',
      step: 'verify',
      message: `checking ${targets.length} node(s) at ${health.path}`,
    })
    const result = await runHealthGate(targets, settings, {
      signal,
      onNode: (node, status, detail) => reporter.emit({ type: 'node', step: 'verify', node, status, detail }),
      fatal: async (node) => {
        const view = await provider.nodeHealth({ ...fleet, nodes: fleet.nodes.filter((n) => n.id === node) })
        const gone = view.find((v) => v.status === 'gone')
        return gone ? `node is gone: ${gone.detail ?? 'stopped'}` : undefined
      },
    })
    for (const node of result.nodes) if (!node.ok) failures.push({ node: node.node, detail: node.detail })
  }
  // The provider's own view must agree (ALB target health, pod readiness, process alive).
  if (failures.length === 0) {
    const deadline = started + settings.deadlineMs
    for (;;) {
      const view = await provider.nodeHealth(fleet, { signal })
      const bad = view.filter((v) => v.status !== 'healthy')
      if (bad.length === 0) break
      if (Date.now() >= deadline || bad.some((v) => v.status === 'gone' || v.status === 'unhealthy')) {
        if (Date.now() >= deadline || bad.every((v) => v.status === 'gone')) {
          for (const v of bad)
            failures.push({
              node: v.node,
              detail: `provider reports ${v.status}${v.detail ? `: ${v.detail}` : ''}`,
            })
          break
        }
      }
      await sleep(settings.intervalMs, signal)
    }
  }
  let previewUrl: URL | undefined
  if (failures.length === 0 && (targets.length === 0 || (options.smoke && config.smoke.length > 0))) {
    previewUrl = await provider.preview(fleet.colour, { signal })
  }
  // Without direct probes, the stamped name is proven through the preview route; a provider
  // without one (AWS without a test listener) can only gate on its own health checks.
  if (failures.length === 0 && targets.length === 0 && previewUrl) {
    const result = await runHealthGate([{ node: `${fleet.colour} (preview)`, url: previewUrl }], settings, {
      signal,
    })
    for (const node of result.nodes) if (!node.ok) failures.push({ node: node.node, detail: node.detail })
  } else if (failures.length === 0 && targets.length === 0) {
    if (settings.expectName !== undefined) {
      throw providerError(
        `provider ${provider.id} can neither reach nodes nor offer a preview route: the stamped name cannot be proven`,
        { hint: "Configure the provider's preview route, or set health.expectName: false." },
      )
    }
    reporter.emit({
      type: 'warn',
      message: `${provider.id} has no preview route: green passed on the provider's health checks only (health.expectName is off)`,
    })
  }
  if (failures.length === 0 && options.smoke && config.smoke.length > 0) {
    // Through the preview route when there is one, else against every green node directly.
    const bases = previewUrl
      ? [{ label: '', url: previewUrl }]
      : targets.map((t) => ({ label: ` on ${t.node}`, url: t.url }))
    if (bases.length === 0) {
      failures.push({
        node: 'smoke checks',
        detail: `provider ${provider.id} has neither a preview route nor reachable nodes to run them against`,
      })
    }
    for (const base of bases) {
      reporter.emit({
        type: 'progress',
        step: 'verify',
        message: `${config.smoke.length} smoke check(s) via ${base.url.origin}`,
      })
      const results = await runSmokeChecks(base.url, config.smoke, health.timeout, signal)
      for (const r of results)
        if (!r.ok) failures.push({ node: `smoke "${r.check}"${base.label}`, detail: r.detail })
    }
  }
  if (failures.length === 0) return
  const logs: string[] = []
  if (provider.logs) {
    for (const failure of failures) {
      const node = fleet.nodes.find((n) => n.id === failure.node)
      if (!node) continue
      const text = await provider.logs(node, 20).catch(() => '')
      if (text) logs.push(`--- last log lines of ${node.id} ---\n${text}`)
    }
  }
  const first = failures[0] as { node: string; detail: string }
  throw healthGateError(
    `green (${fleet.colour}, ${fleet.sha.slice(0, 7)}) failed its health gate: ${first.node}: ${first.detail}`,
    {
      problems: failures.map((f) => ({ message: `${f.node}: ${f.detail}` })),
      hint: `Traffic was not touched.${logs.length ? `\n${logs.join('\n')}` : ''}`,
      details: { failures, colour: fleet.colour, sha: fleet.sha },
    },
  )
}

/** Watches green for `ms`: health (name), provider view, error ratio. Throws a GwError on failure. */
export async function bake(ctx: EngineContext, fleet: Fleet, ms: number): Promise<void> {
  const { target, reporter, signal } = ctx
  const { provider, config } = target
  if (ms <= 0) return
  await testPoint('bake', signal)
  reporter.emit({ type: 'progress', step: 'shift', message: `baking for ${Math.round(ms / 100) / 10} s` })
  const end = Date.now() + ms
  reporter.emit({ type: 'bake', step: 'shift', colour: fleet.colour, durationMs: ms, endsAt: end })
  // Node health as it changes while baking (the first probe reports every node).
  const seen = new Map<string, string>()
  const report = (node: string, status: 'pending' | 'healthy' | 'unhealthy', detail?: string) => {
    if (seen.get(node) === status) return
    seen.set(node, status)
    reporter.emit({ type: 'node', step: 'shift', node, status, ...(detail ? { detail } : {}) })
  }
  const targets = await provider.probeTargets(fleet)
  const first = provider.traffic ? await provider.traffic(fleet.colour) : undefined
  const expectName = config.health.expectName ? fleet.configName : undefined
  for (;;) {
    const wait = Math.min(config.health.interval, end - Date.now())
    if (wait > 0) await sleep(wait, signal)
    for (const t of targets) {
      const result = await probe(t.url, config.health.path, config.health.timeout, expectName, signal)
      report(t.node, result.ok ? 'healthy' : 'unhealthy', result.ok ? undefined : result.detail)
      if (!result.ok) throw new GwError('bake', ExitCode.rolledBack, `${t.node}: ${result.detail}`)
    }
    const view = await provider.nodeHealth(fleet, { signal })
    const bad = view.find((v) => v.status === 'gone' || v.status === 'unhealthy')
    if (targets.length === 0)
      for (const v of view)
        report(
          v.node,
          v.status === 'healthy' ? 'healthy' : v.status === 'starting' ? 'pending' : 'unhealthy',
          v.detail,
        )
    if (bad)
      throw new GwError(
        'bake',
        ExitCode.rolledBack,
        `${bad.node}: provider reports ${bad.status}${bad.detail ? ` (${bad.detail})` : ''}`,
      )
    if (first && provider.traffic) {
      const now = await provider.traffic(fleet.colour)
      const requests = now.requests - first.requests
      const errors = now.errors - first.errors
      const ratio = requests > 0 ? errors / requests : 0
      if (requests >= 10 && ratio > config.shift.maxErrorRatio) {
        throw new GwError(
          'bake',
          ExitCode.rolledBack,
          `error ratio ${(ratio * 100).toFixed(1)}% (${errors}/${requests}) above ${(config.shift.maxErrorRatio * 100).toFixed(1)}%`,
        )
      }
    }
    if (Date.now() >= end) return
  }
}
