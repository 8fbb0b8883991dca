/** modifier/lua-backend: pre, the backend call (unless skip_next) and post, around one backend call. */
import { chunksEmptyBody } from '../backend-body-framing.ts'
import { bytesOfText } from '../byte-text.ts'
import { isGoMethod } from '../config/backend-method.ts'
import type { EndpointConfig, GatewayConfig } from '../config/types.ts'
import { firstNonTokenName, GO_USER_AGENT, goOp, luraPattern } from '../go-http.ts'
import { GoPanic } from '../go-panic.ts'
import { goQuote } from '../go-quote.ts'
import { goToTitle } from '../go-unicode-case.ts'
import { goParseUrl } from '../go-url-parse.ts'
import { luaHttpFor } from '../lua-http-client.ts'
import type { CompiledLua, LuaConfig } from './lua.ts'
import type { LuaRequest, LuaResponse } from './lua-api.ts'
import {
  cancelOf,
  type Editable,
  luaRequest,
  readsBody,
  type TransportGzip,
  transportGzipOf,
  writeBack,
} from './lua-calls.ts'
import type { LuaError } from './lua-errors.ts'
import { luaComponent } from './runtimes.ts'
import type { IncomingLike } from './types.ts'

type Log = (message: string) => void

/** Where a backend call goes after its script: the URL it set, with the method. */
export interface LuaTarget {
  origin: string
  path: string
  /** Set only where the script changed the method. */
  method?: string
}

/** What lura hands the backend stack, as the script's request sees it. */
export interface LuaBackendView {
  method: string
  path: string
  url: string
  /**
   * The proxy below reads the request's params itself (backend/lambda's function name and payload,
   * backend/amqp/producer's routing key and message properties): the script's changes reach it.
   */
  readsParams?: boolean
}

export interface LuaBackend {
  /** Its scripts may read the response body (see readsBody). */
  readsBody: boolean
  /**
   * Runs pre, the call (unless skip_next), then post on the call's result; a script's error is
   * `failure`'s, a Go panic (in gopher-lua's library, a URL url.Parse refuses) is thrown as GoPanic.
   */
  around<T extends { ok: boolean }>(
    ctx: Editable & { client: IncomingLike['headers'] },
    view: LuaBackendView,
    /** The call, given the request as pre left it too (what validation/cel below the script reads). */
    call: (ctx: Editable & { target?: LuaTarget }, request: LuaRequest) => Promise<T>,
    toResponse: (result: T) => LuaResponse | undefined,
    fromResponse: (result: T | undefined, response: LuaResponse) => T,
    failure: (error: LuaError) => T,
  ): Promise<T>
}

export function compileLuaBackend(
  config: LuaConfig,
  pattern: string,
  endpoint: EndpointConfig,
  service: GatewayConfig,
  log: Log,
): LuaBackend | undefined {
  const lua = luaComponent().compileLua(
    config,
    (m) => log(`[BACKEND: ${luraPattern(pattern)}]${m}`),
    'proxy',
    luaHttpFor(service),
  )
  if (!lua) return undefined
  const gzipOf = transportGzipOf(endpoint, service)
  return {
    readsBody: readsBody(config),
    around: (ctx, view, call, toResponse, fromResponse, failure) =>
      around(lua, gzipOf, ctx, view, call, toResponse, fromResponse, (error) => {
        // A Go panic in the script's library runs in lura's stack, in gin's handler: its Recovery answers.
        if (error.panic) throw new GoPanic(error.message)
        return failure(error)
      }),
  }
}

