/**
 * Timestamps and durations to the nanosecond, as cel-go keeps them (Go's time.Time and
 * time.Duration). cel-js keeps a timestamp as a JavaScript Date (milliseconds), so
 * `timestamp(now) + duration('1ns') > timestamp(now)` was false (cel-go: true) and
 * `string(timestamp('...00.123456789Z'))` lost digits; its duration sums carried wrongly on a
 * negative duration (`duration('0') + duration('-1.5s')` was -2.5s). Here a Date carries the
 * nanoseconds below its millisecond and the zone offset it was written with beside it (weak maps,
 * as Go's time.Time carries its location), and `+`/`-`, orderings and equality of these values
 * are computed on exact nanoseconds (cel-go-functions.ts wraps the operators).
 */
import { celLibrary } from '../libraries.ts'

const NS_PER_MS = 1_000_000n
const NS_PER_S = 1_000_000_000n

/** Nanoseconds below the millisecond of a timestamp's Date (0–999,999), when not 0. */
const subMillisecond = new WeakMap<Date, number>()

/**
 * The zone offset (seconds east of UTC) a timestamp keeps from its text, as Go's time.Time keeps
 * its location: set by timestamp(string), carried by `+`/`-` with a duration, used by string().
 */
export const timestampOffsets = new WeakMap<Date, number>()

type Duration = { seconds: bigint; nanos: number }

export const timestampNanos = (t: Date): bigint =>
  BigInt(t.getTime()) * NS_PER_MS + BigInt(subMillisecond.get(t) ?? 0)

export const durationNanos = (d: Duration): bigint => d.seconds * NS_PER_S + BigInt(d.nanos)

const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b))

function timestampFromNanos(ns: bigint): Date {
  const ms = floorDiv(ns, NS_PER_MS)
  const date = new Date(Number(ms))
  const below = Number(ns - ms * NS_PER_MS)
  if (below !== 0) subMillisecond.set(date, below)
  return date
}

/**
 * cel-js's Duration with seconds and nanos of the sign of the whole, as Go truncates: cel-js's
 * accessors read the fields (`duration('-1.5s').getSeconds()` is -1 in cel-go).
 */
export function durationFromNanos(ns: bigint): Duration {
  return new (celLibrary().Duration)(ns / NS_PER_S, Number(ns % NS_PER_S))
}

/** A timestamp parsed from RFC 3339 `text` at millisecond `ms`: its nanoseconds and zone kept. */
export function keepTimestampText(date: Date, text: string): Date {
  const fraction = /[.,]([0-9]+)/.exec(text.slice(19))?.[1]
  if (fraction !== undefined) {
    const below = Number(fraction.slice(0, 9).padEnd(9, '0')) % 1_000_000
    if (below !== 0) subMillisecond.set(date, below)
  }
  const zone = /([+-])([0-9]{2}):([0-9]{2})$/.exec(text)
  const offset = zone ? (zone[1] === '-' ? -1 : 1) * (Number(zone[2]) * 3600 + Number(zone[3]) * 60) : 0
  if (offset !== 0) timestampOffsets.set(date, offset)
  return date
}

/** `left op right` for timestamps and durations on exact nanoseconds; undefined for other values. */
export function exactTimeArithmetic(op: string, left: unknown, right: unknown): unknown {
  const { Duration } = celLibrary()
  const isDuration = (v: unknown): v is Duration => v instanceof Duration
  let result: Date | undefined
  if (left instanceof Date && isDuration(right))
    result = timestampFromNanos(
      op === '+' ? timestampNanos(left) + durationNanos(right) : timestampNanos(left) - durationNanos(right),
    )
  else if (isDuration(left) && right instanceof Date && op === '+')
    result = timestampFromNanos(durationNanos(left) + timestampNanos(right))
  else if (left instanceof Date && right instanceof Date && op === '-')
    return durationFromNanos(timestampNanos(left) - timestampNanos(right))
  else if (isDuration(left) && isDuration(right))
    return durationFromNanos(
      op === '+' ? durationNanos(left) + durationNanos(right) : durationNanos(left) - durationNanos(right),
    )
  if (result === undefined) return undefined
  const offset = timestampOffsets.get((left instanceof Date ? left : right) as Date)
  if (offset !== undefined) timestampOffsets.set(result, offset)
  return result
}

/** The nanosecond digits of a timestamp's fraction, trailing zeros trimmed ('' for none). */
export function fractionDigits(t: Date): string {
  const ns = Number(((timestampNanos(t) % NS_PER_S) + NS_PER_S) % NS_PER_S)
  return ns === 0 ? '' : `.${String(ns).padStart(9, '0').replace(/0+$/, '')}`
}
