/**
 * Durations as KrakenD reads them. A string is Go's time.ParseDuration ("1h2m3.5s", ".5s", "5.s",
 * "+5s", "-0s", "1µs"; no spaces, a unit on every number but a bare "0"); krakend-koanf's
 * mapstructure decoder takes a JSON number as nanoseconds (truncated), true as 1 ns and false or
 * null as 0.
 */
import { goParseDuration } from '../go-time.ts'

/** setTimeout's longest delay (2^31 - 1 ms, 24.8 days); a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647

const TWO_63 = 2 ** 63

/** time.ParseDuration in milliseconds (negative ones too), or undefined where Go returns an error. */
export function goDurationMs(text: string): number | undefined {
  const ns = goParseDuration(text)
  return typeof ns === 'string' ? undefined : Number(ns) / 1e6 || 0
}

/**
 * Go's duration syntax: a text time.ParseDuration refuses only for its size (past int64 nanoseconds).
 * µ and μ are written as escapes: one non-ASCII character in gateway.cjs makes V8 keep all its source
 * two bytes per character (bundle-one-byte-source.test.ts).
 */
export const beyondGoDuration = (text: string) =>
  goDurationMs(text) === undefined &&
  /^[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+$/.test(text)

/** Milliseconds, or undefined when it is not a duration or is negative. A bare number is nanoseconds (Go). */
export function parseDuration(input: unknown): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input / 1e6 : undefined
  if (typeof input !== 'string') return undefined
  const ms = goDurationMs(input)
  return ms === undefined || ms < 0 ? undefined : ms
}

export function formatDuration(ms: number): string {
  if (ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}

/** A duration krakend-koanf decodes: milliseconds (negative kept), or why KrakenD refuses to start. */
export type KrakendDuration = { ms: number } | { refused: string; hint: string }

const DURATION_HINT = 'write a Go duration like "2s", "1500ms" or "1m30s"'

/**
 * A service, endpoint or backend duration as krakend-koanf decodes it into a time.Duration;
 * undefined when absent or null (KrakenD's zero).
 */
export function readKrakendDuration(raw: unknown): KrakendDuration | undefined {
  if (raw === undefined || raw === null) return undefined
  if (typeof raw === 'boolean') return { ms: raw ? 1e-6 : 0 }
  if (typeof raw === 'number') {
    // Go's float64-to-int64 conversion past int64 gives another value per CPU (amd64: the lowest).
    if (!Number.isFinite(raw) || Math.abs(raw) >= TWO_63)
      return {
        refused: `${JSON.stringify(raw)} nanoseconds is outside Go's durations (about ±292 years): KrakenD reads it as another value on each CPU`,
        hint: DURATION_HINT,
      }
    return { ms: Math.trunc(raw) / 1e6 || 0 }
  }
  if (typeof raw !== 'string')
    return {
      refused: `${JSON.stringify(raw)} is not a duration: KrakenD refuses to start`,
      hint: DURATION_HINT,
    }
  const ns = goParseDuration(raw)
  if (typeof ns === 'string') return { refused: `KrakenD refuses to start: ${ns}`, hint: DURATION_HINT }
  return { ms: Number(ns) / 1e6 || 0 }
}
