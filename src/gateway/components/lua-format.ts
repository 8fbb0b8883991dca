/**
 * string.format as gopher-lua writes it: Go's fmt.Sprintf over the arguments given (a spec without
 * one is `%!d(MISSING)`), each LNumber formatting %d/%i/%x/%X/%o as int64(n) (Go's conversion of the
 * float64: toward zero; on amd64 NaN, ±Inf and anything outside int64 give -9223372036854775808),
 * %e/%f/%g as the float64 (lua-go-float.ts) and %s/%q as its text, each LString %d as itself or 0,
 * a float verb as Go's bad verb, %x as its bytes in hex. A spec fengari writes otherwise is written
 * here and handed to the native format as a `%s` of the written text; the rest stays native.
 */
import type { LuaState } from 'fengari'
import { goStringBytes, invalidByteMark } from '../go-bytes-string.ts'
import { goQuote } from '../go-quote.ts'
import { goUtf8 } from '../go-utf8.ts'
import type { LuaEngine } from './lua-engine.ts'
import { goBoolOrNil, goOtherVerb, NATIVE_VERBS } from './lua-format-verbs.ts'
import { goSprintfFloat } from './lua-go-float.ts'
import { gopherParseNumber } from './lua-go-parse.ts'
import { goNumberString } from './lua-numbers.ts'

