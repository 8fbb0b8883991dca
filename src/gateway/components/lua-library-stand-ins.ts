import type { LuaState, LuaString } from 'fengari'
import type { Fengari } from './lua-engine.ts'
import { errorText } from './lua-engine.ts'
import type { SharedGuard } from './lua-shared-guard.ts'

/**
 * What a script sets in `string`, `math`, ... stays in its own run, as in gopher-lua's new state per
 * request. The globals hold an empty stand-in for each library, reading through to it; the first
 * write in a run gives that run its own table (reading through as well) in place of the stand-in, so
 * runs that write nothing cost nothing. `pairs` lists the library's own entries.
 */
export function libraryStandIns(
  f: Fengari,
  L: LuaState,
  s: (text: string) => LuaString,
  strings: OwnStrings,
  shared: { guard: SharedGuard | undefined },
): void {
  const { lua, lauxlib } = f
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, 2 /* LUA_RIDX_GLOBALS */)
  for (const name of ['string', 'table', 'math', 'os', 'io', 'coroutine', 'debug']) {
    lua.lua_getfield(L, -1, s(name))
    if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) {
      lua.lua_pop(L, 1)
      continue
    }
    if (
      lauxlib.luaL_loadbufferx(L, f.to_luastring(READ_THROUGH), null, s('=libraries'), s('t')) !== lua.LUA_OK
    )
      throw new Error(errorText(f, L))
    lua.lua_insert(L, -2)
    if (lua.lua_pcall(L, 1, 1, 0) !== lua.LUA_OK) throw new Error(errorText(f, L))
    const readThrough = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
    const key = s(name)
    lua.lua_createtable(L, 0, 0)
    lua.lua_createtable(L, 0, 3)
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, readThrough)
    lua.lua_getfield(L, -1, s('__index'))
    lua.lua_setfield(L, -3, s('__index'))
    lua.lua_getfield(L, -1, s('__pairs'))
    lua.lua_setfield(L, -3, s('__pairs'))
    lua.lua_pop(L, 1)
    lua.lua_pushjsfunction(L, (state: LuaState) => {
      // (stand-in, key, value): the run's own table, set in the run's globals and for strings.
      lua.lua_createtable(state, 0, 1)
      lua.lua_rawgeti(state, lua.LUA_REGISTRYINDEX, readThrough)
      lua.lua_setmetatable(state, -2)
      lua.lua_pushvalue(state, 2)
      lua.lua_pushvalue(state, 3)
      lua.lua_rawset(state, -3)
      lua.lua_rawgeti(state, lua.LUA_REGISTRYINDEX, 2 /* LUA_RIDX_GLOBALS */)
      lua.lua_pushvalue(state, 4)
      lua.lua_setfield(state, 5, key)
      if (name === 'string') {
        strings.own.add(lua.lua_topointer(state, 5))
        strings.pointed = true
        lua.lua_pushstring(state, s(''))
        if (!lua.lua_getmetatable(state, -1)) return 0
        const point = () => {
          lua.lua_pushvalue(state, 4)
          lua.lua_setfield(state, -2, s('__index'))
        }
        if (shared.guard) shared.guard.engineWrite(lua.lua_topointer(state, -1), point)
        else point()
      }
      return 0
    })
    lua.lua_setfield(L, -2, s('__newindex'))
    lua.lua_setmetatable(L, -2)
    lua.lua_setfield(L, -2, key)
  }
  lua.lua_pop(L, 1)
}

/** The environments whose run made its own string library; `pointed`: the strings' __index is one. */
export interface OwnStrings {
  own: WeakSet<object>
  pointed: boolean
}

const READ_THROUGH = `
local library = ...
local next = next
return { __index = library, __pairs = function() return next, library, nil end }
`
