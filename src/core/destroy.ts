/** `gwdeploy destroy`: everything gwdeploy created for this service on the target. */
import { COLOURS } from '../providers/types.ts'
import { GwError, isGwError } from './errors.ts'
import { step } from './events.ts'
import { ExitCode } from './exit-codes.ts'
import { writeRecord } from './records.ts'
import type { EngineContext } from './release/context.ts'
import { withLock } from './release/lock-scope.ts'
import { stoppedDestroyWays } from './stopped-run.ts'

export async function destroy(
  ctx: EngineContext,
  options: { lockWaitMs?: number } = {},
): Promise<{ destroyed: string[] }> {
  const { target, reporter, signal } = ctx
  const { provider } = target
  return withLock(ctx, 'destroy', undefined, options.lockWaitMs ?? 0, async ({ lock }) => {
    const state = await provider.inspect({ signal })
    const destroyed = COLOURS.flatMap((c) => {
      const fleet = state.fleets[c]
      return fleet ? [`${c} (${fleet.sha.slice(0, 7)}, ${fleet.nodes.length} node(s))`] : []
    })
    if (state.router.present) destroyed.push(`router (${state.router.detail ?? provider.id})`)
    const live = COLOURS.map((c) => state.fleets[c]).find((f) => f && state.weights[f.colour] === 100)
    await step(reporter, 'destroy', () =>
      provider.destroy({
        signal,
        progress: (message) => reporter.emit({ type: 'progress', step: 'destroy', message }),
      }),
    ).catch((error: unknown) => {
      throw stoppedPartWay(error, signal, destroyed, live?.sha, target.env)
    })
    await writeRecord(
      target,
      {
        time: new Date().toISOString(),
        operation: 'destroy',
        status: 'destroyed',
        service: target.config.service,
        env: target.env,
        holder: lock.info.holder,
      },
      (message) => reporter.emit({ type: 'warn', message }),
      signal,
    )
    return { destroyed }
  })
}

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
  if (!signal.aborted || !isGwError(error) || error.exitCode !== ExitCode.interrupted) return error
  const what = destroying.length ? `: some of ${destroying.join(', ')} may still be there` : ''
  return new GwError(error.code, error.exitCode, `${error.message} part-way through destroy${what}`, {
    hint: `\`gwdeploy status\` shows what is left; ${stoppedDestroyWays(liveSha, env ? ` -e ${env}` : '')}.`,
    ...(error.details ? { details: error.details } : {}),
  })
}
