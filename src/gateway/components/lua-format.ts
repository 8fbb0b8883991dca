/**
 * string.format's %d and %i as gopher-lua writes a number: its string.format is Go's fmt.Sprintf,
 * and LNumber formats %d/%i as int64(n), Go's conversion of the float64 (toward zero; on amd64 NaN,
 * ±Inf and anything outside int64 give -9223372036854775808). Lua 5.3 refuses a number without an
 * integer representation, and fengari's integers are 32-bit, so such a spec is written here and
 * handed to the native format as a `%s` of the written text. Everything else stays native.
 */
import type { LuaState } from 'fengari'
import type { LuaEngine } from './lua-engine.ts'

const INT64_LIMIT = 2 ** 63
const INT32_LIMIT = 2 ** 31
/** lstrlib's spec: flags, at most two width digits, at most two precision digits, a letter. */
const SPEC = /%(?:%|([-+ #0]{0,5})(\d{0,2})(?:\.(\d{0,2}))?([A-Za-z]))/gy

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
    const rewritten = lua.lua_type(state, 1) === lua.LUA_TSTRING ? rewrite(state, top) : undefined
    lua.lua_rawgeti(state, lua.LUA_REGISTRYINDEX, native)
    for (let i = 1; i <= top; i += 1) {
      const text = rewritten?.args.get(i)
      if (i === 1 && rewritten) lua.lua_pushstring(state, rewritten.format)
      else if (text !== undefined) lua.lua_pushstring(state, e.f.to_luastring(text))
      else lua.lua_pushvalue(state, i)
    }
    // The native format's error (a bad argument) is raised again as it was.
    if (lua.lua_pcall(state, top, 1, 0) !== lua.LUA_OK) lua.lua_error(state)
    return 1
  })
  lua.lua_setfield(L, -2, e.s('format'))
  lua.lua_pop(L, 2)

  /** The format with Go-written %d/%i specs as `%s`, and their texts by argument index. */
  function rewrite(
    state: LuaState,
    top: number,
  ): { format: Uint8Array; args: Map<number, string> } | undefined {
    const source = Buffer.from(lua.lua_tostring(state, 1)).toString('latin1')
    const args = new Map<number, string>()
    let format = ''
    let copied = 0
    let arg = 1
    for (let at = source.indexOf('%'); at !== -1; at = source.indexOf('%', SPEC.lastIndex)) {
      SPEC.lastIndex = at
      const spec = SPEC.exec(source)
      // A spec lstrlib refuses: the native format says so.
      if (!spec) return undefined
      if (spec[0] === '%%') continue
      arg += 1
      const [, flags = '', width = '', precision, conversion] = spec
      const base = conversion === 'x' || conversion === 'X' ? 16 : conversion === 'o' ? 8 : 10
      if (
        (conversion !== 'd' && conversion !== 'i' && base === 10) ||
        arg > top ||
        lua.lua_type(state, arg) !== lua.LUA_TNUMBER
      )
        continue
      const x = lua.lua_tonumber(state, arg)
      // fengari writes small integers in base 10 as Go does, except with the ' ' and '#' flags (it
      // fails); its %x/%o are 32-bit two's complement without precision or sign.
      const plain = base === 10 && !flags.includes(' ') && !flags.includes('#')
      if (plain && Number.isInteger(x) && x >= -INT32_LIMIT && x < INT32_LIMIT) continue
      args.set(arg, goFormatInteger(goInt64(x), flags, width, precision, base, conversion === 'X'))
      format += `${source.slice(copied, at)}%s`
      copied = SPEC.lastIndex
    }
    if (args.size === 0) return undefined
    return { format: Buffer.from(format + source.slice(copied), 'latin1'), args }
  }
}
