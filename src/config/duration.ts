import { z } from 'zod'

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)/

/** Parses `500ms`, `30s`, `5m`, `1h`, `1m30s` to milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  let rest = text.trim()
  if (rest === '0') return 0
  if (rest === '') return undefined
  let total = 0
  while (rest.length > 0) {
    const match = DURATION.exec(rest)
    if (!match) return undefined
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number)
    rest = rest.slice(match[0].length)
  }
  return Math.round(total)
}

export function formatDuration(ms: number): string {
  if (ms === 0) return '0s'
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`
  if (ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}

/** The longest wait a Node timer takes (2^31-1 ms, 596h): a longer one fires at once. */
const MAX_TIMER_MS = 2_147_483_647
/** The longest date offset anything keeps (ten years): beyond it a date is no longer a date. */
const MAX_DATE_OFFSET_MS = 10 * 365 * 24 * 3_600_000

function durationUpTo(maxMs: number, what: string) {
  return z
    .union([z.string(), z.literal(0)], {
      // `bake: 5` is the usual slip: a number without a unit (which gwdeploy does not guess).
      error: (issue) =>
        typeof issue.input === 'number'
          ? `${issue.input} has no unit: write ${issue.input}s for seconds (durations: 500ms, 30s, 5m, 1h)`
          : `must be a duration such as 500ms, 30s, 5m or 1h, not ${JSON.stringify(issue.input) ?? 'nothing'}`,
    })
    .transform((value, ctx) => {
      if (value === 0) return 0
      const ms = parseDuration(value)
      if (ms === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `"${value}" is not a duration`,
          params: {
            hint: 'Write a number with a unit: 500ms, 30s, 5m or 1h (combinations like 1m30s work too).',
          },
        })
        return z.NEVER
      }
      if (ms > maxMs) {
        ctx.addIssue({
          code: 'custom',
          message: `"${value}" is too long: at most ${formatDuration(Math.floor(maxMs / 3_600_000) * 3_600_000)}`,
          params: { hint: what },
        })
        return z.NEVER
      }
      return ms
    })
    .meta({
      description: 'A duration: 500ms, 30s, 5m, 1h or combinations like 1m30s.',
      pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h))+$|^0$',
    })
}

/** A duration in gwdeploy.yml: a string with a unit (`500ms`, `30s`, `5m`, `1h`), resolved to ms; gwdeploy waits it with a timer. */
export const duration = durationUpTo(
  MAX_TIMER_MS,
  'gwdeploy waits this with a timer, which waits at most 596h (24 days).',
)

/** A duration gwdeploy only adds to a date (`shift.keep`): up to ten years. */
export const longDuration = durationUpTo(MAX_DATE_OFFSET_MS, 'It is added to a date; ten years is the most.')

/** A duration with a floor: values below it would make gwdeploy misbehave (a lock that expires while held). */
export function durationAtLeast(minMs: number, why: string) {
  return duration
    .refine((ms) => ms >= minMs, {
      message: `must be at least ${formatDuration(minMs)}`,
      params: { hint: why },
    })
    .meta({
      description: `A duration of at least ${formatDuration(minMs)}: 500ms, 30s, 5m, 1h or combinations like 1m30s.`,
      pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h))+$',
    })
}
