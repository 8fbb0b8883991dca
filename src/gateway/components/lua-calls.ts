/**
 * The Lua modifiers on the request path: modifier/lua-proxy around the endpoint's backends (pre
 * after the router's checks, post on the merged response), and the request as lura hands it to a
 * stage (modifier/lua-backend, around one backend call, is lua-backend-calls.ts).
 */

import { bytesOfText, textOfBytes } from '../byte-text.ts'
import type { Cancellation } from '../cancellation.ts'
import type { EndpointConfig, GatewayConfig } from '../config/types.ts'
import {
  bodyAllowedForStatus,
  GO_USER_AGENT,
  ginErrorStatus,
  HTTP_TOKEN,
  luraEndpointPath,
} from '../go-http.ts'
import { detectContentType } from '../go-sniff.ts'
import { canonicalHeaderKey, encodeGoQuery, parseGoQueryBytes } from '../go-url.ts'
import { COMPLETED_HEADER, KRAKEND_HEADER, krakendHeaderValue } from '../krakend-compat.ts'
import { luaHttpFor } from '../lua-http-client.ts'
import { setOwnKey } from '../own-keys.ts'
import { CONNECTION_HEADERS, compileForwardRule, type HeaderValues } from '../request-headers.ts'
import { goUnescapePath } from '../router.ts'
import { goWrittenHeaderValue, writtenContentType } from './go-header-value.ts'
import type { LuaCall, LuaConfig, LuaStart } from './lua.ts'
import type { LuaRequest, LuaResponse } from './lua-api.ts'
import type { LuaError } from './lua-errors.ts'
import { requestParams } from './lura-params.ts'
import { luaComponent } from './runtimes.ts'
import type { GuardContext, IncomingLike, LuraMetadata, Reply } from './types.ts'

type Log = (message: string) => void
type Data = Record<string, unknown>

/** The request-side fields a Lua modifier reads and writes back. */
export interface Editable {
  params: Record<string, string | undefined>
  absentParams?: Set<string> | undefined
  scriptParams?: Record<string, string> | undefined
  query: string
  headers: HeaderValues
  body: Buffer | undefined
  /** Whether the backend request carries the client's Content-Length (else it goes out chunked). */
  bodySized?: boolean
  /** That Content-Length once a script replaced the body (backend-calls.ts compares the two). */
  declaredLength?: number | undefined
}

/** Whether `accept-encoding` in the backend headers is Go's transport's own (not in lura's request). */
export type TransportGzip = (client: IncomingLike['headers']) => boolean

export function transportGzipOf(endpoint: EndpointConfig, service: GatewayConfig): TransportGzip {
  const rule = compileForwardRule(endpoint.inputHeaders, service.server.disableCompression)
  return (client) =>
    rule.transportGzip && !(rule.forwardsAcceptEncoding && client['accept-encoding'] !== undefined)
}

export function luaRequest(
  ctx: Editable,
  method: string,
  path: string,
  url: string | undefined,
  gzip: boolean,
): LuaRequest {
  // No prototype: a forwarded `__proto__` header is a key as in Go's http.Header.
  const headers: Record<string, string[]> = Object.create(null)
  for (const key in ctx.headers) {
    if (gzip && key === 'accept-encoding') continue
    const value = ctx.headers[key] as string | string[]
    headers[canonicalHeaderKey(key)] = (Array.isArray(value) ? value : [value]).map(fromWire)
  }
  // lura's header map keeps the client's Content-Length where it is forwarded.
  if (ctx.bodySized && headers['Content-Length'] === undefined)
    headers['Content-Length'] = [String(ctx.declaredLength ?? ctx.body?.length ?? 0)]
  return {
    method,
    path,
    // Go's url.Values keep a byte that is not UTF-8 (`%FF`): held escaped (byte-text.ts).
    query: parseGoQueryBytes(ctx.query),
    url,
    params: requestParams(ctx),
    headers,
    body: ctx.body,
  }
}

/**
 * Header values travel as one character per byte (Node's latin1 reading); a script sees and sets
 * their bytes: UTF-8 as text, other bytes held escaped (byte-text.ts) and pushed to Lua as they are.
 */
