/**
 * modifier/lua-endpoint (krakend-lua's router/gin): `pre` runs on gin's request, at service level
 * as engine middleware (after security/http, before the bot detector) and at endpoint level
 * between the JWT validator and the rate limit. The script's `ctx` edits the *http.Request in
 * place, so what follows (later checks, lura's request to the backends, the renderer's Accept)
 * sees its changes; here they are written back into the incoming request.
 */

import type { GatewayRequest } from '../app.ts'
import { bytesOfText, textOfBytes } from '../byte-text.ts'
import type { EndpointConfig, GatewayConfig } from '../config/types.ts'
import { ginErrorStatus, luraEndpointPath } from '../go-http.ts'
import { canonicalHeaderKey, forwardQuery, goHeaders } from '../go-url.ts'
import { requestUrlString } from '../go-url-resolve.ts'
import { KRAKEND_HEADER, krakendHeaderValue } from '../krakend-compat.ts'
import { luaHttpFor } from '../lua-http-client.ts'
import { bodyAbsent, bodyFollows, readRequestBody, setScriptBody, sizeScriptBody } from '../request-body.ts'
import { backendHeaders, compileForwardRule, compileTrustedProxies } from '../request-headers.ts'
import { requestUri } from '../request-uri.ts'
import { writtenContentType } from './go-header-value.ts'
import { isHealthRoute } from './health-route.ts'
import {
  FRAMING_AND_HOST,
  goOnlyHeaders,
  luraDeclaredLength,
  nodeHeaderValue,
  setGoOnlyHeader,
  setOwn,
} from './incoming-headers.ts'
import { compileLua, type LuaConfig, type LuaStart } from './lua.ts'
import { type LuaRouterRequest, urlQuery } from './lua-api.ts'
import type { LuaError } from './lua-errors.ts'
import type { GuardContext, IncomingLike, Reply } from './types.ts'

type Log = (message: string) => void

/** What the router's Lua reads of a request, and may rewrite, beyond IncomingLike. */
interface RouterIncoming extends IncomingLike {
  rawHeaders?: string[]
  headersDistinct?: Record<string, string[]>
}

/**
 * A URL url.Parse refused leaves the request's URL nil: lura's handler sets X-KrakenD, then
 * panics building the backend request, and gin's Recovery answers 500 with no body.
 */
function nilUrlPanic(service: GatewayConfig): Reply {
  const version = krakendHeaderValue(service.server)
  return { status: 500, headers: { [KRAKEND_HEADER]: version }, body: '' }
}

/** Requests whose URL a router script set: url.Parse's URL from then on, no longer the request's own. */
const scriptUrls = new WeakSet<object>()

function routerView(req: RouterIncoming, params: Array<[string, string]>, body: Buffer | undefined) {
  const requestForm = !scriptUrls.has(req)
  const view: LuaRouterRequest = {
    method: req.method ?? 'GET',
    // URL.String() of the target as Go's server parsed it: a path's raw bytes escaped, a query's kept
    url: requestForm ? textOfBytes(requestUrlString(requestUri(req))) : (req.url ?? '/'),
    requestForm,
    host: hostOf(req),
    params,
    headers: asText(withGoOnly(goHeaders(req.rawHeaders ?? []), req)),
    body,
    queryCache: undefined,
    changed: new Set(),
  }
  return view
}

/**
 * Header values as a script reads and writes them: their bytes (Node's latin1 reading is one
 * character per byte), UTF-8 as text and other bytes held escaped (byte-text.ts).
 */
function asText(headers: Record<string, string[]>): Record<string, string[]> {
  for (const key in headers) headers[key] = (headers[key] as string[]).map(textOfBytes)
  return headers
}

/** Go's map as the JWT validator (or an earlier script) left it: Host and framing lines it set. */
function withGoOnly(headers: Record<string, string[]>, req: IncomingLike): Record<string, string[]> {
  const own = goOnlyHeaders(req)
  if (own === undefined) return headers
  for (const lower in own) {
    const values = own[lower] as string[]
    const key = canonicalHeaderKey(lower)
    if (values.length === 0) delete headers[key]
    else headers[key] = [...values]
  }
  return headers
}

function hostOf(req: IncomingLike): string {
  const host = req.headers[':authority'] ?? req.headers.host
  return (Array.isArray(host) ? host[0] : host) ?? ''
}

const FRAMING = new Set(['content-length', 'transfer-encoding'])

