/**
 * Numbers compared as the decimals they were written as, the way santhosh-tekuri/jsonschema
 * (KrakenD's JSON schema validator) compares json.Number texts with big.Rat. A double read from
 * JSON prints back (shortest round trip) as the text it came from when that text has at most 15
 * significant digits, so the printed form stands for the written one.
 */
interface Decimal {
  /** value = digits / 10^scale */
  digits: bigint
  scale: number
}

function decimal(value: number): Decimal | undefined {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(value))
  if (!match) return undefined
  const [, sign, whole, fraction = '', exponent = '0'] = match
  return {
    digits: BigInt(`${sign}${whole}${fraction}`),
    scale: fraction.length - Number(exponent),
  }
}

const pow10 = (n: number) => 10n ** BigInt(n)

/** Whether value / divisor is an integer (divisor > 0, as the meta-schema requires). */
export function isExactMultiple(value: number, divisor: number): boolean {
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
