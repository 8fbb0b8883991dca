/**
 * What krakend-lua gives scripts on the proxy and the backend: custom_error, luaTable, luaList,
 * luaNil, and the request and response of the call being modified (krakend-lua's decorator and
 * proxy packages). Each is a metatable whose fields are the static functions (`new`, `load`) and
 * whose __index holds the methods (`obj:method(...)`).
 */
import type { LuaState } from 'fengari'
import { canonicalHeaderKey, encodeGoQuery, parseGoQuery } from '../go-url.ts'
import type { LuaEngine } from './lua-engine.ts'
import {
  argBytes,
  argString,
  boxAt,
  goSprintS,
  isSkipped,
  LIST,
  type ListBox,
  NIL,
  pushData,
  pushString,
  pushUserData,
  raise,
  readData,
  TABLE,
  type TableBox,
  top,
} from './lua-values.ts'

/** proxy.Request as a script sees it (keys of params lura-cased, of headers canonical). */
export interface LuaRequest {
  method: string
  path: string
  /** url.Values; the script reads it encoded. */
  query: Map<string, string[]>
  /** The URL the request goes to; undefined above the load balancer (proxy level). */
  url: string | undefined
  params: Record<string, string>
  headers: Record<string, string[]>
  body: Uint8Array | undefined
}

/** proxy.Response as a script sees it; `data` is the gateway's own object. */
export interface LuaResponse {
  data: Record<string, unknown>
  isComplete: boolean
  statusCode: number
  headers: Record<string, string[]>
  body: Uint8Array | undefined
}

/**
 * The *http.Request a router script sees through `ctx` (gin's Context): keys of headers canonical,
 * params in gin's order. `changed` names what the script wrote, for the gateway to pass on.
 */
export interface LuaRouterRequest {
  method: string
  /** URL.String(); undefined once the script set one url.Parse refuses (Go's nil URL). */
  url: string | undefined
  host: string
  params: Array<[key: string, value: string]>
  headers: Record<string, string[]>
  body: Uint8Array | undefined
  /** gin's query cache: the URL's values as the first ctx:query(name) found them. */
  queryCache: Map<string, string[]> | undefined
  changed: Set<'method' | 'url' | 'host' | 'params' | 'headers' | 'body'>
}

/** The request and response the next run's `request.load()` / `response.load()` / `ctx.load()` return. */
export interface Current {
  request: LuaRequest | undefined
  response: LuaResponse | undefined
  ctx?: LuaRouterRequest | undefined
}

type Method = (e: LuaEngine, L: LuaState) => number

/** Which of krakend-lua's tables a script gets: the proxy's request/response or the router's ctx. */
export type LuaApi = 'proxy' | 'router'

export function registerApi(e: LuaEngine, current: Current, api: LuaApi = 'proxy'): void {
  const { lua, lauxlib } = e.f
  const L = e.L
  const define = (type: string, statics: Record<string, Method>, methods: Record<string, Method>) => {
    lauxlib.luaL_newmetatable(L, e.s(type))
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
  if (api === 'router') define(CTX, { load: pushing(CTX, () => current.ctx) }, CTX_METHODS)
  else {
    define('request', { load: pushing('request', () => current.request) }, REQUEST_METHODS)
    define('response', { load: pushing('response', () => current.response) }, RESPONSE_METHODS)
  }
  lua.lua_pop(L, 2)
}

/** custom_error(msg[, status[, content type]]): binder's error text "msg || status[ || type]". */
function customError(e: LuaEngine): number {
  const n = top(e)
  if (n === 0) return raise(e, 'need arguments')
  const message = argString(e, 1)
  if (n === 1) return raise(e, `${message} || -1`)
  const status = Math.trunc(e.f.lauxlib.luaL_checknumber(e.L, 2))
  if (n === 2) return raise(e, `${message} || ${status}`)
  return raise(e, `${message} || ${status} || ${argString(e, 3)}`)
}

const needs = (e: LuaEngine, count: number) => {
  if (top(e) !== count) raise(e, 'need arguments')
}
const tableAt = (e: LuaEngine) => boxAt<TableBox>(e, 1, TABLE, 'response expected').data

const TABLE_METHODS: Record<string, Method> = {
  get(e) {
    needs(e, 2)
    const data = tableAt(e)
    const key = argString(e, 2)
    if (!Object.hasOwn(data, key)) return 0
    const pushed = pushData(e, data[key])
    return pushed === 0 ? raise(e, `unknown type (${typeof data[key]}) ${String(data[key])}`) : pushed
  },
  set(e) {
    needs(e, 3)
    const data = tableAt(e)
    const key = argString(e, 2)
    const value = readData(e, 3)
    if (!isSkipped(value)) data[key] = value
    return 0
  },
  len(e) {
    e.f.lua.lua_pushnumber(e.L, Object.keys(tableAt(e)).length)
    return 1
  },
  del(e) {
    needs(e, 2)
    delete tableAt(e)[argString(e, 2)]
    return 0
  },
  keys(e) {
    const keys = Object.keys(tableAt(e)).sort(byteOrder)
    pushUserData(e, LIST, { data: keys } satisfies ListBox)
    return 1
  },
  keyExists(e) {
    needs(e, 2)
    e.f.lua.lua_pushboolean(e.L, Object.hasOwn(tableAt(e), argString(e, 2)))
    return 1
  },
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))

