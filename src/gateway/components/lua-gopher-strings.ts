/**
 * gopher-lua's string.upper/lower and the pattern functions where they answer otherwise than Lua
 * 5.3 in a condition: upper/lower are Go's strings.ToUpper/ToLower (Unicode letters too, each rune
 * mapped alone; bytes that are not UTF-8 become U+FFFD); its patterns know no `%f` frontier and no
 * `%g` class (both are the letter itself); `find` with an empty pattern answers 1, 0 wherever it
 * starts; a fractional start or count is truncated as Go's int(x).
 */
import type { LuaState } from 'fengari'
import type { LuaEngine } from './lua-engine.ts'

/** Replaces the number at `n` with Go's int of it, as the function reads it. */
type Convert = (state: LuaState, n: number, use: 'find' | 'start' | 'count') => void

export function installGopherStrings(e: Pick<LuaEngine, 'f' | 'L' | 's'>, toInt: Convert): void {
  const { lua, lauxlib } = e.f
  const L = e.L
  const caseMap = (name: string, upper: boolean) => {
    lua.lua_pushjsfunction(L, (state: LuaState) => {
      lauxlib.luaL_checkany(state, 1)
      const bytes = lua.lua_tostring(state, 1)
      if (!bytes) return lua.lua_error(state) as never
      lua.lua_pushstring(state, goCase(bytes, upper))
      return 1
    })
    lua.lua_setfield(L, -2, e.s(name))
  }
  caseMap('upper', true)
  caseMap('lower', false)
  // The pattern functions: the pattern read as gopher-lua reads it, numbers as Go's int.
  const wrap = (name: string, numberArg: number, use: 'find' | 'start' | 'count') => {
    const emptyFind = use === 'find'
    lua.lua_getfield(L, -1, e.s(name))
    const native = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
    lua.lua_pushjsfunction(L, (state: LuaState) => {
      const top = lua.lua_gettop(state)
      if (lua.lua_type(state, 2) === lua.LUA_TSTRING) {
        const pattern = lua.lua_tostring(state, 2)
        if (emptyFind && pattern.length === 0) {
          lua.lua_pushnumber(state, 1)
          lua.lua_pushnumber(state, 0)
          return 2
        }
        const read = gopherPattern(pattern)
        if (read !== pattern) {
          lua.lua_pushstring(state, read)
          lua.lua_replace(state, 2)
        }
      }
      if (top >= numberArg && lua.lua_type(state, numberArg) === lua.LUA_TNUMBER) toInt(state, numberArg, use)
      lua.lua_rawgeti(state, lua.LUA_REGISTRYINDEX, native)
      lua.lua_insert(state, 1)
      lua.lua_call(state, top, lua.LUA_MULTRET)
      return lua.lua_gettop(state)
    })
    lua.lua_setfield(L, -2, e.s(name))
  }
  wrap('find', 3, 'find')
  wrap('match', 3, 'start')
  wrap('gmatch', 3, 'start')
  wrap('gsub', 4, 'count')
}

const PERCENT = 37
const LITERAL_AFTER_PERCENT = new Set([102 /* f */, 103 /* g */, 71 /* G */])

/** The pattern with gopher-lua's `%f`/`%g`/`%G` (the letter itself) written as that letter. */
function gopherPattern(pattern: Uint8Array): Uint8Array {
  let at = pattern.indexOf(PERCENT)
  if (at === -1) return pattern
  const out: number[] = []
  let copied = 0
  for (; at !== -1 && at + 1 < pattern.length; at = pattern.indexOf(PERCENT, at + 2)) {
    if (!LITERAL_AFTER_PERCENT.has(pattern[at + 1] as number)) continue
    for (let i = copied; i < at; i += 1) out.push(pattern[i] as number)
    copied = at + 1
  }
  if (copied === 0) return pattern
  for (let i = copied; i < pattern.length; i += 1) out.push(pattern[i] as number)
  return Uint8Array.from(out)
}

/** Go's strings.ToUpper/ToLower: ASCII alone byte by byte, else rune by rune (simple case mapping). */
function goCase(bytes: Uint8Array, upper: boolean): Uint8Array {
  if (bytes.every((b) => b < 0x80)) {
    const out = new Uint8Array(bytes.length)
    for (let i = 0; i < bytes.length; i += 1) {
      const b = bytes[i] as number
      out[i] = upper ? (b >= 97 && b <= 122 ? b - 32 : b) : b >= 65 && b <= 90 ? b + 32 : b
    }
    return out
  }
  let text = ''
  for (const rune of Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8')) {
    const mapped = upper ? rune.toUpperCase() : rune === '\u0130' ? 'i' : rune.toLowerCase()
    text += [...mapped].length === 1 ? mapped : rune
  }
  return Buffer.from(text, 'utf8')
}