const NON_ASCII = /[\u0080-\uffff]/
export const fromWire = (value: string): string => (NON_ASCII.test(value) ? textOfBytes(value) : value)
const toWire = bytesOfText

/**
 * Whether a modifier's scripts may read a response body (`r:body()`): a no-op answer is then read
 * whole before post runs, else it streams past the script as it does past KrakenD's when unread.
 * Sources read on every call (`live`) may name it later.
 */
export function readsBody(config: LuaConfig): boolean {
  return (
    config.live ||
    luaComponent()
      .luaTexts(config)
      .some(([, text]) => text.includes('body'))
  )
}

/**
 * The body Go's transport refuses to send: krakend-lua replaced a body the script touched with a
 * reader of unknown size, and lura sizes it from a forwarded Content-Length, which no longer matches.
 */
interface BodyMismatch {
  declared: number
  actual: number
}

/**
 * The request size lura gives Go for a body the script touched (lura's http proxy: a single
 * `Content-Length` line that strconv.Atoi reads); 0 or less is unknown, sent chunked.
 */
function sizeTouchedBody(ctx: Editable, r: LuaRequest): BodyMismatch | undefined {
  const lines = r.headers['Content-Length']
  const line = lines?.length === 1 ? (lines[0] as string) : undefined
  const declared = line !== undefined && /^[+-]?\d+$/.test(line) ? Number(line) : 0
  const actual = r.body?.length ?? 0
  ctx.bodySized = declared > 0
  ctx.declaredLength = declared > 0 ? declared : undefined
  return declared > 0 && declared !== actual ? { declared, actual } : undefined
}

/** Writes what the script may have changed back into the request the next stage reads. */
export function writeBack(ctx: Editable, r: LuaRequest, gzip: boolean): BodyMismatch | undefined {
  const params: Record<string, string | undefined> = {}
  let scriptParams: Record<string, string> | undefined
  const ours = new Map(Object.keys(ctx.params).map((k) => [(k[0] ?? '').toUpperCase() + k.slice(1), k]))
  for (const [key, value] of Object.entries(r.params)) {
    // A name lura did not upper-case (`p` set beside the route's `P`) fills no url_pattern slot;
    // it stays a request param for what reads them (krakend-lambda, krakend-amqp, CEL, Lua).
    if (/^[a-z]/.test(key)) {
      scriptParams ??= {}
      scriptParams[key] = value
      continue
    }
    params[ours.get(key) ?? (key[0] ?? '').toLowerCase() + key.slice(1)] = value
  }
  ctx.scriptParams = scriptParams
  // The script did not see an absent claim's param: the backend URL keeps lura's placeholder.
  if (ctx.absentParams) {
    const absent = [...ctx.absentParams].filter((key) => params[key] === undefined)
    for (const key of absent) params[key] = ctx.params[key]
    ctx.absentParams = new Set(absent)
  }
  ctx.params = params
  ctx.query = encodeGoQuery(r.query)
  const headers: HeaderValues = {}
  const transport = gzip ? ctx.headers['accept-encoding'] : undefined
  if (transport !== undefined) headers['accept-encoding'] = transport
  // Go writes no Content-Length line from the header map (see sizeTouchedBody).
  for (const [key, values] of Object.entries(r.headers))
    if (values.length > 0 && key !== 'Content-Length') {
      const wire = values.map(toWire)
      // Go's CanonicalMIMEHeaderKey leaves a name that is no token as written (its transport names it so).
      const name = HTTP_TOKEN.test(key) ? key.toLowerCase() : key
      // A `gzip` of the script's is the map's, a list (the plain string is the transport's).
      const one = wire.length === 1 && !(name === 'accept-encoding' && wire[0] === 'gzip')
      setOwnKey(headers, name, one ? (wire[0] as string) : wire)
    }
  ctx.headers = headers
  ctx.body =
    r.body === undefined || Buffer.isBuffer(r.body) ? (r.body as Buffer | undefined) : Buffer.from(r.body)
  return r.bodyTouched ? sizeTouchedBody(ctx, r) : undefined
}

