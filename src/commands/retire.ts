import { Flags } from '@oclif/core'
import { TargetCommand, targetFlags } from '../cli/target-command.ts'
import type { EngineContext } from '../core/engine.ts'
import { type RetireResult, retire } from '../core/operations.ts'

export default class Retire extends TargetCommand<typeof Retire, RetireResult> {
  static override summary = 'Tear down the idle (previous) colour; the serving colour is never touched'
  protected override allowMissingEnv = true
  static override flags = {
    ...targetFlags,
    delete: Flags.boolean({
      description:
        'Delete the idle fleet instead of scaling it to zero (Kubernetes keeps the Deployment otherwise).',
    }),
  }

  protected async operate(ctx: EngineContext, lockWaitMs: number): Promise<RetireResult> {
    return retire(ctx, { lockWaitMs, delete: this.flags.delete })
  }

  protected override render(result: RetireResult): string {
    return result.retired
      ? `retired ${result.retired.colour} (${result.retired.sha.slice(0, 7)}, ${result.retired.nodes} node(s))`
      : 'nothing to retire: no idle colour'
  }
}