const listAt = (e: LuaEngine) => boxAt<ListBox>(e, 1, LIST, 'response expected')
const indexAt = (e: LuaEngine, n: number) => Math.trunc(e.f.lauxlib.luaL_checknumber(e.L, n))

const LIST_METHODS: Record<string, Method> = {
  get(e) {
    needs(e, 2)
    const list = listAt(e).data
    const index = indexAt(e, 2)
    if (index < 0 || index >= list.length) return 0
    return pushData(e, list[index])
  },
  set(e) {
    needs(e, 3)
    const box = listAt(e)
    const index = indexAt(e, 2)
    if (index < 0) return 0
    const value = readData(e, 3)
    // Go grows the slice into a new array: the list it was read from does not see the new length.
    if (index >= box.data.length) {
      const grown: unknown[] = [...box.data]
      while (grown.length <= index) grown.push(null)
      box.data = grown
    }
    if (!isSkipped(value)) box.data[index] = value
    return 0
  },
  len(e) {
    e.f.lua.lua_pushnumber(e.L, listAt(e).data.length)
    return 1
  },
  del(e) {
    needs(e, 2)
    const box = listAt(e)
    const index = indexAt(e, 2)
    if (index >= 0 && index < box.data.length) box.data.splice(index, 1)
    return 0
  },
}

const requestAt = (e: LuaEngine) => boxAt<LuaRequest>(e, 1, 'request', 'request expected')
const responseAt = (e: LuaEngine) => boxAt<LuaResponse>(e, 1, 'response', 'response expected')

const stringTable = (map: Record<string, string>) => ({ data: { ...map } })
const listTable = (map: Record<string, string[]>) => {
  const data: Record<string, unknown> = {}
  for (const key in map) data[key] = [...(map[key] as string[])]
  return { data }
}

function isNilArg(e: LuaEngine, n: number): boolean {
  e.f.lauxlib.luaL_checkany(e.L, n)
  return e.f.lua.lua_type(e.L, n) === e.f.lua.LUA_TNIL
}

function readHeaderList(e: LuaEngine): string[] {
  const ud = e.f.lauxlib.luaL_testudata(e.L, 3, e.s(LIST))
  if (!ud) return raise(e, 'invalid header value, must be a luaList')
  return (ud.value as ListBox).data.map(goSprintS)
}

