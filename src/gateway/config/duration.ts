/** Go-style durations as KrakenD writes them: "2s", "1500ms", "1m30s", "250us", "1h". */
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
}
const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y

/** setTimeout's longest delay (2^31 - 1 ms, 24.8 days); a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647

/** Milliseconds, or undefined when the text is not a duration. A bare number is read as nanoseconds (Go). */
export function parseDuration(input: unknown): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input / 1e6 : undefined
  if (typeof input !== 'string') return undefined
  const text = input.trim()
  if (text === '0') return 0
  if (text === '') return undefined
  PART.lastIndex = 0
  let total = 0
  while (PART.lastIndex < text.length) {
    const start = PART.lastIndex
    const match = PART.exec(text)
    if (!match || match.index !== start) return undefined
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number)
  }
  return total
}

export function formatDuration(ms: number): string {
  if (ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}

/**
 * A duration with Go's optional sign (time.ParseDuration reads "-5s"; mapstructure takes a bare
 * number as nanoseconds, -5 too): milliseconds, or undefined when it is not a duration.
 */
export function parseSignedDuration(input: unknown): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) ? input / 1e6 : undefined
  if (typeof input !== 'string') return undefined
  const text = input.trim()
  if (!text.startsWith('-') && !text.startsWith('+')) return parseDuration(text)
  const ms = parseDuration(text.slice(1))
  return ms === undefined || /^[-+]\s/.test(text) ? undefined : text.startsWith('-') ? -ms : ms
}
