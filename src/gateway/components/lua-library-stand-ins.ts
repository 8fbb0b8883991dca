import type { LuaState, LuaString } from 'fengari'
import type { Fengari } from './lua-engine.ts'
import type { SharedGuard } from './lua-shared-guard.ts'

/**
 * What a script sets in `string`, `math`, ... stays in its own run, as in gopher-lua's new state per
 * request, and is seen by the rest of that run. The globals (and `package.loaded`) hold a stand-in for
 * each library: a copy of its entries whose metatable catches a new key (`function string.trim()`,
 * the common case) and gives the run a table of its own, a copy holding that key, so such runs cost
 * a copy and leave the engine usable. A write over an existing entry (`string.format = nil`) lands in
 * the stand-in itself, which the shared guard keeps for that call alone (lua-shared-guard.ts).
 * `getmetatable` does not show a stand-in's metatable (a library has none in gopher-lua).
 */
export function libraryStandIns(
  f: Fengari,
  L: LuaState,
  s: (text: string) => LuaString,
  strings: OwnStrings,
  shared: { guard: SharedGuard | undefined },
): void {
  const { lua } = f
  const standIns = new WeakSet<object>()
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, 2 /* LUA_RIDX_GLOBALS */)
  const globals = lua.lua_gettop(L)
  lua.lua_getfield(L, globals, s('package'))
  const hasPackage = lua.lua_type(L, -1) === lua.LUA_TTABLE
  if (hasPackage) lua.lua_getfield(L, -1, s('loaded'))
  else lua.lua_pushnil(L)
  const loaded = lua.lua_gettop(L)
  for (const name of ['string', 'table', 'math', 'os', 'io', 'coroutine', 'debug']) {
    const key = s(name)
    if (lua.lua_getfield(L, globals, key) !== lua.LUA_TTABLE) {
      lua.lua_pop(L, 1)
      continue
    }
    const library = lua.lua_gettop(L)
    copyTable(f, L, library)
    const standIn = lua.lua_gettop(L)
    standIns.add(lua.lua_topointer(L, standIn))
    lua.lua_createtable(L, 0, 1)
    lua.lua_pushjsfunction(L, (state: LuaState) => {
      // (stand-in, key, value): the run's own copy, set in the run's globals and for strings.
      copyTable(f, state, 1)
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
    lua.lua_setmetatable(L, standIn)
    if (name === 'string') {
      lua.lua_pushstring(L, s(''))
      if (lua.lua_getmetatable(L, -1)) {
        lua.lua_pushvalue(L, standIn)
        lua.lua_setfield(L, -2, s('__index'))
        lua.lua_pop(L, 1)
      }
      lua.lua_pop(L, 1)
    }
    if (hasPackage) {
      if (lua.lua_getfield(L, loaded, key) !== lua.LUA_TNIL) {
        lua.lua_pushvalue(L, standIn)
        lua.lua_setfield(L, loaded, key)
      }
      lua.lua_pop(L, 1)
    }
    lua.lua_pushvalue(L, standIn)
    lua.lua_setfield(L, globals, key)
    lua.lua_pop(L, 2)
  }
  hideStandInMetatables(f, L, s, standIns)
  lua.lua_settop(L, globals - 1)
}

/** A copy of the table at `index` (its entries, the ones pointing at it pointing at the copy), pushed. */
function copyTable(f: Fengari, L: LuaState, index: number): void {
  const { lua } = f
  lua.lua_createtable(L, 0, 24)
  const copy = lua.lua_gettop(L)
  lua.lua_pushnil(L)
  while (lua.lua_next(L, index) !== 0) {
    lua.lua_pushvalue(L, -2)
    if (lua.lua_rawequal(L, -2, index)) {
      lua.lua_pushvalue(L, copy)
      lua.lua_rawset(L, copy)
      lua.lua_pop(L, 1)
    } else {
      lua.lua_insert(L, -2)
      lua.lua_rawset(L, copy)
    }
  }
}

/** `getmetatable(string)` is nil, as a gopher-lua library table has no metatable. */
function hideStandInMetatables(
  f: Fengari,
  L: LuaState,
  s: (text: string) => LuaString,
  standIns: WeakSet<object>,
): void {
  const { lua } = f
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, 2 /* LUA_RIDX_GLOBALS */)
  lua.lua_getfield(L, -1, s('getmetatable'))
  const getmetatable = lua.lua_tocfunction(L, -1)
  lua.lua_pop(L, 1)
  if (getmetatable) {
    lua.lua_pushjsfunction(L, (state: LuaState) => {
      if (lua.lua_type(state, 1) === lua.LUA_TTABLE && standIns.has(lua.lua_topointer(state, 1))) {
        lua.lua_pushnil(state)
        return 1
      }
      return getmetatable(state)
    })
    lua.lua_setfield(L, -2, s('getmetatable'))
  }
  lua.lua_pop(L, 1)
}

/** The environments whose run made its own string library; `pointed`: the strings' __index is one. */
export interface OwnStrings {
  own: WeakSet<object>
  pointed: boolean
}
