/**
 * gopher-lua's Lua 5.1 base functions that Lua 5.3 dropped: getfenv, setfenv and newproxy.
 * A function's environment is its `_ENV` upvalue here: setfenv gives the function a cell of its own
 * (upvaluejoin), so the other functions of the script keep theirs, as a gopher-lua function's Env is
 * its own. A function without `_ENV` (it reads no global) has the run's globals, and setfenv leaves
 * it as it is. The library functions written in Lua here (math.cosh, ...) are Go functions in
 * gopher-lua: their environment is the run's globals and setfenv refuses them.
 */
import type { LuaState } from 'fengari'
import type { LuaEngine } from './lua-engine.ts'
import { gopherArgs } from './lua-gopher-args.ts'

export function installGopherFenv(e: Pick<LuaEngine, 'f' | 'L' | 's'>): void {
  const { lua } = e.f
  const L = e.L
  const { typeName, fail } = gopherArgs(e.f)
  const ENV = e.s('_ENV')
  if (e.f.lauxlib.luaL_loadbufferx(L, e.s(HOLDER), null, e.s('=fenv'), e.s('t')) !== lua.LUA_OK)
    throw new Error('lua-gopher-fenv: the holder chunk does not compile')
  const holder = e.f.lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, 2 /* LUA_RIDX_GLOBALS */)
  // The globals the library's own Lua functions have (the runs get copies).
  const stateGlobals = lua.lua_topointer(L, -1)

  /** The index of the `_ENV` upvalue of the Lua function at `index`, 0 when it has none. */
  const envUpvalue = (state: LuaState, index: number): number => {
    if (lua.lua_iscfunction(state, index)) return 0
    for (let n = 1; ; n++) {
      const name = lua.lua_getupvalue(state, index, n)
      if (name === null) return 0
      lua.lua_pop(state, 1)
      if (name.length === ENV.length && name.every((b, i) => b === ENV[i])) return n
    }
  }
  /** Pushes the function `level` calls above the caller (1: the caller); false when there is none. */
  const pushLevel = (state: LuaState, level: number): boolean => {
    const ar = new lua.lua_Debug()
    if (!lua.lua_getstack(state, level, ar)) return false
    lua.lua_getinfo(state, e.s('f'), ar)
    return true
  }
  /** Pushes the environment of the function at `index`. */
  const pushEnv = (state: LuaState, index: number) => {
    const n = envUpvalue(state, index)
    if (n !== 0) {
      lua.lua_getupvalue(state, index, n)
      if (lua.lua_topointer(state, -1) !== stateGlobals) return
      lua.lua_pop(state, 1)
    }
    lua.lua_rawgeti(state, lua.LUA_REGISTRYINDEX, 2 /* LUA_RIDX_GLOBALS */)
  }

  lua.lua_pushjsfunction(L, (state: LuaState) => {
    const top = lua.lua_gettop(state)
    const type = top === 0 ? lua.LUA_TNUMBER : lua.lua_type(state, 1)
    if (type === lua.LUA_TFUNCTION) {
      pushEnv(state, 1)
      return 1
    }
    if (type === lua.LUA_TNUMBER) {
      const level = top === 0 ? 1 : Math.trunc(lua.lua_tonumber(state, 1))
      if (level > 0 && pushLevel(state, level)) {
        pushEnv(state, lua.lua_gettop(state))
        return 1
      }
    }
    lua.lua_rawgeti(state, lua.LUA_REGISTRYINDEX, 2 /* LUA_RIDX_GLOBALS */)
    return 1
  })
  lua.lua_setfield(L, -2, e.s('getfenv'))

  lua.lua_pushjsfunction(L, (state: LuaState) => {
    const top = lua.lua_gettop(state)
    const type = top === 0 ? lua.LUA_TNUMBER : lua.lua_type(state, 1)
    if (lua.lua_type(state, 2) !== lua.LUA_TTABLE)
      fail(state, `bad argument #2 to setfenv (table expected, got ${typeName(state, 2)})`)
    let fn: number
    if (type === lua.LUA_TFUNCTION) fn = 1
    else if (type === lua.LUA_TNUMBER) {
      const level = top === 0 ? 1 : Math.trunc(lua.lua_tonumber(state, 1))
      // Level 0 is the state's own environment in gopher-lua, which no later global lookup of the script reads.
      if (level <= 0) return 0
      if (!pushLevel(state, level)) fail(state, 'cannot change the environment of given object')
      fn = lua.lua_gettop(state)
    } else return fail(state, 'cannot change the environment of given object')
    if (lua.lua_iscfunction(state, fn)) fail(state, 'cannot change the environment of given object')
    const n = envUpvalue(state, fn)
    if (n !== 0) {
      lua.lua_getupvalue(state, fn, n)
      if (lua.lua_topointer(state, -1) === stateGlobals)
        fail(state, 'cannot change the environment of given object')
      lua.lua_pop(state, 1)
      // A closure of its own holding the table, whose cell the function's _ENV is joined to.
      lua.lua_rawgeti(state, lua.LUA_REGISTRYINDEX, holder)
      lua.lua_pushvalue(state, 2)
      lua.lua_call(state, 1, 1)
      lua.lua_upvaluejoin(state, fn, n, -1, 1)
      lua.lua_pop(state, 1)
    }
    lua.lua_pushvalue(state, fn)
    return 1
  })
  lua.lua_setfield(L, -2, e.s('setfenv'))

  lua.lua_pushjsfunction(L, (state: LuaState) => {
    lua.lua_settop(state, 1)
    lua.lua_newuserdata(state, 0)
    if (lua.lua_type(state, 1) === lua.LUA_TBOOLEAN && lua.lua_toboolean(state, 1)) {
      lua.lua_createtable(state, 0, 0)
      lua.lua_setmetatable(state, -2)
    } else if (lua.lua_type(state, 1) === lua.LUA_TUSERDATA && lua.lua_getmetatable(state, 1)) {
      lua.lua_setmetatable(state, -2)
    }
    return 1
  })
  lua.lua_setfield(L, -2, e.s('newproxy'))
  lua.lua_pop(L, 1)
}

/** Makes a Lua closure whose one upvalue holds its argument. */
const HOLDER = 'local env = ... return function() return env end'
