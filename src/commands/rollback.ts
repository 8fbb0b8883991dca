import { Flags } from '@oclif/core'
import { TargetCommand, targetFlags } from '../cli/target-command.ts'
import { type EngineContext, type ReleaseResult, rollback } from '../core/engine.ts'
import { renderRollback } from './release.ts'

export default class Rollback extends TargetCommand<typeof Rollback, ReleaseResult> {
  static override summary =
    'Go back to the release before the live one (one switch when its colour is still up)'
  static override description =
    'Reads the release records on the target: the releases that went live form a line, and rollback steps back along it. ' +
    'A second rollback goes one further back, or exits 2 when there is nothing earlier; it never returns to the version just left. ' +
    'When the earlier release still runs on the idle colour and passes a quick health check, traffic moves back in one routing change; ' +
    'otherwise it is released again exactly as recorded (stamped config, image by digest). During a split (a canary, an interrupted shift) ' +
    'all traffic returns to the release that fully served before the shift. The decision and the action happen under one lock.'
  static override examples = [
    '<%= config.bin %> rollback',
    '<%= config.bin %> rollback --to abc1234   # any recorded release (see `gwdeploy history`)',
    '<%= config.bin %> rollback --force-now    # stop a running release first',
  ]
  static override flags = {
    ...targetFlags,
    'force-now': Flags.boolean({
      description:
        'Emergencies: abort the operation holding the lock (it reverts to its last gated state first), skip the hooks, then roll back.',
    }),
    to: Flags.string({
      description: 'Go to this recorded release (a SHA or a prefix) instead of the one before the live one.',
    }),
  }

  protected override notifyOptional = true

  protected async operate(ctx: EngineContext, lockWaitMs: number): Promise<ReleaseResult> {
    return rollback(ctx, { to: this.flags.to, lockWaitMs, forceNow: this.flags['force-now'] })
  }

  protected override render(result: ReleaseResult): string {
    return renderRollback(result)
  }
}