async function around<T extends { ok: boolean }>(
  lua: CompiledLua,
  gzipOf: TransportGzip,
  endpointCtx: Editable & { client: IncomingLike['headers'] },
  view: LuaBackendView,
  call: (ctx: Editable & { target?: LuaTarget }, request: LuaRequest) => Promise<T>,
  toResponse: (result: T) => LuaResponse | undefined,
  fromResponse: (result: T | undefined, response: LuaResponse) => T,
  failure: (error: LuaError) => T,
): Promise<T> {
  const gzip = gzipOf(endpointCtx.client)
  const request = luaRequest(endpointCtx, view.method, view.path, view.url, gzip)
  const begun = lua.begin(request, cancelOf(endpointCtx))
  const started = begun instanceof Promise ? await begun : begun
  if ('error' in started) return failure(started.error)
  try {
    const ctx: Editable & { target?: LuaTarget } = { ...endpointCtx }
    const mismatch = writeBack(ctx, request, gzip)
    // lura built the backend URL above this modifier: a changed query or params reach no HTTP backend.
    ctx.query = endpointCtx.query
    if (!view.readsParams) {
      ctx.params = endpointCtx.params
      ctx.absentParams = endpointCtx.absentParams
      ctx.scriptParams = endpointCtx.scriptParams
    }
    // Go's http.NewRequest reads an empty method as GET (lura title-cases the rest) and refuses a non-token.
    if (request.method === '') request.method = 'GET'
    else if (!isGoMethod(goToTitle(request.method)))
      return failure({
        message: `net/http: invalid method ${goQuote(goToTitle(request.method))}`,
        status: undefined,
        contentType: undefined,
      })
    // Go's client sends its own User-Agent when the header map has none.
    if (ctx.headers['user-agent'] === undefined) ctx.headers['user-agent'] = GO_USER_AGENT
    // krakend-lua drops url.Parse's error and leaves the request a nil URL: lura's HTTP proxy reads
    // it, Go's panic (gin's Recovery answers).
    if (
      request.url !== view.url &&
      !view.readsParams &&
      typeof goParseUrl(bytesOfText(request.url ?? '')) === 'string'
    )
      throw new GoPanic('runtime error: invalid memory address or nil pointer dereference')
    if (request.url !== view.url || request.method !== view.method) {
      // Go's transport takes http and https only (url.Parse lowercases the scheme; none is "").
      const scheme = goUrlScheme(request.url ?? '')
      if (request.url !== undefined && scheme !== 'http' && scheme !== 'https')
        return failure({
          message: `${goUrlErrorOp(request.method)} "${request.url}": unsupported protocol scheme ${goQuote(scheme)}`,
          status: undefined,
          contentType: undefined,
        })
      const target = splitUrl(request.url ?? '')
      if (!target)
        return failure({
          message: `unsupported protocol scheme in "${request.url}"`,
          status: undefined,
          contentType: undefined,
        })
      ctx.target =
        request.method === view.method ? target : { ...target, method: request.method.toUpperCase() }
    }
    // Go's transport checks the header map's names before anything is sent, for an http(s) URL (the
    // script's key is the map's: CanonicalMIMEHeaderKey leaves a name that is no token as written).
    const url = request.url ?? view.url
    const badName = /^https?:/i.test(url) ? firstNonTokenName(request.headers) : undefined
    if (badName !== undefined && !view.readsParams)
      return failure({
        message: `${goUrlErrorOp(request.method)} "${url}": net/http: invalid header field name ${goQuote(badName)}`,
        status: undefined,
        contentType: undefined,
      })
    // Go's transport probes an empty body of unknown size on GET, HEAD, DELETE...: none is sent.
    if (ctx.body?.length === 0 && !chunksEmptyBody(request.method.toUpperCase())) ctx.body = undefined
    if (mismatch)
      return failure({
        message: `${goUrlErrorOp(request.method)} "${request.url ?? view.url}": http: ContentLength=${mismatch.declared} with Body length ${mismatch.actual}`,
        status: undefined,
        contentType: undefined,
      })
    let result: T | undefined
    let response: LuaResponse
    if (lua.skipNext) response = { data: {}, isComplete: false, statusCode: 0, headers: {}, body: undefined }
    else {
      result = await call(ctx, request)
      const seen = toResponse(result)
      if (!seen) return result
      response = seen
    }
    const posted = started.post(response)
    const error = posted instanceof Promise ? await posted : posted
    return error ? failure(error) : fromResponse(result, response)
  } finally {
    started.end()
  }
}

/** The Op of Go's url.Error for the method lura title-cases: `Post`. */
const goUrlErrorOp = (method: string) => goOp(method.toUpperCase())

/** url.Parse's Scheme: letters first, then letters, digits, `+`, `-` or `.` before the first colon. */
function goUrlScheme(url: string): string {
  return /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase() ?? ''
}

function splitUrl(url: string): { origin: string; path: string } | undefined {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*)([^#]*)/.exec(url)
  if (!match) return undefined
  const rest = match[2] as string
  return { origin: match[1] as string, path: rest === '' ? '/' : rest.startsWith('?') ? `/${rest}` : rest }
}
