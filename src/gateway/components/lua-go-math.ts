/**
 * Go's math.Pow, Frexp and Ldexp, as gopher-lua computes `^` and math.pow: JavaScript's Math.pow
 * differs in the last digits (5 ^ 100, 2^53+1 ^ 1.5) and in special cases (1 ^ Inf is 1 in Go).
 */

/** Go's math.Pow: special cases first, then x^frac by exp/log and x^int by repeated squaring. */
export function goPow(x: number, y: number): number {
  if (y === 0 || x === 1) return 1
  if (y === 1) return x
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN
  if (x === 0) {
    const negativeZero = Object.is(x, -0)
    if (y < 0) return negativeZero && isOddInt(y) ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
    return negativeZero && isOddInt(y) ? x : 0
  }
  if (!Number.isFinite(y)) {
    if (x === -1) return 1
    return Math.abs(x) < 1 === y > 0 ? 0 : Number.POSITIVE_INFINITY
  }
  if (!Number.isFinite(x)) {
    if (x < 0) return goPow(1 / x, -y)
    return y < 0 ? 0 : Number.POSITIVE_INFINITY
  }
  if (y === 0.5) return Math.sqrt(x)
  if (y === -0.5) return 1 / Math.sqrt(x)
  let yi = Math.trunc(Math.abs(y))
  let yf = Math.abs(y) - yi
  if (yf !== 0 && x < 0) return Number.NaN
  if (yi >= 2 ** 63) {
    if (x === -1) return 1
    return Math.abs(x) < 1 === y > 0 ? 0 : Number.POSITIVE_INFINITY
  }
  let a1 = 1
  let ae = 0
  if (yf !== 0) {
    if (yf > 0.5) {
      yf -= 1
      yi += 1
    }
    a1 = Math.exp(yf * Math.log(x))
  }
  let [x1, xe] = goFrexp(x)
  // yi is an integral float below 2^63: halving it and its last bit are exact.
  for (let i = yi; i !== 0; i = Math.floor(i / 2)) {
    if (xe < -(1 << 12) || 1 << 12 < xe) {
      ae += xe
      break
    }
    if (i % 2 === 1) {
      a1 *= x1
      ae += xe
    }
    x1 *= x1
    xe *= 2
    if (x1 < 0.5) {
      x1 += x1
      xe -= 1
    }
  }
  if (y < 0) {
    a1 = 1 / a1
    ae = -ae
  }
  return goLdexp(a1, ae)
}

/** Go's isOddInt: an odd integer below 2^53. */
function isOddInt(x: number): boolean {
  if (Math.abs(x) >= 2 ** 53) return false
  return Number.isInteger(x) && Math.abs(x) % 2 === 1
}

/** Go's math.Frexp: a fraction in [0.5, 1) and a power of two; 0, ±Inf and NaN come back with 0. */
export function goFrexp(f: number): [number, number] {
  if (f === 0 || !Number.isFinite(f)) return [f, 0]
  const view = new DataView(new ArrayBuffer(8))
  let exp = 0
  let x = f
  if (Math.abs(x) < 2.2250738585072014e-308) {
    x *= 2 ** 52
    exp = -52
  }
  view.setFloat64(0, x)
  const high = view.getUint32(0)
  exp += ((high >>> 20) & 0x7ff) - 1022
  view.setUint32(0, (high & 0x800fffff) | (1022 << 20))
  return [view.getFloat64(0), exp]
}

/**
 * Go's math.Ldexp: the power of two applied in steps, so a large exponent does not overflow on its
 * own. Go adds the mantissa's own exponent to `exp` as an int64: near int64's minimum (what Go's
 * int() makes of NaN, ±Inf and numbers out of range) a |mantissa| below 1 wraps the sum to the top,
 * and the answer is ±Inf (KrakenD 2.13.8: math.ldexp(-0.5, 1e100) is -Inf, math.ldexp(2, 1e100) 0).
 */
export function goLdexp(mantissa: number, exp: number): number {
  if (mantissa === 0 || !Number.isFinite(mantissa)) return mantissa
  if (exp < -(2 ** 62) && BigInt(exp) + BigInt(goFrexp(mantissa)[1] - 1) < -(2n ** 63n))
    return mantissa < 0 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
  let m = mantissa
  let rest = exp
  while (rest > 1000 && Number.isFinite(m)) {
    m *= 2 ** 1000
    rest -= 1000
  }
  while (rest < -1000 && m !== 0) {
    m *= 2 ** -1000
    rest += 1000
  }
  return m * 2 ** rest
}

/** gopher-lua's luaModulo (`%` and math.mod): Go's math.Mod, moved to the divisor's sign by the signs alone. */
export function gopherModulo(a: number, b: number): number {
  const v = a % b
  return (b > 0 && v < 0) || (b < 0 && v > 0) ? v + b : v
}

/** Go's math.Modf: the integer and fractional parts, each with the number's sign; ±Inf gives NaN as its fraction. */
export function goModf(f: number): [number, number] {
  if (Number.isNaN(f)) return [f, f]
  if (!Number.isFinite(f)) return [f, Number.NaN]
  const integer = Math.trunc(f)
  return [integer, f - integer === 0 && f < 0 ? -0 : f - integer]
}

// fdlibm's log: ln2 split in two and the polynomial's coefficients (the doubles Go's constants round to).
const LN2_HI = 0.6931471803691238
const LN2_LO = 1.9082149292705877e-10
const LOG_POLY = [
  0.6666666666666735, 0.3999999999940942, 0.2857142874366239, 0.22222198432149784, 0.1818357216161805,
  0.15313837699209373, 0.14798198605116586,
] as const

/**
 * Go's math.Log as it runs on amd64 (gopher-lua's math.log, log10 and fractional powers): the
 * exponent and fraction are read from the bits as they are, so a subnormal x counts as
 * (0.5 + its mantissa) × 2^-1022 (math.log(1e-320) is -709.0895657128236 there, not -736.8).
 */
export function goLog(x: number): number {
  if (x === 0) return Number.NEGATIVE_INFINITY
  if (Number.isNaN(x) || x === Number.POSITIVE_INFINITY) return x
  if (x < 0) return Number.NaN
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, x)
  const high = view.getUint32(0)
  let k = ((high >>> 20) & 0x7ff) - 0x3fe
  view.setUint32(0, (high & 0x000fffff) | 0x3fe00000)
  let fraction = view.getFloat64(0)
  if (fraction <= Math.SQRT1_2) {
    k -= 1
    fraction *= 2
  }
  const [l1, l2, l3, l4, l5, l6, l7] = LOG_POLY
  const f = fraction - 1
  const s = f / (2 + f)
  const s2 = s * s
  const s4 = s2 * s2
  const r = s2 * (l1 + s4 * (l3 + s4 * (l5 + s4 * l7))) + s4 * (l2 + s4 * (l4 + s4 * l6))
  const hfsq = 0.5 * f * f
  return k * LN2_HI - (hfsq - (s * (hfsq + r) + k * LN2_LO) - f)
}
