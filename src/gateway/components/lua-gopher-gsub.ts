/**
 * gsub with gopher-lua's matches where they differ from Lua 5.3's: its Find (as Lua 5.1) counts an
 * empty match right after a match (`('abc'):gsub('%a*', f)` calls f 2 times; 5.3: once). 5.1's
 * matches are 5.3's plus, after each non-empty match ending at e, the matcher's result at e when
 * that is empty (both go on from e + 1 then). So one native gsub pass runs over `()P()`, and a
 * non-empty match's replacement gets the inserted match's appended, decided by an anchored find
 * at e; the count and the limit include the inserted matches. Only for a function or table
 * replacement, which is called per match anyway: with a string one this costs 2 to 13 times the
 * native gsub (a call per match), so string replacements keep 5.3's matches (README). Patterns
 * whose matches all take a byte, anchored ones (one try in both) and ones with back references
 * keep the native gsub.
 */
import type { LuaState } from 'fengari'
import type { Fengari } from './lua-engine.ts'
import { alwaysConsumes } from './lua-gopher-gmatch.ts'

const PERCENT = 37
const CARET = 94
const DOLLAR = 36
const OPEN_SET = 91
const CLOSE_SET = 93
const OPEN_CAPTURE = 40
const LOWER_B = 98
/** Lua 5.3's LUA_MAXCAPTURES, less the two position captures added around the pattern. */
const MAX_OWN_CAPTURES = 30

interface PatternShape {
  /** A back reference (`%1`...): the added capture would shift it, so the native gsub runs. */
  backReference: boolean
  captures: number
  /** The pattern ends with the `$` anchor (not `%$`, in a set or a `%b` operand). */
  trailingAnchor: boolean
}

function shapeOf(p: Uint8Array): PatternShape {
  const shape: PatternShape = { backReference: false, captures: 0, trailingAnchor: false }
  let i = 0
  while (i < p.length) {
    const b = p[i] as number
    if (b === PERCENT) {
      const next = p[i + 1]
      if (next === LOWER_B) i += 4
      else {
        if (next !== undefined && next >= 49 && next <= 57) shape.backReference = true
        i += 2
      }
    } else if (b === OPEN_SET) {
      i += p[i + 1] === CARET ? 2 : 1
      // A `]` first in the set is one of its characters.
      for (let first = true; i < p.length && (p[i] !== CLOSE_SET || first); first = false)
        i += p[i] === PERCENT ? 2 : 1
      i += 1
    } else {
      if (b === OPEN_CAPTURE) shape.captures += 1
      else if (b === DOLLAR && i === p.length - 1) shape.trailingAnchor = true
      i += 1
    }
  }
  return shape
}

type CallMatcher = (state: LuaState, args: number, results: number) => void

/**
 * `natives` holds the registry references of Fengari's `gsub` and `find`. The returned function
 * runs gsub over the stack (subject, pattern and replacement read as gopher-lua reads them, the
 * count as Go's int) and answers its result count, or undefined where the native gsub answers
 * as gopher-lua does.
 */