const INT64_LIMIT = 2 ** 63
const INT32_LIMIT = 2 ** 31
/** lstrlib's spec: flags, at most two width digits, at most two precision digits, a letter. */
const SPEC = /%(?:%|([-+ #0]{0,5})(\d{0,2})(?:\.(\d{0,2}))?([A-Za-z]))/gy

/** strconv.CanBackquote: no control character but tab, no backquote, DEL, BOM or byte that is not UTF-8. */
function canBackquote(text: string): boolean {
  for (const char of text) {
    const code = char.codePointAt(0) as number
    if ((code < 32 && code !== 9) || code === 0x60 || code === 0x7f || code === 0xfeff) return false
    if (code >= 0xdc80 && code <= 0xdcff) return false
  }
  return true
}

/** `%%` with flags, a width or a precision. */
const FLAGGED_PERCENT = /%[-+ #0]*\d*(?:\.\d*)?%/y

const FLOAT_VERBS = new Set(['e', 'E', 'f', 'F', 'g', 'G'])

/** Go's %s of a string: at most `precision` runes, padded to the width (left with '-', zeros with '0'). */
export function padText(text: string, flags: string, width: string, precision: string | undefined): string {
  const kept =
    precision === undefined ? text : [...text].slice(0, precision === '' ? 0 : Number(precision)).join('')
  const pad = Math.max((width === '' ? 0 : Number(width)) - [...kept].length, 0)
  if (flags.includes('-')) return kept + ' '.repeat(pad)
  return (flags.includes('0') ? '0' : ' ').repeat(pad) + kept
}

/** Go's fmtSbx: %x/%X of a string, two hex digits a byte (at most `precision` bytes; ' ' spaces them, '#' adds 0x). */
export function goHexBytes(
  bytes: Uint8Array,
  flags: string,
  width: string,
  precision: string | undefined,
  upper: boolean,
): string {
  const length =
    precision === undefined ? bytes.length : Math.min(bytes.length, precision === '' ? 0 : Number(precision))
  const wid = width === '' ? 0 : Number(width)
  const minus = flags.includes('-')
  const padding = (n: number) => (flags.includes('0') && !minus ? '0' : ' ').repeat(Math.max(n, 0))
  if (length === 0) return padding(wid)
  const sharp = flags.includes('#')
  const prefix = sharp ? (upper ? '0X' : '0x') : ''
  let text = prefix
  for (let i = 0; i < length; i += 1) {
    if (flags.includes(' ') && i > 0) text += ` ${prefix}`
    const hex = (bytes[i] as number).toString(16).padStart(2, '0')
    text += upper ? hex.toUpperCase() : hex
  }
  return minus ? text + padding(wid - text.length) : padding(wid - text.length) + text
}

/**
 * A Lua string as Go's fmt reads it: runes, each byte that starts no valid UTF-8 sequence one of
 * its own, held as go-bytes-string.ts's mark (goStringBytes writes it back as that byte).
 */
const fmtText = (bytes: Uint8Array): string => goUtf8(bytes, invalidByteMark)

/** Go's int64(x) on amd64. */
function goInt64(x: number): bigint {
  if (Number.isNaN(x) || x >= INT64_LIMIT || x < -INT64_LIMIT) return -(2n ** 63n)
  return BigInt(Math.trunc(x))
}

/** Go's fmt.fmtInteger for base 10. */
export function goFormatDecimal(
  value: bigint,
  flags: string,
  width: string,
  precision: string | undefined,
): string {
  return goFormatInteger(value, flags, width, precision, 10, false)
}

/** Go's fmt.fmtInteger (bases 8, 10 and 16; '#' writes 0x/0X or a leading 0). */
export function goFormatInteger(
  value: bigint,
  flags: string,
  width: string,
  precision: string | undefined,
  base: number,
  upper: boolean,
): string {
  const negative = value < 0n
  const minus = flags.includes('-')
  const zero = flags.includes('0') && !minus
  const wid = width === '' ? 0 : Number(width)
  let digits = (negative ? -value : value).toString(base)
  if (upper) digits = digits.toUpperCase()
  if (precision !== undefined) {
    const prec = precision === '' ? 0 : Number(precision)
    if (prec === 0 && value === 0n) return ' '.repeat(wid)
    digits = digits.padStart(prec, '0')
  }
  const sign = negative ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : ''
  if (zero && precision === undefined && width !== '') digits = digits.padStart(wid - sign.length, '0')
  if (flags.includes('#') && base === 8 && !digits.startsWith('0')) digits = `0${digits}`
  if (flags.includes('#') && base === 16) digits = `${upper ? '0X' : '0x'}${digits}`
  const text = sign + digits
  return minus ? text.padEnd(wid, ' ') : text.padStart(wid, ' ')
}

/** Replaces the state's string.format (opened with the string library) with the wrapper above. */
export function installGoFormat(e: Pick<LuaEngine, 'f' | 'L' | 's'>): void {
  const { lua, lauxlib } = e.f
  const L = e.L
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, 2 /* LUA_RIDX_GLOBALS */)
  lua.lua_getfield(L, -1, e.s('string'))
  if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) {
    lua.lua_pop(L, 2)
    return
  }
  lua.lua_getfield(L, -1, e.s('format'))
  const native = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
  lua.lua_pushjsfunction(L, (state: LuaState) => {
    const top = lua.lua_gettop(state)
    const first = lua.lua_type(state, 1)
    if (first !== lua.LUA_TSTRING && first !== lua.LUA_TNUMBER) {
      // gopher-lua's CheckString, named (fengari's check would name this function '?').
      const got = first === lua.LUA_TNONE ? 'nil' : e.f.to_jsstring(lua.lua_typename(state, first))
      e.f.lauxlib.luaL_where(state, 1)
      lua.lua_pushstring(state, e.f.to_luastring(`bad argument #1 to format (string expected, got ${got})`))
      lua.lua_concat(state, 2)
      return lua.lua_error(state)
    }
    const rewritten = lua.lua_type(state, 1) === lua.LUA_TSTRING ? rewrite(state, top) : undefined
    lua.lua_rawgeti(state, lua.LUA_REGISTRYINDEX, native)
    const count = rewritten ? Math.max(top, rewritten.last) : top
    for (let i = 1; i <= count; i += 1) {
      const text = rewritten?.args.get(i)
      if (i === 1 && rewritten) lua.lua_pushstring(state, rewritten.format)
      else if (text !== undefined) lua.lua_pushstring(state, goStringBytes(text))
      else lua.lua_pushvalue(state, i)
    }
    // The native format's error (a bad argument) is raised again as it was.
    if (lua.lua_pcall(state, count, 1, 0) !== lua.LUA_OK) lua.lua_error(state)
    return 1
  })
  lua.lua_setfield(L, -2, e.s('format'))
  lua.lua_pop(L, 2)

  /** The format with Go-written %d/%i specs as `%s`, and their texts by argument index. */
  function rewrite(
    state: LuaState,
    top: number,
  ): { format: Uint8Array; args: Map<number, string>; last: number } | undefined {
    const source = Buffer.from(lua.lua_tostring(state, 1)).toString('latin1')
    const args = new Map<number, string>()
    let format = ''
    let copied = 0
    let arg = 1
    let changed = false
    for (let at = source.indexOf('%'); at !== -1; at = source.indexOf('%', SPEC.lastIndex)) {
      SPEC.lastIndex = at
      const spec = SPEC.exec(source)
      if (!spec) {
        // Go writes `%` for a `%%` with flags or a width (`%5%`), taking no argument.
        FLAGGED_PERCENT.lastIndex = at
        if (!FLAGGED_PERCENT.exec(source)) return undefined // a spec lstrlib refuses: the native format says so
        format += `${source.slice(copied, at)}%%`
        copied = FLAGGED_PERCENT.lastIndex
        SPEC.lastIndex = copied
        changed = true
        continue
      }
      if (spec[0] === '%%') continue
      arg += 1
      const [, flags = '', width = '', precision, conversion = ''] = spec
      const text = goText(state, arg, top, flags, width, precision, conversion)
      if (text === undefined) continue
      args.set(arg, text)
      format += `${source.slice(copied, at)}%s`
      copied = SPEC.lastIndex
    }
    if (args.size === 0 && !changed) return undefined
    return { format: Buffer.from(format + source.slice(copied), 'latin1'), args, last: arg }
  }

  /** What Go's Sprintf writes for one spec where fengari's format writes otherwise (else undefined). */
  function goText(
    state: LuaState,
    arg: number,
    top: number,
    flags: string,
    width: string,
    precision: string | undefined,
    conversion: string,
  ): string | undefined {
    // gopher-lua hands Sprintf the arguments there are: a spec without one is Go's MISSING.
    if (arg > top) return `%!${conversion}(MISSING)`
    const type = lua.lua_type(state, arg)
    const isNumber = type === lua.LUA_TNUMBER
    if (type === lua.LUA_TBOOLEAN || type === lua.LUA_TNIL) {
      const text = type === lua.LUA_TNIL ? 'nil' : lua.lua_toboolean(state, arg) ? 'true' : 'false'
      return goBoolOrNil(text, flags, width, precision, conversion)
    }
    const stringOctal = conversion === 'o' && type === lua.LUA_TSTRING
    if ((!NATIVE_VERBS.has(conversion) || stringOctal) && (isNumber || type === lua.LUA_TSTRING)) {
      const value = isNumber ? lua.lua_tonumber(state, arg) : fmtText(lua.lua_tostring(state, arg))
      return goOtherVerb(value, flags, width, precision, conversion)
    }
    if (flags.includes('#') && (conversion === 's' || conversion === 'q')) {
      // '#' means nothing to Go's %s; %#q backquotes a text that can be (strconv.CanBackquote).
      const text = isNumber
        ? goNumberString(lua.lua_tonumber(state, arg))
        : fmtText(lua.lua_tostring(state, arg))
      const kept =
        precision === undefined ? text : [...text].slice(0, precision === '' ? 0 : Number(precision)).join('')
      if (conversion === 's') return padText(kept, flags, width, undefined)
      if (canBackquote(kept)) return padText(`\`${kept}\``, flags, width, undefined)
      flags = flags.replaceAll('#', '')
    }
    if (!isNumber && type !== lua.LUA_TSTRING) return undefined
    if (FLOAT_VERBS.has(conversion)) {
      if (isNumber) return goSprintfFloat(lua.lua_tonumber(state, arg), flags, width, precision, conversion)
      // LString formats a float verb as Go formats a string with it: a bad verb, the text as %v.
      return `%!${conversion}(string=${padText(fmtText(lua.lua_tostring(state, arg)), flags, width, precision)})`
    }
    if (conversion === 's' || conversion === 'q') {
      // Go's %s counts runes and knows no ' ' flag; %q of a number quotes LNumber's text (of a
      // string, Go's quoting: left to the native format).
      if (conversion === 's' && flags === '' && width === '' && precision === undefined) return undefined
      if (conversion === 'q' && !isNumber) {
        const runes = [...fmtText(lua.lua_tostring(state, arg))]
        const kept =
          precision === undefined ? runes : runes.slice(0, precision === '' ? 0 : Number(precision))
        return padText(goQuote(kept.join(''), flags.includes('+')), flags, width, undefined)
      }
      const value = isNumber
        ? goNumberString(lua.lua_tonumber(state, arg))
        : fmtText(lua.lua_tostring(state, arg))
      if (conversion === 's') return padText(value, flags, width, precision)
      return padText(`"${padText(value, '', '', precision)}"`, flags, width, undefined)
    }
    if ((conversion === 'd' || conversion === 'i') && !isNumber) {
      // LString's %d: a string that reads as a number is written as %s, any other as the number 0.
      const bytes = lua.lua_tostring(state, arg)
      if (gopherParseNumber(Buffer.from(bytes).toString('latin1')) === undefined)
        return goFormatInteger(0n, flags, width, precision, 10, false)
      return padText(fmtText(bytes), flags, width, precision)
    }
    if ((conversion === 'x' || conversion === 'X') && !isNumber)
      return goHexBytes(lua.lua_tostring(state, arg), flags, width, precision, conversion === 'X')
    const base = conversion === 'x' || conversion === 'X' ? 16 : conversion === 'o' ? 8 : 10
    if ((conversion !== 'd' && conversion !== 'i' && base === 10) || type !== lua.LUA_TNUMBER)
      return undefined
    const x = lua.lua_tonumber(state, arg)
    // fengari writes small integers in base 10 as Go does, except with the ' ' and '#' flags (it
    // fails) and a precision (Go then pads no zeros to the width); its %x/%o are 32-bit two's
    // complement without precision or sign.
    const plain = base === 10 && precision === undefined && !flags.includes(' ') && !flags.includes('#')
    if (plain && Number.isInteger(x) && x >= -INT32_LIMIT && x < INT32_LIMIT) return undefined
    return goFormatInteger(goInt64(x), flags, width, precision, base, conversion === 'X')
  }
}
