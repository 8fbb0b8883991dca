/**
 * The release records an engine decision reads (rollback's goal, promote's colour, a same-SHA
 * check...). A record that cannot be read, or a target whose records cannot be listed, is warned
 * about, once per command, instead of the decision silently being made without it.
 */
import type { ReleaseRecord } from '../../providers/types.ts'
import type { Reporter } from '../events.ts'
import { recordsOrNone } from '../records.ts'
import type { EngineContext } from './context.ts'

const warnedBy = new WeakMap<Reporter, Set<string>>()

export async function engineRecords(ctx: EngineContext, limit: number): Promise<ReleaseRecord[]> {
  const warnOnce = (message: string) => {
    const warned = warnedBy.get(ctx.reporter) ?? new Set<string>()
    warnedBy.set(ctx.reporter, warned)
    if (warned.has(message)) return
    warned.add(message)
    ctx.reporter.emit({ type: 'warn', message })
  }
  return recordsOrNone(ctx.target, limit, warnOnce, ctx.signal)
}
