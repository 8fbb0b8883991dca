import { Flags } from '@oclif/core'
import { BaseCommand, type RunContext } from '../cli/base-command.ts'
import { configFlags } from '../cli/flags.ts'
import { promote, type ReleaseResult } from '../core/engine.ts'
import { engineContext, lockWaitFlag, lockWaitMs, normaliseLockWaitArgv, renderRelease } from './release.ts'

export default class Promote extends BaseCommand<typeof Promote, ReleaseResult> {
  static override summary =
    'Shift traffic to the colour waiting in preview (after `release --no-shift`), or to a manual weight'
  static override examples = ['<%= config.bin %> promote', '<%= config.bin %> promote --weight 25']
  static override flags = {
    ...configFlags,
    ...lockWaitFlag,
    weight: Flags.integer({
      description: 'Percentage of traffic for the promoted colour (default 100).',
      min: 0,
      max: 100,
    }),
  }

  public override async init(): Promise<void> {
    this.argv = normaliseLockWaitArgv(this.argv)
    await super.init()
  }

  protected async execute(context: RunContext): Promise<ReleaseResult> {
    const ctx = await engineContext(context, this.flags)
    try {
      return await promote(ctx, {
        weight: this.flags.weight,
        lockWaitMs: lockWaitMs(this.flags['lock-wait'], ctx.target),
      })
    } finally {
      await ctx.target.provider.close?.()
    }
  }

  protected override render(result: ReleaseResult): string {
    if (result.status === 'preview') {
      return `${result.colour} (${result.sha.slice(0, 7)}) now gets ${result.weights[result.colour]}% of traffic`
    }
    return renderRelease(result)
  }
}
