/**
 * The finalize step, after green carries all the traffic: annotate the colours (green current,
 * the previous one kept for `shift.keep`) and write the record. Traffic has moved by now, so a
 * failure here does not revert: it is listed on `run.unfinished` and the record says so (a record
 * the target did not take is listed too: exit 8).
 */
import type { Fleet } from '../../../providers/types.ts'
import { step } from '../../events.ts'
import { ExitCode } from '../../exit-codes.ts'
import { testPoint } from '../../testpoints.ts'
import {
  type EngineContext,
  info,
  type LockedContext,
  type RecordEntry,
  type Run,
  recordBase,
} from '../context.ts'
import { record } from './record.ts'

async function annotate(ctx: EngineContext, green: Fleet, run: Run): Promise<void> {
  const { provider, config } = ctx.target
  const previous = run.previous
  // Live already: an interrupt here is listed as unfinished (exit 8), the record still written.
  await provider.annotate(green.colour, { keepUntil: undefined }, { signal: ctx.signal })
  if (!previous) return
  if (run.previousNeverLive) {
    if (previous.keepUntil)
      await provider.annotate(previous.colour, { keepUntil: undefined }, { signal: ctx.signal })
    info(
      ctx,
      `${previous.colour} (${previous.sha.slice(0, 7)}) never went live: left idle, not kept for rollback (\`gwdeploy retire\` tears it down)`,
    )
    return
  }
  const keepUntil = new Date(Date.now() + config.shift.keep).toISOString()
  await provider.annotate(previous.colour, { keepUntil }, { signal: ctx.signal })
  info(ctx, `previous ${previous.colour} (${previous.sha.slice(0, 7)}) kept for rollback until ${keepUntil}`)
}

export async function finalize(
  ctx: LockedContext,
  run: Run,
  green: Fleet,
  status: RecordEntry['status'],
): Promise<void> {
  await testPoint('finalize', ctx.signal)
  await step(ctx.reporter, 'finalize', async () => {
    try {
      await annotate(ctx, green, run)
    } catch (error) {
      run.unfinished.push(`annotate the colours (previous kept for rollback): ${(error as Error).message}`)
    }
    const unfinished = run.unfinished.length ? run.unfinished : undefined
    const unwritten = await record(ctx, {
      ...recordBase(ctx, run),
      status,
      ...(unfinished ? { unfinished, error: `live, but did not finish: ${unfinished.join('; ')}` } : {}),
      ...(unfinished ? { exitCode: ExitCode.live } : {}),
    })
    // Without its record, history, status and the next rollback would not know this run happened.
    if (unwritten) {
      run.unfinished.push(unwritten)
      run.unrecorded = true
    }
  })
}
