/** The verify step: health gate over every green node, the provider's own view, preview and smoke checks. */
import { type GateTarget, runHealthGate, sleep } from '../../../health/gate.ts'
import { runSmokeChecks } from '../../../health/smoke.ts'
import type { Fleet, NodeHealth } from '../../../providers/types.ts'
import { healthGateError, providerError } from '../../errors.ts'
import type { EngineContext } from '../context.ts'

export interface GateSettings {
  rise?: number
  deadlineMs?: number
  /** Only the nodes' own answers: addresses HAProxy's slots may not point at yet (servers mode). */
  directOnly?: boolean
}

interface Failure {
  node: string
  detail: string
}

type Settings = ReturnType<typeof gateSettings>

/** A quick check of nodes already up (the colour a rollback goes back to): one success, a few seconds at most. */
export const quickGate = (ctx: EngineContext): Required<Omit<GateSettings, 'directOnly'>> => ({
  rise: 1,
  deadlineMs: Math.min(ctx.target.config.health.deadline, 5_000),
})

function gateSettings(ctx: EngineContext, fleet: Fleet, options: GateSettings) {
  const health = ctx.target.config.health
  return {
    path: health.path,
    intervalMs: health.interval,
    timeoutMs: health.timeout,
    rise: options.rise ?? health.rise,
    deadlineMs: options.deadlineMs ?? health.deadline,
    expectName: health.expectName ? fleet.configName : undefined,
  }
}

/** Direct probes of every node the provider lets us reach. */
async function probeNodes(ctx: EngineContext, fleet: Fleet, targets: GateTarget[], settings: Settings) {
  const { provider, config } = ctx.target
  const failures: Failure[] = []
  if (targets.length === 0) return failures
  ctx.reporter.emit({
    type: 'progress',
    step: 'verify',
    message: `checking ${targets.length} node(s) at ${config.health.path}`,
  })
  const result = await runHealthGate(targets, settings, {
    signal: ctx.signal,
    onNode: (node, status, detail) =>
      ctx.reporter.emit({ type: 'node', step: 'verify', node, status, detail }),
    fatal: async (node) => {
      const view = await provider.nodeHealth(
        { ...fleet, nodes: fleet.nodes.filter((n) => n.id === node) },
        { signal: ctx.signal },
      )
      const gone = view.find((v) => v.status === 'gone')
      return gone ? `node is gone: ${gone.detail ?? 'stopped'}` : undefined
    },
  })
  for (const node of result.nodes) if (!node.ok) failures.push({ node: node.node, detail: node.detail })
  return failures
}

/**
 * What the provider says of a node, once: its status, then its reason (`provider reports unhealthy:
 * the ALB's health checks fail (...)`); the node is named by whoever shows it.
 */
export const providerVerdict = (v: NodeHealth) =>
  `provider reports ${v.status}${v.detail ? `: ${v.detail}` : ''}`

/** The provider's own view must agree (ALB target health, pod readiness, process alive). */
async function providerAgrees(ctx: EngineContext, fleet: Fleet, settings: Settings, started: number) {
  const deadline = started + settings.deadlineMs
  for (;;) {
    const view = await ctx.target.provider.nodeHealth(fleet, { signal: ctx.signal })
    const bad = view.filter((v) => v.status !== 'healthy')
    if (bad.length === 0) return []
    const expired = Date.now() >= deadline
    if (expired || bad.every((v) => v.status === 'gone') || bad.some((v) => v.final)) {
      // The nodes that decided it first: the error names the first failure.
      const deciding = [...bad.filter((v) => v.final), ...bad.filter((v) => !v.final)]
      return deciding.map((v) => ({ node: v.node, detail: providerVerdict(v) }))
    }
    await sleep(settings.intervalMs, ctx.signal)
  }
}

