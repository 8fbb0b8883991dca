/**
 * The release engine: resolve -> lock -> stamp -> build -> plan -> provision -> verify ->
 * shift (+bake) -> finalize -> unlock, provider-agnostic (promote and rollback live beside it).
 *
 * Convergence: nothing is remembered between runs except what the provider reports
 * (inspect) — a re-run after a crash at any step re-reads the state and continues:
 * a colour already running the SHA is reused (re-verified), a half-done shift is resumed
 * after re-verifying green, a release already at 100% is finalized if it was not.
 * Invariants: traffic only goes to a colour that passed the health gate in this run; the
 * serving colour is never decommissioned; the lock is always released.
 */
import {
  type Artifact,
  COLOURS,
  type Colour,
  type Fleet,
  type FleetSpec,
  otherColour,
  type ReleaseRecord,
  type RenderedDocument,
  type TargetState,
  type Weights,
} from '../providers/types.ts'
import { buildArtifact, fleetMatches, makeArtifact, saveArtifact } from './artifacts.ts'
import { type ConfigDiff, configDiffRows, diffGatewayConfig } from './config-diff.ts'
import { isGwError, rolledBackError, usageError } from './errors.ts'
import { type EngineEvent, type Reporter, step } from './events.ts'
import { ExitCode } from './exit-codes.ts'
import { resolveSha } from './git.ts'
import { HookError, runHooks } from './hooks.ts'
import { acquireLock, type HeldLock } from './lock.ts'
import { isCompleted, listRecords, liveConfigText, writeRecord } from './records.ts'
import { lockHolder, type Target } from './target.ts'
import { testPoint } from './testpoints.ts'
import { bake, verifyFleet } from './verify.ts'

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
  /** What the provider would send (manifests, haproxy.cfg, request inputs), on dry runs. */
  documents?: RenderedDocument[]
  /** The gateway config against the live one, on dry runs. */
  configDiff?: ConfigDiff
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
  fn: (lock: HeldLock, locked: EngineContext) => Promise<T>,
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
    // Work under the lock stops when the lock is lost, as it does on SIGINT/SIGTERM.
    return await fn(lock, { ...ctx, signal: AbortSignal.any([signal, lock.lost]) })
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

/** Records the outcome on the target (records.ts) and in the local history cache. */
export async function recordHistory(
  ctx: EngineContext,
  entry: Omit<ReleaseRecord, 'time' | 'service' | 'env'>,
): Promise<void> {
  const { target } = ctx
  await writeRecord(
    target,
    { time: new Date().toISOString(), service: target.config.service, env: target.env, ...entry },
    (message) => ctx.reporter.emit({ type: 'warn', message }),
  )
}

export async function revertTraffic(
  ctx: EngineContext,
  green: Colour,
  serving: Colour | null,
): Promise<Weights> {
  const weights = splitWeights(green, 0, serving !== null)
  await ctx.target.provider.route(weights)
  ctx.reporter.emit({ type: 'weights', weights })
  return weights
}

