/** The hooks step: gwdeploy.yml's shell hooks at the points of a run. */
import { type HookEnv, runHooks } from '../../hooks.ts'
import { type EngineContext, emitter, type Run } from '../context.ts'

export type HookKind = 'preRelease' | 'postRelease' | 'onFailure'

export function hookValues(ctx: EngineContext, run: Run): HookEnv {
  return {
    sha: run.artifact.sha,
    colour: run.green,
    previousSha: run.previous?.sha,
    service: ctx.target.config.service,
    env: ctx.target.env,
  }
}

/** Runs the hooks of `kind`; `strict` ones throw a HookError, the others only warn. */
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
