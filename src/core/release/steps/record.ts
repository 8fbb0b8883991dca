/** Writing a run's outcome: the record on the target (records.ts) and the local history cache. */
import { writeRecord } from '../../records.ts'
import type { EngineContext, RecordEntry } from '../context.ts'

/** Returns why the target did not take the record (undefined when it did). */
export async function record(ctx: EngineContext, entry: RecordEntry): Promise<string | undefined> {
  const { target } = ctx
  return writeRecord(
    target,
    { time: new Date().toISOString(), service: target.config.service, env: target.env, ...entry },
    (message) => ctx.reporter.emit({ type: 'warn', message }),
    ctx.signal,
  )
}
