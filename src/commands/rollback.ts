import { Flags } from '@oclif/core'
import { BaseCommand, type RunContext } from '../cli/base-command.ts'
import { configFlags } from '../cli/flags.ts'
import { type ReleaseResult, rollback } from '../core/engine.ts'
import { engineContext, lockWaitFlag, lockWaitMs, normaliseLockWaitArgv, renderRelease } from './release.ts'

export default class Rollback extends BaseCommand<typeof Rollback, ReleaseResult> {
  static override summary = 'Switch traffic back to the previous colour, or re-release an earlier SHA'
  static override description =
    'When the previous colour is still up and passes a quick health check, traffic moves back in one routing change. ' +
    'Otherwise the previous SHA (or --to SHA) is released again from its recorded artifact.'
  static override examples = ['<%= config.bin %> rollback', '<%= config.bin %> rollback --to abc1234']
  static override flags = {
    ...configFlags,
    ...lockWaitFlag,
    to: Flags.string({ description: 'Release this earlier SHA instead of the previous colour.' }),
  }

  public override async init(): Promise<void> {
    this.argv = normaliseLockWaitArgv(this.argv)
    await super.init()
  }

  protected async execute(context: RunContext): Promise<ReleaseResult> {
    const ctx = await engineContext(context, this.flags)
    try {
      return await rollback(ctx, {
        to: this.flags.to,
        lockWaitMs: lockWaitMs(this.flags['lock-wait'], ctx.target),
      })
    } finally {
      await ctx.target.provider.close?.()
    }
  }

  protected override render(result: ReleaseResult): string {
    return renderRelease(result)
  }
}