/** Without direct probes, the stamped name is proven through the preview route. */
async function previewGate(
  ctx: EngineContext,
  fleet: Fleet,
  settings: Settings,
  previewUrl: URL | undefined,
) {
  const { provider } = ctx.target
  if (previewUrl) {
    const node = `${fleet.colour} (preview)`
    const result = await runHealthGate([{ node, url: previewUrl }], settings, { signal: ctx.signal })
    return result.nodes.filter((n) => !n.ok).map((n) => ({ node: n.node, detail: n.detail }))
  }
  // A provider without one (AWS without a test listener) can only gate on its own health checks.
  if (settings.expectName !== undefined) {
    throw providerError(
      `provider ${provider.id} can neither reach nodes nor offer a preview route: the stamped name cannot be proven`,
      { hint: "Configure the provider's preview route, or set health.expectName: false." },
    )
  }
  ctx.reporter.emit({
    type: 'warn',
    message: `${provider.id} has no preview route: green passed on the provider's health checks only (health.expectName is off)`,
  })
  return []
}

/** Smoke checks through the preview route when there is one, else against every green node directly. */
async function smokeChecks(ctx: EngineContext, targets: GateTarget[], previewUrl: URL | undefined) {
  const { provider, config } = ctx.target
  const bases = previewUrl
    ? [{ label: '', url: previewUrl }]
    : targets.map((t) => ({ label: ` on ${t.node}`, url: t.url }))
  if (bases.length === 0) {
    const detail = `provider ${provider.id} has neither a preview route nor reachable nodes to run them against`
    return [{ node: 'smoke checks', detail }]
  }
  const failures: Failure[] = []
  for (const base of bases) {
    ctx.reporter.emit({
      type: 'progress',
      step: 'verify',
      message: `${config.smoke.length} smoke check(s) via ${base.url.origin}`,
    })
    const results = await runSmokeChecks(base.url, config.smoke, config.health.timeout, ctx.signal)
    for (const r of results)
      if (!r.ok) failures.push({ node: `smoke "${r.check}"${base.label}`, detail: r.detail })
  }
  return failures
}

async function gateError(ctx: EngineContext, fleet: Fleet, failures: Failure[]) {
  const { provider } = ctx.target
  const logs: string[] = []
  for (const failure of provider.logs ? failures : []) {
    const node = fleet.nodes.find((n) => n.id === failure.node)
    const text = node ? await provider.logs?.(node, 20, { signal: ctx.signal }).catch(() => '') : ''
    if (node && text) logs.push(`--- last log lines of ${node.id} ---\n${text}`)
  }
  const first = failures[0] as Failure
  return healthGateError(
    `green (${fleet.colour}, ${fleet.sha.slice(0, 7)}) failed its health gate: ${first.node}: ${first.detail}`,
    {
      problems: failures.map((f) => ({ message: `${f.node}: ${f.detail}` })),
      hint: `Traffic was not touched.${logs.length ? `\n${logs.join('\n')}` : ''}`,
      details: { failures, colour: fleet.colour, sha: fleet.sha },
    },
  )
}

/** Health gate over every green node (direct probes, provider health, preview + smoke). Throws exit 4. */
export async function verifyFleet(
  ctx: EngineContext,
  fleet: Fleet,
  options: GateSettings & { smoke: boolean } = { smoke: true },
): Promise<void> {
  const { provider, config } = ctx.target
  const settings = gateSettings(ctx, fleet, options)
  const started = Date.now()
  const targets = await provider.probeTargets(fleet)
  let failures = await probeNodes(ctx, fleet, targets, settings)
  if (failures.length === 0 && !options.directOnly)
    failures = await providerAgrees(ctx, fleet, settings, started)
  const smoke = options.smoke && config.smoke.length > 0
  const previewUrl =
    failures.length === 0 && (targets.length === 0 || smoke)
      ? await provider.preview(fleet.colour, { signal: ctx.signal })
      : undefined
  if (failures.length === 0 && targets.length === 0)
    failures = await previewGate(ctx, fleet, settings, previewUrl)
  if (failures.length === 0 && smoke) failures = await smokeChecks(ctx, targets, previewUrl)
  if (failures.length > 0) throw await gateError(ctx, fleet, failures)
}
