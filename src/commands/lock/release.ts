import { Flags } from '@oclif/core'
import { BaseCommand, type RunContext } from '../../cli/base-command.ts'
import { configFlags } from '../../cli/flags.ts'
import { freezeReason, releaseLockOrFreeze } from '../../core/freeze.ts'
import type { LockInfo } from '../../providers/types.ts'

type Result = { released: LockInfo | null; thawed: boolean }

export default class LockRelease extends BaseCommand<typeof LockRelease, Result> {
  static override summary =
    'Lift a freeze, or release the lock: an expired one, or any with --force (when its holder is dead)'
  static override flags = {
    ...configFlags,
    force: Flags.boolean({ description: 'Break the lock even when its holder may still be running.' }),
  }

  protected async execute(context: RunContext): Promise<Result> {
    // No hooks run and nothing is sent: the release job's hook and notify secrets are not needed.
    const target = await this.openTarget({ file: this.flags.config, env: this.flags.env, readOnly: true })
    try {
      return await releaseLockOrFreeze(target, this.flags.force, context.signal, context.warn)
    } finally {
      await target.provider.close?.()
    }
  }

  protected override render(result: Result): string {
    if (!result.released) return 'lock: already free'
    if (result.thawed)
      return `releases unfrozen (frozen by ${result.released.holder}: "${freezeReason(result.released)}")`
    return `released the lock held by ${result.released.holder}`
  }
}