export interface LuaProxy {
  skipsBackends: boolean
  /** Its scripts call http_response: post runs inside lura's deadline, which ends those calls. */
  suspends: boolean
  /** Its scripts may read the response body (see readsBody). */
  readsBody: boolean
  /** Runs pre on the request; an answer when the script fails (a promise where it may wait: suspends). */
  pre(req: IncomingLike, ctx: GuardContext): Reply | undefined | Promise<Reply | undefined>
  /** Runs post on the merged response (only when every backend answered): the response or an answer. */
  post(
    ctx: GuardContext,
    data: Data | undefined,
    complete: boolean,
    failed: boolean,
    /** The lone response's metadata (a backend script's headers and status, return_error_details'). */
    meta?: LuraMetadata,
  ): PostOutcome | Promise<PostOutcome>
  /** Runs post on a response the caller made (a no-op answer), changed in place: an answer when it fails. */
  postAnswer(ctx: GuardContext, response: LuaResponse): Reply | undefined | Promise<Reply | undefined>
}

type PostOutcome =
  | { reply: Reply }
  | { reply?: undefined; data: Data | undefined; complete: boolean; meta?: LuraMetadata }

/** `value`, or what `then` makes of it: at once where it is no promise (the scripts that never wait). */
function whenDone<T, R>(value: T | Promise<T>, then: (value: T) => R): R | Promise<R> {
  return value instanceof Promise ? value.then(then) : then(value)
}

/** The request context a Lua modifier's HTTP calls end with (lura's, with the endpoint's deadline). */
export const cancelOf = (ctx: object): Cancellation | undefined => (ctx as { cancel?: Cancellation }).cancel

export function compileLuaProxy(
  config: LuaConfig,
  endpoint: EndpointConfig,
  service: GatewayConfig,
  log: Log,
  /** It logs a script's refusal (an endpoint); an agent's pipe logs the Reply's error instead. */
  logsRefusals = true,
): LuaProxy | undefined {
  const prefix = `[ENDPOINT: ${luraEndpointPath(endpoint.endpoint)}]`
  const lua = luaComponent().compileLua(config, (m) => log(`${prefix}${m}`), 'proxy', luaHttpFor(service))
  if (!lua) return undefined
  const gzipOf = transportGzipOf(endpoint, service)
  /** Each request's script run, and whether its client speaks HTTP/1.x (how Go writes custom_error's type). */
  const calls = new WeakMap<GuardContext, { call: LuaCall; http1: boolean }>()
  const version = krakendHeaderValue(service.server)
  // krakend-lua's error (the script's, or custom_error's) is also what lura's stack returns
  const reply = (error: LuaError, http1: boolean): { reply: Reply } => {
    if (logsRefusals) log(`${prefix} ${error.message}`)
    const refused = { error: error.message }
    if (error.panic)
      return { reply: { status: 500, headers: { [KRAKEND_HEADER]: version }, body: '', ...refused } }
    const headers: Record<string, string> = { [KRAKEND_HEADER]: version, [COMPLETED_HEADER]: 'false' }
    const { status, message } =
      error.status === undefined
        ? { status: 500, message: service.server.returnErrorMsg }
        : ginErrorStatus(error.status, service.server.returnErrorMsg)
    const type = error.contentType ? writtenContentType(error.contentType, http1) : undefined
    if (!message) {
      // A status Go cannot write (return_error_msg on): gin had set the error's own type first.
      if (service.server.returnErrorMsg && type !== undefined) headers['Content-Type'] = type
      return { reply: { status, headers, body: '', ...refused } }
    }
    // Without custom_error's type, Go's server sniffs the message it writes (a NUL: octet-stream, %PDF-: pdf...).
    if (error.contentType) {
      if (type !== undefined) headers['Content-Type'] = type
    } else if (error.message !== '' && bodyAllowedForStatus(status))
      headers['Content-Type'] = detectContentType(Buffer.from(error.message))
    return { reply: { status, headers, body: error.message, ...refused } }
  }
  const postAnswer = (
    ctx: GuardContext,
    response: LuaResponse,
  ): Reply | undefined | Promise<Reply | undefined> => {
    const started = calls.get(ctx)
    calls.delete(ctx)
    if (!started) return undefined
    const { call, http1 } = started
    const answer = (error: LuaError | undefined) => (error ? reply(error, http1).reply : undefined)
    let error: LuaError | undefined | Promise<LuaError | undefined>
    try {
      error = call.post(response)
    } catch (thrown) {
      call.end()
      throw thrown
    }
    if (!(error instanceof Promise)) {
      call.end()
      return answer(error)
    }
    return error.then(answer).finally(() => call.end())
  }
  return {
    skipsBackends: lua.skipNext,
    suspends: lua.suspends,
    readsBody: readsBody(config),
    postAnswer,
    pre(req, ctx) {
      const gzip = gzipOf(req.headers)
      const url = req.url ?? '/'
      const q = url.indexOf('?')
      const method = req.method ?? 'GET'
      const path = decodedPath(q === -1 ? url : url.slice(0, q))
      const request = luaRequest(ctx, method, path, undefined, gzip)
      const http1 = req.httpVersionMajor !== 2
      return whenDone(lua.begin(request, cancelOf(ctx)), (call: LuaStart) => {
        if ('error' in call) return reply(call.error, http1).reply
        writeBack(ctx, request, gzip)
        if (request.method !== method || request.path !== path)
          ctx.proxyRequest = { method: request.method, path: request.path }
        // Go's client sends its own User-Agent when the header map has none.
        if (ctx.headers['user-agent'] === undefined) ctx.headers['user-agent'] = GO_USER_AGENT
        calls.set(ctx, { call, http1 })
        return undefined
      })
    },
    post(ctx, data, complete, failed, meta) {
      const unchanged = meta ? { data, complete, meta } : { data, complete }
      if (failed) {
        calls.get(ctx)?.call.end()
        calls.delete(ctx)
        return unchanged
      }
      if (!calls.has(ctx)) return unchanged
      const response: LuaResponse = {
        data: data ?? {},
        isComplete: complete,
        statusCode: meta?.status ?? 0,
        headers: meta?.headers ?? {},
        body: undefined,
      }
      return whenDone(postAnswer(ctx, response), (failure): PostOutcome => {
        if (failure) return { reply: failure }
        return {
          data: response.data,
          complete: response.isComplete,
          meta: { headers: response.headers, status: response.statusCode },
        }
      })
    },
  }
}

