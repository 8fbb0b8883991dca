/** The `status` command's waiting and streaming modes (kept out of status.ts; logic in src/core/wait.ts). */
import { Flags } from '@oclif/core'
import { parseDuration } from '../config/duration.ts'
import { healthGateError, usageError } from '../core/errors.ts'
import { ExitCode } from '../core/exit-codes.ts'
import { type StatusResult, status } from '../core/operations.ts'
import type { Target } from '../core/target.ts'
import { unhealthyServing, WAIT_GOALS, type WaitGoal, waitForGoal, watchStatus } from '../core/wait.ts'
import type { RunContext } from './base-command.ts'

export const waitFlags = {
  'wait-for': Flags.string({
    description:
      'Wait until: live (one colour serves 100%, all its nodes healthy, no release running), healthy (every serving node healthy) or preview (the idle colour is up and healthy). Exit 0 when reached, 6 at once when nothing is served and no release runs, 4 when serving nodes are unhealthy twice in a row, 7 at --timeout.',
    options: [...WAIT_GOALS],
  }),
  timeout: Flags.string({ description: 'How long --wait-for waits (default 10m).', helpValue: 'DURATION' }),
  interval: Flags.string({
    description: 'Time between polls of --wait-for and --watch (default 2s).',
    helpValue: 'DURATION',
  }),
}

interface LoopFlags {
  'wait-for'?: string | undefined
  timeout?: string | undefined
  interval?: string | undefined
}

/** The shortest --timeout / --interval: polling faster than this only loads the target. */
const MIN_WAIT_MS = 100

export function durationFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const ms = parseDuration(value)
  if (ms === undefined)
    throw usageError(`--${name} ${value} is not a duration`, { hint: 'Use e.g. 90s, 5m or 1h.' })
  if (ms < MIN_WAIT_MS)
    throw usageError(`--${name} ${value} is too short: at least ${MIN_WAIT_MS}ms`, {
      hint: 'Use e.g. 90s, 5m or 1h.',
    })
  return ms
}

/**
 * Plain `status`: serving nodes that are unhealthy are warnings and make the exit code 4. Under
 * `--json` the envelope then says `error` (`health_gate`, the status in `error.details.status`), so a
 * parser that reads only `status` is not told "ok".
 */
export function flagUnhealthy(result: StatusResult, context: RunContext): void {
  const unhealthy = unhealthyServing(result)
  for (const problem of unhealthy) context.warn(`unhealthy: ${problem}`)
  if (!unhealthy.length) return
  if (context.json)
    throw healthGateError(`${unhealthy.length} node(s) that receive traffic are unhealthy`, {
      hint: 'See `gwdeploy logs` for the named nodes; `gwdeploy rollback` returns traffic to the previous release.',
      details: { status: result },
    })
  process.exitCode = ExitCode.healthGate
}

/** `status --wait-for GOAL` or `status --watch --json`. */
export async function statusLoops(
  target: Target,
  flags: LoopFlags,
  context: RunContext,
): Promise<StatusResult> {
  const intervalMs = durationFlag('interval', flags.interval, 2_000)
  const read = () => status(target, context.signal)
  const goal = flags['wait-for'] as WaitGoal | undefined
  if (goal) {
    return waitForGoal(read, {
      goal,
      timeoutMs: durationFlag('timeout', flags.timeout, 600_000),
      intervalMs,
      signal: context.signal,
      onWaiting: (missing) =>
        context.reporter.emit({ type: 'progress', step: 'wait', message: `waiting for ${goal}: ${missing}` }),
    })
  }
  let last: StatusResult | undefined
  await watchStatus(read, {
    intervalMs,
    signal: context.signal,
    onChange: (result) => {
      last = result
      process.stdout.write(`${JSON.stringify(result)}\n`)
    },
  })
  // Ctrl-C is how watching ends: success.
  process.exitCode = 0
  return last ?? (await read())
}
