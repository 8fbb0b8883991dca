import { Flags } from '@oclif/core'
import { BaseCommand, type Envelope, type RunContext } from '../cli/base-command.ts'
import { configFlags } from '../cli/flags.ts'
import { usageError } from '../core/errors.ts'
import {
  LOG_COLOURS,
  type LogColour,
  type LogLine,
  parseSince,
  selectLogNodes,
  stoppedNodes,
  streamLogs,
} from '../core/logs.ts'

type Result = { nodes: string[]; count: number; lines?: LogLine[] }

export default class Logs extends BaseCommand<typeof Logs, Result> {
  static override summary = "Show (or follow) the gateway nodes' logs"
  static override description =
    'Every node of both colours by default; narrow with --colour and --node. Several nodes are merged as lines ' +
    'arrive, each prefixed with its colour and node. On aws the instances are not reachable from here: the error ' +
    'says how to read them (exit 2).'
  static override examples = [
    '<%= config.bin %> logs --colour live -f',
    '<%= config.bin %> logs --colour green --since 10m --grep "ERROR|WARN"',
    '<%= config.bin %> logs --node 2 -n 500',
  ]
  static override flags = {
    ...configFlags,
    colour: Flags.string({
      description: 'Only this colour; live = the serving one, previous = the other one still up.',
      options: [...LOG_COLOURS],
    }),
    node: Flags.string({
      description: 'Only this node: its id, a unique prefix, or its number in the list.',
    }),
    follow: Flags.boolean({ char: 'f', description: 'Keep printing new lines until interrupted (Ctrl-C).' }),
    since: Flags.string({
      description: 'Only lines from this long ago (10m, 1h) or since this time (ISO 8601).',
    }),
    grep: Flags.string({ description: 'Only lines matching this regular expression (JavaScript syntax).' }),
    lines: Flags.integer({
      char: 'n',
      description:
        'Lines per node to start with (default 100; every line since --since when given); 0 with -f: only new lines.',
      min: 0,
    }),
  }

  protected async execute(context: RunContext): Promise<Result> {
    const { flags } = this
    let grep: RegExp | undefined
    try {
      grep = flags.grep === undefined ? undefined : new RegExp(flags.grep)
    } catch (error) {
      throw usageError(`--grep ${flags.grep} is not a valid regular expression: ${(error as Error).message}`)
    }
    let sinceMs = flags.since === undefined ? undefined : parseSince(flags.since)
    // `-n 0` as in `tail -n 0`: no earlier lines. Following, that is the lines from now on (from a
    // second back, as a log may stamp whole seconds); without -f nothing would ever show.
    if (flags.lines === 0) {
      if (!flags.follow)
        throw usageError('-n 0 shows no earlier lines, so without -f there is nothing to show', {
          hint: 'Add -f to follow new lines only; for every line since a time, give --since (e.g. --since 24h).',
        })
      sinceMs = Math.max(sinceMs ?? 0, Date.now() - 1_000)
    }
    const target = await this.openTarget({ file: flags.config, env: flags.env, readOnly: true })
    try {
      // Reading logs needs the fleets, not every part of the router: one HAProxy instance down
      // (the night it matters most) must not hide the nodes' logs.
      const state = await target.provider.inspect({ signal: context.signal, partial: true })
      for (const part of state.router.unreadable ?? []) context.warn(part.message)
      const nodes = selectLogNodes(state, { colour: flags.colour as LogColour | undefined, node: flags.node })
      for (const stopped of await stoppedNodes(target.provider, state, nodes, context.signal))
        context.warn(stopped)
      const prefixed = nodes.length > 1
      const collected: LogLine[] = []
      let count = 0
      await streamLogs(
        target.provider,
        nodes,
        {
          lines: flags.lines ?? (sinceMs === undefined ? 100 : 0),
          sinceMs,
          grep,
          follow: flags.follow,
          signal: context.signal,
        },
        (line) => {
          count += 1
          if (context.json && !flags.follow) collected.push(line)
          else if (context.json) process.stdout.write(`${JSON.stringify(line)}\n`)
          else process.stdout.write(`${prefixed ? `[${line.colour} ${line.node}] ` : ''}${line.line}\n`)
        },
      )
      // Ctrl-C is how a follow ends: that is success, not an interruption.
      if (flags.follow) process.exitCode = 0
      return {
        nodes: nodes.map((n) => n.node.id),
        count,
        ...(context.json && !flags.follow ? { lines: collected } : {}),
      }
    } finally {
      await target.provider.close?.()
    }
  }

  /** `-f --json` streams one object per line: the closing envelope is one line too (as `status --watch --json`). */
  protected override writeJson(envelope: Envelope<Result>): void {
    if (this.flags?.follow) process.stdout.write(`${JSON.stringify(envelope)}\n`)
    else super.writeJson(envelope)
  }
}
