import { createInterface } from 'node:readline/promises'
import { Flags } from '@oclif/core'
import type { RunContext } from '../cli/base-command.ts'
import { TargetCommand, targetFlags } from '../cli/target-command.ts'
import type { DestroyResult } from '../core/destroy.ts'
import type { EngineContext } from '../core/engine.ts'
import { usageError } from '../core/errors.ts'
import { destroy } from '../core/operations.ts'

export default class Destroy extends TargetCommand<typeof Destroy, DestroyResult> {
  static override summary =
    "Remove everything gwdeploy created for this service on the target (both colours, the router; in an operator's HAProxy or ALB only gwdeploy's routing)"
  static override description = 'Asks for the service name unless --force. The audit log (history) is kept.'
  protected override allowMissingEnv = true
  static override flags = {
    ...targetFlags,
    force: Flags.boolean({ description: 'Do not ask for confirmation.' }),
  }

  protected async operate(
    ctx: EngineContext,
    lockWaitMs: number,
    context: RunContext,
  ): Promise<DestroyResult> {
    if (!this.flags.force) await this.confirm(ctx.target.config.service, ctx.target.provider.id, context.json)
    return destroy(ctx, { lockWaitMs })
  }

  private async confirm(service: string, providerId: string, json: boolean): Promise<void> {
    if (!process.stdin.isTTY || json) {
      throw usageError('destroy removes every node and the router of this service', {
        hint: 'Pass --force to confirm when not running interactively.',
      })
    }
    const rl = createInterface({ input: process.stdin, output: process.stderr })
    const answer = await rl.question(
      `This stops all traffic to ${service} (${providerId}). Type the service name to confirm: `,
    )
    rl.close()
    if (answer.trim() !== service) throw usageError('not confirmed: nothing was changed')
  }

  protected override render(result: DestroyResult): string {
    const already = result.alreadyDestroyed
    if (already)
      return `nothing to destroy: the target was destroyed at ${already.time}${already.holder ? ` by ${already.holder}` : ''} and nothing was deployed since`
    const done = [
      ...(result.destroyed.length ? [`destroyed: ${result.destroyed.join(', ')}`] : []),
      ...(result.emptied ? [result.emptied] : []),
    ]
    return done.length ? done.join('; ') : 'nothing to destroy'
  }
}
