import { Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.ts'
import { configFlags } from '../../cli/flags.ts'
import { lockRelease } from '../../core/operations.ts'
import { openTarget } from '../../core/target.ts'
import type { LockInfo } from '../../providers/types.ts'

type Result = { released: LockInfo | null }

export default class LockRelease extends BaseCommand<typeof LockRelease, Result> {
  static override summary = 'Release the lock: an expired one, or any with --force (when its holder is dead)'
  static override flags = {
    ...configFlags,
    force: Flags.boolean({ description: 'Break the lock even when its holder may still be running.' }),
  }

  protected async execute(): Promise<Result> {
    const target = await openTarget({ file: this.flags.config, env: this.flags.env })
    return lockRelease(target, this.flags.force)
  }

  protected override render(result: Result): string {
    return result.released ? `released the lock held by ${result.released.holder}` : 'lock: already free'
  }
}