const REQUEST_METHODS: Record<string, Method> = {
  method: field('method'),
  path: field('path'),
  query(e) {
    const r = requestAt(e)
    if (top(e) > 1) {
      r.query = parseGoQuery(argString(e, 2))
      return 0
    }
    pushString(e, encodeGoQuery(r.query))
    return 1
  },
  url(e) {
    const r = requestAt(e)
    if (top(e) > 1) {
      r.url = argString(e, 2)
      return 0
    }
    pushString(e, r.url ?? '')
    return 1
  },
  params(e) {
    const r = requestAt(e)
    const n = top(e)
    if (n === 1) pushUserData(e, TABLE, stringTable(r.params))
    else if (n === 2) pushString(e, r.params[argString(e, 2)] ?? '')
    else r.params[argString(e, 2)] = argString(e, 3)
    return n <= 2 ? 1 : 0
  },
  headers(e) {
    const r = requestAt(e)
    const n = top(e)
    if (n === 1) pushUserData(e, TABLE, listTable(r.headers))
    else if (n === 2) pushString(e, r.headers[canonicalHeaderKey(argString(e, 2))]?.[0] ?? '')
    else {
      const key = canonicalHeaderKey(argString(e, 2))
      if (isNilArg(e, 3)) delete r.headers[key]
      else r.headers[key] = [argString(e, 3)]
    }
    return n <= 2 ? 1 : 0
  },
  headerList(e) {
    const r = requestAt(e)
    return headerList(e, r.headers, canonicalHeaderKey)
  },
  body(e) {
    const r = requestAt(e)
    if (top(e) === 2) {
      r.body = argBytes(e, 2)
      return 0
    }
    pushString(e, r.body ?? new Uint8Array())
    return 1
  },
}

function field(name: 'method' | 'path'): Method {
  return (e) => {
    const r = requestAt(e)
    if (top(e) === 1) {
      pushString(e, r[name])
      return 1
    }
    r[name] = argString(e, 2)
    return 0
  }
}

function headerList(
  e: LuaEngine,
  headers: Record<string, string[]>,
  canonical: (k: string) => string,
): number {
  const n = top(e)
  if (n === 1) return raise(e, 'need arguments')
  const key = canonical(argString(e, 2))
  if (n === 2) {
    pushUserData(e, LIST, { data: [...(headers[key] ?? [])] } satisfies ListBox)
    return 1
  }
  headers[key] = readHeaderList(e)
  return 0
}

const RESPONSE_METHODS: Record<string, Method> = {
  isComplete(e) {
    const r = responseAt(e)
    if (top(e) === 1) {
      e.f.lua.lua_pushboolean(e.L, r.isComplete)
      return 1
    }
    e.f.lauxlib.luaL_checkany(e.L, 2)
    if (e.f.lua.lua_type(e.L, 2) !== e.f.lua.LUA_TBOOLEAN) return raise(e, 'boolean expected')
    r.isComplete = e.f.lua.lua_toboolean(e.L, 2)
    return 0
  },
  statusCode(e) {
    const r = responseAt(e)
    if (top(e) === 1) {
      e.f.lua.lua_pushnumber(e.L, r.statusCode)
      return 1
    }
    r.statusCode = indexAt(e, 2)
    return 0
  },
  data(e) {
    pushUserData(e, TABLE, { data: responseAt(e).data } satisfies TableBox)
    return 1
  },
  headers(e) {
    const r = responseAt(e)
    const n = top(e)
    // lura reads Metadata.Headers with the name as given, and writes it canonical.
    if (n === 1) pushUserData(e, TABLE, listTable(r.headers))
    else if (n === 2) pushString(e, r.headers[argString(e, 2)]?.[0] ?? '')
    else {
      const key = canonicalHeaderKey(argString(e, 2))
      if (isNilArg(e, 3)) delete r.headers[key]
      else r.headers[key] = [argString(e, 3)]
    }
    return n <= 2 ? 1 : 0
  },
  headerList(e) {
    return headerList(e, responseAt(e).headers, canonicalHeaderKey)
  },
  body(e) {
    const r = responseAt(e)
    if (top(e) === 2) {
      r.body = argBytes(e, 2)
      return 0
    }
    pushString(e, r.body ?? new Uint8Array())
    return 1
  },
}

const CTX = 'ctx'
const ctxAt = (e: LuaEngine) => boxAt<LuaRouterRequest>(e, 1, CTX, 'ginContext expected')

/** A Go nil-pointer dereference inside a call: gopher-lua reports the runtime error. */
const nilUrl = (e: LuaEngine): never =>
  raise(e, 'runtime error: invalid memory address or nil pointer dereference')

