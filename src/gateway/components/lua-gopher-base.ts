/**
 * Base functions whose Lua 5.3 behaviour lets a call through where gopher-lua (KrakenD) fails it, or
 * the other way round:
 * - `load` takes a function only (5.1): `load('return 1')` fails the call in KrakenD ('bad argument
 *   #1 to load (function expected, got string)'); a string is `loadstring`'s;
 * - `setmetatable` sets the metatable of any value but nil, a number's or a boolean's being their
 *   type's (gopher-lua's SetMetatable), where 5.3 refuses anything but a table;
 * - `unpack` takes a table only (5.3 walks any value's __index: `unpack('')` gave nothing where
 *   KrakenD fails the call; `pairs` and `ipairs` are lua-gopher-calls.ts's), and its bounds as
 *   numbers only, truncated (`unpack(t, 1.5)` is `unpack(t, 1)`, `unpack(t, '2')` fails);
 * - `error()` without a value is 'bad argument #1 to error (value expected)';
 * - `select` truncates a fractional index and refuses a string other than '#';
 * - `math.frexp` is Go's (the 5.1 stand-in read `math.log(x, 2)`, whose base gopher-lua ignores),
 *   `math.mod` gopher-lua's luaModulo (the `%` of numbers, not fmod) and `math.modf` Go's;
 * - `table.getn`/`maxn` take a table only (`sort` is lua-gopher-sort.ts's).
 */
import type { LuaFunction, LuaState } from 'fengari'
import type { LuaEngine } from './lua-engine.ts'
import { goFrexp, goLdexp, goModf, goPow, gopherModulo } from './lua-go-math.ts'
import { gopherParseNumber } from './lua-go-parse.ts'
import { goInt, gopherArgs, latin1 } from './lua-gopher-args.ts'
import { luaCallerPlace } from './lua-gopher-calls.ts'

