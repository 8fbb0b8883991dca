/**
 * The pattern functions' calls of Fengari's matchers as gopher-lua answers them: a bad capture index
 * worded as its matcher words it, and gmatch finding every match when called, as its Find does.
 */
import type { LuaState } from 'fengari'
import type { Fengari } from './lua-engine.ts'

const CAPTURE_INDEX = Buffer.from('invalid capture index')
const startsWith = (bytes: Uint8Array, prefix: Buffer) =>
  bytes.length >= prefix.length && prefix.equals(bytes.subarray(0, prefix.length))

/** `natives` holds the registry references of Fengari's `find` and `match`. */
export function gopherMatchers(
  f: Fengari,
  fail: (state: LuaState, text: string) => never,
  natives: Map<string, number>,
) {
  const { lua } = f
  /** Calls the native matcher below `args` arguments; a bad capture index is worded as gopher-lua's matcher, at the caller's place. */
  const callMatcher = (state: LuaState, args: number, results: number) => {
    if (lua.lua_pcall(state, args, results, 0) === lua.LUA_OK) return
    if (lua.lua_type(state, -1) === lua.LUA_TSTRING && startsWith(lua.lua_tostring(state, -1), CAPTURE_INDEX))
      fail(state, 'invalid capture index')
    lua.lua_error(state)
  }
  /**
   * gmatch as gopher-lua's: every match is found when gmatch is called (a bad capture index fails
   * that call), the iterator hands them out. A pattern starting with `^` is anchored there (one
   * match at most, at the start), where 5.3's gmatch reads the `^` as a character.
   */
  const eagerGmatch = (state: LuaState, anchored: boolean) => {
    lua.lua_settop(state, 2)
    lua.lua_createtable(state, 0, 0)
    lua.lua_insert(state, 1)
    lua.lua_rawgeti(state, lua.LUA_REGISTRYINDEX, natives.get(anchored ? 'match' : 'find') as number)
    lua.lua_insert(state, 2)
    let rows = 0
    const addRow = (from: number) => {
      const count = lua.lua_gettop(state) - from + 1
      if (count === 0 || lua.lua_type(state, from) === lua.LUA_TNIL) return
      lua.lua_createtable(state, count, 0)
      lua.lua_insert(state, from)
      for (let i = count; i >= 1; i--) lua.lua_rawseti(state, from, i)
      lua.lua_rawseti(state, 1, ++rows)
    }
    if (anchored) {
      callMatcher(state, 2, lua.LUA_MULTRET)
      addRow(2)
    } else {
      // gopher-lua's Find tries each start in turn, the next one after a match being its end (one on
      // for an empty match): an empty match right after a match counts, as in Lua 5.1, not in 5.3.
      const subject = lua.lua_tostring(state, 3)
      let at = 0
      while (at <= subject.length) {
        const base = lua.lua_gettop(state)
        lua.lua_pushvalue(state, 2)
        lua.lua_pushvalue(state, 3)
        lua.lua_pushvalue(state, 4)
        lua.lua_pushinteger(state, at + 1)
        callMatcher(state, 3, lua.LUA_MULTRET)
        if (lua.lua_type(state, base + 1) === lua.LUA_TNIL) break
        const start = lua.lua_tonumber(state, base + 1) - 1
        const end = lua.lua_tonumber(state, base + 2)
        // A row is the captures, or the whole match without any.
        if (lua.lua_gettop(state) === base + 2)
          lua.lua_pushstring(state, subject.slice(start, Math.max(start, end)))
        addRow(base + 3)
        lua.lua_settop(state, base)
        at = Math.max(start + 1, end)
      }
    }
    lua.lua_settop(state, 1)
    let next = 1
    lua.lua_pushcclosure(
      state,
      (iterator: LuaState) => {
        if (next > rows) return 0
        lua.lua_rawgeti(iterator, lua.lua_upvalueindex(1), next++)
        const count = lua.lua_rawlen(iterator, -1)
        for (let i = 1; i <= count; i++) lua.lua_rawgeti(iterator, -i, i)
        return count
      },
      1,
    )
    return 1
  }
  return { callMatcher, eagerGmatch }
}
