/**
 * gopher-lua's string.upper/lower and the pattern functions where they answer otherwise than Lua
 * 5.3 in a condition: upper/lower are Go's strings.ToUpper/ToLower (Unicode letters too, each rune
 * mapped alone; bytes that are not UTF-8 become U+FFFD); its patterns know no `%f` frontier and no
 * `%g` class (both are the letter itself); `find` with an empty pattern answers 1, 0 wherever it
 * starts; a fractional start or count is truncated as Go's int(x); `gmatch` anchors a pattern
 * starting with `^` (one match at most, at the start); `gsub` with a function or table
 * replacement counts an empty match right after a match (lua-gopher-gsub.ts).
 */
import type { LuaState } from 'fengari'
import { goLowerRune, goUpperRune } from '../go-unicode-case.ts'
import type { LuaEngine } from './lua-engine.ts'
import { GO_RUNTIME_PANIC, goInt, gopherArgs } from './lua-gopher-args.ts'
import { gopherMatchers } from './lua-gopher-gmatch.ts'
import { gopherGsub } from './lua-gopher-gsub.ts'
import { patternCompileError } from './lua-gopher-pattern-check.ts'

/** Replaces the number at `n` with Go's int of it, as the function reads it. */
type Convert = (state: LuaState, n: number, use: 'find' | 'start' | 'count') => void

