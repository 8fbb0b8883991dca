/**
 * The package library as gopher-lua opens it: `require` searches `package.preload` and then Lua
 * files on `package.path` (gopher-lua's default, or LUA_PATH with `;;` as that default), through the
 * loaders in `package.loaders`; `cpath` is empty and `loadlib` is not supported. fengari's own
 * searchers for JavaScript files (`package.jspath`, `searchpath`, `searchers`) are taken away: a
 * `require` or `loadlib` must never run a .js file where KrakenD runs only Lua.
 */
import type { LuaState, LuaString } from 'fengari'
import type { Fengari } from './lua-engine.ts'

const LUA_LDIR = '/usr/local/share/lua/5.1'
const GOPHER_PATH_DEFAULT = `./?.lua;${LUA_LDIR}/?.lua;${LUA_LDIR}/?/init.lua`

/** gopher-lua's loGetPath for LUA_PATH. */
export function gopherPackagePath(env: string | undefined): string {
  const path = env === undefined || env === '' ? GOPHER_PATH_DEFAULT : env
  return path.replaceAll(';;', `;${GOPHER_PATH_DEFAULT};`)
}

export function installGopherPackage(f: Fengari, L: LuaState, s: (text: string) => LuaString): void {
  const { lua, lauxlib } = f
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, 2 /* LUA_RIDX_GLOBALS */)
  if (lua.lua_getfield(L, -1, s('package')) !== lua.LUA_TTABLE) {
    lua.lua_pop(L, 2)
    return
  }
  // (globals, package): the preload and Lua searchers become package.loaders.
  lua.lua_createtable(L, 2, 0)
  lua.lua_getfield(L, -2, s('searchers'))
  for (const i of [1, 2]) {
    lua.lua_rawgeti(L, -1, i)
    lua.lua_rawseti(L, -3, i)
  }
  lua.lua_pop(L, 1)
  lua.lua_pushvalue(L, -1)
  lua.lua_setfield(L, -3, s('loaders'))
  // require reads its searchers from its upvalue: a table of its own holding the loaders (as
  // gopher-lua's require reads the registry's _LOADERS, not package.loaders).
  lua.lua_getfield(L, -3, s('require'))
  lua.lua_createtable(L, 0, 1)
  lua.lua_pushvalue(L, -3)
  lua.lua_setfield(L, -2, s('searchers'))
  lua.lua_setupvalue(L, -2, 1)
  lua.lua_pop(L, 2)
  for (const name of ['searchers', 'jspath', 'searchpath']) {
    lua.lua_pushnil(L)
    lua.lua_setfield(L, -2, s(name))
  }
  lua.lua_pushstring(L, s(gopherPackagePath(process.env.LUA_PATH)))
  lua.lua_setfield(L, -2, s('path'))
  lua.lua_pushstring(L, s(''))
  lua.lua_setfield(L, -2, s('cpath'))
  lua.lua_pushjsfunction(L, (state: LuaState) => {
    lauxlib.luaL_where(state, 1)
    lua.lua_pushstring(state, s('loadlib is not supported'))
    lua.lua_concat(state, 2)
    return lua.lua_error(state)
  })
  lua.lua_setfield(L, -2, s('loadlib'))
  lua.lua_pop(L, 2)
}
