// What goccy/go-yaml v1.19.2 reads as a number or a timestamp when it decides to quote a string
// (token.isNumber, token.isTimestamp): its own number parser over Go's strconv, and time.Parse
// with five layouts.
import { daysIn, goParseRfc3339 } from './go-time.ts'

type Parsed = 'number' | 'syntax' | 'range'

/** strconv.ParseUint(s, base, 64): a bad digit is a syntax error, an overflow found first a range one. */
function parseUint(s: string, base: number): Parsed {
  if (s === '') return 'syntax'
  const big = BigInt(base)
  const max = (1n << 64n) - 1n
  let n = 0n
  for (const c of s.toLowerCase()) {
    const d = c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : c >= 'a' && c <= 'z' ? c.charCodeAt(0) - 87 : 99
    if (d >= base) return 'syntax'
    n = n * big + BigInt(d)
    if (n > max) return 'range'
  }
  return 'number'
}

/** strconv.ParseInt(s, base, 64). */
function parseInt64(s: string, base: number): Parsed {
  let rest = s
  let negative = false
  if (rest[0] === '+' || rest[0] === '-') {
    negative = rest[0] === '-'
    rest = rest.slice(1)
  }
  const unsigned = parseUint(rest, base)
  if (unsigned !== 'number') return unsigned
  let n = 0n
  for (const c of rest.toLowerCase()) n = n * BigInt(base) + BigInt(Number.parseInt(c, 36))
  return n > (negative ? 1n << 63n : (1n << 63n) - 1n) ? 'range' : 'number'
}

/** strconv.ParseFloat(s, 64) of a text with one dot: decimal syntax, ±Inf beyond float64 a range error. */
function parseFloat64(s: string): Parsed {
  if (!/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(s)) return 'syntax'
  return Number.isFinite(Number(s)) ? 'number' : 'range'
}

/** token.isNumber: toNumber parses it, or fails only with a range error. */
export function goccyNumber(value: string): boolean {
  if (value === '' || value.startsWith('_')) return false
  const dots = value.split('.').length - 1
  if (dots > 1) return false
  const negative = value.startsWith('-')
  let normalized = value.startsWith('+') ? value.slice(1) : value
  if (normalized.startsWith('-')) normalized = normalized.slice(1)
  normalized = normalized.replaceAll('_', '')
  let base = 10
  let float = false
  if (normalized.startsWith('0x')) [normalized, base] = [normalized.slice(2), 16]
  else if (normalized.startsWith('0o')) [normalized, base] = [normalized.slice(2), 8]
  else if (normalized.startsWith('0b')) [normalized, base] = [normalized.slice(2), 2]
  else if (normalized.startsWith('0') && normalized.length > 1 && dots === 0) base = 8
  else if (dots === 1) float = true
  const text = negative ? `-${normalized}` : normalized
  const parsed = float ? parseFloat64(text) : negative ? parseInt64(text, base) : parseUint(text, base)
  return parsed !== 'syntax'
}

/** Go's time.Parse accepts hours of one or two digits and checks every field's range. */
const inRange = (year: number, month: number, day: number) =>
  month >= 1 && month <= 12 && day >= 1 && day <= daysIn(month, year)

/** token.isTimestamp: RFC 3339 (with a `T` or a `t`), DateTime, DateOnly or "15:4". */
export function goccyTimestamp(value: string): boolean {
  if (value.length < 3) return false
  if (/^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt]/.test(value))
    return typeof goParseRfc3339(`${value.slice(0, 10)}T${value.slice(11)}`) !== 'string'
  let m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?: ([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:[.,][0-9]+)?)?$/.exec(
    value,
  )
  if (m) {
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
    if (!inRange(year, month, day)) return false
    return m[4] === undefined || (Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6]) < 60)
  }
  m = /^([0-9]{1,2}):([0-9]{1,2})$/.exec(value)
  return m !== null && Number(m[1]) < 24 && Number(m[2]) < 60
}