/** Writes the script's method, URL, host and headers into the incoming request (as Go shares one). */
function applyToRequest(req: RouterIncoming, view: LuaRouterRequest): void {
  if (view.changed.has('method')) setOwn(req, 'method', view.method)
  if (view.changed.has('url') && view.url !== undefined) {
    setOwn(req, 'url', requestTarget(view.url))
    scriptUrls.add(req)
  }
  if (!view.changed.has('headers') && !view.changed.has('host')) return
  const headers = req.headers as Record<string, string | string[] | undefined>
  const raw: string[] = []
  const distinct: Record<string, string[]> = Object.create(null)
  const h2 = headers[':authority'] !== undefined
  if (h2) headers[':authority'] = view.host
  for (const key of Object.keys(headers)) {
    // Pseudo-headers, the framing Go read the body by (its ContentLength, not the header map), and
    // an h2c `host` field (in Go's map as any header; a script's Host goes to goOnlyHeaders below).
    if (key.charCodeAt(0) === 58 /* ':' */ || FRAMING.has(key) || (h2 && key === 'host')) {
      raw.push(key, String(headers[key]))
      continue
    }
    delete headers[key]
  }
  if (!h2) {
    headers.host = view.host
    raw.push('Host', view.host)
  }
  distinct[h2 ? ':authority' : 'host'] = [view.host]
  // Host, Content-Length and Transfer-Encoding the script leaves in the map go to Go's map only
  // (the request's host and framing stay): kept beside, for the rate limit and lura's headers.
  const before = withGoOnly(goHeaders(req.rawHeaders ?? []), req)
  for (const lower of FRAMING_AND_HOST) {
    const key = canonicalHeaderKey(lower)
    const mine = (view.headers[key] ?? []).map(bytesOfText)
    const was = before[key] ?? []
    if (mine.length !== was.length || mine.some((v, i) => v !== was[i])) setGoOnlyHeader(req, lower, mine)
  }
  for (const [key, texts] of Object.entries(view.headers)) {
    if (texts.length === 0) continue
    const lower = key.toLowerCase()
    if (FRAMING_AND_HOST.has(lower)) continue
    const values = texts.map(bytesOfText)
    for (const value of values) raw.push(key, value)
    distinct[lower] = values
    headers[lower] = nodeHeaderValue(lower, values)
  }
  setOwn(req, 'rawHeaders', raw)
  setOwn(req, 'headersDistinct', distinct)
}

/** The request target Node would show for a URL: its path and query (an absolute URL's authority dropped). */
function requestTarget(url: string): string {
  const hash = url.indexOf('#')
  const text = hash === -1 ? url : url.slice(0, hash)
  const authority = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?]*/.exec(text)
  return authority ? text.slice(authority[0].length) : text
}

/**
 * Service level: a script error of any kind is a 500 with no body (the middleware ignores
 * custom_error's status). A script that names the body (`readsBody`) runs once the body is read
 * (krakend-lua's ctx:body() reads it whole, io.ReadAll); what it leaves is the request's body from
 * then on (setScriptBody), for every endpoint.
 */
export function compileLuaService(
  config: LuaConfig,
  service: GatewayConfig,
  log: Log,
  readsBody = false,
):
  | ((req: IncomingLike, res: unknown, params?: Params) => Reply | undefined | Promise<Reply | undefined>)
  | undefined {
  const prefix = '[SERVICE: Gin][Lua]'
  const lua = compileLua(
    config,
    (m) => log(`${prefix}${m.replace(/^\[Lua\]/, '')}`),
    'router',
    luaHttpFor(service),
  )
  if (!lua) return undefined
  // gin registers the health route before this middleware.
  const health = service.server.disableHealth ? undefined : service.server.healthPath
  return (req, _res, params) => {
    if (health !== undefined && isHealthRoute(req.method, req.url ?? '/', health)) return undefined
    // gin's params: the route's (lura's handler reads what the script leaves in them)
    const list: Array<[string, string]> = []
    for (const key in params) {
      const value = params[key]
      if (value !== undefined) list.push([key, value])
    }
    const view = routerView(req, list, undefined)
    const finish = (call: LuaStart): Reply | undefined => {
      if (readsBody && view.body !== undefined)
        setScriptBody(req, Buffer.from(view.body), view.changed.has('body'))
      if ('error' in call) {
        log(`${prefix} ${call.error.message}`)
        return { status: 500, headers: {}, body: '' }
      }
      call.end()
      if (view.changed.has('url') && view.url === undefined) return nilUrlPanic(service)
      applyToRequest(req, view)
      if (params && view.changed.has('params')) writeParams(view.params, params)
      return undefined
    }
    const run = () => {
      const started = lua.begin(view)
      return started instanceof Promise ? started.then(finish) : finish(started)
    }
    if (!readsBody) {
      view.bodyUnread = true
      return run()
    }
    const gateway = req as GatewayRequest
    if (!bodyFollows(gateway)) {
      view.body = bodyAbsent(gateway)
      return run()
    }
    return readRequestBody(gateway, service.server.maxBodyBytes).then((body) => {
      view.body = body
      return run()
    })
  }
}

/**
 * Endpoint level: custom_error with a status answers it (its content type, no body), any other
 * error is a 500; then the request lura builds for the backends is rebuilt from what changed.
 */
