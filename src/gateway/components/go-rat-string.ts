/**
 * Go's big.Rat SetString over a JSON string, which santhosh-tekuri/jsonschema v6's equals() reaches
 * when it compares a number with a string (it prints both with fmt.Sprint and parses them as
 * rationals): `"1"`, `"1.0"`, `"+1"`, `"1e0"`, `".5"`, `"1_0"`, `"0x10"`, `"1p0"` and `"2/2"` are
 * numbers there.
 */
const MAX_EXPONENT = 10_000

/** The rational a string is to big.Rat, as numerator and positive denominator, or undefined. */
export function goRatOfString(text: string): [bigint, bigint] | undefined {
  const slash = text.indexOf('/')
  if (slash !== -1) {
    const num = goInt(text.slice(0, slash), true)
    const den = goInt(text.slice(slash + 1), false)
    return num === undefined || den === undefined || den === 0n ? undefined : [num, den]
  }
  const prefixed = /^[+-]?0[xXbBoO]/.test(text)
  const float = (
    prefixed
      ? /^([+-]?)(0[xXbBoO])([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?(?:([pP])([+-]?\d+))?$/
      : /^([+-]?)()([0-9_]*)(?:\.([0-9_]*))?(?:([eEpP])([+-]?\d+))?$/
  ).exec(text)
  if (!float) return undefined
  const [, sign, prefix = '', whole = '', fraction = '', mark = '', exponent = '0'] = float
  const base = BASES[prefix.slice(1).toLowerCase()] ?? 10
  // An underscore may also follow a base prefix.
  const valid = (part: string, afterPrefix = false) =>
    part === '' ||
    ((afterPrefix ? /^_?[0-9a-fA-F](?:_?[0-9a-fA-F])*$/ : /^[0-9a-fA-F](?:_?[0-9a-fA-F])*$/).test(part) &&
      [...part.replaceAll('_', '')].every((c) => Number.parseInt(c, 16) < base))
  if ((whole === '' && fraction === '') || !valid(whole, prefix !== '') || !valid(fraction)) return undefined
  const power = Number(exponent)
  if (Math.abs(power) > MAX_EXPONENT) return undefined
  const cleanFraction = fraction.replaceAll('_', '')
  let num = BigInt(`${PREFIX[base]}${`${whole}${cleanFraction}`.replaceAll('_', '') || '0'}`)
  let den = BigInt(base) ** BigInt(cleanFraction.length)
  const scaleBy = mark === 'p' || mark === 'P' ? 2n : 10n
  if (power >= 0) num *= scaleBy ** BigInt(power)
  else den *= scaleBy ** BigInt(-power)
  return [sign === '-' ? -num : num, den]
}

const BASES: Record<string, number> = { x: 16, b: 2, o: 8 }
const PREFIX: Record<number, string> = { 16: '0x', 2: '0b', 8: '0o', 10: '' }

/** big.Int's SetString(s, 0): a base prefix, or a leading 0 for octal; underscores between digits. */
function goInt(text: string, signed: boolean): bigint | undefined {
  const match = /^([+-]?)(.+)$/.exec(text)
  if (!match || (!signed && match[1] !== '')) return undefined
  const value = digitsOf(match[2] as string)
  return value === undefined ? undefined : match[1] === '-' ? -value : value
}

function digitsOf(text: string): bigint | undefined {
  const octal = /^0(?:_?[0-7])+$/.test(text)
  const valid =
    octal || /^(?:0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|\d(?:_?\d)*)$/.test(text)
  if (!valid) return undefined
  const clean = text.replaceAll('_', '')
  return BigInt(octal ? `0o${clean.slice(1)}` : clean)
}
