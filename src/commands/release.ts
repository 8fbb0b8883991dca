import { Flags } from '@oclif/core'
import { TargetCommand, targetFlags } from '../cli/target-command.ts'
import { renderConfigDiff } from '../core/config-diff.ts'
import { type EngineContext, type ReleaseResult, release } from '../core/engine.ts'
import { usageError } from '../core/errors.ts'
import { maintenanceReminder } from '../core/maintenance.ts'

/** `rollback`'s result: one switch back, or its recorded artifact released again. */
export function renderRollback(result: ReleaseResult): string {
  if (result.status !== 'switched' && result.status !== 'released') return renderRelease(result)
  const how = result.status === 'switched' ? 'one switch' : 'redeployed as recorded'
  const weights = `blue ${result.weights.blue}% / green ${result.weights.green}%`
  return [
    `rolled back to ${result.sha.slice(0, 7)} (${result.configName}) on ${result.colour} in ${(result.durationMs / 1000).toFixed(1)} s (${how})`,
    `traffic: ${weights}${result.endpoint ? ` at ${result.endpoint}` : ''}`,
  ].join('\n')
}

export function renderRelease(result: ReleaseResult): string {
  const sha7 = result.sha.slice(0, 7)
  const weights = `blue ${result.weights.blue}% / green ${result.weights.green}%`
  switch (result.status) {
    case 'planned': {
      const plan = result.plan
      const lines = [`plan for ${sha7} (${result.configName}) -> ${result.colour}:`]
      for (const action of plan?.actions ?? []) lines.push(`  - ${action}`)
      if (plan?.configDiff) lines.push('', renderConfigDiff(plan.configDiff))
      for (const document of plan?.documents ?? []) {
        lines.push('', `# ${document.title}`, document.content.trimEnd())
      }
      lines.push('dry run: nothing was changed')
      return lines.join('\n')
    }
    case 'unchanged':
      return `${sha7} (${result.configName}) is already live on ${result.colour}: nothing to do`
    case 'repaired':
      return [
        `${sha7} (${result.configName}) is already live on ${result.colour}: ${(result.repaired ?? []).join(', ')}`,
        `traffic: ${weights}${result.endpoint ? ` at ${result.endpoint}` : ''}`,
      ].join('\n')
    case 'preview':
      return `${sha7} (${result.configName}) is up on ${result.colour} with no traffic${result.preview ? `; preview: ${result.preview}` : ''}\nrun \`gwdeploy promote\` to shift traffic`
    default:
      return [
        `${result.status === 'switched' ? 'rolled back to' : 'released'} ${sha7} (${result.configName}) on ${result.colour} in ${(result.durationMs / 1000).toFixed(1)} s`,
        `traffic: ${weights}${result.endpoint ? ` at ${result.endpoint}` : ''}`,
        result.previous
          ? `previous: ${result.previous.colour} (${result.previous.sha.slice(0, 7)})${result.status === 'released' ? ' — `gwdeploy rollback` switches back' : ''}`
          : '',
        result.leftIdle
          ? `${result.leftIdle.colour} (${result.leftIdle.sha.slice(0, 7)}) never went live: left idle, not kept for rollback (\`gwdeploy retire\` tears it down)`
          : '',
      ]
        .filter(Boolean)
        .join('\n')
  }
}

export default class Release extends TargetCommand<typeof Release, ReleaseResult> {
  static override summary =
    'Release a SHA: stamp, build, provision green, verify, shift traffic, keep blue for rollback'
  static override description =
    'Runs resolve -> lock -> stamp -> build -> plan -> provision -> verify -> shift (+bake) -> finalize -> unlock. ' +
    'Re-running the same command after a crash or cancel converges: it re-reads the target and continues. ' +
    'Releasing the SHA that is already live does nothing and exits 0, except make sure it is served (a router that is down is started, gone nodes are replaced). ' +
    'With --sha, the gateway config files in the working tree must be what that commit holds (when this repository knows it), and a SHA already released on the target must not come back with another config: exit 2. ' +
    'Stamp and build run before the lock is taken. ' +
    'A stepped shift stopped by SIGINT/SIGTERM goes back to the last weights every colour with traffic passed its gate (and bake) for, and says which. ' +
    'A failure after traffic has moved (e.g. writing tags) reverts nothing: the release is live, the command says what did not finish and exits 8.'
  static override examples = [
    '<%= config.bin %> release --sha $GITHUB_SHA',
    '<%= config.bin %> release --sha abc1234 --steps 10,50,100',
    '<%= config.bin %> release --sha abc1234 --no-shift   # preview only; then `gwdeploy promote`',
    '<%= config.bin %> release --dry-run',
  ]
  static override flags = {
    ...targetFlags,
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

  protected override reportsEveryConfigProblem = true

  protected async operate(ctx: EngineContext, lockWaitMs: number): Promise<ReleaseResult> {
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
    const result = await release(ctx, {
      sha: flags.sha,
      allowDirty: flags['allow-dirty'],
      dryRun: flags['dry-run'],
      noShift: flags['no-shift'],
      steps,
      keepFailed: flags['keep-failed'],
      lockWaitMs,
    })
    if (result.status !== 'planned') {
      const reminder = await maintenanceReminder(ctx.target)
      if (reminder) ctx.reporter.emit({ type: 'warn', message: reminder })
    }
    return result
  }

  protected override render(result: ReleaseResult): string {
    return renderRelease(result)
  }
}
