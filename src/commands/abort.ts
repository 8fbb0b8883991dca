import { TargetCommand, targetFlags } from '../cli/target-command.ts'
import { type AbortResult, abort, type EngineContext } from '../core/engine.ts'
import { usageError } from '../core/errors.ts'
import { freezeReason, isFreeze } from '../core/freeze-info.ts'

export default class Abort extends TargetCommand<typeof Abort, AbortResult> {
  static override summary =
    'Stop the release, promote or rollback running on the target (from another shell or CI job)'
  static override description =
    'Takes the target lock over. The running operation notices within seconds (also in the middle of a bake), stops at the ' +
    'next safe point, reverts traffic to the last state every colour with traffic passed its gate for, records it and exits 130; ' +
    'abort waits for that record (up to 60 s) and reports it. Nothing running is exit 2; a freeze is not lifted (`lock release` does).'
  static override examples = ['<%= config.bin %> abort', '<%= config.bin %> abort --json']
  static override flags = { ...targetFlags }
  protected override runsNoHooks = true

  protected async operate(ctx: EngineContext): Promise<AbortResult> {
    // A freeze is a person's decision, not a run: there is nothing to abort (exit 2, as with
    // nothing running), and abort does not lift it.
    const current = await ctx.target.provider.lock().status({ signal: ctx.signal })
    if (isFreeze(current))
      throw usageError(
        `nothing is running to abort: releases are frozen by ${current.holder}: "${freezeReason(current)}" (since ${current.acquiredAt})`,
        { hint: 'abort does not lift a freeze; `gwdeploy lock release` does.', details: { lock: current } },
      )
    return abort(ctx)
  }

  protected override render(result: AbortResult): string {
    const what = [result.aborted.operation, result.aborted.sha?.slice(0, 7)].filter(Boolean).join(' ')
    const outcome = result.dead
      ? 'it was not running: its process on this host is gone (killed), so it reverted nothing; `gwdeploy status` shows where it left the target'
      : result.outcome
        ? `it recorded: ${result.outcome.status}${result.outcome.error ? ` (${result.outcome.error})` : ''}`
        : 'it recorded no outcome (it may be dead)'
    return `aborted ${what || 'the running operation'} of ${result.aborted.holder}; ${outcome}\ntraffic: blue ${result.weights.blue}% / green ${result.weights.green}%`
  }
}
