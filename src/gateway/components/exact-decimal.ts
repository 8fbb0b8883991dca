/**
 * Numbers compared as the decimals they were written as, the way santhosh-tekuri/jsonschema
 * (KrakenD's JSON schema validator) compares json.Number texts with big.Rat. A number is its JSON
 * text (kept where JavaScript would lose it) or a double, which prints back (shortest round trip)
 * as the text it came from when that text has at most 15 significant digits: the printed form
 * stands for the written one.
 */
interface Decimal {
  /** value = digits / 10^scale */
  digits: bigint
  scale: number
}

export type ExactNumber = number | { readonly literal: string }

/**
 * Exponents beyond this are read as doubles (Infinity or 0): a body's `1e999999999` must not make
 * a billion-digit BigInt. (Go's big.Rat refuses exponents past 1e6.)
 */
const MAX_SCALE = 10_000

function decimal(value: ExactNumber): Decimal | undefined {
  const text = typeof value === 'number' ? String(value) : value.literal
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text)
  if (!match) return undefined
  const [, sign, whole = '', fraction = '', exponent = '0'] = match
  const scale = fraction.length - Number(exponent)
  if (Math.abs(scale) > MAX_SCALE || whole.length + fraction.length > MAX_SCALE) return undefined
  return { digits: BigInt(`${sign}${whole}${fraction}`), scale }
}

const pow10 = (n: number) => 10n ** BigInt(n)

/** The numerators of a and b over one denominator. */
function aligned(a: Decimal, b: Decimal): [bigint, bigint] {
  return a.scale >= b.scale
    ? [a.digits, b.digits * pow10(a.scale - b.scale)]
    : [a.digits * pow10(b.scale - a.scale), b.digits]
}

/** -1, 0 or 1 as a is below, equal to or above b (big.Rat's Cmp); doubles (Infinity) as doubles. */
export function compareExact(a: ExactNumber, b: ExactNumber): number {
  const x = decimal(a)
  const y = decimal(b)
  if (x === undefined || y === undefined) {
    const [p, q] = [
      Number(typeof a === 'number' ? a : a.literal),
      Number(typeof b === 'number' ? b : b.literal),
    ]
    return p < q ? -1 : p > q ? 1 : 0
  }
  const [p, q] = aligned(x, y)
  return p < q ? -1 : p > q ? 1 : 0
}

/** The number as numerator and denominator (undefined for what is read as a double: Infinity). */
export function exactRatio(value: ExactNumber): [bigint, bigint] | undefined {
  const d = decimal(value)
  if (d === undefined) return undefined
  return d.scale >= 0 ? [d.digits, pow10(d.scale)] : [d.digits * pow10(-d.scale), 1n]
}

/** Whether the number is an integer (big.Rat's IsInt): 1.0 and 1e2 are, 1.0000000000000001 is not. */
export function isExactInteger(value: ExactNumber): boolean {
  const d = decimal(value)
  if (d === undefined) return Number.isInteger(Number(typeof value === 'number' ? value : value.literal))
  return d.scale <= 0 || d.digits % pow10(d.scale) === 0n
}

/** Whether value / divisor is an integer (divisor > 0, as the meta-schema requires). */
export function isExactMultiple(value: ExactNumber, divisor: number): boolean {
  const v = decimal(value)
  const d = decimal(divisor)
  // Infinity is what JSON.parse makes of 1e400: an integer multiple of any written divisor.
  if (v === undefined || d === undefined) return true
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
    if (compareExact(value, { literal: token }) !== 0) return true
  }
  return false
}
