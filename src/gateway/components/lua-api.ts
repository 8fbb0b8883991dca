/**
 * What krakend-lua gives scripts: custom_error, luaTable, luaList, luaNil and http_response everywhere, and the
 * request and response of the call being modified (proxy and backend) or the router's ctx. Each is
 * a metatable whose fields are the static functions (`new`, `load`) and whose __index holds the
 * methods (`obj:method(...)`).
 */

import type { LuaHttpCall } from '../lua-http-client.ts'
import type { Method } from './lua-api-args.ts'
import { HTTP_RESPONSE, HTTP_RESPONSE_METHODS, newHttpResponse } from './lua-api-http.ts'
import { type LuaRequest, type LuaResponse, REQUEST_METHODS, RESPONSE_METHODS } from './lua-api-proxy.ts'
import { CTX, CTX_METHODS, type LuaRouterRequest } from './lua-api-router.ts'
import { LIST_METHODS, TABLE_METHODS } from './lua-api-tables.ts'
import type { LuaEngine } from './lua-engine.ts'
import { goInt } from './lua-gopher-args.ts'
import {
  argString,
  LIST,
  type ListBox,
  NIL,
  pushUserData,
  raise,
  TABLE,
  type TableBox,
  top,
} from './lua-values.ts'

export type { LuaRequest, LuaResponse } from './lua-api-proxy.ts'
export type { LuaRouterRequest } from './lua-api-router.ts'
export { urlQuery } from './url-query.ts'

/** The request and response the next run's `request.load()` / `response.load()` / `ctx.load()` return. */
export interface Current {
  request: LuaRequest | undefined
  response: LuaResponse | undefined
  ctx?: LuaRouterRequest | undefined
  /** The client http_response calls with; none where the run cannot wait for an answer. */
  http?: LuaHttpCall | undefined
}

/** Which of krakend-lua's tables a script gets: the proxy's request/response or the router's ctx. */
export type LuaApi = 'proxy' | 'router'

export function registerApi(e: LuaEngine, current: Current, api: LuaApi = 'proxy'): void {
  const { lua, lauxlib } = e.f
  const L = e.L
  const define = (type: string, statics: Record<string, Method>, methods: Record<string, Method>) => {
    lauxlib.luaL_newmetatable(L, e.s(type))
    // binder's metatables have no __name: tostring() of the userdata is gopher-lua's `userdata: 0x…`.
    lua.lua_pushnil(L)
    lua.lua_setfield(L, -2, e.s('__name'))
    for (const [name, fn] of Object.entries(statics)) {
      lua.lua_pushjsfunction(L, (state) => fn(e, state))
      lua.lua_setfield(L, -2, e.s(name))
    }
    lua.lua_createtable(L, 0, Object.keys(methods).length)
    for (const [name, fn] of Object.entries(methods)) {
      lua.lua_pushjsfunction(L, (state) => fn(e, state))
      lua.lua_setfield(L, -2, e.s(name))
    }
    lua.lua_setfield(L, -2, e.s('__index'))
    // binder makes each type's metatable a global of that name.
    lua.lua_pushvalue(L, -1)
    lua.lua_setfield(L, -3, e.s(type))
    lua.lua_pop(L, 1)
  }
  lua.lua_pushvalue(L, lua.LUA_REGISTRYINDEX)
  lua.lua_rawgeti(L, -1, 2 /* LUA_RIDX_GLOBALS */)
  lua.lua_pushjsfunction(L, () => customError(e))
  lua.lua_setfield(L, -2, e.s('custom_error'))
  const pushing = (type: string, value: () => unknown) => () => {
    pushUserData(e, type, value())
    return 1
  }
  define(NIL, { new: pushing(NIL, () => null) }, {})
  define(TABLE, { new: pushing(TABLE, (): TableBox => ({ data: {} })) }, TABLE_METHODS)
  define(LIST, { new: pushing(LIST, (): ListBox => ({ data: [] })) }, LIST_METHODS)
  define(HTTP_RESPONSE, { new: newHttpResponse(() => current.http) }, HTTP_RESPONSE_METHODS)
  if (api === 'router') define(CTX, { load: pushing(CTX, () => current.ctx) }, CTX_METHODS)
  else {
    define('request', { load: pushing('request', () => current.request) }, REQUEST_METHODS)
    define('response', { load: pushing('response', () => current.response) }, RESPONSE_METHODS)
  }
  lua.lua_pop(L, 2)
}

/**
 * custom_error(msg[, status[, content type]]): binder's error text "msg || status[ || type]", the
 * status as Go's %d of int(x) (NaN, ±Inf and anything past int64 are MinInt64).
 */
function customError(e: LuaEngine): number {
  const n = top(e)
  if (n === 0) return raise(e, 'need arguments')
  const message = argString(e, 1)
  if (n === 1) return raise(e, `${message} || -1`)
  const status = BigInt(goInt(e.f.lauxlib.luaL_checknumber(e.L, 2)))
  if (n === 2) return raise(e, `${message} || ${status}`)
  return raise(e, `${message} || ${status} || ${argString(e, 3)}`)
}
