/**
 * The release engine: resolve -> lock -> stamp -> build -> plan -> provision -> verify ->
 * shift (+bake) -> finalize -> unlock, plus promote and rollback, provider-agnostic.
 *
 * Convergence: nothing is remembered between runs except what the provider reports
 * (inspect) — a re-run after a crash at any step re-reads the state and continues:
 * a colour already running the SHA is reused (re-verified), a half-done shift is resumed
 * after re-verifying green, a release already at 100% is finalized if it was not.
 * Invariants: traffic only goes to a colour that passed the health gate in this run; the
 * serving colour is never decommissioned; the lock is always released.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { type GateTarget, probe, runHealthGate, sleep } from '../health/gate.ts'
import { runSmokeChecks } from '../health/smoke.ts'
import { stampGatewayConfig } from '../image/stamp.ts'
import {
  type Artifact,
  COLOURS,
  type Colour,
  type Fleet,
  type FleetSpec,
  otherColour,
  type TargetState,
  type Weights,
} from '../providers/types.ts'
import { GwError, healthGateError, isGwError, providerError, rolledBackError, usageError } from './errors.ts'
import { type EngineEvent, type Reporter, step } from './events.ts'
import { ExitCode } from './exit-codes.ts'
import { resolveSha } from './git.ts'
import { appendHistory, type HistoryEntry, readHistory } from './history.ts'
import { HookError, runHooks } from './hooks.ts'
import { acquireLock, type HeldLock } from './lock.ts'
import { resolveGatewayRuntime } from './runtime.ts'
import { lockHolder, type Target } from './target.ts'
import { testPoint } from './testpoints.ts'

export interface EngineContext {
  target: Target
  reporter: Reporter
  signal: AbortSignal
}

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
}

export interface ReleaseResult {
  status: 'released' | 'unchanged' | 'planned' | 'preview' | 'switched'
  sha: string
  configName: string
  colour: Colour
  previous: { colour: Colour; sha: string } | null
  weights: Weights
  endpoint?: string | undefined
  preview?: string | undefined
  plan?: PlanSummary
  durationMs: number
}

/** The colour that serves: the one with the larger weight (none when both are 0). */
export function servingColour(weights: Weights): Colour | null {
  if (weights.blue <= 0 && weights.green <= 0) return null
  return weights.green > weights.blue ? 'green' : 'blue'
}

export function splitWeights(green: Colour, greenWeight: number, hasServing: boolean): Weights {
  const other = otherColour(green)
  const weights = { blue: 0, green: 0 } as Weights
  weights[green] = greenWeight
  weights[other] = hasServing ? 100 - greenWeight : 0
  return weights
}

const emitter = (reporter: Reporter) => (event: EngineEvent) => reporter.emit(event)

async function withLock<T>(
  ctx: EngineContext,
  operation: string,
  sha: string | undefined,
  waitMs: number,
  fn: (lock: HeldLock) => Promise<T>,
): Promise<T> {
  const { target, reporter, signal } = ctx
  await testPoint('lock', signal)
  const lock = await step(reporter, 'lock', () =>
    acquireLock(
      target.provider.lock(),
      { holder: lockHolder(), operation, ttlMs: target.config.lock.ttl, ...(sha ? { sha } : {}) },
      { waitMs, signal, emit: emitter(reporter) },
    ),
  )
  try {
    return await fn(lock)
  } finally {
    await testPoint('unlock')
    reporter.emit({ type: 'step', step: 'unlock', status: 'running' })
    await lock.release().catch((error: Error) => {
      reporter.emit({ type: 'warn', message: `could not release the lock: ${error.message}` })
    })
    reporter.emit({ type: 'step', step: 'unlock', status: 'done' })
  }
}

function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason
}

/** Artifacts by SHA, so rollback can re-release a SHA whose colour is gone. A local convenience. */
async function saveArtifact(stateDir: string, artifact: Artifact): Promise<void> {
  const dir = join(stateDir, 'artifacts')
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const { runtime: _runtime, ...portable } = artifact
  await writeFile(join(dir, `${artifact.sha}.json`), `${JSON.stringify(portable)}\n`, { mode: 0o600 })
}

