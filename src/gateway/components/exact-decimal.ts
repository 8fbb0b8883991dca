/**
 * Numbers compared as the decimals they were written as, the way santhosh-tekuri/jsonschema
 * (KrakenD's JSON schema validator) compares json.Number texts with big.Rat. A number is its JSON
 * text (kept where JavaScript would lose it) or a double, which prints back (shortest round trip)
 * as the text it came from when that text has at most 15 significant digits: the printed form
 * stands for the written one.
 */
import { GoPanic } from '../go-panic.ts'

interface Decimal {
  /** value = digits / 10^scale */
  digits: bigint
  scale: number
}

export type ExactNumber = number | { readonly literal: string }

/**
 * Go's big.Rat.SetString refuses a number whose power of ten (its exponent net of its fraction
 * digits) is past 1e6: v6 then has no value (its comparisons panic, it is no integer, it equals
 * nothing). Up to that, numbers are exact however far their exponent (1e-20000 is no integer).
 */
const MAX_SCALE = 1_000_000

/** The decimal a number text is; undefined where big.Rat has none (past MAX_SCALE). */
function decimal(value: ExactNumber): Decimal | undefined {
  const text = typeof value === 'number' ? String(value) : value.literal
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text)
  if (!match) return undefined
  const [, sign, whole = '', fraction = '', exponent = '0'] = match
  const digits = BigInt(`${sign}${whole}${fraction}`)
  // big.Rat takes a zero mantissa as 0 before it looks at the exponent
  if (digits === 0n) return { digits, scale: 0 }
  const scale = fraction.length - Number(exponent)
  if (Math.abs(scale) > MAX_SCALE) return undefined
  return { digits, scale }
}

/** v6 calling a method of the nil *big.Rat of a number big.Rat refused (gin recovers it: 500). */
const nilRat = () => new GoPanic('runtime error: invalid memory address or nil pointer dereference')

/** Powers of ten, the last few kept: a body of many `1e-999999` makes one 3-million-bit power, not one each. */
const powers = new Map<number, bigint>()
function pow10(n: number): bigint {
  let power = powers.get(n)
  if (power === undefined) {
    power = 10n ** BigInt(n)
    if (n > 64) {
      if (powers.size >= 8) powers.delete(powers.keys().next().value as number)
      powers.set(n, power)
    }
  }
  return power
}

/** The numerators of a and b over one denominator. */
function aligned(a: Decimal, b: Decimal): [bigint, bigint] {
  return a.scale >= b.scale
    ? [a.digits, b.digits * pow10(a.scale - b.scale)]
    : [a.digits * pow10(b.scale - a.scale), b.digits]
}

/** -1, 0 or 1 as a is below, equal to or above b (big.Rat's Cmp, which panics on a refused number). */
export function compareExact(a: ExactNumber, b: ExactNumber): number {
  const x = decimal(a)
  const y = decimal(b)
  if (x === undefined || y === undefined) throw nilRat()
  const [p, q] = aligned(x, y)
  return p < q ? -1 : p > q ? 1 : 0
}

/** v6's equals of two numbers: false where big.Rat refuses either. */
export function equalExact(a: ExactNumber, b: ExactNumber): boolean {
  const x = decimal(a)
  const y = decimal(b)
  if (x === undefined || y === undefined) return false
  const [p, q] = aligned(x, y)
  return p === q
}

/** The number as numerator and denominator (undefined where big.Rat refuses it). */
export function exactRatio(value: ExactNumber): [bigint, bigint] | undefined {
  const d = decimal(value)
  if (d === undefined) return undefined
  return d.scale >= 0 ? [d.digits, pow10(d.scale)] : [d.digits * pow10(-d.scale), 1n]
}

/** Whether the number is an integer (big.Rat's IsInt): 1.0 and 1e2 are, 1.0000000000000001 is not. */
export function isExactInteger(value: ExactNumber): boolean {
  const d = decimal(value)
  if (d === undefined) return false
  return d.scale <= 0 || d.digits % pow10(d.scale) === 0n
}

/** Whether value / divisor is an integer (divisor > 0, as the meta-schema requires). */
export function isExactMultiple(value: ExactNumber, divisor: number): boolean {
  const v = decimal(value)
  const d = decimal(divisor)
  if (v === undefined || d === undefined) throw nilRat()
  if (d.digits === 0n) return false
  // v/d = (v.digits * 10^d.scale) / (d.digits * 10^v.scale)
  let numerator = v.digits
  let denominator = d.digits
  if (d.scale >= 0) numerator *= pow10(d.scale)
  else denominator *= pow10(-d.scale)
  if (v.scale >= 0) denominator *= pow10(v.scale)
  else numerator *= pow10(-v.scale)
  return numerator % denominator === 0n
}

/**
 * Whether a JSON text (valid, as JSON.parse took it) has a number token a double does not hold
 * exactly. Strings are skipped, so digits inside them (`"item-0"`, a 20-digit id) do not count;
 * a token of at most 15 significant digits without exponent always round-trips, so only longer or
 * exponent tokens are compared exactly.
 */
export function hasInexactNumber(text: string): boolean {
  const n = text.length
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c === 34) {
      // a string: to its closing quote, past escaped characters
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i)
        if (d === 92) i++
        else if (d === 34) break
      }
      continue
    }
    if (c !== 45 && (c < 48 || c > 57)) continue
    const start = i
    let digits = 0
    let exponent = false
    for (; i < n; i++) {
      const d = text.charCodeAt(i)
      if (d >= 48 && d <= 57) digits += 1
      else if (d === 101 || d === 69) exponent = true
      else if (d !== 45 && d !== 43 && d !== 46) break
    }
    const token = text.slice(start, i)
    i -= 1
    if (!(digits > 15 || exponent)) continue
    const value = Number(token)
    // Past the double range (1e400 is Infinity, 1e-400 is 0) or between doubles.
    if (!Number.isFinite(value) || (value === 0 && /[1-9]/.test(token))) return true
    if (!equalExact(value, { literal: token })) return true
  }
  return false
}
