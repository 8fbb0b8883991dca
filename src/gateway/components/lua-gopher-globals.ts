/** The globals' order and the debug library as a gopher-lua state has them. */
import type { LuaState, LuaString } from 'fengari'
import type { Fengari } from './lua-engine.ts'
import type { SharedGuard } from './lua-shared-guard.ts'

/**
 * The globals in the order a gopher-lua state gets them (package, then _G and _VERSION, then the
 * rest), so that a run's globals iterate as KrakenD's do there: `for k in pairs(_G) do _G[k] = nil
 * end` stops at _G there, leaving the functions registered later in place. A copy, made once.
 */
export function gopherOrder(
  f: Fengari,
  L: LuaState,
  s: (text: string) => LuaString,
  template: number,
): number {
  const { lua, lauxlib } = f
  const first = ['package', '_G', '_VERSION']
  lua.lua_createtable(L, 0, 64)
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, template)
  for (const name of first) {
    lua.lua_getfield(L, -1, s(name))
    lua.lua_setfield(L, -3, s(name))
  }
  lua.lua_pushnil(L)
  while (lua.lua_next(L, -2) !== 0) {
    const key = lua.lua_type(L, -2) === lua.LUA_TSTRING ? f.to_jsstring(lua.lua_tostring(L, -2)) : ''
    if (first.includes(key)) {
      lua.lua_pop(L, 1)
      continue
    }
    lua.lua_pushvalue(L, -2)
    lua.lua_insert(L, -2)
    lua.lua_rawset(L, -5)
  }
  lua.lua_pop(L, 1)
  lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, template)
  return lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
}

/**
 * gopher-lua's debug library: getinfo, getlocal, getmetatable, getupvalue, setlocal, setmetatable,
 * setupvalue and traceback (its getfenv/setfenv are missing here). fengari's others (debug, sethook,
 * getregistry, upvaluejoin, ...) are taken away: KrakenD has none of them, and they reach what runs
 * share. setupvalue can change a library function for later runs, so a call to it gives the engine up.
 */
export function gopherDebug(
  f: Fengari,
  L: LuaState,
  s: (text: string) => LuaString,
  shared: { guard: SharedGuard | undefined },
): void {
  const { lua } = f
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, 2 /* LUA_RIDX_GLOBALS */)
  lua.lua_getfield(L, -1, s('debug'))
  if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) {
    lua.lua_pop(L, 2)
    return
  }
  for (const name of [
    'debug',
    'gethook',
    'sethook',
    'getregistry',
    'getuservalue',
    'setuservalue',
    'upvalueid',
    'upvaluejoin',
  ]) {
    lua.lua_pushnil(L)
    lua.lua_setfield(L, -2, s(name))
  }
  lua.lua_getfield(L, -1, s('setupvalue'))
  const setupvalue = lua.lua_tocfunction(L, -1)
  lua.lua_pop(L, 1)
  if (setupvalue)
    lua.lua_pushjsfunction(L, (state: LuaState) => {
      shared.guard?.spoil()
      return setupvalue(state)
    })
  else lua.lua_pushnil(L)
  lua.lua_setfield(L, -2, s('setupvalue'))
  lua.lua_pop(L, 2)
}
