// Types for the part of fengari (Lua 5.3 in JavaScript, untyped) the Lua component uses.
declare module 'fengari' {
  export interface LuaState {
    readonly __luaState: unique symbol
  }
  export type LuaFunction = (L: LuaState) => number
  export type LuaString = Uint8Array
  export interface UserData {
    value?: unknown
  }

  export const lua: {
    LUA_OK: number
    LUA_YIELD: number
    LUA_MULTRET: number
    LUA_REGISTRYINDEX: number
    LUA_TNIL: number
    LUA_TBOOLEAN: number
    LUA_TNUMBER: number
    LUA_TSTRING: number
    LUA_TTABLE: number
    LUA_TFUNCTION: number
    LUA_TUSERDATA: number
    LUA_TNONE: number
    lua_gettop(L: LuaState): number
    lua_settop(L: LuaState, index: number): void
    lua_pop(L: LuaState, n: number): void
    lua_pushvalue(L: LuaState, index: number): void
    lua_type(L: LuaState, index: number): number
    lua_pushnil(L: LuaState): void
    lua_pushnumber(L: LuaState, n: number): void
    lua_pushboolean(L: LuaState, b: boolean): void
    lua_pushstring(L: LuaState, s: LuaString): void
    lua_pushjsfunction(L: LuaState, f: LuaFunction): void
    lua_toboolean(L: LuaState, index: number): boolean
    lua_tonumber(L: LuaState, index: number): number
    lua_tostring(L: LuaState, index: number): LuaString
    lua_rawlen(L: LuaState, index: number): number
    LUA_OPLT: number
    lua_compare(L: LuaState, index1: number, index2: number, op: number): number
    lua_tolstring(L: LuaState, index: number): LuaString
    lua_rawseti(L: LuaState, index: number, n: number): void
    lua_typename(L: LuaState, type: number): LuaString
    lua_pushinteger(L: LuaState, n: number): void
    lua_call(L: LuaState, nargs: number, nresults: number): void
    lua_touserdata(L: LuaState, index: number): UserData | null
    lua_newuserdata(L: LuaState, size: number): UserData
    lua_createtable(L: LuaState, narr: number, nrec: number): void
    lua_newtable(L: LuaState): void
    lua_setfield(L: LuaState, index: number, key: LuaString): void
    lua_getfield(L: LuaState, index: number, key: LuaString): number
    lua_rawset(L: LuaState, index: number): void
    lua_rawgeti(L: LuaState, index: number, n: number): number
    lua_rawget(L: LuaState, index: number): number
    lua_gettable(L: LuaState, index: number): number
    lua_next(L: LuaState, index: number): number
    lua_setmetatable(L: LuaState, index: number): void
    lua_getmetatable(L: LuaState, index: number): boolean
    lua_insert(L: LuaState, index: number): void
    lua_replace(L: LuaState, index: number): void
    lua_topointer(L: LuaState, index: number): object
    lua_rawequal(L: LuaState, index1: number, index2: number): boolean
    lua_pushcclosure(L: LuaState, f: LuaFunction, n: number): void
    lua_upvalueindex(i: number): number
    /** Pushes the running thread; true when it is the main one. */
    lua_pushthread(L: LuaState): boolean
    lua_iscfunction(L: LuaState, index: number): boolean
    lua_getupvalue(L: LuaState, funcindex: number, n: number): LuaString | null
    lua_upvaluejoin(L: LuaState, funcindex1: number, n1: number, funcindex2: number, n2: number): void
    /** A call's activation record (lua_getstack fills it, lua_getinfo reads it). */
    lua_Debug: new () => object
    lua_getstack(L: LuaState, level: number, ar: object): number
    lua_getinfo(L: LuaState, what: LuaString, ar: object): boolean
    lua_tocfunction(L: LuaState, index: number): LuaFunction | null
    lua_setupvalue(L: LuaState, funcindex: number, n: number): LuaString | null
    lua_pcall(L: LuaState, nargs: number, nresults: number, msgh: number): number
    lua_error(L: LuaState): never
    /** A continuation: what a yielded JS function returns once resumed (or a pcallk's outcome). */
    lua_pcallk(
      L: LuaState,
      nargs: number,
      nresults: number,
      msgh: number,
      ctx: number,
      k: (L: LuaState, status: number, ctx: number) => number,
    ): number
    lua_resume(L: LuaState, from: LuaState | null, nargs: number): number
    lua_isyieldable(L: LuaState): boolean
    lua_yieldk(
      L: LuaState,
      nresults: number,
      ctx: number,
      k: (L: LuaState, status: number, ctx: number) => number,
    ): never
    lua_concat(L: LuaState, n: number): void
    lua_dump(
      L: LuaState,
      writer: (L: LuaState, bytes: Uint8Array, size: number, data: unknown) => number,
      data: unknown,
      strip: number,
    ): number
  }
  export const lauxlib: {
    luaL_newstate(): LuaState
    luaL_requiref(L: LuaState, name: LuaString, open: LuaFunction, global: number): void
    luaL_loadbufferx(
      L: LuaState,
      buff: Uint8Array,
      size: number | null,
      name: LuaString,
      mode: LuaString | null,
    ): number
    luaL_newmetatable(L: LuaState, name: LuaString): number
    luaL_getmetatable(L: LuaState, name: LuaString): number
    luaL_testudata(L: LuaState, index: number, name: LuaString): UserData | null
    luaL_checkany(L: LuaState, index: number): void
    luaL_checkstack(L: LuaState, space: number, message: LuaString): void
    luaL_checkudata(L: LuaState, index: number, name: LuaString): UserData
    luaL_checklstring(L: LuaState, index: number): LuaString
    luaL_checknumber(L: LuaState, index: number): number
    luaL_where(L: LuaState, level: number): void
    luaL_ref(L: LuaState, t: number): number
    luaL_unref(L: LuaState, t: number, ref: number): void
    luaL_tolstring(L: LuaState, index: number): LuaString
  }
  export const lualib: Record<string, LuaFunction>
  export function to_luastring(text: string): LuaString
  export function to_jsstring(bytes: LuaString): string
}