/** krakend-lua's router/gin ctx methods: getters with the context alone, setters with a value. */
const CTX_METHODS: Record<string, Method> = {
  method(e) {
    const r = ctxAt(e)
    if (top(e) === 1) {
      pushString(e, r.method)
      return 1
    }
    r.method = argString(e, 2)
    r.changed.add('method')
    return 0
  },
  url(e) {
    const r = ctxAt(e)
    if (top(e) === 1) {
      if (r.url === undefined) return nilUrl(e)
      pushString(e, r.url)
      return 1
    }
    r.url = goParsedUrl(argString(e, 2))
    r.changed.add('url')
    return 0
  },
  host(e) {
    const r = ctxAt(e)
    if (top(e) === 1) {
      pushString(e, r.host)
      return 1
    }
    r.host = argString(e, 2)
    r.changed.add('host')
    return 0
  },
  query(e) {
    const r = ctxAt(e)
    const n = top(e)
    if (n === 1) return raise(e, 'need arguments')
    if (n === 2) {
      if (r.url === undefined && r.queryCache === undefined) return nilUrl(e)
      r.queryCache ??= parseGoQuery(urlQuery(r.url as string))
      pushString(e, r.queryCache.get(argString(e, 2))?.[0] ?? '')
      return 1
    }
    if (n === 3) {
      if (r.url === undefined) return nilUrl(e)
      const q = parseGoQuery(urlQuery(r.url))
      q.set(argString(e, 2), [argString(e, 3)])
      r.url = withQuery(r.url, encodeGoQuery(q))
      r.changed.add('url')
    }
    return 0
  },
  params(e) {
    const r = ctxAt(e)
    const n = top(e)
    if (n === 1) {
      const data: Record<string, string> = {}
      for (const [key, value] of r.params) data[key] = value
      pushUserData(e, TABLE, { data } satisfies TableBox)
      return 1
    }
    if (n === 2) {
      const key = argString(e, 2)
      pushString(e, r.params.find((p) => p[0] === key)?.[1] ?? '')
      return 1
    }
    if (n === 3) {
      const key = argString(e, 2)
      const value = argString(e, 3)
      const found = r.params.find((p) => p[0] === key)
      if (found) found[1] = value
      else r.params.push([key, value])
      r.changed.add('params')
    }
    return 0
  },
  headers(e) {
    const r = ctxAt(e)
    const n = top(e)
    if (n === 1) pushUserData(e, TABLE, listTable(r.headers))
    else if (n === 2) pushString(e, r.headers[canonicalHeaderKey(argString(e, 2))]?.[0] ?? '')
    else if (n === 3) {
      const key = canonicalHeaderKey(argString(e, 2))
      if (isNilArg(e, 3)) delete r.headers[key]
      else r.headers[key] = [argString(e, 3)]
      r.changed.add('headers')
    }
    return n <= 2 ? 1 : 0
  },
  headerList(e) {
    const r = ctxAt(e)
    const pushed = headerList(e, r.headers, canonicalHeaderKey)
    if (pushed === 0) r.changed.add('headers')
    return pushed
  },
  body(e) {
    const r = ctxAt(e)
    if (top(e) === 2) {
      r.body = argBytes(e, 2)
      r.changed.add('body')
      return 0
    }
    pushString(e, r.body ?? new Uint8Array())
    return 1
  },
}

/** The raw query of a URL string (between `?` and `#`). */
export function urlQuery(url: string): string {
  const hash = url.indexOf('#')
  const text = hash === -1 ? url : url.slice(0, hash)
  const q = text.indexOf('?')
  return q === -1 ? '' : text.slice(q + 1)
}

/** The URL with RawQuery replaced (String() leaves out an empty query). */
function withQuery(url: string, rawQuery: string): string {
  const hash = url.indexOf('#')
  const fragment = hash === -1 ? '' : url.slice(hash)
  const text = hash === -1 ? url : url.slice(0, hash)
  const q = text.indexOf('?')
  const base = q === -1 ? text : text.slice(0, q)
  return `${base}${rawQuery === '' ? '' : `?${rawQuery}`}${fragment}`
}

/**
 * url.Parse's verdict on what a script set: the text (String() gives it back for the URLs scripts
 * write), or undefined where Go refuses it (control characters, a bad escape).
 */
function goParsedUrl(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x20 || code === 0x7f) return undefined
  }
  if (/%(?![0-9A-Fa-f]{2})/.test(text)) return undefined
  return text
}
