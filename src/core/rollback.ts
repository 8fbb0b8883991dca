/** Rollback: switch back to the previous colour when it is up and healthy, else re-release its SHA. */
import { COLOURS, type Colour, otherColour, type TargetState } from '../providers/types.ts'
import {
  type EngineContext,
  finalize,
  type ReleaseResult,
  release,
  servingColour,
  splitWeights,
  withLock,
} from './engine.ts'
import { isGwError, usageError } from './errors.ts'
import { step } from './events.ts'
import { ExitCode } from './exit-codes.ts'
import { isCompleted, LOOKBACK, listRecords, recordedArtifact } from './records.ts'
import type { Target } from './target.ts'
import { verifyFleet } from './verify.ts'

export interface RollbackOptions {
  to?: string | undefined
  lockWaitMs?: number
}

/**
 * The colour that fully served before a split: the one the last completed release or rollback
 * put at 100% (from the audit log), else the one carrying more traffic now.
 */
async function servedBefore(target: Target, state: TargetState): Promise<Colour> {
  const records = await listRecords(target, 50).catch(() => [])
  const last = records.find((e) => isCompleted(e) && e.colour)
  if (last?.colour && state.fleets[last.colour]?.sha === last.sha) return last.colour
  return servingColour(state.weights) ?? 'blue'
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
      // Mid-shift (a canary, an interrupted step) the rollback goes to the colour that fully
      // served before the shift began, whichever holds more traffic right now.
      const split = COLOURS.every((c) => state.weights[c] > 0)
      const serving = split ? otherColour(await servedBefore(target, state)) : servingColour(state.weights)
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
        const live = servingFleet?.sha
        const records = await listRecords(target, LOOKBACK)
        sha = records.find((e) => isCompleted(e) && e.sha !== live)?.sha
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
  if (!/^[0-9a-f]{4,64}$/.test(fallback.sha)) throw usageError(`--to ${fallback.sha} is not a SHA`)
  // Exactly what was released then (same stamped config, same image digest), never a re-stamp
  // of today's files.
  const artifact = await recordedArtifact(target, fallback.sha)
  if (!artifact) {
    const where = target.provider.records?.().where ?? 'the local history'
    throw usageError(`no release of ${fallback.sha.slice(0, 7)} is recorded on the target (${where})`, {
      hint: `\`gwdeploy history\` lists what can be rolled back to; \`gwdeploy release --sha ${fallback.sha}\` stamps today's gateway config with that SHA instead.`,
    })
  }
  reporter.emit({
    type: 'info',
    message: `redeploying ${artifact.configName} (${artifact.sha.slice(0, 7)}) as recorded${artifact.image ? `: ${artifact.image}` : ''}`,
  })
  return release(ctx, { lockWaitMs: options.lockWaitMs ?? 0 }, artifact)
}
