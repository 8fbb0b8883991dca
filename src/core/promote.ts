/** Promote: finish a --no-shift release, or move traffic to a manual weight. */
import { COLOURS, type Colour, otherColour } from '../providers/types.ts'
import {
  type EngineContext,
  finalize,
  type ReleaseResult,
  recordHistory,
  revertTraffic,
  servingColour,
  splitWeights,
  withLock,
} from './engine.ts'
import { isGwError, rolledBackError, usageError } from './errors.ts'
import { step } from './events.ts'
import { ExitCode } from './exit-codes.ts'
import { bake, verifyFleet } from './verify.ts'

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
    // The colour to promote: one waiting for traffic (a preview, or part of a shift). The colour
    // kept for rollback after a release is not waiting: promoting it would roll production back.
    const candidates = COLOURS.filter(
      (c) =>
        state.fleets[c] && state.weights[c] < 100 && (state.weights[c] > 0 || !state.fleets[c]?.keepUntil),
    )
    // The newest fleet is the one waiting (preview, partial shift, or the colour rolled back from).
    const created = (c: Colour) => Date.parse(state.fleets[c]?.createdAt ?? '') || 0
    const chosen = candidates.sort(
      (a, b) => created(b) - created(a) || state.weights[a] - state.weights[b],
    )[0]
    const fleet = chosen ? state.fleets[chosen] : undefined
    if (!chosen || !fleet) {
      const kept = COLOURS.find((c) => state.fleets[c]?.keepUntil && state.weights[c] === 0)
      throw usageError('there is nothing to promote: no colour is waiting for traffic', {
        hint: `${kept ? `${kept} (${state.fleets[kept]?.sha.slice(0, 7)}) is the previous release kept for \`gwdeploy rollback\`, not a preview. ` : ''}Start one with \`gwdeploy release --sha SHA --no-shift\`.`,
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
          if (isGwError(error) && error.exitCode === ExitCode.interrupted) {
            await provider.route(state.weights)
            reporter.emit({ type: 'weights', weights: state.weights })
          }
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