export function installGopherBase(e: Pick<LuaEngine, 'f' | 'L' | 's'>): void {
  const { lua } = e.f
  const L = e.L
  const { typeName, fail, checkTable } = gopherArgs(e.f)
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, 2 /* LUA_RIDX_GLOBALS */)
  const wrap = (name: string, make: (original: LuaFunction) => LuaFunction) => {
    lua.lua_getfield(L, -1, e.s(name))
    const original = lua.lua_tocfunction(L, -1)
    lua.lua_pop(L, 1)
    if (!original) return
    lua.lua_pushjsfunction(L, make(original))
    lua.lua_setfield(L, -2, e.s(name))
  }
  wrap('load', (load) => (state) => {
    if (lua.lua_type(state, 1) !== lua.LUA_TFUNCTION)
      fail(state, `bad argument #1 to load (function expected, got ${typeName(state, 1)})`)
    return load(state)
  })
  wrap('setmetatable', (setmetatable) => (state) => {
    const type = lua.lua_type(state, 1)
    if (type === lua.LUA_TTABLE) return setmetatable(state)
    const meta = lua.lua_type(state, 2)
    if (meta > lua.LUA_TNIL && meta !== lua.LUA_TTABLE)
      fail(state, `bad argument #2 to setmetatable (nil or table expected, got ${typeName(state, 2)})`)
    if (type <= lua.LUA_TNIL) fail(state, 'cannot set metatable to a nil object.')
    if (lua.lua_getmetatable(state, 1)) {
      const protectedMeta = lua.lua_getfield(state, -1, e.s('__metatable')) !== lua.LUA_TNIL
      lua.lua_pop(state, 2)
      if (protectedMeta) fail(state, 'cannot change a protected metatable')
    }
    lua.lua_settop(state, 2)
    lua.lua_setmetatable(state, 1)
    return 1
  })
  // gopher-lua's unpack: OptInt bounds (a number only, as Go's int(x)), the length by default.
  wrap('unpack', () => (state) => {
    checkTable(state, 'unpack')
    const bound = (n: number, otherwise: number) => {
      const type = lua.lua_type(state, n)
      if (type <= lua.LUA_TNIL) return otherwise
      if (type !== lua.LUA_TNUMBER)
        fail(state, `bad argument #${n} to unpack (number expected, got ${typeName(state, n)})`)
      return goInt(lua.lua_tonumber(state, n))
    }
    const start = bound(2, 1)
    const end = bound(3, lua.lua_rawlen(state, 1))
    const count = end - start + 1
    if (count <= 0) return 0
    e.f.lauxlib.luaL_checkstack(state, count, e.s('too many results to unpack'))
    for (let i = start; i <= end; i++) {
      lua.lua_pushnumber(state, i)
      lua.lua_rawget(state, 1)
    }
    return count
  })
  // gopher-lua's error(msg, level): the place is its where(level - 1), Go functions skipped, so
  // levels 1 and 2 both name the function calling error and level 3 its caller (5.1: 2 is the caller).
  wrap('error', () => (state) => {
    const top = lua.lua_gettop(state)
    if (top < 1) fail(state, 'bad argument #1 to error (value expected)')
    const levelType = lua.lua_type(state, 2)
    if (levelType > lua.LUA_TNIL && levelType !== lua.LUA_TNUMBER)
      fail(state, `bad argument #2 to error (number expected, got ${typeName(state, 2)})`)
    const level = levelType === lua.LUA_TNUMBER ? goInt(lua.lua_tonumber(state, 2)) : 1
    lua.lua_settop(state, 1)
    if (level > 0 && lua.lua_type(state, 1) === lua.LUA_TSTRING) {
      // where() of no function is '', and gopher-lua still writes the space.
      lua.lua_pushstring(state, e.f.to_luastring(luaCallerPlace(e, state, level - 1) || ' '))
      lua.lua_insert(state, 1)
      lua.lua_concat(state, 2)
    }
    return lua.lua_error(state)
  })
  // gopher-lua's select: the index as Go's int(x), a string other than '#' refused (5.3 converts '2').
  wrap('select', () => (state) => {
    const top = lua.lua_gettop(state)
    const type = lua.lua_type(state, 1)
    if (type === lua.LUA_TSTRING) {
      const text = e.f.to_jsstring(lua.lua_tostring(state, 1))
      if (text !== '#') fail(state, `bad argument #1 to select (invalid string '${text}')`)
      lua.lua_pushnumber(state, top - 1)
      return 1
    }
    if (type !== lua.LUA_TNUMBER)
      fail(state, `bad argument #1 to select (number or string expected, got ${typeName(state, 1)})`)
    let index = goInt(lua.lua_tonumber(state, 1))
    if (index < 0) index = top + index
    else if (index > top) index = top
    if (index < 1) fail(state, 'bad argument #1 to select (index out of range)')
    return top - index
  })
  lua.lua_pop(L, 1)
  // math.pow and ldexp as gopher-lua's Go functions: CheckNumber (a string read as a number), Go's math.Pow.
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, 2 /* LUA_RIDX_GLOBALS */)
  if (lua.lua_getfield(L, -1, e.s('math')) === lua.LUA_TTABLE) {
    const checkNumber = (state: LuaState, n: number, name: string): number => {
      const type = lua.lua_type(state, n)
      if (type === lua.LUA_TNUMBER) return lua.lua_tonumber(state, n)
      const read =
        type === lua.LUA_TSTRING ? gopherParseNumber(latin1(lua.lua_tostring(state, n))) : undefined
      if (read === undefined)
        fail(state, `bad argument #${n} to ${name} (number expected, got ${typeName(state, n)})`)
      return read as number
    }
    // Two numbers to one (Go's Pow, gopher-lua's luaModulo) and one to two (Go's Frexp, Modf).
    for (const [name, fn] of [
      ['pow', goPow],
      ['mod', gopherModulo],
    ] as const) {
      lua.lua_pushjsfunction(L, (state: LuaState) => {
        lua.lua_pushnumber(state, fn(checkNumber(state, 1, name), checkNumber(state, 2, name)))
        return 1
      })
      lua.lua_setfield(L, -2, e.s(name))
    }
    for (const [name, fn] of [
      ['frexp', goFrexp],
      ['modf', goModf],
    ] as const) {
      lua.lua_pushjsfunction(L, (state: LuaState) => {
        const [first, second] = fn(checkNumber(state, 1, name))
        lua.lua_pushnumber(state, first)
        lua.lua_pushnumber(state, second)
        return 2
      })
      lua.lua_setfield(L, -2, e.s(name))
    }
    lua.lua_pushjsfunction(L, (state: LuaState) => {
      const mantissa = checkNumber(state, 1, 'ldexp')
      // CheckInt: a number only.
      if (lua.lua_type(state, 2) !== lua.LUA_TNUMBER)
        fail(state, `bad argument #2 to ldexp (number expected, got ${typeName(state, 2)})`)
      lua.lua_pushnumber(state, goLdexp(mantissa, goInt(lua.lua_tonumber(state, 2))))
      return 1
    })
    lua.lua_setfield(L, -2, e.s('ldexp'))
  }
  lua.lua_pop(L, 2)
  // table.getn and maxn take a table only (gopher-lua's CheckTable): getn('abc') failed the call there.
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, 2 /* LUA_RIDX_GLOBALS */)
  if (lua.lua_getfield(L, -1, e.s('table')) === lua.LUA_TTABLE) {
    lua.lua_pushjsfunction(L, (state: LuaState) => {
      checkTable(state, 'getn')
      lua.lua_pushnumber(state, lua.lua_rawlen(state, 1))
      return 1
    })
    lua.lua_setfield(L, -2, e.s('getn'))
    lua.lua_pushjsfunction(L, (state: LuaState) => {
      checkTable(state, 'maxn')
      let max = 0
      lua.lua_pushnil(state)
      while (lua.lua_next(state, 1) !== 0) {
        lua.lua_pop(state, 1)
        if (lua.lua_type(state, -1) === lua.LUA_TNUMBER) max = Math.max(max, lua.lua_tonumber(state, -1))
      }
      lua.lua_pushnumber(state, max)
      return 1
    })
    lua.lua_setfield(L, -2, e.s('maxn'))
  }
  lua.lua_pop(L, 2)
}