async function loadArtifact(stateDir: string, sha: string): Promise<Artifact | undefined> {
  try {
    return JSON.parse(await readFile(join(stateDir, 'artifacts', `${sha}.json`), 'utf8')) as Artifact
  } catch {
    return undefined
  }
}

async function makeArtifact(ctx: EngineContext, sha: string, version: string): Promise<Artifact> {
  const { target } = ctx
  const stamped = await stampGatewayConfig({
    file: resolve(target.dir, target.config.gateway.config),
    template: target.config.gateway.name,
    service: target.config.service,
    sha,
    env: target.env,
  })
  for (const warning of stamped.warnings) ctx.reporter.emit({ type: 'warn', message: warning })
  void version
  return {
    sha: stamped.sha,
    sha7: stamped.sha7,
    configName: stamped.name,
    configDigest: stamped.digest,
    configText: stamped.json,
  }
}

async function buildArtifact(ctx: EngineContext, artifact: Artifact): Promise<Artifact> {
  const { target, reporter } = ctx
  if (!target.provider.capabilities.image) {
    const runtime = await resolveGatewayRuntime()
    reporter.emit({
      type: 'step',
      step: 'build',
      status: 'skipped',
      detail: `${target.provider.id} runs the ${runtime.bundled ? 'runtime bundle' : 'runtime'} directly`,
    })
    return { ...artifact, runtime }
  }
  if (artifact.image) {
    reporter.emit({ type: 'step', step: 'build', status: 'skipped', detail: `reusing ${artifact.image}` })
    return artifact
  }
  const { config } = target
  const repository = config.image.repository
  if (!repository) {
    throw usageError(`provider ${target.provider.id} deploys images: set image.repository in gwdeploy.yml`)
  }
  // Loaded lazily: dockerode and the build machinery are only needed by image-based providers.
  const { buildImage } = await import('../image/build.ts')
  const built = await step(reporter, 'build', () =>
    buildImage(
      {
        service: config.service,
        sha: artifact.sha,
        env: target.env,
        gatewayConfig: resolve(target.dir, config.gateway.config),
        nameTemplate: config.gateway.name,
        repository,
        base: config.image.base,
        runtime: config.image.runtime,
        port: config.fleet.port,
        push: config.image.push,
      },
      { reporter, signal: ctx.signal },
    ),
  )
  if (built.configDigest !== artifact.configDigest) {
    throw providerError(
      `the image's config digest ${built.configDigest} differs from the stamped ${artifact.configDigest}`,
    )
  }
  const image = built.digest ?? built.reference
  reporter.emit({ type: 'info', message: `${built.reused ? 'reusing' : 'built'} ${image}` })
  return { ...artifact, image }
}

function fleetMatches(fleet: Fleet | undefined, artifact: Artifact): boolean {
  return fleet !== undefined && fleet.sha === artifact.sha && fleet.configDigest === artifact.configDigest
}

/** Where green goes and what has to happen first. Pure: tested without a provider. */
export function planRelease(
  state: Pick<TargetState, 'fleets' | 'weights'>,
  artifact: Pick<Artifact, 'sha' | 'configDigest'>,
): {
  green: Colour
  serving: Colour | null
  unchanged: boolean
  revertFirst: boolean
  replace: Fleet | undefined
} {
  const serving = servingColour(state.weights)
  const match = COLOURS.find((colour) => fleetMatches(state.fleets[colour], artifact as Artifact))
  if (match && state.weights[match] === 100) {
    return { green: match, serving: match, unchanged: true, revertFirst: false, replace: undefined }
  }
  let green: Colour
  if (match && (match !== serving || state.weights[match] > 0)) green = match
  else if (serving) green = otherColour(serving)
  else green = state.fleets.blue && !state.fleets.green ? 'green' : 'blue'
  const current = serving === green ? otherColour(green) : serving
  const greenFleet = state.fleets[green]
  const isTarget = fleetMatches(greenFleet, artifact as Artifact)
  // Green carries traffic from an abandoned release of another SHA: back to the serving colour first.
  const revertFirst = !isTarget && state.weights[green] > 0
  return {
    green,
    serving: current && state.weights[current] > 0 ? current : null,
    unchanged: false,
    revertFirst,
    replace: greenFleet && !isTarget ? greenFleet : undefined,
  }
}

interface GateSettings {
  rise?: number
  deadlineMs?: number
}