export async function finalize(
  ctx: EngineContext,
  green: Fleet,
  previous: Fleet | undefined,
  entry: Omit<ReleaseRecord, 'time' | 'service' | 'env'>,
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

/**
 * A release of the SHA that is already live still makes sure it is served: nodes the provider
 * reports gone are replaced (the new ones pass the gate before the route names them), and a
 * router that is not running (the local front proxy after a kill -9) is started again.
 * Returns whether anything had to be repaired.
 */
async function repairLive(
  ctx: EngineContext,
  fleet: Fleet,
  state: TargetState,
  artifact: Artifact,
): Promise<boolean> {
  const { target, reporter, signal } = ctx
  const { provider } = target
  const view = await provider.nodeHealth(fleet, { signal })
  const gone = view.filter((v) => v.status === 'gone').length
  if (gone > 0) {
    reporter.emit({
      type: 'info',
      message: `${gone} node(s) of the live colour ${fleet.colour} are gone: replacing them`,
    })
    const spec = fleetSpec(ctx, fleet.colour, artifact)
    const replaced = await step(reporter, 'provision', () =>
      provider.provision(spec, {
        signal,
        progress: (m) => reporter.emit({ type: 'progress', step: 'provision', message: m }),
      }),
    )
    await step(reporter, 'verify', () => verifyFleet(ctx, replaced, { smoke: false }))
  } else if (state.router.present) return false
  else
    reporter.emit({
      type: 'info',
      message: `the router is not running (${state.router.detail ?? provider.id}): restoring the live route`,
    })
  await step(reporter, 'shift', async () => {
    await provider.route(state.weights, { signal })
    reporter.emit({ type: 'weights', weights: state.weights })
  })
  return true
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
    ? { sha: preset.sha, version: preset.version ?? preset.sha, dirty: false }
    : await step(reporter, 'resolve', () =>
        resolveSha({
          sha: options.sha,
          allowDirty: options.allowDirty ?? false,
          cwd: target.dir,
          stateDir: target.stateDir,
        }),
      )
  if (options.dryRun) {
    return planOnly(ctx, resolved.sha, resolved.version, preset)
  }
  // Stamp (read + validate the gateway config) before taking the lock: a bad or huge config is
  // exit 2 with nothing changed, and never holds the lock while it fails.
  const stamped = preset
    ? undefined
    : await step(reporter, 'stamp', () => makeArtifact(ctx, resolved.sha, resolved.version))
  return withLock(
    ctx,
    preset ? 'rollback' : 'release',
    resolved.sha,
    options.lockWaitMs ?? 0,
    (lock, locked) =>
      runRelease(locked, options, resolved, started, lock, preset ?? stamped, preset !== undefined),
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
  const live = await liveConfigText(target, state)
  plan.configDiff = diffGatewayConfig(parseOr(live), parseOr(artifact.configText))
  reporter.emit({ type: 'summary', title: 'Gateway config changes', rows: configDiffRows(plan.configDiff) })
  if (target.provider.render && !planRelease(state, artifact).unchanged) {
    const image =
      artifact.image ??
      (target.provider.capabilities.image && target.config.image.repository
        ? `${target.config.image.repository}:${artifact.sha7}`
        : undefined)
    plan.documents = target.provider.render(
      fleetSpec(ctx, plan.green, image ? { ...artifact, image } : artifact),
    )
  }
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

const parseOr = (text: string | undefined): unknown => {
  try {
    return text ? JSON.parse(text) : undefined
  } catch {
    return undefined
  }
}

function fleetSpec(ctx: EngineContext, colour: Colour, artifact: Artifact): FleetSpec {
  const { config, env } = ctx.target
  return {
    service: config.service,
    env,
    colour,
    artifact,
    size: config.fleet.size,
    port: config.fleet.port,
    healthPath: config.health.path,
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
  stamped: Artifact | undefined,
  isRollback: boolean,
): Promise<ReleaseResult> {
  const { target, reporter, signal } = ctx
  const { provider, config } = target
  const preset = isRollback ? stamped : undefined
  const operation = preset ? ('rollback' as const) : ('release' as const)
  await testPoint('stamp', signal)
  let artifact =
    stamped ?? (await step(reporter, 'stamp', () => makeArtifact(ctx, resolved.sha, resolved.version)))
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
    configText: artifact.configText || undefined,
    colour: green,
    previous: previous ?? undefined,
    holder: lock.info.holder,
  }

  if (decided.unchanged) {
    const fleet = state.fleets[green] as Fleet
    const repaired = await repairLive(ctx, fleet, state, artifact)
    // Converge: a crash between the last route and finalize leaves no record on the target.
    const records = await listRecords(target, 50).catch(() => [])
    const last = records.find(isCompleted)
    if (repaired) {
      await recordHistory(ctx, {
        ...base,
        status: 'released',
        weights: state.weights,
        durationMs: Date.now() - started,
      })
    } else if (!last || last.sha !== artifact.sha) {
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
      status: repaired ? 'released' : 'unchanged',
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
    // An interrupt cleans up like a failure: traffic back to the serving colour, green torn down
    // (nothing would be left watching a half-shifted or unverified green).
    if (greenFleet) {
      if (routedGreen) {
        weights = await revertTraffic(ctx, green, serving).catch(() => weights)
        routedGreen = false
      }
      if (!options.keepFailed && weights[green] === 0) {
        reporter.emit({
          type: 'info',
          message: `tearing down ${green}${interrupted ? '' : ' (use --keep-failed to keep it for debugging)'}`,
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
    const spec = fleetSpec(ctx, green, artifact)
    greenFleet = await step(reporter, 'provision', () =>
      provider.provision(spec, {
        signal,
        progress: (m) => reporter.emit({ type: 'progress', step: 'provision', message: m }),
      }),
    ).catch(async (error: unknown) => {
      // A provision that failed half-way (a rollout past its deadline) left part of this release
      // on green: the failure path below tears it down, or keeps it with --keep-failed.
      const partial = (await provider.inspect({ signal }).catch(() => undefined))?.fleets[green]
      if (fleetMatches(partial, artifact)) greenFleet = partial
      throw error
    })
    checkAborted(signal)
    await testPoint('verify', signal)
    const verified = greenFleet
    await step(reporter, 'verify', () => verifyFleet(ctx, verified, { smoke: true }))
    checkAborted(signal)

    if (options.noShift) {
      // A preview waits for `promote`; it is no longer a "previous" colour kept for rollback.
      await provider.annotate(green, { keepUntil: undefined })
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
      ...(resolved.version !== artifact.sha ? [['version', resolved.version] as const] : []),
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

export { type PromoteOptions, promote } from './promote.ts'
export { type RollbackOptions, rollback } from './rollback.ts'
export { withLock }
