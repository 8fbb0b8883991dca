/**
 * cel-go's type conversions int(), uint(), double(), string(), bool() and bytes(), which differ
 * from cel-js's:
 * - from a string, Go's strconv (ParseInt/ParseUint base 10, ParseFloat): `double('1e400')` and
 *   `double('0x10')` fail (cel-js gives Infinity and 16), `uint('+1')` fails, `double('0x1p3')` is 8;
 * - from a double, an error beyond the target's range (cel-js made int(1e19) a number past int64);
 * - `int(uint)` and `int(duration)` exist (cel-js has neither), and fail past int64;
 * - `string(double)` is Go's `%g`: `string(1234567.0)` is "1.234567e+06" (cel-js "1234567"), so
 *   `string(JWT.id) == req_params.Id` compares what KrakenD compares;
 * - `string(bytes)` fails on invalid UTF-8, `string(timestamp)` is RFC 3339 with nanoseconds;
 * - `bool(string)` is strconv.ParseBool (`bool('T')` holds); `bytes(string)` keeps a request's bytes
 *   that are not UTF-8 (byte-text.ts) as they were.
 * The calls are renamed (cel-go-functions.ts) to these declarations.
 */
import type { Environment } from '@marcbachmann/cel-js'
import { goTextBytes } from '../byte-text.ts'
import { goParseInt } from '../go-strconv.ts'
import { goFormatFixed } from '../go-time.ts'
import { celLibrary } from '../libraries.ts'
import { fractionDigits, timestampOffsets } from './cel-go-instants.ts'

const MIN_INT = -(2n ** 63n)
const MAX_INT = 2n ** 63n - 1n
const MAX_UINT = 2n ** 64n - 1n
const TWO_TO_63 = 2 ** 63
const TWO_TO_64 = 2 ** 64

const conversionError = (from: string, to: string) =>
  new Error(`type conversion error from '${from}' to '${to}'`)

/** Go's strconv.ParseBool (cel-js took neither "T" nor "F"). */
function goParseBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false
  return undefined
}

/** Go's strconv.ParseUint(s, 10, 64). */
function goParseUint(s: string): bigint | undefined {
  if (!/^[0-9]+$/.test(s)) return undefined
  const n = BigInt(s)
  return n > MAX_UINT ? undefined : n
}

