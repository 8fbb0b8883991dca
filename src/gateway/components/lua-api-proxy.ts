/** `request` and `response` on the proxy and backend (krakend-lua's proxy package). */
import { bytesOfText } from '../byte-text.ts'
import { canonicalHeaderKey, encodeGoQuery, parseGoQueryBytes } from '../go-url.ts'
import { headerList, indexAt, isNilArg, listTable, type Method, stringTable } from './lua-api-args.ts'
import type { LuaEngine } from './lua-engine.ts'
import {
  argBytes,
  argString,
  boxAt,
  pushString,
  pushUserData,
  raise,
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
  /**
   * Whether the script read or wrote the body: krakend-lua then hands lura a new reader of unknown
   * size (io.NopCloser), so Go's transport sizes it from a forwarded Content-Length alone.
   */
  bodyTouched?: boolean
}

/** proxy.Response as a script sees it; `data` is the gateway's own object. */
export interface LuaResponse {
  data: Record<string, unknown>
  isComplete: boolean
  statusCode: number
  headers: Record<string, string[]>
  body: Uint8Array | undefined
  /**
   * A no-op answer's body streams on unread, as no script text names `body` (noop-lua.ts): one that
   * reaches `body()` by a name built at run time fails rather than read it as empty.
   */
  bodyUnread?: true
}

const requestAt = (e: LuaEngine) => boxAt<LuaRequest>(e, 1, 'request', 'request expected')
const responseAt = (e: LuaEngine) => boxAt<LuaResponse>(e, 1, 'response', 'response expected')

export const REQUEST_METHODS: Record<string, Method> = {
  method: field('method'),
  path: field('path'),
  query(e) {
    const r = requestAt(e)
    if (top(e) > 1) {
      r.query = parseGoQueryBytes(bytesOfText(argString(e, 2)))
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
    r.bodyTouched = true
    if (top(e) === 2) {
      r.body = argBytes(e, 2)
      return 0
    }
    r.body ??= new Uint8Array()
    pushString(e, r.body)
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

export const RESPONSE_METHODS: Record<string, Method> = {
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
    if (r.bodyUnread)
      return raise(
        e,
        'gwdeploy: body() called by a name the script builds at run time; write r:body() in the script (its text decides whether the answer is read first)',
      )
    if (top(e) === 2) {
      r.body = argBytes(e, 2)
      return 0
    }
    pushString(e, r.body ?? new Uint8Array())
    return 1
  },
}
