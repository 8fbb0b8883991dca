/**
 * Go's strconv.ParseInt and ParseFloat (64 bits), which gopher-lua uses to turn strings into numbers:
 * `tonumber` and the coercion of a string operand in arithmetic (parseNumber). Both answer
 * undefined where Go answers an error.
 */

const INT64_MAX = 2n ** 63n - 1n
const INT64_MIN = -(2n ** 63n)

/** strconv.ParseInt(s, base, 64); base 0 reads Go's prefixes (0x, 0o, 0b, a leading 0) and underscores. */
export function goParseInt(s: string, base: number): number | undefined {
  if (s === '') return undefined
  let digits = s
  let negative = false
  if (digits[0] === '+' || digits[0] === '-') {
    negative = digits[0] === '-'
    digits = digits.slice(1)
  }
  if (digits === '') return undefined
  const base0 = base === 0
  if (base0) {
    base = 10
    if (digits[0] === '0') {
      const marker = digits.length >= 3 ? (digits[1] as string).toLowerCase() : ''
      if (marker === 'b' || marker === 'o' || marker === 'x') {
        base = marker === 'b' ? 2 : marker === 'o' ? 8 : 16
        digits = digits.slice(2)
      } else {
        base = 8
        digits = digits.slice(1)
      }
    }
  } else if (base < 2 || base > 36) return undefined
  let value = 0n
  let underscores = false
  const big = BigInt(base)
  for (const char of digits) {
    if (char === '_' && base0) {
      underscores = true
      continue
    }
    const digit = digitValue(char)
    if (digit >= base) return undefined
    value = value * big + BigInt(digit)
    if (value > 2n ** 64n) return undefined
  }
  if (underscores && !underscoreOK(s)) return undefined
  const signed = negative ? -value : value
  if (signed > INT64_MAX || signed < INT64_MIN) return undefined
  return Number(signed)
}

function digitValue(char: string): number {
  const code = char.charCodeAt(0)
  if (code >= 48 && code <= 57) return code - 48
  const lower = code | 0x20
  if (lower >= 97 && lower <= 122) return lower - 97 + 10
  return 99
}

/** Go's rule: an underscore only between digits, or between a base prefix and a digit. */
function underscoreOK(text: string): boolean {
  let s = text
  let saw = '^'
  if (s[0] === '+' || s[0] === '-') s = s.slice(1)
  let hex = false
  let i = 0
  if (s.length >= 2 && s[0] === '0' && 'bBoOxX'.includes(s[1] as string)) {
    i = 2
    saw = '0'
    hex = (s[1] as string).toLowerCase() === 'x'
  }
  for (; i < s.length; i += 1) {
    const c = s[i] as string
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0'
      continue
    }
    if (c === '_') {
      if (saw !== '0') return false
      saw = '_'
      continue
    }
    if (saw === '_') return false
    saw = '!'
  }
  return saw !== '_'
}

const DECIMAL = /^[+-]?(?=[._]*\d)[\d_]*(?:\.[\d_]*)?(?:[eE][+-]?[\d_]+)?$/
const HEX = /^([+-]?)0[xX]((?=[._]*[\da-fA-F])[\da-fA-F_]*(?:\.[\da-fA-F_]*)?)[pP]([+-]?[\d_]+)$/

/** strconv.ParseFloat(s, 64): decimal, hexadecimal (with a p exponent), inf/infinity/nan; overflow is an error. */
export function goParseFloat(s: string): number | undefined {
  const special = s.toLowerCase()
  if (special === 'nan') return Number.NaN
  if (/^[+-]?inf(inity)?$/.test(special)) return special[0] === '-' ? -Infinity : Infinity
  let value: number
  if (DECIMAL.test(s)) {
    if (s.includes('_') && !underscoreOK(s)) return undefined
    value = Number(s.replaceAll('_', ''))
  } else {
    const hex = HEX.exec(s)
    if (!hex) return undefined
    if (s.includes('_') && !underscoreOK(s)) return undefined
    const [whole = '', fraction = ''] = (hex[2] as string).replaceAll('_', '').split('.')
    const mantissa = BigInt(`0x${whole}${fraction}` === '0x' ? '0' : `0x${whole}${fraction}`)
    const exponent = Number((hex[3] as string).replaceAll('_', '')) - 4 * fraction.length
    value = Number(mantissa) * 2 ** exponent
    if (hex[1] === '-') value = -value
  }
  return Number.isFinite(value) ? value : undefined
}

/** gopher-lua's parseNumber: a string operand of arithmetic (spaces, tabs and newlines trimmed). */
export function gopherParseNumber(text: string): number | undefined {
  const s = trimGopher(text)
  return goParseInt(s, 0) ?? goParseFloat(s)
}

/** strings.Trim(s, " \n\t"). */
export function trimGopher(text: string): string {
  return text.replace(/^[ \n\t]+|[ \n\t]+$/g, '')
}