export function installGopherStrings(e: Pick<LuaEngine, 'f' | 'L' | 's'>, toInt: Convert): void {
  const { lua, lauxlib } = e.f
  const L = e.L
  /** gopher-lua's CheckString of argument `n` of `name`: a string or a number, else its TypeError. */
  const { typeName, fail } = gopherArgs(e.f)
  const checkString = (state: LuaState, n: number, name: string, expected = 'string') => {
    const type = lua.lua_type(state, n)
    if (type !== lua.LUA_TSTRING && type !== lua.LUA_TNUMBER)
      fail(state, `bad argument #${n} to ${name} (${expected} expected, got ${typeName(state, n)})`)
  }
  const caseMap = (name: string, upper: boolean) => {
    lua.lua_pushjsfunction(L, (state: LuaState) => {
      checkString(state, 1, name)
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
  const natives = new Map<string, number>()
  const { callMatcher, gopherGmatch, matchesAtStart } = gopherMatchers(e.f, fail, natives)
  const gsub = gopherGsub(e.f, natives, callMatcher, (state) => asGopherString(state))
  const wrap = (name: string, numberArg: number, use: 'find' | 'start' | 'count') => {
    const emptyFind = use === 'find'
    lua.lua_getfield(L, -1, e.s(name))
    const native = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
    natives.set(name, native)
    lua.lua_pushjsfunction(L, (state: LuaState) => {
      const top = lua.lua_gettop(state)
      checkString(state, 1, name)
      checkString(state, 2, name)
      // gopher-lua's find answers an empty pattern before it reads the start.
      if (
        emptyFind &&
        lua.lua_type(state, 2) === lua.LUA_TSTRING &&
        lua.lua_tostring(state, 2).length === 0
      ) {
        lua.lua_pushnumber(state, 1)
        lua.lua_pushnumber(state, 0)
        return 2
      }
      const numberType = lua.lua_type(state, numberArg)
      // gopher-lua's OptInt: a number only ('2' fails the call there).
      if (numberType > lua.LUA_TNIL && numberType !== lua.LUA_TNUMBER)
        fail(
          state,
          `bad argument #${numberArg} to ${name} (number expected, got ${typeName(state, numberArg)})`,
        )
      // gopher-lua's Find with a limit of 0 stops after its first try if that finds nothing.
      const zeroCount =
        use === 'count' && numberType === lua.LUA_TNUMBER && goInt(lua.lua_tonumber(state, numberArg)) === 0
      const replacement = lua.lua_type(state, 3)
      if (use === 'count' && replacement !== lua.LUA_TTABLE && replacement !== lua.LUA_TFUNCTION)
        checkString(state, 3, name, 'string or table or function')
      const plain = emptyFind && top === 4 && lua.lua_toboolean(state, 4)
      if (lua.lua_type(state, 2) === lua.LUA_TSTRING) {
        const pattern = lua.lua_tostring(state, 2)
        // gopher-lua compiles the whole pattern first (a plain find excepted), after its argument checks.
        if (!plain) {
          if (use === 'count' && replacement === lua.LUA_TNUMBER) gopherReplacement(state)
          const malformed = patternCompileError(pattern)
          if (malformed) fail(state, malformed)
        }
        const read = gopherPattern(pattern)
        if (read !== pattern) {
          lua.lua_pushstring(state, read)
          lua.lua_replace(state, 2)
        }
      }
      if (top >= numberArg && lua.lua_type(state, numberArg) === lua.LUA_TNUMBER) toInt(state, numberArg, use)
      if (plain) plainFindBounds(state)
      if (name === 'gmatch')
        return gopherGmatch(
          state,
          lua.lua_type(state, 2) === lua.LUA_TSTRING && lua.lua_tostring(state, 2)[0] === CARET,
        )
      if (use === 'count') {
        gopherReplacement(state)
        if (zeroCount && !matchesAtStart(state)) {
          lua.lua_settop(state, 1)
          lua.lua_pushnumber(state, 0)
          return 2
        }
      }
      if (use === 'count') {
        const results = gsub(state, top)
        if (results !== undefined) return results
      }
      lua.lua_rawgeti(state, lua.LUA_REGISTRYINDEX, native)
      lua.lua_insert(state, 1)
      callMatcher(state, top, lua.LUA_MULTRET)
      const results = lua.lua_gettop(state)
      // gopher-lua's match answers no value at all where nothing matches (tostring(...) then fails).
      if (name === 'match' && results === 1 && lua.lua_type(state, 1) === lua.LUA_TNIL) return 0
      return results
    })
    lua.lua_setfield(L, -2, e.s(name))
  }
  /**
   * gsub's replacement as gopher-lua takes it: a number is refused (its CheckTypes is exact), and in a
   * string `%` before anything but a digit or `%` is written as is, as is a trailing `%` (Lua 5.3
   * fails the call on both), so it is rewritten with `%%` there.
   */
  const gopherReplacement = (state: LuaState) => {
    const type = lua.lua_type(state, 3)
    if (type === lua.LUA_TNUMBER) {
      lauxlib.luaL_where(state, 1)
      lua.lua_pushstring(
        state,
        e.s('bad argument #3 to gsub (string or table or function expected, got number)'),
      )
      lua.lua_concat(state, 2)
      lua.lua_error(state)
    }
    if (type === lua.LUA_TFUNCTION || type === lua.LUA_TTABLE) {
      // gopher-lua writes LVAsString of what the function or table gives: a table or true is ''
      // (5.3 failed the call: 'invalid replacement value (a table)'); nil and false keep the match.
      lua.lua_pushvalue(state, 3)
      lua.lua_pushcclosure(state, type === lua.LUA_TFUNCTION ? calledReplacement : lookedUpReplacement, 1)
      lua.lua_replace(state, 3)
      return
    }
    if (type !== lua.LUA_TSTRING) return
    const replacement = lua.lua_tostring(state, 3)
    if (replacement.indexOf(PERCENT) === -1) return
    const read = rewriteReplacement(replacement)
    if (read === replacement) return
    lua.lua_pushstring(state, read)
    lua.lua_replace(state, 3)
  }
  const asGopherString = (state: LuaState) => {
    const type = lua.lua_type(state, -1)
    if (type === lua.LUA_TSTRING || type === lua.LUA_TNUMBER || type === lua.LUA_TNIL) return 1
    if (type === lua.LUA_TBOOLEAN && !lua.lua_toboolean(state, -1)) return 1
    lua.lua_pop(state, 1)
    lua.lua_pushstring(state, e.s(''))
    return 1
  }
  const calledReplacement = (state: LuaState) => {
    lua.lua_pushvalue(state, lua.lua_upvalueindex(1))
    lua.lua_insert(state, 1)
    lua.lua_call(state, lua.lua_gettop(state) - 1, 1)
    return asGopherString(state)
  }
  const lookedUpReplacement = (state: LuaState) => {
    lua.lua_pushvalue(state, lua.lua_upvalueindex(1))
    lua.lua_pushvalue(state, 1)
    lua.lua_gettable(state, -2)
    return asGopherString(state)
  }
  /**
   * gopher-lua's plain find slices the subject from its start index without a bound check: a start
   * past the end is a Go runtime panic (pcall gets its text; unprotected, KrakenD answers a bare 500).
   */
  const plainFindBounds = (state: LuaState) => {
    const length = lua.lua_tostring(state, 1).length
    let start = lua.lua_type(state, 3) === lua.LUA_TNUMBER ? lua.lua_tonumber(state, 3) : 1
    if (start !== 0) start -= 1
    if (start < 0) start = length + start + 1
    start = Math.max(0, start)
    if (start <= length) return
    lua.lua_pushstring(state, e.s(`${GO_RUNTIME_PANIC}slice bounds out of range [${start}:${length}]`))
    lua.lua_error(state)
  }
  wrap('find', 3, 'find')
  wrap('match', 3, 'start')
  wrap('gmatch', 3, 'start')
  wrap('gsub', 4, 'count')
}

const PERCENT = 37
const CARET = 94
const OPEN = 91
const CLOSE = 93
const DASH = 45
const LITERAL_AFTER_PERCENT = new Set([102 /* f */, 103 /* g */, 71 /* G */])
/** A set nothing matches, and one everything matches, in 5.3's pattern syntax. */
const NOTHING = [OPEN, 94, PERCENT, 122, PERCENT, 90, CLOSE] // [^%z%Z]
const ANYTHING = [OPEN, PERCENT, 122, PERCENT, 90, CLOSE] // [%z%Z]

type SetItem =
  | { kind: 'char'; byte: number }
  | { kind: 'class'; bytes: number[] }
  | { kind: 'never' }
  | { kind: 'range'; from: number; to: number }

/**
 * The pattern as gopher-lua's matcher reads it, written for 5.3's: `%f`, `%g` and `%G` are the
 * letter; a pattern ending in `%` matches nothing; in a set, a range with a class or an escape at
 * either end (`[%a-z]`) matches nothing.
 */
function gopherPattern(pattern: Uint8Array): Uint8Array {
  if (pattern.indexOf(PERCENT) === -1 && pattern.indexOf(OPEN) === -1) return pattern
  const key = Buffer.from(pattern.buffer, pattern.byteOffset, pattern.length).toString('latin1')
  let read = READ_PATTERNS.get(key)
  if (!read) {
    read = rewritePattern(pattern)
    if (READ_PATTERNS.size >= 256) READ_PATTERNS.clear()
    READ_PATTERNS.set(key, read)
  }
  return read
}

/** Patterns already rewritten (scripts use a few, call after call). */
const READ_PATTERNS = new Map<string, Uint8Array>()

function rewritePattern(pattern: Uint8Array): Uint8Array {
  const out: number[] = []
  let i = 0
  while (i < pattern.length) {
    const c = pattern[i] as number
    if (c === PERCENT) {
      const next = pattern[i + 1]
      if (next === undefined) {
        out.push(...NOTHING)
        i += 1
      } else if (next === 98 /* b */) {
        // Without both delimiters gopher-lua's %b waits for a byte -1: nothing matches.
        if (i + 3 < pattern.length) for (const b of pattern.subarray(i, i + 4)) out.push(b)
        else out.push(...NOTHING)
        i += 4
      } else {
        if (!LITERAL_AFTER_PERCENT.has(next)) out.push(PERCENT)
        out.push(next)
        i += 2
      }
    } else if (c === OPEN) {
      const set = readSet(pattern, i)
      if (!set) {
        for (const b of pattern.subarray(i)) out.push(b)
        break
      }
      out.push(...set.bytes)
      i = set.end
    } else {
      out.push(c)
      i += 1
    }
  }
  return Uint8Array.from(out)
}

/** gopher-lua's parseClassSet from `[` at `at`: the set in 5.3's syntax and where it ends; undefined if unterminated. */
function readSet(pattern: Uint8Array, at: number): { bytes: number[]; end: number } | undefined {
  let j = at + 1
  const negated = pattern[j] === 94
  if (negated) j += 1
  const items: SetItem[] = []
  let range = false
  for (;;) {
    const ch = pattern[j]
    if (ch === undefined) return undefined
    if (ch === CLOSE && items.length > 0) {
      j += 1
      break
    }
    if (ch === DASH && items.length > 0 && !range) {
      range = true
      j += 1
      continue
    }
    let item: SetItem
    if (ch === PERCENT) {
      const next = pattern[j + 1]
      if (next === undefined) return undefined
      item = { kind: 'class', bytes: LITERAL_AFTER_PERCENT.has(next) ? [next] : [PERCENT, next] }
      j += 2
    } else {
      item = { kind: 'char', byte: ch }
      j += 1
    }
    if (range) {
      const from = items.pop() as SetItem
      items.push(
        from.kind === 'char' && item.kind === 'char'
          ? { kind: 'range', from: from.byte, to: item.byte }
          : { kind: 'never' },
      )
      range = false
    } else items.push(item)
  }
  if (range) items.push({ kind: 'char', byte: DASH })
  const body: number[] = []
  for (const item of items) {
    if (item.kind === 'char') body.push(...escaped(item.byte))
    else if (item.kind === 'class') body.push(...item.bytes)
    else if (item.kind === 'range') body.push(item.from, DASH, item.to)
  }
  if (body.length === 0) return { bytes: negated ? ANYTHING : NOTHING, end: j }
  return { bytes: [OPEN, ...(negated ? [94] : []), ...body, CLOSE], end: j }
}

/** A gsub replacement with gopher-lua's meaning in 5.3's syntax (the same array when nothing changes). */
function rewriteReplacement(replacement: Uint8Array): Uint8Array {
  const out: number[] = []
  let changed = false
  for (let i = 0; i < replacement.length; i += 1) {
    const c = replacement[i] as number
    out.push(c)
    if (c !== PERCENT) continue
    const next = replacement[i + 1]
    if (next === PERCENT || (next !== undefined && next >= 48 && next <= 57)) {
      out.push(next)
      i += 1
    } else {
      // `%x` or a trailing `%`: gopher-lua writes the `%` itself.
      out.push(PERCENT)
      changed = true
    }
  }
  return changed ? Uint8Array.from(out) : replacement
}

const isAlnum = (b: number) => (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122)
const escaped = (b: number) => (isAlnum(b) ? [b] : [PERCENT, b])

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
  for (const rune of Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'))
    text += upper ? goUpperRune(rune) : goLowerRune(rune)
  return Buffer.from(text, 'utf8')
}
