/**
 * gopher-lua's LNumber.String(): a float64 equal to its int64 conversion prints as that integer,
 * anything else as Go's fmt.Sprint (shortest digits; an exponent below 1e-4 and from 1e6 up, at
 * least two exponent digits; NaN, +Inf, -Inf).
 */
export function goNumberString(n: number): string {
  if (Number.isNaN(n)) return 'NaN'
  if (n === Number.POSITIVE_INFINITY) return '+Inf'
  if (n === Number.NEGATIVE_INFINITY) return '-Inf'
  if (Number.isInteger(n) && n >= -INT64_LIMIT && n < INT64_LIMIT) return BigInt(n).toString()
  const [mantissa, exponentText] = n.toExponential().split('e') as [string, string]
  const exponent = Number(exponentText)
  if (exponent >= -4 && exponent < 6) return String(n)
  const digits = String(Math.abs(exponent)).padStart(2, '0')
  return `${mantissa}e${exponent < 0 ? '-' : '+'}${digits}`
}

const INT64_LIMIT = 2 ** 63
