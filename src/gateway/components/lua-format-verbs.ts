/**
 * string.format verbs Lua 5.3 refuses (or writes otherwise) that Go's fmt.Sprintf writes, as
 * gopher-lua's LNumber and LString format themselves: `%v` (an integral number as int64, another as
 * Go's shortest float, a string as %s), `%b` (int64 in binary), `%c` (the rune, U+FFFD for none),
 * `%U` (U+0041), and any verb Go does
 * not know for the type (`%u`, `%z`, `%a`...) as Go's bad verb, `%!u(int64=5)`,
 * `%!a(float64=2.5)`, `%!c(string=hi)`, the value written with the spec's flags and width.
 */
import { goFormatFloat } from '../go-float.ts'
import { goQuote } from '../go-quote.ts'
import { goFormatInteger, goHexBytes, padText } from './lua-format.ts'
import { goSprintfFloat } from './lua-go-float.ts'

const INT64_LIMIT = 2 ** 63

/** The verbs fengari's format writes as Go does (given the rewrites of lua-format.ts). */
export const NATIVE_VERBS = new Set(['d', 'i', 'o', 'x', 'X', 'e', 'E', 'f', 'F', 'g', 'G', 'q', 's'])

/** LNumber's isInteger: a float64 equal to its int64. */
const isInt64 = (x: number) => Number.isInteger(x) && x >= -INT64_LIMIT && x < INT64_LIMIT

/** Go's %v of a float64 (shortest digits) under the spec's flags and width; with a precision, %g's. */
function floatValue(x: number, flags: string, width: string, precision: string | undefined): string {
  // %#v is Go's sharpV, not '#': no sharp float digits.
  if (precision !== undefined) return goSprintfFloat(x, flags.replaceAll('#', ''), width, precision, 'g')
  const text = goFormatFloat(x)
  const signed = flags.includes('+') && !text.startsWith('-') && !text.startsWith('+') ? `+${text}` : text
  const wid = width === '' ? 0 : Number(width)
  if (flags.includes('-')) return signed.padEnd(wid, ' ')
  if (flags.includes('0') && Number.isFinite(x) && signed.length < wid) {
    const sign = /^[+-]/.test(signed) ? (signed[0] as string) : ''
    return sign + signed.slice(sign.length).padStart(wid - sign.length, '0')
  }
  return signed.padStart(wid, ' ')
}

/** What Go writes for a verb fengari cannot: undefined where this file does not know (left native). */
export function goOtherVerb(
  value: number | string,
  flags: string,
  width: string,
  precision: string | undefined,
  verb: string,
): string | undefined {
  // Go's %+v and %#v are its plusV and sharpV: no sign for numbers, a Go-quoted string.
  if (verb === 'v') flags = flags.replace('+', '')
  if (typeof value === 'string') {
    if (verb === 'v' && flags.includes('#')) return padText(goQuote(value, false), flags, width, undefined)
    if (verb === 'v') return padText(value, flags, width, precision)
    return `%!${verb}(string=${padText(value, flags, width, precision)})`
  }
  const integer = verb === 'b' || verb === 'U' || verb === 'c' || isInt64(value)
  // Go's int64(x) on amd64: NaN and anything outside int64 are its minimum.
  const asInt = () =>
    Number.isNaN(value) || value >= INT64_LIMIT || value < -INT64_LIMIT
      ? -(2n ** 63n)
      : BigInt(Math.trunc(value))
  if (verb === 'v')
    return integer
      ? goFormatInteger(asInt(), flags, width, precision, 10, false)
      : floatValue(value, flags, width, precision)
  if (verb === 'b') {
    const wrote = goFormatInteger(asInt(), flags.replace('#', ''), width, precision, 2, false)
    return flags.includes('#') ? wrote.replace(/^(\s*[-+ ]?)/, '$10b') : wrote
  }
  if (verb === 'c') {
    const rune = asInt()
    const valid = rune >= 0n && rune <= 0x10ffffn && !(rune >= 0xd800n && rune <= 0xdfffn)
    return padText(valid ? String.fromCodePoint(Number(rune)) : '\ufffd', flags, width, undefined)
  }
  if (verb === 'U')
    return padText(`U+${asInt().toString(16).toUpperCase().padStart(4, '0')}`, flags, width, undefined)
  if (integer) return `%!${verb}(int64=${goFormatInteger(asInt(), flags, width, precision, 10, false)})`
  return `%!${verb}(float64=${floatValue(value, flags, width, precision)})`
}

/**
 * A boolean or nil as Go formats gopher-lua's LBool and LNilType (both Stringers): %v, %s, %q, %x
 * and %X format their text, %t a boolean's; another verb is Go's bad verb of the bool
 * (`%!d(lua.LBool=true)`), nil's pointer to an empty struct `&{}`.
 */
export function goBoolOrNil(
  text: 'true' | 'false' | 'nil',
  flags: string,
  width: string,
  precision: string | undefined,
  verb: string,
): string {
  if (verb === 'v' || verb === 's' || (verb === 't' && text !== 'nil'))
    return padText(text, flags, width, precision)
  if (verb === 'q') return padText(goQuote(text, false), flags, width, undefined)
  if (verb === 'x' || verb === 'X')
    return goHexBytes(Buffer.from(text), flags, width, precision, verb === 'X')
  if (text === 'nil') return '&{}'
  // Go writes the bool itself there (fmtBoolean: a width, no precision).
  return `%!${verb}(lua.LBool=${padText(text, flags, width, undefined)})`
}
