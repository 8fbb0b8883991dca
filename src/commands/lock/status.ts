import { BaseCommand } from '../../cli/base-command.ts'
import { configFlags } from '../../cli/flags.ts'
import { lockStatus } from '../../core/operations.ts'
import type { LockInfo } from '../../providers/types.ts'

type Result = { lock: (LockInfo & { expired: boolean }) | null }

export default class LockStatus extends BaseCommand<typeof LockStatus, Result> {
  static override summary = 'Show who holds the release lock of this target'
  static override flags = { ...configFlags }

  protected async execute(): Promise<Result> {
    const target = await this.openTarget({ file: this.flags.config, env: this.flags.env })
    return lockStatus(target)
  }

  protected override render(result: Result): string {
    const lock = result.lock
    if (!lock) return 'lock: free'
    return [
      `lock: held by ${lock.holder}${lock.expired ? ' (EXPIRED: the next release takes it over)' : ''}`,
      lock.operation ? `operation: ${lock.operation}${lock.sha ? ` ${lock.sha.slice(0, 7)}` : ''}` : '',
      `acquired: ${lock.acquiredAt}`,
      `expires: ${lock.expiresAt}`,
    ]
      .filter(Boolean)
      .join('\n')
  }
}
