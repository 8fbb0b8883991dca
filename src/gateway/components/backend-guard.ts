// The components around one backend call, in KrakenD's order: qos/circuit-breaker wraps
// qos/ratelimit/proxy, validation/cel and auth/client-credentials; modifier/martian edits the
// request and, on its response scope, the answer.
import type { HopAuthorization } from '../backend-hop-authorization.ts'
import type { BackendConfig, EndpointConfig } from '../config/types.ts'
import { luraPattern } from '../go-http.ts'
import type { Agent } from '../undici.ts'
import { type ResponseMeta, responseActivation } from './cel-response.ts'
import { compileCircuitBreaker, type Outcome } from './circuit-breaker.ts'
import type { LuaRequest } from './lua-api.ts'
import { requestParams } from './lura-params.ts'
import type { EditedAnswer, MartianRequest, SentRequest } from './martian-run.ts'
import { compileProxyLimit } from './rate-limit.ts'
import { celComponent, clientCredentialsComponent, martianRuntime } from './runtimes.ts'
import type { GuardContext } from './types.ts'

type Log = (message: string) => void

/** A backend call the guard let out: report how it ended (the breaker counts it in its generation). */
export type Admission = { refused: string } | { refused?: undefined; done(outcome: Outcome): void }

/**
 * Wraps each backend call: `before` may refuse it (an error message) or admit it, and the admission
 * learns the outcome; `modify` rewrites the request's headers (a copy) and path with query.
 * `path` is lura's generated path: the url_pattern filled in, without the forwarded query.
 */
export interface BackendGuard {
  /** `luaFirst`: a modifier/lua-backend runs next, validation/cel's req_ checks wait (checkRequest). */
  before(ctx: GuardContext, method: string, path: string, luaFirst?: boolean): Admission | Promise<Admission>
  /**
   * validation/cel's req_ checks on the request a modifier/lua-backend pre left (krakend-cel runs
   * below krakend-lua): its method, path, params, headers and query; an error message refuses it.
   */
  checkRequest?: (request: LuaRequest) => string | undefined
  /** Checks this backend's response (validation/cel); an error message fails the call. */
  checkResponse?: (data: Record<string, unknown>, meta: ResponseMeta) => string | undefined
  /** `origin` (lura's `scheme://host`) and `fragment` are what martian's URL steps read. */
  modify?: MartianRequest
  /** Rewrites the backend's answer (headers copied): martian's response scope. */
  modifyAnswer?: <T extends Record<string, string | string[] | undefined>>(
    status: number,
    headers: T,
    request: SentRequest,
  ) => EditedAnswer<T>
  /** auth/client-credentials: the token for each redirect hop (see BackendRequest.authorizeHop). */
  authorizeHop?: () => Promise<HopAuthorization>
}

export function compileBackendGuard(
  backend: BackendConfig,
  _endpoint: EndpointConfig,
  log: Log,
  /** INFO: krakend-cel logs the expression that refused a call at that level. */
  info: Log,
  /** The agent of the OAuth2 token calls (Go's default transport, as the backend calls'). */
  sideAgent: () => Agent,
): BackendGuard | undefined {
  const c = backend.components
  if (!c) return undefined
  // KrakenD's backend order: the circuit breaker wraps the rate limit, CEL and the OAuth2 transport,
  // so any refusal below it counts as a failure.
  const breaker = c.circuitBreaker
    ? compileCircuitBreaker(c.circuitBreaker, (m) => log(`[BACKEND: ${luraPattern(backend.urlPattern)}]${m}`))
    : undefined
  const limit = c.rateLimit ? compileProxyLimit(c.rateLimit) : undefined
  const martian =
    c.martian && c.martian.steps.length > 0 ? martianRuntime().compileMartian(c.martian) : undefined
  const modifyAnswer = c.martian ? martianRuntime().compileMartianAnswer(c.martian) : undefined
  const credentials = c.clientCredentials
    ? clientCredentialsComponent().compileClientCredentials(
        c.clientCredentials,
        (m) => log(`[BACKEND: ${luraPattern(backend.urlPattern)}]${m}`),
        sideAgent,
      )
    : undefined
  // The OAuth2 token is set below martian, qos/http-cache and Go's client, per round trip (authorizeHop).
  const modify = martian
  const celLog = (phase: 'pre' | 'post') => (m: string) =>
    info(`[BACKEND: ${luraPattern(backend.urlPattern)}][CEL][${phase}] ${m}`)
  const cel = c.cel ? celComponent() : undefined
  const pre = c.cel && cel ? cel.compileGroup(c.cel.pre, celLog('pre')) : undefined
  const post = c.cel && cel ? cel.compileGroup(c.cel.post, celLog('post')) : undefined
  if (!breaker && !limit && !modify && !modifyAnswer && !pre && !post && !credentials) return undefined
  const before = (ctx: GuardContext, method: string, path: string, luaFirst = false): Admission => {
    const open = breaker?.before()
    if (open) return { refused: open }
    // gobreaker counts the outcome in the generation the call started in.
    const generation = breaker?.generation ?? 0
    const done = breaker ? (outcome: Outcome) => breaker.after(outcome, generation) : ignore
    let refused = limit?.()
    if (!refused && pre && cel && !luaFirst)
      refused = pre({
        now: cel.celNow(),
        req_method: method,
        req_path: path,
        req_params: requestParams(ctx),
        req_headers: cel.headerLists(ctx.headers),
        req_querystring: cel.queryLists(ctx.query),
      })
    if (refused) {
      done(false)
      return { refused }
    }
    return { done }
  }
  const checkRequest = (request: LuaRequest) =>
    pre && cel
      ? pre({
          now: cel.celNow(),
          req_method: request.method,
          req_path: request.path,
          req_params: request.params,
          req_headers: request.headers,
          req_querystring: Object.fromEntries(request.query),
        })
      : undefined
  return {
    before,
    ...(pre ? { checkRequest } : {}),
    ...(credentials ? { authorizeHop: credentials.authorizeHop } : {}),
    ...(modify ? { modify } : {}),
    ...(modifyAnswer ? { modifyAnswer } : {}),
    ...(post
      ? {
          checkResponse: (data: Record<string, unknown>, meta: ResponseMeta) =>
            post(responseActivation(data, meta)),
        }
      : {}),
  }
}

const ignore = () => {}
