// strconv.FormatFloat of a float64 rounded to a float32 (bitSize 32) in the 'E' format: how lura's
// sequential merger hands a float64 on (merging.go: FormatFloat(v, 'E', -1, 32)).

/**
 * strconv.FormatFloat(n, 'E', -1, 32), lura's text of a float64 handed on as a sequential param:
 * the value rounded to a float32, the shortest digits that read back as that float32, one before
 * the point, an exponent of at least two digits: `1.5E+00`, `1E-01`, `1.2345679E+08`.
 */
export function goFormatFloat32E(n: number): string {
  const f = Math.fround(n)
  if (Number.isNaN(f)) return 'NaN'
  if (f === Number.POSITIVE_INFINITY) return '+Inf'
  if (f === Number.NEGATIVE_INFINITY) return '-Inf'
  if (f === 0) return Object.is(f, -0) ? '-0E+00' : '0E+00'
  const [mantissa, exponentText] = shortestFloat32(f).split('e') as [string, string]
  const exponent = Number(exponentText)
  return `${mantissa}E${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`
}

/** The shortest toExponential text of a float32 that reads back (rounded to float32) as `f`. */
function shortestFloat32(f: number): string {
  for (let digits = 0; digits < 9; digits += 1) {
    const nearest = f.toExponential(digits)
    if (Math.fround(Number(nearest)) === f) return halfToEven(f, nearest)
    // Beside a power of two the float's interval is lopsided: the nearest text can fall out
    // while its neighbour on the wider side is in.
    const [mantissa, exponent] = nearest.split('e') as [string, string]
    const scaled = Number(mantissa.replace('.', ''))
    for (const step of [1, -1]) {
      const other = String(Math.abs(scaled + step))
      if (other.length !== digits + 1) continue
      const text = `${scaled < 0 ? '-' : ''}${other[0]}${digits > 0 ? `.${other.slice(1)}` : ''}e${exponent}`
      if (Math.fround(Number(text)) === f) return text.replace(/(\.\d*?)0+e/, '$1e').replace('.e', 'e')
    }
  }
  return f.toExponential(8)
}

/**
 * toExponential rounds a tie away from zero, Go's shortest formatting to the even digit: a float32
 * exactly halfway between two texts of the same length (370379.125 as 3.7037912E+05) takes the
 * even one.
 */
function halfToEven(f: number, nearest: string): string {
  const [mantissa, exponentText] = nearest.split('e') as [string, string]
  const digits = mantissa.replace('-', '').replace('.', '')
  if (Number(digits.at(-1)) % 2 === 0) return nearest
  const last = BigInt(digits)
  // The text's last digit is worth 10^unit; a tie is |f| = (last - 1/2) * 10^unit.
  const unit = Number(exponentText) - (digits.length - 1)
  if (!exactlyEquals(Math.abs(f), 2n * last - 1n, unit)) return nearest
  const lower = String(last - 1n)
  return `${mantissa.startsWith('-') ? '-' : ''}${lower[0]}${lower.length > 1 ? `.${lower.slice(1)}` : ''}e${exponentText}`
}

/** Whether the finite non-negative float `x` is exactly halves * 10^unit / 2. */
function exactlyEquals(x: number, halves: bigint, unit: number): boolean {
  const bits = new DataView(new ArrayBuffer(8))
  bits.setFloat64(0, x)
  const high = bits.getUint32(0)
  const biased = (high >>> 20) & 0x7ff
  let significand = (BigInt(high & 0xfffff) << 32n) | BigInt(bits.getUint32(4))
  if (biased !== 0) significand |= 1n << 52n
  // 2x = significand * 2^twos, compared with halves * 10^unit
  const twos = (biased === 0 ? 1 : biased) - 1075 + 1
  let left = significand
  let right = halves
  if (twos >= 0) left <<= BigInt(twos)
  else right <<= BigInt(-twos)
  if (unit >= 0) right *= 10n ** BigInt(unit)
  else left *= 10n ** BigInt(-unit)
  return left === right
}