/** Health gate over every green node (direct probes, provider health, preview + smoke). Throws exit 4. */
async function verifyFleet(
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
  // Without direct probes, the stamped name is proven through the preview route.
  if (failures.length === 0 && targets.length === 0) {
    if (!previewUrl) {
      throw providerError(`provider ${provider.id} can neither reach nodes nor offer a preview route`)
    }
    const result = await runHealthGate([{ node: `${fleet.colour} (preview)`, url: previewUrl }], settings, {
      signal,
    })
    for (const node of result.nodes) if (!node.ok) failures.push({ node: node.node, detail: node.detail })
  }
  if (failures.length === 0 && options.smoke && config.smoke.length > 0 && previewUrl) {
    reporter.emit({
      type: 'progress',
      step: 'verify',
      message: `${config.smoke.length} smoke check(s) via ${previewUrl.origin}`,
    })
    const results = await runSmokeChecks(previewUrl, config.smoke, health.timeout, signal)
    for (const r of results) if (!r.ok) failures.push({ node: `smoke "${r.check}"`, detail: r.detail })
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
async function bake(ctx: EngineContext, fleet: Fleet, ms: number): Promise<void> {
  const { target, reporter, signal } = ctx
  const { provider, config } = target
  if (ms <= 0) return
  await testPoint('bake', signal)
  reporter.emit({ type: 'progress', step: 'shift', message: `baking for ${Math.round(ms / 100) / 10} s` })
  const end = Date.now() + ms
  const targets = await provider.probeTargets(fleet)
  const first = provider.traffic ? await provider.traffic(fleet.colour) : undefined
  const expectName = config.health.expectName ? fleet.configName : undefined
  for (;;) {
    const wait = Math.min(config.health.interval, end - Date.now())
    if (wait > 0) await sleep(wait, signal)
    for (const t of targets) {
      const result = await probe(t.url, config.health.path, config.health.timeout, expectName, signal)
      if (!result.ok) throw new GwError('bake', ExitCode.rolledBack, `${t.node}: ${result.detail}`)
    }
    const view = await provider.nodeHealth(fleet, { signal })
    const bad = view.find((v) => v.status === 'gone' || v.status === 'unhealthy')
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

function stepsFor(ctx: EngineContext, options: ReleaseOptions, hasServing: boolean): number[] {
  const { config, provider } = ctx.target
  let steps = options.steps ?? (config.shift.strategy === 'steps' ? config.shift.steps : [100])
  if (steps.at(-1) !== 100) steps = [...steps, 100]
  if (!hasServing) return [100]
  if (!provider.capabilities.weights && steps.length > 1) {
    ctx.reporter.emit({ type: 'warn', message: `${provider.id} routes 0/100 only: shifting all at once` })
    return [100]
  }
  return steps
}

async function recordHistory(
  ctx: EngineContext,
  entry: Omit<HistoryEntry, 'time' | 'service' | 'env'>,
): Promise<void> {
  const { target } = ctx
  await appendHistory(target.stateDir, {
    time: new Date().toISOString(),
    service: target.config.service,
    env: target.env,
    ...entry,
  }).catch((error: Error) =>
    ctx.reporter.emit({ type: 'warn', message: `could not write history: ${error.message}` }),
  )
}

async function revertTraffic(ctx: EngineContext, green: Colour, serving: Colour | null): Promise<Weights> {
  const weights = splitWeights(green, 0, serving !== null)
  await ctx.target.provider.route(weights)
  ctx.reporter.emit({ type: 'weights', weights })
  return weights
}

async function finalize(
  ctx: EngineContext,
  green: Fleet,
  previous: Fleet | undefined,
  entry: Omit<HistoryEntry, 'time' | 'service' | 'env'>,
): Promise<void> {
  const { target, reporter } = ctx
  await testPoint('finalize', ctx.signal)
  await step(reporter, 'finalize', async () => {
    await target.provider.annotate(green.colour, { keepUntil: undefined })
    if (previous) {
      const keepUntil = new Date(Date.now() + target.config.shift.keep).toISOString()
      await target.provider.annotate(previous.colour, { keepUntil })
      reporter.emit({
        type: 'info',
        message: `previous ${previous.colour} (${previous.sha.slice(0, 7)}) kept for rollback until ${keepUntil}`,
      })
    }
    await recordHistory(ctx, entry)
  })
}

/** `gwdeploy release`. */
export async function release(
  ctx: EngineContext,
  options: ReleaseOptions,
  preset?: Artifact,
): Promise<ReleaseResult> {
  const { target, reporter } = ctx
  const started = Date.now()
  const resolved = preset
    ? { sha: preset.sha, version: preset.sha, dirty: false }
    : await step(reporter, 'resolve', () =>
        resolveSha({ sha: options.sha, allowDirty: options.allowDirty ?? false, cwd: target.dir }),
      )
  if (options.dryRun) {
    return planOnly(ctx, resolved.sha, resolved.version, preset)
  }
  return withLock(ctx, preset ? 'rollback' : 'release', resolved.sha, options.lockWaitMs ?? 0, (lock) =>
    runRelease(ctx, options, resolved, started, lock, preset),
  )
}

async function planOnly(
  ctx: EngineContext,
  sha: string,
  version: string,
  preset?: Artifact,
): Promise<ReleaseResult> {
  const { target, reporter } = ctx
  const artifact = preset ?? (await step(reporter, 'stamp', () => makeArtifact(ctx, sha, version)))
  const state = await step(reporter, 'plan', () => target.provider.inspect())
  const plan = describePlan(ctx, state, artifact, version, {})
  return {
    status: 'planned',
    sha,
    configName: artifact.configName,
    colour: plan.green,
    previous:
      plan.serving && state.fleets[plan.serving]
        ? { colour: plan.serving, sha: state.fleets[plan.serving]?.sha ?? '' }
        : null,
    weights: state.weights,
    plan,
    durationMs: 0,
  }
}

function describePlan(
  ctx: EngineContext,
  state: TargetState,
  artifact: Artifact,
  version: string,
  options: ReleaseOptions,
): PlanSummary {
  const decided = planRelease(state, artifact)
  const actions: string[] = []
  const steps = stepsFor(ctx, options, decided.serving !== null)
  if (decided.unchanged)
    actions.push(`${artifact.sha.slice(0, 7)} is already live on ${decided.green}: nothing to do`)
  else {
    if (decided.revertFirst)
      actions.push(`revert traffic to ${decided.serving} (abandoned shift to ${decided.green})`)
    if (decided.replace)
      actions.push(`decommission idle ${decided.green} (${decided.replace.sha.slice(0, 7)})`)
    actions.push(`provision ${ctx.target.config.fleet.size} node(s) on ${decided.green}`)
    actions.push(`verify health gate${ctx.target.config.smoke.length ? ' and smoke checks' : ''}`)
    if (options.noShift) actions.push(`preview only: ${decided.green} gets no traffic`)
    else actions.push(`shift traffic to ${decided.green}: ${steps.join('% -> ')}%`)
  }
  const servingFleet = decided.serving ? state.fleets[decided.serving] : undefined
  return {
    sha: artifact.sha,
    version,
    configName: artifact.configName,
    configDigest: artifact.configDigest,
    green: decided.green,
    serving: decided.serving,
    previousSha: servingFleet?.sha ?? null,
    actions,
    steps,
  }
}

async function runRelease(
  ctx: EngineContext,
  options: ReleaseOptions,
  resolved: { sha: string; version: string },
  started: number,
  lock: HeldLock,
  preset?: Artifact,
): Promise<ReleaseResult> {
  const { target, reporter, signal } = ctx
  const { provider, config } = target
  const operation = preset ? ('rollback' as const) : ('release' as const)
  await testPoint('stamp', signal)
  let artifact =
    preset ?? (await step(reporter, 'stamp', () => makeArtifact(ctx, resolved.sha, resolved.version)))
  if (preset)
    reporter.emit({
      type: 'step',
      step: 'stamp',
      status: 'skipped',
      detail: `reusing ${artifact.configName}`,
    })
  checkAborted(signal)
  await testPoint('build', signal)
  artifact = await buildArtifact(ctx, artifact)
  await saveArtifact(target.stateDir, artifact)
  checkAborted(signal)
  await testPoint('plan', signal)
  const state = await step(reporter, 'plan', () => provider.inspect({ signal }))
  const plan = describePlan(ctx, state, artifact, resolved.version, options)
  const decided = planRelease(state, artifact)
  const green = decided.green
  const serving = decided.serving
  const previousFleet = serving ? state.fleets[serving] : undefined
  const previous = previousFleet ? { colour: previousFleet.colour, sha: previousFleet.sha } : null
  for (const action of plan.actions) reporter.emit({ type: 'progress', step: 'plan', message: action })
  const hookValues = {
    sha: artifact.sha,
    colour: green,
    previousSha: previous?.sha,
    service: config.service,
    env: target.env,
  }
  const base = {
    operation,
    sha: artifact.sha,
    version: resolved.version,
    configName: artifact.configName,
    configDigest: artifact.configDigest,
    image: artifact.image,
    colour: green,
    previous: previous ?? undefined,
    holder: lock.info.holder,
  }

  if (decided.unchanged) {
    // Converge: a crash between the last route and finalize leaves no history entry.
    const history = await readHistory(target.stateDir)
    const last = [...history].reverse().find((e) => e.status === 'released' || e.status === 'switched')
    const fleet = state.fleets[green] as Fleet
    if (!last || last.sha !== artifact.sha) {
      const other = state.fleets[otherColour(green)]
      await finalize(ctx, fleet, other, {
        ...base,
        previous: other ? { colour: other.colour, sha: other.sha } : undefined,
        status: preset ? 'switched' : 'released',
        weights: state.weights,
        durationMs: Date.now() - started,
      })
    } else
      reporter.emit({
        type: 'info',
        message: `${artifact.sha.slice(0, 7)} is already live on ${green}: nothing to do`,
      })
    return {
      status: 'unchanged',
      sha: artifact.sha,
      configName: artifact.configName,
      colour: green,
      previous,
      weights: state.weights,
      endpoint: state.router.endpoint,
      plan,
      durationMs: Date.now() - started,
    }
  }

  let weights = state.weights
  let greenFleet: Fleet | undefined
  let routedGreen = state.weights[green] > 0 && !decided.revertFirst
  const fail = async (error: unknown): Promise<never> => {
    const gw = isGwError(error) ? error : undefined
    const interrupted = gw?.exitCode === ExitCode.interrupted
    if (!interrupted && greenFleet) {
      if (routedGreen) {
        weights = await revertTraffic(ctx, green, serving).catch(() => weights)
        routedGreen = false
      }
      if (!options.keepFailed && weights[green] === 0) {
        reporter.emit({
          type: 'info',
          message: `tearing down ${green} (use --keep-failed to keep it for debugging)`,
        })
        await provider.decommission(greenFleet, { drainMs: 1_000 }).catch((e: Error) => {
          reporter.emit({ type: 'warn', message: `could not tear down ${green}: ${e.message}` })
        })
      }
    }
    if (!interrupted && config.hooks.onFailure.length) {
      await runHooks('onFailure', config.hooks.onFailure, hookValues, {
        cwd: target.dir,
        emit: emitter(reporter),
      }).catch((e: Error) => reporter.emit({ type: 'warn', message: e.message }))
    }
    await recordHistory(ctx, {
      ...base,
      status: interrupted ? 'interrupted' : gw?.exitCode === ExitCode.rolledBack ? 'rolled-back' : 'failed',
      weights,
      durationMs: Date.now() - started,
      error: gw?.message ?? (error as Error).message,
      exitCode: gw?.exitCode ?? 1,
    })
    throw error
  }

  try {
    if (decided.revertFirst) {
      reporter.emit({
        type: 'info',
        message: `reverting traffic to ${serving}: ${green} carries an abandoned release`,
      })
      weights = await revertTraffic(ctx, green, serving)
    }
    if (!preset && config.hooks.preRelease.length) {
      await step(reporter, 'pre-release hooks', () =>
        runHooks('preRelease', config.hooks.preRelease, hookValues, {
          cwd: target.dir,
          signal,
          emit: emitter(reporter),
        }),
      )
    }
    if (decided.replace) {
      const replace = decided.replace
      await step(reporter, 'retire idle', () =>
        provider.decommission(replace, {
          drainMs: 2_000,
          signal,
          progress: (m) => reporter.emit({ type: 'progress', step: 'retire idle', message: m }),
        }),
      )
    }
    checkAborted(signal)
    await testPoint('provision', signal)
    const spec: FleetSpec = {
      service: config.service,
      env: target.env,
      colour: green,
      artifact,
      size: config.fleet.size,
      port: config.fleet.port,
      healthPath: config.health.path,
    }
    greenFleet = await step(reporter, 'provision', () =>
      provider.provision(spec, {
        signal,
        progress: (m) => reporter.emit({ type: 'progress', step: 'provision', message: m }),
      }),
    )
    checkAborted(signal)
    await testPoint('verify', signal)
    const verified = greenFleet
    await step(reporter, 'verify', () => verifyFleet(ctx, verified, { smoke: true }))
    checkAborted(signal)

    if (options.noShift) {
      const previewUrl = provider.capabilities.preview ? await provider.preview(green, { signal }) : undefined
      reporter.emit({
        type: 'step',
        step: 'shift',
        status: 'skipped',
        detail: `preview only${previewUrl ? `: ${previewUrl.origin}` : ''}`,
      })
      await recordHistory(ctx, { ...base, status: 'preview', weights, durationMs: Date.now() - started })
      return {
        status: 'preview',
        sha: artifact.sha,
        configName: artifact.configName,
        colour: green,
        previous,
        weights,
        ...(previewUrl ? { preview: previewUrl.origin } : {}),
        endpoint: state.router.endpoint,
        plan,
        durationMs: Date.now() - started,
      }
    }

    await testPoint('shift', signal)
    const steps = plan.steps.filter((w) => w > weights[green] || w === 100)
    await step(reporter, 'shift', async () => {
      for (const weight of steps) {
        checkAborted(signal)
        const next = splitWeights(green, weight, serving !== null)
        await provider.route(next, { signal })
        routedGreen = true
        weights = next
        reporter.emit({ type: 'weights', weights })
        await testPoint(`shift:${weight}`, signal)
        const bakeMs = weight < 100 ? Math.max(config.shift.bake, 0) : config.shift.bake
        try {
          await bake(ctx, verified, bakeMs)
        } catch (error) {
          if (isGwError(error) && error.code === 'bake') {
            weights = await revertTraffic(ctx, green, serving)
            routedGreen = false
            throw rolledBackError(
              `green (${green}, ${artifact.sha.slice(0, 7)}) failed during bake at ${weight}%: ${error.message}`,
              {
                hint: `Traffic is back on ${serving ?? 'nothing (no previous colour)'}.`,
                details: { colour: green, weight },
              },
            )
          }
          throw error
        }
      }
    })
    routedGreen = false // green is now the serving colour: never torn down on a later failure
    await finalize(ctx, verified, previousFleet, {
      ...base,
      status: preset ? 'switched' : 'released',
      weights,
      durationMs: Date.now() - started,
    })
  } catch (error) {
    if (error instanceof HookError) {
      return fail(
        usageError(error.message, { hint: 'Nothing was provisioned; fix the hook or its environment.' }),
      )
    }
    return fail(error)
  }
  reporter.emit({
    type: 'summary',
    title: `${preset ? 'Rolled back to' : 'Released'} ${artifact.sha.slice(0, 7)} on ${provider.id}`,
    rows: [
      ['service', config.service + (target.env ? ` (${target.env})` : '')],
      ['config name', artifact.configName],
      ['colour', green],
      ['traffic', `blue ${weights.blue}% / green ${weights.green}%`],
      ['previous', previous ? `${previous.colour} ${previous.sha.slice(0, 7)}` : 'none'],
      ['duration', `${((Date.now() - started) / 1000).toFixed(1)} s`],
    ],
  })
  if (!preset && config.hooks.postRelease.length) {
    await runHooks('postRelease', config.hooks.postRelease, hookValues, {
      cwd: target.dir,
      emit: emitter(reporter),
    }).catch((error: Error) => reporter.emit({ type: 'warn', message: error.message }))
  }
  return {
    status: preset ? 'switched' : 'released',
    sha: artifact.sha,
    configName: artifact.configName,
    colour: green,
    previous,
    weights,
    endpoint: (await provider.inspect().catch(() => state)).router.endpoint,
    plan,
    durationMs: Date.now() - started,
  }
}

export interface RollbackOptions {
  to?: string | undefined
  lockWaitMs?: number
}

/**
 * `gwdeploy rollback`: back to the previous colour when it is still up and healthy (one
 * routing change), else re-release the previous SHA from its recorded artifact.
 */
export async function rollback(ctx: EngineContext, options: RollbackOptions): Promise<ReleaseResult> {
  const { target, reporter, signal } = ctx
  const { provider } = target
  const started = Date.now()
  const fallback = await withLock<{ result: ReleaseResult } | { sha: string }>(
    ctx,
    'rollback',
    options.to,
    options.lockWaitMs ?? 0,
    async (lock) => {
      const state = await step(reporter, 'plan', () => provider.inspect({ signal }))
      const serving = servingColour(state.weights)
      const servingFleet = serving ? state.fleets[serving] : undefined
      let wanted = options.to?.toLowerCase()
      if (wanted) {
        const match = COLOURS.map((c) => state.fleets[c]).find((f) => f?.sha.startsWith(wanted as string))
        if (match) wanted = match.sha
      }
      const candidate = serving
        ? state.fleets[otherColour(serving)]
        : (state.fleets.blue ?? state.fleets.green)
      if (
        servingFleet &&
        wanted &&
        servingFleet.sha.startsWith(wanted) &&
        state.weights[servingFleet.colour] === 100
      ) {
        reporter.emit({ type: 'info', message: `${servingFleet.sha.slice(0, 7)} is already live` })
        return {
          result: {
            status: 'unchanged' as const,
            sha: servingFleet.sha,
            configName: servingFleet.configName,
            colour: servingFleet.colour,
            previous: null,
            weights: state.weights,
            endpoint: state.router.endpoint,
            durationMs: Date.now() - started,
          },
        }
      }
      if (candidate && (!wanted || candidate.sha.startsWith(wanted))) {
        const ok = await step(reporter, 'verify', async () => {
          try {
            await verifyFleet(ctx, candidate, {
              rise: 1,
              deadlineMs: Math.min(target.config.health.deadline, 5_000),
              smoke: false,
            })
            return true
          } catch (error) {
            if (isGwError(error) && error.exitCode === ExitCode.healthGate) {
              reporter.emit({
                type: 'warn',
                message: `previous colour is not healthy (${error.message}); re-releasing its SHA`,
              })
              return false
            }
            throw error
          }
        })
        if (ok) {
          const weights = splitWeights(candidate.colour, 100, false)
          await step(reporter, 'shift', async () => {
            await provider.route(weights, { signal })
            reporter.emit({ type: 'weights', weights })
          })
          await finalize(ctx, candidate, servingFleet, {
            operation: 'rollback',
            status: 'switched',
            sha: candidate.sha,
            configName: candidate.configName,
            configDigest: candidate.configDigest,
            image: candidate.image,
            colour: candidate.colour,
            previous: servingFleet ? { colour: servingFleet.colour, sha: servingFleet.sha } : undefined,
            weights,
            holder: lock.info.holder,
            durationMs: Date.now() - started,
          })
          return {
            result: {
              status: 'switched' as const,
              sha: candidate.sha,
              configName: candidate.configName,
              colour: candidate.colour,
              previous: servingFleet ? { colour: servingFleet.colour, sha: servingFleet.sha } : null,
              weights,
              endpoint: state.router.endpoint,
              durationMs: Date.now() - started,
            },
          }
        }
      }
      // Re-release: the SHA asked for, or the one that served before the current one.
      let sha = wanted
      if (!sha) {
        const history = await readHistory(target.stateDir)
        const live = servingFleet?.sha
        const released = history.filter(
          (e) => (e.status === 'released' || e.status === 'switched') && e.sha && e.sha !== live,
        )
        sha = released.at(-1)?.sha
      }
      if (!sha) {
        throw usageError(
          'there is nothing to roll back to: no previous colour is up and the history has no earlier release',
          {
            hint: 'Use `gwdeploy rollback --to <sha>` or `gwdeploy release --sha <sha>`.',
          },
        )
      }
      return { sha }
    },
  )
  if ('result' in fallback) return fallback.result
  const artifacts = await readdirSafe(join(target.stateDir, 'artifacts'))
  const file = artifacts.find((name) => name.startsWith(fallback.sha))
  const artifact = file ? await loadArtifact(target.stateDir, file.replace(/\.json$/, '')) : undefined
  if (!artifact) {
    reporter.emit({
      type: 'warn',
      message: `no recorded artifact for ${fallback.sha.slice(0, 7)}: re-stamping the current gateway config with that SHA`,
    })
    if (!/^[0-9a-f]{7,64}$/.test(fallback.sha)) throw usageError(`--to ${fallback.sha} is not a SHA`)
    return release(ctx, { sha: fallback.sha, lockWaitMs: options.lockWaitMs ?? 0 })
  }
  return release(ctx, { lockWaitMs: options.lockWaitMs ?? 0 }, artifact)
}

async function readdirSafe(dir: string): Promise<string[]> {
  const { readdir } = await import('node:fs/promises')
  try {
    return await readdir(dir)
  } catch {
    return []
  }
}

export interface PromoteOptions {
  weight?: number | undefined
  lockWaitMs?: number
}

/** `gwdeploy promote [--weight N]`: moves traffic to the idle (preview) colour after re-verifying it. */
export async function promote(ctx: EngineContext, options: PromoteOptions): Promise<ReleaseResult> {
  const { target, reporter, signal } = ctx
  const { provider, config } = target
  const started = Date.now()
  const weight = options.weight ?? 100
  if (!Number.isInteger(weight) || weight < 0 || weight > 100) throw usageError('--weight must be 0..100')
  return withLock(ctx, 'promote', undefined, options.lockWaitMs ?? 0, async (lock) => {
    const state = await step(reporter, 'plan', () => provider.inspect({ signal }))
    const serving = servingColour(state.weights)
    // The colour to promote: one that is not fully serving and has a fleet.
    const candidates = COLOURS.filter((c) => state.fleets[c] && state.weights[c] < 100)
    // The newest fleet is the one waiting (preview, partial shift, or the colour rolled back from).
    const created = (c: Colour) => Date.parse(state.fleets[c]?.createdAt ?? '') || 0
    const chosen = candidates.sort(
      (a, b) => created(b) - created(a) || state.weights[a] - state.weights[b],
    )[0]
    const fleet = chosen ? state.fleets[chosen] : undefined
    if (!chosen || !fleet) {
      throw usageError('there is nothing to promote: no colour is waiting for traffic', {
        hint: 'Start one with `gwdeploy release --sha SHA --no-shift`.',
      })
    }
    const other = otherColour(chosen)
    const hasOther = state.fleets[other] !== undefined && (serving === other || state.weights[other] > 0)
    if (!provider.capabilities.weights && weight !== 0 && weight !== 100) {
      throw usageError(`${provider.id} routes 0/100 only: use --weight 0 or 100`)
    }
    if (weight > 0) await step(reporter, 'verify', () => verifyFleet(ctx, fleet, { smoke: true }))
    const weights = splitWeights(chosen, weight, hasOther)
    await step(reporter, 'shift', async () => {
      await provider.route(weights, { signal })
      reporter.emit({ type: 'weights', weights })
      if (weight === 100) {
        try {
          await bake(ctx, fleet, config.shift.bake)
        } catch (error) {
          if (isGwError(error) && error.code === 'bake') {
            await revertTraffic(ctx, chosen, hasOther ? other : null)
            throw rolledBackError(`${chosen} failed during bake: ${error.message}`, {
              hint: `Traffic is back on ${other}.`,
            })
          }
          throw error
        }
      }
    })
    const previousFleet = hasOther ? state.fleets[other] : undefined
    const base = {
      operation: 'promote' as const,
      sha: fleet.sha,
      configName: fleet.configName,
      configDigest: fleet.configDigest,
      image: fleet.image,
      colour: chosen,
      previous: previousFleet ? { colour: other, sha: previousFleet.sha } : undefined,
      weights,
      holder: lock.info.holder,
      durationMs: Date.now() - started,
    }
    if (weight === 100) await finalize(ctx, fleet, previousFleet, { ...base, status: 'released' })
    else await recordHistory(ctx, { ...base, status: 'preview' })
    return {
      status: weight === 100 ? ('released' as const) : ('preview' as const),
      sha: fleet.sha,
      configName: fleet.configName,
      colour: chosen,
      previous: base.previous ?? null,
      weights,
      endpoint: state.router.endpoint,
      durationMs: Date.now() - started,
    }
  })
}

export { withLock }
