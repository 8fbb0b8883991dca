import { Flags } from '@oclif/core'
import { BaseCommand, type RunContext } from '../cli/base-command.ts'
import { configFlags } from '../cli/flags.ts'
import { parseDuration } from '../config/duration.ts'
import { type EngineContext, type ReleaseResult, release } from '../core/engine.ts'
import { usageError } from '../core/errors.ts'
import { openTarget, type Target } from '../core/target.ts'

/** `--lock-wait[=DURATION]`: bare means "up to the lock TTL" (a held lock is released or expires by then). */
export const lockWaitFlag = {
  'lock-wait': Flags.string({
    description:
      'Wait for a held release lock instead of exiting 3; bare --lock-wait waits up to the lock TTL.',
    helpValue: 'DURATION',
  }),
}

/** Lets `--lock-wait` be given without a value (oclif wants one). */
export function normaliseLockWaitArgv(argv: string[]): string[] {
  return argv.map((arg, i) => {
    if (arg !== '--lock-wait') return arg
    const next = argv[i + 1]
    return next === undefined || next.startsWith('-') || parseDuration(next) === undefined
      ? '--lock-wait=ttl'
      : arg
  })
}

export function lockWaitMs(value: string | undefined, target: Target): number {
  if (value === undefined) return 0
  if (value === 'ttl') return target.config.lock.ttl + 5_000
  const ms = parseDuration(value)
  if (ms === undefined)
    throw usageError(`--lock-wait ${value} is not a duration`, { hint: 'Use e.g. --lock-wait=5m or 90s.' })
  return ms
}

export async function engineContext(
  context: RunContext,
  flags: { config?: string | undefined; env?: string | undefined },
): Promise<EngineContext> {
  const target = await openTarget({
    file: flags.config,
    env: flags.env,
    emit: (event) => context.reporter.emit(event),
  })
  return { target, reporter: context.reporter, signal: context.signal }
}

export function renderRelease(result: ReleaseResult): string {
  const sha7 = result.sha.slice(0, 7)
  const weights = `blue ${result.weights.blue}% / green ${result.weights.green}%`
  switch (result.status) {
    case 'planned': {
      const plan = result.plan
      const lines = [`plan for ${sha7} (${result.configName}) -> ${result.colour}:`]
      for (const action of plan?.actions ?? []) lines.push(`  - ${action}`)
      lines.push('dry run: nothing was changed')
      return lines.join('\n')
    }
    case 'unchanged':
      return `${sha7} (${result.configName}) is already live on ${result.colour}: nothing to do`
    case 'preview':
      return `${sha7} (${result.configName}) is up on ${result.colour} with no traffic${result.preview ? `; preview: ${result.preview}` : ''}\nrun \`gwdeploy promote\` to shift traffic`
    default:
      return [
        `${result.status === 'switched' ? 'rolled back to' : 'released'} ${sha7} (${result.configName}) on ${result.colour} in ${(result.durationMs / 1000).toFixed(1)} s`,
        `traffic: ${weights}${result.endpoint ? ` at ${result.endpoint}` : ''}`,
        result.previous
          ? `previous: ${result.previous.colour} (${result.previous.sha.slice(0, 7)}) — \`gwdeploy rollback\` switches back`
          : '',
      ]
        .filter(Boolean)
        .join('\n')
  }
}

export default class Release extends BaseCommand<typeof Release, ReleaseResult> {
  static override summary =
    'Release a SHA: stamp, build, provision green, verify, shift traffic, keep blue for rollback'
  static override description =
    'Runs resolve -> lock -> stamp -> build -> plan -> provision -> verify -> shift (+bake) -> finalize -> unlock. ' +
    'Re-running the same command after a crash or cancel converges: it re-reads the target and continues. ' +
    'Releasing the SHA that is already live does nothing and exits 0.'
  static override examples = [
    '<%= config.bin %> release --sha $GITHUB_SHA',
    '<%= config.bin %> release --sha abc1234 --steps 10,50,100',
    '<%= config.bin %> release --sha abc1234 --no-shift   # preview only; then `gwdeploy promote`',
    '<%= config.bin %> release --dry-run',
  ]
  static override flags = {
    ...configFlags,
    ...lockWaitFlag,
    sha: Flags.string({ description: 'Commit to release (default: git rev-parse HEAD).' }),
    'allow-dirty': Flags.boolean({
      description: 'Release a working tree with uncommitted changes (version gets _uncommitted_<hash>).',
    }),
    'dry-run': Flags.boolean({ description: 'Print the plan and stop.' }),
    'no-shift': Flags.boolean({
      description: 'Bring green up and verify it, but send it no traffic (preview only).',
    }),
    steps: Flags.string({ description: 'Traffic steps on green, e.g. 10,50,100 (overrides shift.steps).' }),
    'keep-failed': Flags.boolean({
      description: 'Keep a green that failed its gate or bake (for debugging).',
    }),
  }

  public override async init(): Promise<void> {
    this.argv = normaliseLockWaitArgv(this.argv)
    await super.init()
  }

  protected async execute(context: RunContext): Promise<ReleaseResult> {
    const flags = this.flags
    let steps: number[] | undefined
    if (flags.steps) {
      steps = flags.steps.split(',').map((s) => Number(s.trim()))
      if (
        steps.some((s) => !Number.isInteger(s) || s < 1 || s > 100) ||
        steps.some((s, i) => i > 0 && s <= (steps?.[i - 1] ?? 0))
      ) {
        throw usageError(`--steps ${flags.steps}: use increasing percentages 1..100, e.g. 10,50,100`)
      }
    }
    const ctx = await engineContext(context, flags)
    try {
      return await release(ctx, {
        sha: flags.sha,
        allowDirty: flags['allow-dirty'],
        dryRun: flags['dry-run'],
        noShift: flags['no-shift'],
        steps,
        keepFailed: flags['keep-failed'],
        lockWaitMs: lockWaitMs(flags['lock-wait'], ctx.target),
      })
    } finally {
      await ctx.target.provider.close?.()
    }
  }

  protected override render(result: ReleaseResult): string {
    return renderRelease(result)
  }
}
