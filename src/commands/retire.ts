import { BaseCommand, type RunContext } from '../cli/base-command.ts'
import { configFlags } from '../cli/flags.ts'
import { type RetireResult, retire } from '../core/operations.ts'
import { engineContext, lockWaitFlag, lockWaitMs, normaliseLockWaitArgv } from './release.ts'

export default class Retire extends BaseCommand<typeof Retire, RetireResult> {
  static override summary = 'Tear down the idle (previous) colour; the serving colour is never touched'
  static override flags = { ...configFlags, ...lockWaitFlag }

  public override async init(): Promise<void> {
    this.argv = normaliseLockWaitArgv(this.argv)
    await super.init()
  }

  protected async execute(context: RunContext): Promise<RetireResult> {
    const ctx = await engineContext(context, this.flags)
    try {
      return await retire(ctx, { lockWaitMs: lockWaitMs(this.flags['lock-wait'], ctx.target) })
    } finally {
      await ctx.target.provider.close?.()
    }
  }

  protected override render(result: RetireResult): string {
    return result.retired
      ? `retired ${result.retired.colour} (${result.retired.sha.slice(0, 7)}, ${result.retired.nodes} node(s))`
      : 'nothing to retire: no idle colour'
  }
}
