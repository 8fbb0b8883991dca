import { createInterface } from 'node:readline/promises'
import { Flags } from '@oclif/core'
import { BaseCommand, type RunContext } from '../cli/base-command.ts'
import { configFlags } from '../cli/flags.ts'
import { usageError } from '../core/errors.ts'
import { destroy } from '../core/operations.ts'
import { engineContext, lockWaitFlag, lockWaitMs, normaliseLockWaitArgv } from './release.ts'

export default class Destroy extends BaseCommand<typeof Destroy, { destroyed: string[] }> {
  static override summary =
    'Remove everything gwdeploy created for this service on the target (both colours, the router)'
  static override description = 'Asks for the service name unless --force. The audit log (history) is kept.'
  static override flags = {
    ...configFlags,
    ...lockWaitFlag,
    force: Flags.boolean({ description: 'Do not ask for confirmation.' }),
  }

  public override async init(): Promise<void> {
    this.argv = normaliseLockWaitArgv(this.argv)
    await super.init()
  }

  protected async execute(context: RunContext): Promise<{ destroyed: string[] }> {
    const ctx = await engineContext(context, this.flags)
    try {
      if (!this.flags.force) {
        const service = ctx.target.config.service
        if (!process.stdin.isTTY || context.json) {
          throw usageError('destroy removes every node and the router of this service', {
            hint: 'Pass --force to confirm when not running interactively.',
          })
        }
        const rl = createInterface({ input: process.stdin, output: process.stderr })
        const answer = await rl.question(
          `This stops all traffic to ${service} (${ctx.target.provider.id}). Type the service name to confirm: `,
        )
        rl.close()
        if (answer.trim() !== service) throw usageError('not confirmed: nothing was changed')
      }
      return await destroy(ctx, { lockWaitMs: lockWaitMs(this.flags['lock-wait'], ctx.target) })
    } finally {
      await ctx.target.provider.close?.()
    }
  }

  protected override render(result: { destroyed: string[] }): string {
    return result.destroyed.length ? `destroyed: ${result.destroyed.join(', ')}` : 'nothing to destroy'
  }
}
