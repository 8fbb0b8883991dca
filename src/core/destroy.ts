/** `gwdeploy destroy`: everything gwdeploy created for this service on the target. */
import { COLOURS, type TargetState } from '../providers/types.ts'
import { GwError, isGwError } from './errors.ts'
import { step } from './events.ts'
import { ExitCode } from './exit-codes.ts'
import { LOOKBACK, recordsOrNone, writeRecord } from './records.ts'
import type { EngineContext } from './release/context.ts'
import { destroyedSinceLive } from './release/destroyed.ts'
import { withLock } from './release/lock-scope.ts'
import { stoppedDestroyWays } from './stopped-run.ts'
import { testPoint } from './testpoints.ts'

export interface DestroyResult {
  destroyed: string[]
  /** What was emptied in a router that is the operator's (haproxy, aws), which itself is left running. */
  emptied?: string | undefined
  /** Nothing was left: the destroy that finished before (no record is written for this one). */
  alreadyDestroyed?: { time: string; holder?: string | undefined } | undefined
}

export async function destroy(
  ctx: EngineContext,
  options: { lockWaitMs?: number } = {},
): Promise<DestroyResult> {
  const { reporter } = ctx
  // Under the lock: its loss (`abort`, `lock release --force`) stops the destroy as an interrupt does.
  return withLock(ctx, 'destroy', undefined, options.lockWaitMs ?? 0, async ({ lock, signal, target }) => {
    const { provider } = target
    const state = await provider.inspect({ signal })
    const records = await recordsOrNone(
      target,
      LOOKBACK,
      (message) => reporter.emit({ type: 'warn', message }),
      signal,
    )
    const destroyed = COLOURS.flatMap((c) => {
      const fleet = state.fleets[c]
      return fleet ? [`${c} (${fleet.sha.slice(0, 7)}, ${fleet.nodes.length} node(s))`] : []
    })
    // An operator's router (HAProxy, an ALB) is not destroyed: only gwdeploy's routing in it is emptied.
    const router = state.router.detail ?? provider.id
    const operators = provider.capabilities.routingEmptiedOnDestroy
    if (state.router.present && !operators) destroyed.push(`router (${router})`)
    const live = COLOURS.map((c) => state.fleets[c]).find((f) => f && state.weights[f.colour] === 100)
    const record = (status: 'started' | 'destroyed' | 'interrupted', error?: string, done?: string[]) =>
      writeRecord(
        target,
        {
          time: new Date().toISOString(),
          operation: 'destroy',
          status,
          service: target.config.service,
          env: target.env,
          holder: lock.info.holder,
          ...(error ? { error } : {}),
          ...(done?.length ? { done } : {}),
        },
        (message) => reporter.emit({ type: 'warn', message }),
        signal,
      )
    const done = destroyedSinceLive(records)
    if (done && nothingLeft(state)) {
      // Still swept (idempotent): what no state shows (a node a killed run started) goes too.
      await provider.destroy({ signal })
      return { destroyed: [], alreadyDestroyed: { time: done.time, holder: done.holder } }
    }
    // The intent goes on the target first: a run killed part-way leaves a record that says so.
    const unwritten = await record('started')
    if (unwritten) throw intentUnwritten(unwritten)
    await step(reporter, 'destroy', async () => {
      await testPoint('destroy:started', signal)
      await provider.destroy({
        signal,
        progress: (message) => reporter.emit({ type: 'progress', step: 'destroy', message }),
      })
    }).catch(async (error: unknown) => {
      const stopped = stoppedPartWay(error, signal, destroyed, live?.sha, target.env)
      // Said on the target too: `abort` waits for this record, `status` reads it as unfinished.
      if (stopped !== error) await record('interrupted', (stopped as Error).message)
      throw stopped
    })
    await testPoint('destroy:record', signal)
    // The operator's router as the destroy left it (its split before the destroy is no longer true).
    const emptied =
      state.router.present && operators
        ? await provider.inspect({ signal }).then(
            (after) => `${operators} (${after.router.detail ?? provider.id})`,
            () => operators,
          )
        : undefined
    await record('destroyed', undefined, emptied ? [...destroyed, emptied] : destroyed)
    return { destroyed, ...(emptied ? { emptied } : {}) }
  })
}

/** No colour, no traffic, no page, nothing the provider says it lost track of. */
const nothingLeft = (state: TargetState): boolean =>
  COLOURS.every((c) => state.fleets[c] === undefined && state.weights[c] === 0) &&
  !state.fleetless?.length &&
  !state.maintenance

const intentUnwritten = (why: string) =>
  new GwError('destroy_unrecorded', ExitCode.provider, `destroy did not start: ${why}`, {
    hint: 'Nothing was removed. A destroy records that it started before it tears anything down, so a run stopped part-way is never read as the release before it still being live; fix the records store on the target, then re-run.',
  })

/**
 * An interrupt (Ctrl-C, SIGTERM) that lands while the provider removes things leaves a target half
 * destroyed — often the router gone and the nodes still up, so nothing is served. The generic
 * "re-run the same command" would not say that: the error says what was being removed and both ways on.
 */
function stoppedPartWay(
  error: unknown,
  signal: AbortSignal,
  destroying: string[],
  liveSha: string | undefined,
  env: string | undefined,
): unknown {
  const stop =
    isGwError(error) && (error.exitCode === ExitCode.interrupted || error.exitCode === ExitCode.lockHeld)
  if (!signal.aborted || !stop) return error
  const what = destroying.length ? `: some of ${destroying.join(', ')} may still be there` : ''
  return new GwError(error.code, error.exitCode, `${error.message} part-way through destroy${what}`, {
    hint: `\`gwdeploy status\` shows what is left; ${stoppedDestroyWays(liveSha, env ? ` -e ${env}` : '')}.`,
    ...(error.details ? { details: error.details } : {}),
  })
}