export function gopherGsub(
  f: Fengari,
  natives: Map<string, number>,
  callMatcher: CallMatcher,
  /** gopher-lua's LVAsString of the value on top: a table or true is ''. */
  asGopherString: (state: LuaState) => void,
) {
  const { lua } = f
  return (state: LuaState, top: number): number | undefined => {
    // A string replacement keeps 5.3's matches (above).
    if (lua.lua_type(state, 3) === lua.LUA_TSTRING || lua.lua_type(state, 2) !== lua.LUA_TSTRING)
      return undefined
    const pattern = lua.lua_tostring(state, 2)
    if (pattern[0] === CARET || alwaysConsumes(pattern)) return undefined
    const limited = top >= 4 && lua.lua_type(state, 4) === lua.LUA_TNUMBER
    const shape = shapeOf(pattern)
    if (shape.backReference || shape.captures > MAX_OWN_CAPTURES) return undefined
    const subject = lua.lua_tolstring(state, 1)
    const limit = limited ? lua.lua_tonumber(state, 4) : Number.POSITIVE_INFINITY
    const body = shape.trailingAnchor ? pattern.subarray(0, pattern.length - 1) : pattern
    const wrapped = new Uint8Array(body.length + (shape.trailingAnchor ? 5 : 4))
    wrapped.set([OPEN_CAPTURE, 41])
    wrapped.set(body, 2)
    wrapped.set(shape.trailingAnchor ? [OPEN_CAPTURE, 41, DOLLAR] : [OPEN_CAPTURE, 41], body.length + 2)
    const anchored = new Uint8Array(pattern.length + 1)
    anchored[0] = CARET
    anchored.set(pattern, 1)
    let count = 0

    // The script's function or table (gopherReplacement wrapped it for the native gsub).
    lua.lua_getupvalue(state, 3, 1)
    const called = lua.lua_type(state, -1) === lua.LUA_TFUNCTION
    lua.lua_pop(state, 1)
    /** Pushes the function's or table's value for the match [start, end) whose `k` captures are at `from`. */
    const pushReplacement = (s: LuaState, from: number, k: number, start: number, end: number) => {
      lua.lua_pushvalue(s, lua.lua_upvalueindex(1))
      if (k === 0) lua.lua_pushstring(s, subject.subarray(start - 1, end - 1))
      else if (called) for (let i = 0; i < k; i++) lua.lua_pushvalue(s, from + i)
      else lua.lua_pushvalue(s, from)
      if (called) lua.lua_call(s, Math.max(k, 1), 1)
      else lua.lua_gettable(s, -2)
      asGopherString(s)
      if (!called) lua.lua_replace(s, -2)
    }

    const replace = (s: LuaState) => {
      if (count >= limit) return 0
      const n = lua.lua_gettop(s)
      const start = lua.lua_tonumber(s, 1)
      const end = lua.lua_tonumber(s, n)
      pushReplacement(s, 2, n - 2, start, end)
      count += 1
      if (end === start || count >= limit) return 1
      // The matcher's result at the end of this match: 5.1 counts it when it is empty.
      const base = lua.lua_gettop(s)
      lua.lua_rawgeti(s, lua.LUA_REGISTRYINDEX, natives.get('find') as number)
      lua.lua_pushvalue(s, lua.lua_upvalueindex(2))
      lua.lua_pushstring(s, anchored)
      lua.lua_pushinteger(s, end)
      callMatcher(s, 3, lua.LUA_MULTRET)
      if (lua.lua_tonumber(s, base + 1) === end && lua.lua_tonumber(s, base + 2) === end - 1) {
        pushReplacement(s, base + 3, lua.lua_gettop(s) - base - 2, end, end)
        count += 1
        if (lua.lua_toboolean(s, -1)) {
          // No replacement for the match itself keeps its text.
          if (!lua.lua_toboolean(s, base)) {
            lua.lua_pushstring(s, subject.subarray(start - 1, end - 1))
            lua.lua_replace(s, base)
          }
          lua.lua_replace(s, base + 1)
          lua.lua_settop(s, base + 1)
          lua.lua_concat(s, 2)
        }
      }
      lua.lua_settop(s, base)
      return 1
    }

    lua.lua_rawgeti(state, lua.LUA_REGISTRYINDEX, natives.get('gsub') as number)
    lua.lua_pushvalue(state, 1)
    lua.lua_pushstring(state, wrapped)
    lua.lua_getupvalue(state, 3, 1)
    lua.lua_pushvalue(state, 1)
    lua.lua_pushcclosure(state, replace, 2)
    if (limited) lua.lua_pushvalue(state, 4)
    callMatcher(state, limited ? 4 : 3, 1)
    lua.lua_pushinteger(state, count)
    return 2
  }
}
