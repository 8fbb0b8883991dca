/** `ctx` on the router (krakend-lua's router/gin package): gin's Context over the *http.Request. */
import { bytesOfText } from '../byte-text.ts'
import { canonicalHeaderKey, encodeGoQuery, parseGoQueryBytes } from '../go-url.ts'
import { headerList, isNilArg, listTable, type Method } from './lua-api-args.ts'
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
import { urlQuery } from './url-query.ts'

/**
 * The *http.Request a router script sees through `ctx` (gin's Context): keys of headers canonical,
 * params in gin's order. `changed` names what the script wrote, for the gateway to pass on.
 */
export interface LuaRouterRequest {
  method: string
  /** URL.String(); undefined once the script set one url.Parse refuses (Go's nil URL). */
  url: string | undefined
  /** `url` is still the request's own (url.ParseRequestURI): `#` belongs to its path or query. */
  requestForm: boolean
  host: string
  params: Array<[key: string, value: string]>
  headers: Record<string, string[]>
  body: Uint8Array | undefined
  /**
   * The script runs before the body is read, as its text never names `body` (hooks.ts): a call
   * reaching body() anyway (by a name built at run time) fails instead of reading an empty body.
   */
  bodyUnread?: true
  /** gin's query cache: the URL's values as the first ctx:query(name) found them. */
  queryCache: Map<string, string[]> | undefined
  changed: Set<'method' | 'url' | 'host' | 'params' | 'headers' | 'body'>
}

export const CTX = 'ctx'
const ctxAt = (e: LuaEngine) => boxAt<LuaRouterRequest>(e, 1, CTX, 'ginContext expected')

/** A Go nil-pointer dereference inside a call: gopher-lua reports the runtime error. */
const nilUrl = (e: LuaEngine): never =>
  raise(e, 'runtime error: invalid memory address or nil pointer dereference')

/** krakend-lua's router/gin ctx methods: getters with the context alone, setters with a value. */
export const CTX_METHODS: Record<string, Method> = {
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
    r.requestForm = false
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
      r.queryCache ??= parseGoQueryBytes(bytesOfText(urlQuery(r.url as string, r.requestForm)))
      pushString(e, r.queryCache.get(argString(e, 2))?.[0] ?? '')
      return 1
    }
    if (n === 3) {
      if (r.url === undefined) return nilUrl(e)
      const q = parseGoQueryBytes(bytesOfText(urlQuery(r.url, r.requestForm)))
      q.set(argString(e, 2), [argString(e, 3)])
      r.url = withQuery(r.url, encodeGoQuery(q), r.requestForm)
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
    if (r.bodyUnread)
      return raise(
        e,
        'gwdeploy: body() called by a name the script builds at run time; write r:body() in the script (its text decides whether the body is read first)',
      )
    if (top(e) === 2) {
      r.body = argBytes(e, 2)
      r.changed.add('body')
      return 0
    }
    // krakend-lua puts back a new reader of what it read (of unknown size to Go's transport).
    r.body ??= new Uint8Array()
    r.changed.add('body')
    pushString(e, r.body)
    return 1
  },
}

/** The URL with RawQuery replaced (String() leaves out an empty query). */
function withQuery(url: string, rawQuery: string, requestForm: boolean): string {
  const hash = requestForm ? -1 : url.indexOf('#')
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