/**
 * The rendered answer's headers with those a script set (lura adds them to gin's before the
 * renderer): X-Krakend-Completed is set after them, Content-Type only where none was added. Go's
 * server then leaves out a name that is no HTTP token and a value it cannot write
 * (goWrittenHeaderValue); the rest goes out as the script's bytes.
 */
export function withLuaHeaders(
  rendered: Record<string, string>,
  lua: Record<string, string[]>,
  http1: boolean,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = { ...rendered }
  for (const [key, texts] of Object.entries(lua)) {
    if (key === COMPLETED_HEADER || !HTTP_TOKEN.test(key)) continue
    // A no-op backend's Connection and Keep-Alive lines: KrakenD's stream reset over HTTP/2, left out here.
    if (!http1 && CONNECTION_HEADERS.includes(key.toLowerCase())) continue
    const values: string[] = []
    for (const text of texts) {
      const value = goWrittenHeaderValue(bytesOfText(text), http1)
      if (value !== undefined) values.push(value)
    }
    if (values.length === 0) continue
    const existing = Object.keys(out).find((k) => k.toLowerCase() === key.toLowerCase())
    if (key === 'Content-Type' || existing === undefined || existing === 'Content-Type') {
      if (existing !== undefined) delete out[existing]
      out[key] = values
    } else out[existing] = [...[out[existing] as string | string[]].flat(), ...values]
  }
  return out
}

/** Go's URL.Path: every escape decoded to its byte (node-http.ts refused a malformed one), as text. */
function decodedPath(raw: string): string {
  const bytes = goUnescapePath(raw) ?? raw
  return NON_ASCII.test(bytes) ? textOfBytes(bytes) : bytes
}
