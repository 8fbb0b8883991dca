/**
 * Go's time parsing where a guard depends on it: `time.ParseDuration` and `time.Parse(time.RFC3339,
 * ...)`, which cel-go's `duration()` and `timestamp()` are. Both accept other texts than a
 * JavaScript Date or a lenient pattern would (`0` is a duration, a one-digit hour and a comma before
 * the fraction are RFC 3339 to Go; `Fri, 01 Jan 2100 00:00:00 GMT` is not).
 */

const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
}
const TWO_63 = 1n << 63n

/** time.ParseDuration: nanoseconds, or Go's error text. */
export function goParseDuration(input: string): bigint | string {
  const invalid = `time: invalid duration ${quoteText(input)}`
  let s = input
  let negative = false
  if (s[0] === '-' || s[0] === '+') {
    negative = s[0] === '-'
    s = s.slice(1)
  }
  if (s === '0') return 0n
  if (s === '') return invalid
  let total = 0n
  while (s !== '') {
    if (!/^[0-9.]/.test(s)) return invalid
    const whole = /^[0-9]*/.exec(s)?.[0] ?? ''
    s = s.slice(whole.length)
    let value = 0n
    for (const digit of whole) {
      if (value > TWO_63 / 10n) return invalid
      value = value * 10n + BigInt(digit)
      if (value > TWO_63) return invalid
    }
    let fraction = 0n
    let scale = 1
    let fractionDigits = false
    if (s[0] === '.') {
      const digits = /^[0-9]*/.exec(s.slice(1))?.[0] ?? ''
      fractionDigits = digits.length > 0
      s = s.slice(1 + digits.length)
      let overflow = false
      for (const digit of digits) {
        if (overflow) continue
        const next = fraction * 10n + BigInt(digit)
        if (fraction > (TWO_63 - 1n) / 10n || next > TWO_63) {
          overflow = true
          continue
        }
        fraction = next
        scale *= 10
      }
    }
    if (whole === '' && !fractionDigits) return invalid
    const unitText = /^[^0-9.]*/.exec(s)?.[0] ?? ''
    if (unitText === '') return `time: missing unit in duration ${quoteText(input)}`
    s = s.slice(unitText.length)
    const unit = Object.hasOwn(UNIT_NS, unitText) ? UNIT_NS[unitText] : undefined
    if (unit === undefined) return `time: unknown unit ${quoteText(unitText)} in duration ${quoteText(input)}`
    if (value > TWO_63 / unit) return invalid
    value *= unit
    if (fraction > 0n) {
      // Go computes this part in float64, as here.
      value += BigInt(Math.trunc(Number(fraction) * (Number(unit) / scale)))
      if (value > TWO_63) return invalid
    }
    total += value
    if (total > TWO_63) return invalid
  }
  if (negative) return -total
  return total > TWO_63 - 1n ? invalid : total
}

export interface GoTime {
  /** Milliseconds since the epoch (sub-millisecond digits cut). */
  ms: number
  /** Seconds since the epoch, as Go's Time.Unix(). */
  unix: number
}

/** Go's time package names (bundled in gateway.cjs, so the Lua and RSS component chunks share them). */
export const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']
export const LONG_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
]

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
const isLeap = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
export const daysIn = (month: number, year: number) =>
  month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] as number)

/**
 * The time package's quote() of a byte string (one character per byte): `"` and `\\` escaped,
 * every byte outside printable ASCII as `\xnn`.
 */
export function goTimeQuote(bytes: string): string {
  let out = '"'
  for (const c of bytes) {
    const code = c.charCodeAt(0)
    if (code >= 0x80 || code < 0x20) out += `\\x${code.toString(16).padStart(2, '0')}`
    else out += c === '"' || c === '\\' ? `\\${c}` : c
  }
  return `${out}"`
}

/** goTimeQuote of a JavaScript string, by its UTF-8 bytes. */
const quoteText = (text: string) => goTimeQuote(Buffer.from(text, 'utf8').toString('latin1'))

/** time.Parse(time.RFC3339, s): the instant, or Go's error text. */
export function goParseRfc3339(input: string): GoTime | string {
  const bad = `parsing time ${quoteText(input)} as "2006-01-02T15:04:05Z07:00": cannot parse`
  // Go's layout walk for "2006-01-02T15:04:05Z07:00": a one- or two-digit hour, the others fixed,
  // an optional fraction after the seconds ("." or ","), then Z or a ±hh:mm offset, nothing after.
  const match =
    /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:[.,]([0-9]+))?(Z|[+-][0-9]{2}:[0-9]{2})$/.exec(
      input,
    )
  if (!match) return bad
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const range = (what: string) => `parsing time ${quoteText(input)}: ${what} out of range`
  if (month < 1 || month > 12) return range('month')
  if (hour > 23) return range('hour')
  if (minute > 59) return range('minute')
  if (second > 59) return range('second')
  const zone = match[8] as string
  let offsetSeconds = 0
  if (zone !== 'Z') {
    const hours = Number(zone.slice(1, 3))
    const minutes = Number(zone.slice(4, 6))
    if (hours > 24) return range('time zone offset hour')
    if (minutes > 60) return range('time zone offset minute')
    offsetSeconds = (zone[0] === '-' ? -1 : 1) * (hours * 3600 + minutes * 60)
  }
  if (day < 1 || day > daysIn(month, year)) return range('day')
  const nanos = Number((match[7] ?? '').slice(0, 9).padEnd(9, '0'))
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second, 0)
  const unix = date.getTime() / 1000 - offsetSeconds
  return { ms: unix * 1000 + Math.floor(nanos / 1e6), unix }
}

/** strconv.FormatFloat(x, 'f', -1, 64): the shortest digits, never an exponent. */
export function goFormatFixed(x: number): string {
  const text = String(x)
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text)
  if (!match) return text
  const [, sign, lead, rest = '', exp] = match
  const digits = `${lead}${rest}`
  const point = 1 + Number(exp)
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`
  return `${sign}${digits.padEnd(point, '0')}`
}
