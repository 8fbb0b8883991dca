/** The hooks step: gwdeploy.yml's shell hooks at the points of a run. */
import { usageError } from '../../errors.ts'
import { step } from '../../events.ts'
import { type HookEnv, HookError, runHooks } from '../../hooks.ts'
import { type EngineContext, emitter, type Run } from '../context.ts'

export type HookKind = 'preRelease' | 'postRelease' | 'onFailure'

export function hookValues(ctx: EngineContext, run: Run): HookEnv {
  return {
    sha: run.artifact.sha,
    colour: run.green,
    previousSha: run.previous?.sha,
    service: ctx.target.config.service,
    env: ctx.target.env,
    operation: run.operation,
  }
}

/**
 * Runs the hooks of `kind` (on release, rollback, promote and retire alike; GWDEPLOY_OPERATION
 * tells them apart); `strict` ones throw a HookError, the others only warn.
 */
export async function hooks(
  ctx: EngineContext,
  kind: HookKind,
  values: HookEnv,
  strict: boolean,
): Promise<void> {
  const commands = ctx.target.config.hooks[kind]
  if (commands.length === 0) return
  const run = runHooks(kind, commands, values, {
    cwd: ctx.target.dir,
    emit: emitter(ctx.reporter),
    ...(strict ? { signal: ctx.signal } : {}),
  })
  if (strict) return run
  await run.catch((error: Error) => ctx.reporter.emit({ type: 'warn', message: error.message }))
}

/** preRelease hooks as a step: a failing hook is exit 2 with nothing changed. */
export async function preHooks(ctx: EngineContext, values: HookEnv): Promise<void> {
  if (ctx.target.config.hooks.preRelease.length === 0) return
  await step(ctx.reporter, 'pre-release hooks', () => hooks(ctx, 'preRelease', values, true)).catch(
    (error) => {
      throw error instanceof HookError
        ? usageError(error.message, { hint: 'Nothing was changed; fix the hook or its environment.' })
        : error
    },
  )
}
