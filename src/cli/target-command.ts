import { type Command, Flags } from '@oclif/core'
import { parseDuration } from '../config/duration.ts'
import type { EngineContext } from '../core/engine.ts'
import { GwError, usageError } from '../core/errors.ts'
import { createNotifier } from '../core/notify/index.ts'
import type { Target } from '../core/target.ts'
import { BaseCommand, type RunContext, toGwError } from './base-command.ts'
import { configFlags } from './flags.ts'

/** `--lock-wait[=DURATION]`: bare means "up to the lock TTL" (a held lock is released or expires by then). */
const lockWaitFlag = {
  'lock-wait': Flags.string({
    description:
      'Wait for a held release lock instead of exiting 3; bare --lock-wait waits up to the lock TTL.',
    helpValue: 'DURATION',
  }),
}

/** Flags of every command that changes a target: gwdeploy.yml selection and --lock-wait. */
export const targetFlags = { ...configFlags, ...lockWaitFlag }

/**
 * Lets `--lock-wait` be given without a value (oclif wants one). A word after it is its value: these
 * commands take no arguments, so `--lock-wait 5mins` is a duration to refuse, not an argument.
 */
function normaliseLockWaitArgv(argv: string[]): string[] {
  return argv.map((arg, i) => {
    if (arg !== '--lock-wait') return arg
    const next = argv[i + 1]
    return next === undefined || next.startsWith('-') ? '--lock-wait=ttl' : arg
  })
}

function lockWaitMs(value: string | undefined, target: Target): number {
  if (value === undefined) return 0
  if (value === 'ttl') return target.config.lock.ttl + 5_000
  const ms = parseDuration(value)
  if (ms === undefined)
    throw usageError(`--lock-wait ${value} is not a duration`, { hint: 'Use e.g. --lock-wait=5m or 90s.' })
  return ms
}

/**
 * A command that operates on the release target (release, promote, rollback, retire, destroy):
 * opens the target from gwdeploy.yml, hands the engine context to `operate`, closes the provider.
 */
export abstract class TargetCommand<T extends typeof Command, R> extends BaseCommand<T, R> {
  protected abstract operate(ctx: EngineContext, lockWait: number, context: RunContext): Promise<R>
  /** Teardown commands run without the release's `${VAR}` secrets. */
  protected allowMissingEnv = false
  /** Commands that run no hooks (abort): the hook and notify `${VAR}`s are not needed. */
  protected runsNoHooks = false
  /** rollback: goes ahead without the notify `${VAR}`s (notify left out, with a warning). */
  protected notifyOptional = false
  /** release: a configuration error names every problem of gwdeploy.yml and the gateway config, as `config validate` does. */
  protected reportsEveryConfigProblem = false

  public override async init(): Promise<void> {
    this.argv = normaliseLockWaitArgv(this.argv)
    await super.init()
  }

  /** A configuration error, with the other problems of both project files when this command reports them all. */
  private async everyConfigProblem(
    error: unknown,
    flags: { config?: string; env?: string },
  ): Promise<unknown> {
    if (!this.reportsEveryConfigProblem || !(error instanceof GwError) || error.code !== 'config')
      return error
    const { withEveryProjectProblem } = await import('../config/validate-project.ts')
    return withEveryProjectProblem(error, { file: flags.config, env: flags.env })
  }

  protected async execute(context: RunContext): Promise<R> {
    const flags = this.flags as { config?: string; env?: string; 'lock-wait'?: string }
    const target = await this.openTarget({
      file: flags.config,
      env: flags.env,
      emit: (event) => context.reporter.emit(event),
      allowMissingEnv: this.allowMissingEnv,
      readOnly: this.runsNoHooks,
      notifyOptional: this.notifyOptional,
    }).catch(async (error: unknown) => {
      throw await this.everyConfigProblem(error, flags)
    })
    const notifier = createNotifier(target, this.id ?? 'release', (flags as { sha?: string }).sha)
    try {
      const reporter = notifier ? notifier.wrap(context.reporter) : context.reporter
      const ctx: EngineContext = { target, reporter, signal: context.signal }
      const result = await this.operate(ctx, lockWaitMs(flags['lock-wait'], target), context)
      notifier?.finished(result)
      return result
    } catch (caught) {
      const error = await this.everyConfigProblem(caught, flags)
      const failure = toGwError(error)
      if (failure) notifier?.failed(failure)
      throw error
    } finally {
      for (const warning of (await notifier?.flush()) ?? []) context.warn(warning)
      await target.provider.close?.()
    }
  }
}
