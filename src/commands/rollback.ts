import { Flags } from '@oclif/core'
import { TargetCommand, targetFlags } from '../cli/target-command.ts'
import { type EngineContext, type ReleaseResult, rollback } from '../core/engine.ts'
import { renderRelease } from './release.ts'

export default class Rollback extends TargetCommand<typeof Rollback, ReleaseResult> {
  static override summary = 'Switch traffic back to the previous colour, or re-release an earlier SHA'
  static override description =
    'When the previous colour is still up and passes a quick health check, traffic moves back in one routing change. ' +
    'Otherwise the previous SHA (or --to SHA) is released again from its recorded artifact.'
  static override examples = ['<%= config.bin %> rollback', '<%= config.bin %> rollback --to abc1234']
  static override flags = {
    ...targetFlags,
    to: Flags.string({ description: 'Release this earlier SHA instead of the previous colour.' }),
  }

  protected async operate(ctx: EngineContext, lockWaitMs: number): Promise<ReleaseResult> {
    return rollback(ctx, { to: this.flags.to, lockWaitMs })
  }

  protected override render(result: ReleaseResult): string {
    return renderRelease(result)
  }
}