export function compileLuaEndpoint(
  config: LuaConfig,
  endpoint: EndpointConfig,
  service: GatewayConfig,
  log: Log,
  beforeBody = false,
): ((req: IncomingLike, ctx: GuardContext) => Reply | undefined | Promise<Reply | undefined>) | undefined {
  const prefix = `[ENDPOINT: ${luraEndpointPath(endpoint.endpoint)}][Lua]`
  const lua = compileLua(
    config,
    (m) => log(`${prefix}${m.replace(/^\[Lua\]/, '')}`),
    'router',
    luaHttpFor(service),
  )
  if (!lua) return undefined
  const forward = compileForwardRule(endpoint.inputHeaders, service.server.disableCompression)
  const trusted = compileTrustedProxies(service.server.trustedProxies)
  const queryRule = endpoint.inputQueryStrings.includes('*')
    ? '*'
    : endpoint.inputQueryStrings.length > 0
      ? endpoint.inputQueryStrings
      : undefined
  const fail = (error: LuaError, req: IncomingLike): Reply => {
    if (error.status !== undefined) {
      const headers: Record<string, string> = {}
      const type =
        error.contentType === undefined
          ? undefined
          : writtenContentType(error.contentType, req.httpVersionMajor !== 2)
      if (type !== undefined) headers['Content-Type'] = type
      // gin's AbortWithError writes the status at once: one it cannot write answers 200.
      const { status } = ginErrorStatus(error.status, true)
      return { status, headers, body: '' }
    }
    log(`${prefix} ${error.message}`)
    return { status: 500, headers: {}, body: '' }
  }
  return (req, ctx) => {
    const params: Array<[string, string]> = []
    // gin's params: the route's, then the claims krakend-jose appended (those the token has)
    for (const key in ctx.params) {
      const value = ctx.params[key]
      if (value !== undefined && !ctx.absentParams?.has(key)) params.push([key, value])
    }
    const view = routerView(req, params, ctx.body)
    if (beforeBody) view.bodyUnread = true
    const started = lua.begin(view)
    return started instanceof Promise
      ? started.then((call) => after(req, ctx, view, call))
      : after(req, ctx, view, started)
  }
  function after(
    req: IncomingLike,
    ctx: GuardContext,
    view: LuaRouterRequest,
    call: LuaStart,
  ): Reply | undefined {
    if ('error' in call) return fail(call.error, req)
    call.end()
    if (view.changed.size === 0) return undefined
    if (view.changed.has('url') && view.url === undefined) return nilUrlPanic(service)
    applyToRequest(req, view)
    if (view.changed.has('headers') || view.changed.has('host'))
      ctx.headers = backendHeaders(forward, req, service.server, trusted)
    if (view.changed.has('url')) {
      const raw = urlQuery(view.url as string, view.requestForm)
      ctx.query = queryRule === undefined || raw === '' ? '' : forwardQuery(queryRule, raw)
    }
    if (view.changed.has('params')) writeParams(view.params, ctx.params, ctx.absentParams)
    if (view.changed.has('body') && view.body !== undefined) {
      ctx.body = Buffer.isBuffer(view.body) ? view.body : Buffer.from(view.body)
      sizeScriptBody(ctx as GuardContext & { bodySized?: boolean }, req.headers['content-length'])
    }
    // A Content-Length the script (or a propagated claim) put in Go's map, forwarded: lura sizes
    // the backend body by it (another size fails the call, none or no number sends it chunked).
    const mapLength = goOnlyHeaders(req)?.['content-length']
    if (mapLength !== undefined && forward.forwardsContentLength && ctx.body !== undefined) {
      const sized = ctx as GuardContext & { bodySized?: boolean; declaredLength?: number | undefined }
      const declared = luraDeclaredLength(mapLength)
      sized.bodySized = declared !== undefined && declared > 0
      sized.declaredLength = sized.bodySized ? declared : undefined
    }
    return undefined
  }
}

/**
 * The params a script left, as lura's handler reads them: named with their first letter upper-cased,
 * a later one winning, so a script setting `P` beside the route's `p` sets the value the backend
 * URL takes.
 */
function writeParams(list: Array<[string, string]>, params: Params, absent?: Set<string>): void {
  const lura = new Map(list.map(([key, value]) => [luraParamName(key), value]))
  for (const [key] of list) {
    params[key] = lura.get(luraParamName(key))
    absent?.delete(key)
  }
}

type Params = Record<string, string | undefined>

/** lura's param name: textproto.CanonicalMIMEHeaderKey of the first byte (ASCII a-z upper-cased). */
function luraParamName(key: string): string {
  const first = key.charCodeAt(0)
  return first >= 0x61 && first <= 0x7a ? String.fromCharCode(first - 32) + key.slice(1) : key
}
