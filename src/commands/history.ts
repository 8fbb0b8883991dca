import { Flags } from '@oclif/core'
import { BaseCommand, type RunContext } from '../cli/base-command.ts'
import { configFlags } from '../cli/flags.ts'
import type { HistoryEntry } from '../core/history.ts'
import { history } from '../core/operations.ts'

export default class History extends BaseCommand<typeof History, HistoryEntry[]> {
  static override summary = 'List releases, rollbacks and other operations, newest first, from the target'
  static override flags = {
    ...configFlags,
    limit: Flags.integer({ char: 'n', description: 'Show the newest N entries.', default: 20, min: 1 }),
  }

  protected async execute(context: RunContext): Promise<HistoryEntry[]> {
    const target = await this.openTarget({ file: this.flags.config, env: this.flags.env, readOnly: true })
    return history(target, this.flags.limit, context.warn, context.signal)
  }

  protected override render(entries: HistoryEntry[]): string {
    if (entries.length === 0) return 'no releases yet'
    return entries
      .map((e) => {
        const dirty = e.version?.includes('_uncommitted_') ? e.version.slice(e.version.indexOf('_')) : ''
        const what = [
          e.sha ? e.sha.slice(0, 7) + dirty : undefined,
          e.configName ? `"${e.configName}"` : undefined,
          colourOf(e),
          e.holder ? `by ${e.holder}` : undefined,
          e.brokenLock
            ? `(held by ${e.brokenLock.holder}${e.brokenLock.operation ? `, ${e.brokenLock.operation}` : ''})`
            : undefined,
          e.done?.length ? `(${e.done.join('; ')})` : undefined,
          e.partOf ? `(by the ${e.partOf.operation} of ${e.partOf.sha.slice(0, 7)})` : undefined,
        ]
          .filter(Boolean)
          .join(' ')
        const took = e.durationMs !== undefined ? ` ${(e.durationMs / 1000).toFixed(1)}s` : ''
        return `${e.time}  ${e.operation.padEnd(8)} ${e.status.padEnd(11)} ${what}${took}${e.error ? `  — ${e.error}` : ''}`
      })
      .join('\n')
  }
}

/** The colour, with its share when the operation left traffic split (`promote --weight 30`: `blue 30%`). */
function colourOf(entry: HistoryEntry): string | undefined {
  const weight = entry.colour
    ? entry.weights?.[entry.colour as keyof NonNullable<HistoryEntry['weights']>]
    : undefined
  return weight !== undefined && weight > 0 && weight < 100 ? `${entry.colour} ${weight}%` : entry.colour
}
