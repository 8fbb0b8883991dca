/**
 * The pattern functions' calls of Fengari's matchers as gopher-lua answers them: a bad capture index
 * worded as its matcher words it, and gmatch's matches as its Find finds them.
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
   * that call; an empty match right after a match counts), the iterator hands them out; a pattern
   * whose matches all take a byte, without back references, keeps 5.3's iterator (the same matches). A pattern starting with `^` is anchored there (one
   * match at most, at the start), where 5.3's gmatch reads the `^` as a character.
   */
  const gopherGmatch = (state: LuaState, anchored: boolean) => {
    lua.lua_settop(state, 2)
    if (!anchored && alwaysConsumes(lua.lua_tostring(state, 2))) {
      // Matches of a byte or more and no back reference: 5.3's iterator finds what gopher-lua's
      // Find finds and cannot fail (the pattern compiled), so it is handed out as it is.
      lua.lua_rawgeti(state, lua.LUA_REGISTRYINDEX, natives.get('gmatch') as number)
      lua.lua_insert(state, 1)
      lua.lua_call(state, 2, 1)
      return 1
    }
    lua.lua_createtable(state, 0, 0)
    lua.lua_insert(state, 1)
    lua.lua_rawgeti(state, lua.LUA_REGISTRYINDEX, natives.get(anchored ? 'match' : 'find') as number)
    lua.lua_insert(state, 2)
    // Every row's values one after another in the table at 1, and how many each row has.
    const counts: number[] = []
    let stored = 0
    const addRow = (from: number) => {
      const count = lua.lua_gettop(state) - from + 1
      if (count === 0 || lua.lua_type(state, from) === lua.LUA_TNIL) return
      for (let i = count; i >= 1; i--) lua.lua_rawseti(state, 1, stored + i)
      stored += count
      counts.push(count)
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
    let row = 0
    let read = 0
    lua.lua_pushcclosure(
      state,
      (iterator: LuaState) => {
        const count = counts[row++]
        if (count === undefined) return 0
        for (let i = 1; i <= count; i++) lua.lua_rawgeti(iterator, lua.lua_upvalueindex(1), read + i)
        read += count
        return count
      },
      1,
    )
    return 1
  }
  /**
   * Whether the pattern at 2 matches the subject at 1 from its first byte (Fengari's find, anchored:
   * gopher-lua tries that byte only, so a back reference past the captures (`%2`) that only a later
   * start reaches fails nothing: `gsub('12ab', '%a%2', '', 0)` is `12ab`, 0).
   */
  const matchesAtStart = (state: LuaState) => {
    lua.lua_rawgeti(state, lua.LUA_REGISTRYINDEX, natives.get('find') as number)
    lua.lua_pushvalue(state, 1)
    const pattern = lua.lua_tostring(state, 2)
    if (pattern[0] === CARET) lua.lua_pushvalue(state, 2)
    else lua.lua_pushstring(state, Uint8Array.of(CARET, ...pattern))
    callMatcher(state, 2, 1)
    const start = lua.lua_type(state, -1) === lua.LUA_TNUMBER ? lua.lua_tonumber(state, -1) : 0
    lua.lua_pop(state, 1)
    return start === 1
  }
  return { callMatcher, gopherGmatch, matchesAtStart }
}

const STAR = 42
const DASH = 45
const QUESTION = 63
const PERCENT = 37
const CARET = 94
const DOLLAR = 36
const OPEN_CAPTURE = 40
const OPEN_SET = 91
const CLOSE_SET = 93
const CLOSE_CAPTURE = 41

/**
 * Whether every match of `pattern` takes a byte or more (where an empty match can be, gopher-lua
 * and 5.3 differ); conservative: a quantifier (`*`, `-`, `?` after an item) or a back reference
 * says no. A set is one item; a `*`, `-` or `?` first in the pattern or a capture is a character.
 */
export function alwaysConsumes(pattern: Uint8Array): boolean {
  let consumes = false
  let i = 0
  while (i < pattern.length) {
    const b = pattern[i] as number
    if (b === OPEN_SET) {
      i += pattern[i + 1] === CARET ? 2 : 1
      // A `]` first in the set is one of its characters.
      for (let first = true; i < pattern.length && (pattern[i] !== CLOSE_SET || first); first = false)
        i += pattern[i] === PERCENT ? 2 : 1
      consumes = true
    } else if (b === PERCENT) {
      const next = pattern[i + 1]
      if (next !== undefined && next >= 49 && next <= 57) return false
      consumes = true
      i += 1
    } else if (b === STAR || b === DASH || b === QUESTION) {
      const before = pattern[i - 1]
      if (i > 0 && before !== OPEN_CAPTURE && !(i === 1 && before === CARET)) return false
      consumes = true
    } else if (b !== OPEN_CAPTURE && b !== CLOSE_CAPTURE && b !== CARET && b !== DOLLAR) consumes = true
    i += 1
  }
  return consumes
}
