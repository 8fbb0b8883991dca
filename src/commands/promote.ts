import { Flags } from '@oclif/core'
import { TargetCommand, targetFlags } from '../cli/target-command.ts'
import { type EngineContext, promote, type ReleaseResult } from '../core/engine.ts'
import { renderRelease } from './release.ts'

export default class Promote extends TargetCommand<typeof Promote, ReleaseResult> {
  static override summary =
    'Move the pending release (a `release --no-shift` preview, or the new side of a split) to 100% or a manual weight'
  static override description =
    'Re-verifies the pending colour, routes it, and at 100% bakes it (a failed bake moves its traffic back, exit 5). ' +
    'With nothing pending it exits 2 naming what is live: the colour kept for rollback is never promoted back. ' +
    'Stopped during its bake (SIGINT/SIGTERM) it puts back the weights it found.'
  static override examples = ['<%= config.bin %> promote', '<%= config.bin %> promote --weight 25']
  static override flags = {
    ...targetFlags,
    weight: Flags.integer({
      description: 'Percentage of traffic for the promoted colour (default 100).',
      min: 0,
      max: 100,
    }),
  }

  protected async operate(ctx: EngineContext, lockWaitMs: number): Promise<ReleaseResult> {
    return promote(ctx, { weight: this.flags.weight, lockWaitMs })
  }

  protected override render(result: ReleaseResult): string {
    if (result.status === 'preview') {
      return `${result.colour} (${result.sha.slice(0, 7)}) now gets ${result.weights[result.colour]}% of traffic`
    }
    return renderRelease(result)
  }
}
