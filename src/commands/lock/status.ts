import { BaseCommand, type RunContext } from '../../cli/base-command.ts'
import { configFlags } from '../../cli/flags.ts'
import { isUnreadableLock, unreadableLockError } from '../../core/lock.ts'
import { type LockView, lockStatus } from '../../core/lock-commands.ts'

type Result = { lock: LockView | null }

export default class LockStatus extends BaseCommand<typeof LockStatus, Result> {
  static override summary = 'Show who holds the release lock of this target'
  static override flags = { ...configFlags }

  protected async execute(context: RunContext): Promise<Result> {
    const target = await this.openTarget({ file: this.flags.config, env: this.flags.env, readOnly: true })
    const result = await lockStatus(target, context.signal)
    // Unreadable, it is not a free or expired lock: say so, exit 6, and how to clear it.
    if (isUnreadableLock(result.lock)) throw unreadableLockError(result.lock)
    return result
  }

  protected override render(result: Result): string {
    const lock = result.lock
    if (!lock) return 'lock: free'
    return [
      `lock: held by ${lock.holder}${
        lock.dead
          ? ` (DEAD: its process on this host is gone; ${lock.takeover})`
          : lock.expired
            ? ' (EXPIRED: the next release takes it over)'
            : ''
      }`,
      lock.operation ? `operation: ${lock.operation}${lock.sha ? ` ${lock.sha.slice(0, 7)}` : ''}` : '',
      `acquired: ${lock.acquiredAt}`,
      `expires: ${lock.expiresAt}`,
    ]
      .filter(Boolean)
      .join('\n')
  }
}
