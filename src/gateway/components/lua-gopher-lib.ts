/**
 * gopher-lua's own versions of library functions whose Lua 5.3 behaviour flips a script's conditions:
 * `tonumber` (Go's strconv: "1e2" is nil, "0x10" is 16, a number is returned whatever the base) and
 * the string functions that take indexes (`sub`, `byte`, `char`, `rep`), which truncate a number as
 * Go's int(x) does (a fraction dropped; NaN, ±Inf and anything outside int64 give -2^63) where 5.3
 * refuses a number without an integer representation, and refuse a string index.
 */
import type { LuaState } from 'fengari'
import type { LuaEngine } from './lua-engine.ts'
import { goParseFloat, goParseInt, trimGopher } from './lua-go-parse.ts'
import { GO_INT_MAX, GO_INT_MIN, goInt, gopherArgs, latin1 } from './lua-gopher-args.ts'
import { installGopherStrings } from './lua-gopher-strings.ts'
import { gopherize } from './lua-syntax.ts'

/** x - 1 as Go's int wraps it. */
const minusOne = (x: number) => (x === GO_INT_MIN ? GO_INT_MAX : x - 1)

export function installGopherLibrary(e: Pick<LuaEngine, 'f' | 'L' | 's'>): void {
  const { lua, lauxlib } = e.f
  const L = e.L
  const { typeName, fail, checkString } = gopherArgs(e.f)
  const checkInt = (state: LuaState, n: number, name: string): number => {
    if (lua.lua_type(state, n) !== lua.LUA_TNUMBER)
      fail(state, `bad argument #${n} to ${name} (number expected, got ${typeName(state, n)})`)
    return goInt(lua.lua_tonumber(state, n))
  }
  const optInt = (state: LuaState, n: number, name: string, fallback: number): number =>
    lua.lua_type(state, n) <= lua.LUA_TNIL ? fallback : checkInt(state, n, name)
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, 2 /* LUA_RIDX_GLOBALS */)
  lua.lua_pushjsfunction(L, (state: LuaState) => {
    if (lua.lua_gettop(state) < 1) fail(state, 'bad argument #1 to tonumber (value expected)')
    const noBase = lua.lua_type(state, 2) <= lua.LUA_TNIL
    let base = optInt(state, 2, 'tonumber', 10)
    const type = lua.lua_type(state, 1)
    if (type === lua.LUA_TNUMBER) lua.lua_pushvalue(state, 1)
    else if (type !== lua.LUA_TSTRING) lua.lua_pushnil(state)
    else {
      let text = trimGopher(latin1(lua.lua_tolstring(state, 1)))
      let value: number | undefined
      if (text.includes('.')) value = goParseFloat(text)
      else {
        if (noBase && text.slice(0, 2).toLowerCase() === '0x') {
          base = 16
          text = text.slice(2)
        }
        value = base === GO_INT_MIN ? undefined : goParseInt(text, base)
      }
      if (value === undefined) lua.lua_pushnil(state)
      else lua.lua_pushnumber(state, value)
    }
    return 1
  })
  lua.lua_setfield(L, -2, e.s('tonumber'))
  lua.lua_getfield(L, -1, e.s('load'))
  const nativeLoad = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
  // loadstring reads its chunk with gopher-lua's lexer (see lua-syntax.ts); errors name "<string>".
  lua.lua_pushjsfunction(L, (state: LuaState) => {
    const text = latin1(checkString(state, 1, 'loadstring'))
    // The chunk name is gopher-lua's OptString: a string or nil, not a number as the chunk may be.
    const nameType = lua.lua_type(state, 2)
    if (nameType > lua.LUA_TNIL && nameType !== lua.LUA_TSTRING)
      fail(state, `bad argument #2 to loadstring (string expected, got ${typeName(state, 2)})`)
    const name = nameType <= lua.LUA_TNIL ? '<string>' : latin1(lua.lua_tolstring(state, 2))
    const read = gopherize(text)
    if (read.error !== undefined) {
      lua.lua_pushnil(state)
      lua.lua_pushstring(
        state,
        Buffer.from(
          `${name} line:${read.line}(column:${read.column}) near '${read.near}':   ${read.message}\n`,
          'latin1',
        ),
      )
      return 2
    }
    lua.lua_rawgeti(state, lua.LUA_REGISTRYINDEX, nativeLoad)
    lua.lua_pushstring(state, Buffer.from(read.source, 'latin1'))
    lua.lua_pushstring(state, Buffer.from(`=${name}`, 'latin1'))
    lua.lua_call(state, 2, 2)
    return 2
  })
  lua.lua_setfield(L, -2, e.s('loadstring'))
  lua.lua_getfield(L, -1, e.s('math'))
  if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
    // math.max/min compare the numbers their arguments convert to ('5' is 5), as gopher-lua does.
    const extreme = (name: string, wins: (a: number, b: number) => boolean) => {
      lua.lua_pushjsfunction(L, (state: LuaState) => {
        const top = lua.lua_gettop(state)
        if (top === 0) fail(state, 'wrong number of arguments')
        let best = lauxlib.luaL_checknumber(state, 1)
        for (let i = 2; i <= top; i += 1) {
          const value = lauxlib.luaL_checknumber(state, i)
          if (wins(value, best)) best = value
        }
        lua.lua_pushnumber(state, best)
        return 1
      })
      lua.lua_setfield(L, -2, e.s(name))
    }
    extreme('max', (a, b) => a > b)
    extreme('min', (a, b) => a < b)
  }
  lua.lua_pop(L, 1)
  lua.lua_getfield(L, -1, e.s('string'))
  if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) {
    lua.lua_pop(L, 2)
    return
  }
  const set = (name: string, fn: (state: LuaState) => number) => {
    lua.lua_pushjsfunction(L, fn)
    lua.lua_setfield(L, -2, e.s(name))
  }
  set('sub', (state) => {
    const bytes = checkString(state, 1, 'sub')
    const length = bytes.length
    const index = (i: number, start: boolean) => {
      let at = start && i !== 0 ? minusOne(i) : i
      if (at < 0) at = length + at + 1
      at = Math.max(0, at)
      return !start && at > length ? length : at
    }
    const start = index(checkInt(state, 2, 'sub'), true)
    const end = index(optInt(state, 3, 'sub', -1), false)
    lua.lua_pushstring(state, start >= length || end < start ? e.s('') : bytes.subarray(start, end))
    return 1
  })
  set('byte', (state) => {
    const bytes = checkString(state, 1, 'byte')
    const length = bytes.length
    let start = minusOne(optInt(state, 2, 'byte', 1))
    let end = optInt(state, 3, 'byte', -1)
    if (start < 0) start = length + start + 1
    if (end < 0) end = length + end + 1
    if (lua.lua_gettop(state) === 2) {
      if (start < 0 || start >= length) return 0
      lua.lua_pushnumber(state, bytes[start] as number)
      return 1
    }
    start = Math.max(start, 0)
    end = Math.min(end, length)
    if (end < 0 || end <= start || start >= length) return 0
    lauxlib.luaL_checkstack(state, end - start, e.s('string slice too long'))
    for (let i = start; i < end; i += 1) lua.lua_pushnumber(state, bytes[i] as number)
    return end - start
  })
  set('char', (state) => {
    const top = lua.lua_gettop(state)
    const bytes = new Uint8Array(top)
    for (let i = 1; i <= top; i += 1) bytes[i - 1] = ((checkInt(state, i, 'char') % 256) + 256) % 256
    lua.lua_pushstring(state, bytes)
    return 1
  })
  lua.lua_getfield(L, -1, e.s('rep'))
  const nativeRep = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
  set('rep', (state) => {
    checkString(state, 1, 'rep')
    const count = checkInt(state, 2, 'rep')
    if (count < 0) {
      lua.lua_pushstring(state, e.s(''))
      return 1
    }
    // The separator 5.3 takes is no argument of gopher-lua's.
    lua.lua_rawgeti(state, lua.LUA_REGISTRYINDEX, nativeRep)
    lua.lua_pushvalue(state, 1)
    lua.lua_pushinteger(state, Math.min(count, 2 ** 31 - 1))
    lua.lua_call(state, 2, 1)
    return 1
  })
  installGopherStrings(e, (state, n, use) => {
    const value = goInt(lua.lua_tonumber(state, n))
    // find's start of -2^63 wraps to the largest int (nothing found); gsub's count of 0 or below is no limit.
    if (use === 'count' && value <= 0) lua.lua_pushnil(state)
    else if (use === 'find' && value === GO_INT_MIN) lua.lua_pushnumber(state, INT32_LIMIT - 1)
    else lua.lua_pushnumber(state, Math.max(-INT32_LIMIT, Math.min(INT32_LIMIT - 1, value)))
    lua.lua_replace(state, n)
  })
  lua.lua_pop(L, 2)
}

const INT32_LIMIT = 2 ** 31
