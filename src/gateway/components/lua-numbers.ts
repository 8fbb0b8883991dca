/**
 * gopher-lua's LNumber.String(): a float64 equal to its int64 conversion prints as that integer,
 * anything else as Go's fmt.Sprint (shortest digits; an exponent below 1e-4 and from 1e6 up, at
 * least two exponent digits; NaN, +Inf, -Inf).
 */
import { goFormatFloat } from '../go-float.ts'

export function goNumberString(n: number): string {
  if (Number.isInteger(n) && n >= -INT64_LIMIT && n < INT64_LIMIT) return BigInt(n).toString()
  return goFormatFloat(n)
}

const INT64_LIMIT = 2 ** 63