const DECIMAL = /^[+-]?(?:[0-9_]+\.?[0-9_]*|\.[0-9_]+)(?:[eE][+-]?[0-9_]+)?$/
const HEX = /^([+-]?)0[xX]([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?[pP]([+-]?[0-9_]+)$/

/** Go's strconv.ParseFloat(s, 64); undefined where Go returns an error (syntax or range). */
function goParseFloat(s: string): number | undefined {
  const special = /^([+-]?)(inf|infinity)$/i.exec(s)
  if (special) return special[1] === '-' ? -Infinity : Infinity
  if (/^nan$/i.test(s)) return Number.NaN
  // Go's readFloat: underscores between digits (underscoreOK), at least one mantissa digit.
  if (s.includes('_') && !underscoresOk(s)) return undefined
  let value: number
  if (DECIMAL.test(s)) {
    if (!/[0-9]/.test(s.replace(/[eE].*$/, ''))) return undefined
    value = Number(s.replaceAll('_', ''))
  } else {
    const hex = HEX.exec(s)
    if (!hex) return undefined
    const [, sign, whole = '', fraction = '', exponent = '0'] = hex
    const digits = (whole + fraction).replaceAll('_', '')
    if (digits === '') return undefined
    const scale = Number(exponent.replaceAll('_', '')) - 4 * fraction.replaceAll('_', '').length
    value = Number(BigInt(`0x${digits}`)) * 2 ** scale
    if (sign === '-') value = -value
  }
  return Number.isFinite(value) ? value : undefined
}

/** Go's strconv underscoreOK: an underscore only between digits, or after the base prefix. */
function underscoresOk(s: string): boolean {
  let text = s[0] === '+' || s[0] === '-' ? s.slice(1) : s
  let saw = '^'
  let hex = false
  if (/^0[bBoOxX]/.test(text)) {
    saw = '0'
    hex = /^0[xX]/.test(text)
    text = text.slice(2)
  }
  for (const c of text) {
    if (/[0-9]/.test(c) || (hex && /[a-fA-F]/.test(c))) saw = '0'
    else if (c === '_') {
      if (saw !== '0') return false
      saw = '_'
    } else {
      if (saw === '_') return false
      saw = '!'
    }
  }
  return saw !== '_'
}

/** Go's fmt `%g` of a float64 (strconv 'g', shortest digits: exponent form below 1e-4 or from 1e6 on). */
function goFormatG(x: number): string {
  if (Number.isNaN(x)) return 'NaN'
  if (x === Infinity) return '+Inf'
  if (x === -Infinity) return '-Inf'
  if (x === 0) return Object.is(x, -0) ? '-0' : '0'
  const [mantissa = '', exp = '0'] = x.toExponential().split('e')
  const e = Number(exp)
  if (e < -4 || e >= 6) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`
  const sign = x < 0 ? '-' : ''
  const digits = mantissa.replace(/^-/, '').replace('.', '')
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`
  const point = e + 1
  const padded = digits.padEnd(point, '0')
  return point >= padded.length
    ? `${sign}${padded}`
    : `${sign}${padded.slice(0, point)}.${padded.slice(point)}`
}

function doubleToInt(v: number): bigint {
  if (!Number.isFinite(v) || v <= -TWO_TO_63 || v >= TWO_TO_63) throw new Error('integer overflow')
  return BigInt(Math.trunc(v))
}

function doubleToUint(v: number): bigint {
  if (!Number.isFinite(v) || v < 0 || v >= TWO_TO_64) throw new Error('unsigned integer overflow')
  return BigInt(Math.trunc(v))
}

function intOf(v: bigint): bigint {
  if (v < MIN_INT || v > MAX_INT) throw new Error('integer overflow')
  return v
}

/**
 * Go's time.RFC3339Nano: fractional seconds to the nanosecond without trailing zeros, in the zone
 * the timestamp was written with (`timestamp('2023-06-15T23:30:00+02:00')` keeps +02:00; UTC is `Z`).
 */
function rfc3339Nano(t: Date): string {
  const offset = timestampOffsets.get(t) ?? 0
  const wall = offset === 0 ? t : new Date(t.getTime() + offset * 1000)
  const iso = wall.toISOString()
  const year = wall.getUTCFullYear()
  const text =
    year >= 0 && year <= 9999 ? iso : `${String(year).padStart(4, '0')}${iso.slice(iso.indexOf('-', 1))}`
  return `${text.slice(0, text.lastIndexOf('.'))}${fractionDigits(t)}${offset === 0 ? 'Z' : offsetText(offset)}`
}

function offsetText(seconds: number): string {
  const abs = Math.abs(seconds)
  const two = (n: number) => String(n).padStart(2, '0')
  return `${seconds < 0 ? '-' : '+'}${two(Math.floor(abs / 3600))}:${two(Math.floor((abs % 3600) / 60))}`
}

const unixSeconds = (t: Date) => BigInt(Math.floor(t.getTime() / 1000))

const UTF8 = new TextDecoder('utf-8', { fatal: true })

export const nullConversion = (name: string) => (): never => {
  throw new Error(`no such overload: ${name}(null_type)`)
}

/** The renamed conversions (inT, uinT, doublE, strinG, booL, byteS) with cel-go's overloads. */
export function withGoConversions(env: Environment): Environment {
  const { UnsignedInt } = celLibrary()
  const uint = (v: bigint) => new UnsignedInt(v)
  type Uint = { valueOf(): bigint }
  type Dur = { seconds: bigint; nanos: number }
  const durationNanos = (d: Dur) => d.seconds * 1_000_000_000n + BigInt(d.nanos)
  return (
    env
      .registerFunction('inT(int): int', (v: bigint) => v)
      .registerFunction('inT(uint): int', (v: Uint) => intOf(v.valueOf()))
      .registerFunction('inT(double): int', doubleToInt)
      .registerFunction('inT(string): int', (s: string) => {
        const n = goParseInt(s)
        if (n === undefined) throw conversionError('string', 'int')
        return n
      })
      .registerFunction('inT(google.protobuf.Timestamp): int', unixSeconds)
      // cel-js types `duration + timestamp` as a duration (its value is a timestamp).
      .registerFunction('inT(google.protobuf.Duration): int', (d: Dur | Date) =>
        d instanceof Date ? unixSeconds(d) : intOf(durationNanos(d)),
      )
      // cel-go's check takes null where a timestamp or duration goes (legacy nullness): int(null),
      // string(null), timestamp(null) and duration(null) check and fail only when evaluated.
      .registerFunction('inT(null): int', nullConversion('int'))
      .registerFunction('uinT(uint): uint', (v: Uint) => v)
      .registerFunction('uinT(int): uint', (v: bigint) => {
        if (v < 0n) throw new Error('unsigned integer overflow')
        return uint(v)
      })
      .registerFunction('uinT(double): uint', (v: number) => uint(doubleToUint(v)))
      .registerFunction('uinT(string): uint', (s: string) => {
        const n = goParseUint(s)
        if (n === undefined) throw conversionError('string', 'uint')
        return uint(n)
      })
      .registerFunction('doublE(double): double', (v: number) => v)
      .registerFunction('doublE(int): double', (v: bigint) => Number(v))
      .registerFunction('doublE(uint): double', (v: Uint) => Number(v.valueOf()))
      .registerFunction('doublE(string): double', (s: string) => {
        const n = goParseFloat(s)
        if (n === undefined) throw conversionError('string', 'double')
        return n
      })
      .registerFunction('booL(bool): bool', (v: boolean) => v)
      .registerFunction('booL(string): bool', (s: string) => {
        const b = goParseBool(s)
        if (b === undefined) throw conversionError('string', 'bool')
        return b
      })
      .registerFunction('byteS(bytes): bytes', (v: Uint8Array) => v)
      .registerFunction('byteS(string): bytes', (s: string) => goTextBytes(s))
      .registerFunction('strinG(string): string', (v: string) => v)
      .registerFunction('strinG(bool): string', (v: boolean) => String(v))
      .registerFunction('strinG(int): string', (v: bigint) => String(v))
      .registerFunction('strinG(uint): string', (v: Uint) => String(v.valueOf()))
      .registerFunction('strinG(double): string', goFormatG)
      .registerFunction('strinG(bytes): string', (v: Uint8Array) => {
        try {
          return UTF8.decode(v)
        } catch {
          throw new Error('invalid UTF-8 in bytes, cannot convert to string')
        }
      })
      .registerFunction('strinG(google.protobuf.Timestamp): string', rfc3339Nano)
      .registerFunction('strinG(null): string', nullConversion('string'))
      .registerFunction('strinG(google.protobuf.Duration): string', (d: Dur | Date) => {
        if (d instanceof Date) return rfc3339Nano(d)
        const ns = durationNanos(d)
        return `${goFormatFixed(Number(ns / 1_000_000_000n) + Number(ns % 1_000_000_000n) / 1e9)}s`
      })
  )
}
