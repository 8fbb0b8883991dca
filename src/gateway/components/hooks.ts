/** The components compiled into request-path hooks, once per service and endpoint (backend-guard.ts: per backend). */
import type { EndpointConfig, GatewayConfig } from '../config/types.ts'
import { luraEndpointPath } from '../go-http.ts'
import { COMPLETED_HEADER, KRAKEND_HEADER, krakendHeaderValue } from '../krakend-compat.ts'
import { backendHeaders, clientIp, compileForwardRule, compileTrustedProxies } from '../request-headers.ts'
import { compileBotDetector } from './bot-detector.ts'
import { type ResponseMeta, responseActivation } from './cel-response.ts'
import { compileCors } from './cors.ts'
import { compileHttpSecure } from './http-secure.ts'
import type { LuaConfig } from './lua.ts'
import { compileLuaProxy, type LuaProxy } from './lua-calls.ts'
import { requestParams } from './lura-params.ts'
import { compileRouterLimit } from './rate-limit.ts'
import type { RevocationFilter } from './revoker.ts'
import {
  celComponent,
  jsonSchemaComponent,
  jwtComponent,
  luaComponent,
  luaRouterRuntime,
  revokerComponent,
  signerComponent,
} from './runtimes.ts'
import type { GuardContext, GuardLogging, HeaderSink, IncomingLike, LuraMetadata, Reply } from './types.ts'

type Log = (message: string) => void

/**
 * Runs on the request (before routing, or after it as gin's middleware: with the route's params, or
 * those gin's lookup collected before it missed); may answer (a Reply) or add response headers
 * through `res`. A promise only where a service-level Lua script calls http_response.
 */
export type ServiceHook = (
  req: IncomingLike,
  res: HeaderSink,
  params?: Record<string, string | undefined>,
) => Reply | undefined | Promise<Reply | undefined>
/** Runs before any backend call; may answer instead of the backends. */
export interface EndpointGuard {
  /**
   * The leading steps that never read the body (bot detector, JWT, and the rate limit and CEL when
   * no Lua comes first): KrakenD answers them without reading it, so they run before it is read.
   */
  beforeBody?: (req: IncomingLike, ctx: GuardContext) => Promise<Reply | undefined>
  /** The other steps, once the body is read. */
  run(req: IncomingLike, ctx: GuardContext): Promise<Reply | undefined>
  /** Checks the merged response (validation/cel resp_ expressions); may answer instead. */
  after?: (data: Record<string, unknown> | undefined, meta: ResponseMeta) => Reply | undefined
  /** modifier/lua-proxy: its pre is one of the steps; skip_next and post are the app's to apply. */
  lua?: LuaProxy
}

/** Answers instead of the normal rendering, from the merged data (auth/signer). */
export interface EndpointResponder {
  /** Before any backend call: an answer when the endpoint cannot respond at all (no signing key). */
  before(): Promise<Reply | undefined>
  /** `http1`: the client speaks HTTP/1.x (Go's server writes some header values otherwise over HTTP/2). */
  respond(
    data: Record<string, unknown> | undefined,
    failed: boolean,
    meta: LuraMetadata | undefined,
    http1: boolean,
  ): Promise<Reply>
}

export function compileEndpointResponder(endpoint: EndpointConfig, log: Log): EndpointResponder | undefined {
  const signer = endpoint.components?.signer
  return signer ? signerComponent().compileSigner(signer, endpoint, log) : undefined
}

/** The service-level components, where KrakenD runs them. */
export interface ServiceHooks {
  /** security/cors wraps KrakenD's whole server: it sees every request before gin routes it. */
  server?: (req: IncomingLike, res: HeaderSink) => Reply | undefined
  /**
   * gin middleware (security/http, Lua, bot detector), in that order: after routing, so not on
   * gin's redirects; on 404 and 405 (with Allow already set) too.
   */
  engine?: ServiceHook
}

export function compileServiceHooks(config: GatewayConfig, log: Log): ServiceHooks {
  const c = config.components
  if (!c) return {}
  const steps: ServiceHook[] = []
  // gin's health route, registered before these middlewares, skips them; router.disable_health registers none.
  const healthPath = config.server.disableHealth ? undefined : config.server.healthPath
  if (c.httpSecure) steps.push(compileHttpSecure(c.httpSecure, healthPath))
  const lua = c.luaRouter
    ? luaRouterRuntime().compileLuaService(c.luaRouter, config, log, routerLuaReadsBody(c.luaRouter))
    : undefined
  if (lua) steps.push(lua)
  if (c.botDetector)
    steps.push(compileBotDetector(c.botDetector, (m) => log(`[SERVICE: Gin][Botdetector] ${m}`), healthPath))
  const engine = chain(steps)
  return { ...(c.cors ? { server: compileCors(c.cors) } : {}), ...(engine ? { engine } : {}) }
}

function chain(steps: ServiceHook[]): ServiceHook | undefined {
  if (steps.length <= 1) return steps[0]
  const from = (
    at: number,
    req: IncomingLike,
    res: HeaderSink,
    params?: Record<string, string | undefined>,
  ) => {
    for (let i = at; i < steps.length; i++) {
      const reply = (steps[i] as ServiceHook)(req, res, params)
      if (reply instanceof Promise)
        return reply.then((answer): Reply | undefined | Promise<Reply | undefined> =>
          answer ? answer : from(i + 1, req, res, params),
        )
      if (reply) return reply
    }
    return undefined
  }
  return (req, res, params) => from(0, req, res, params)
}

type Step = (req: IncomingLike, ctx: GuardContext) => Reply | undefined | Promise<Reply | undefined>

/**
 * krakend-lua's router context reads the request body only when a script calls `body()`: scripts
 * that never name it run before the body is read, as in KrakenD (a request they refuse is answered
 * without reading it: no `100 Continue`, and the connection closes as Go's does). One that names
 * Content-Length runs after, as lura sizes the backend body by the line it writes (lua-router.ts).
 * Sources read on every call (`live`) may name either later.
 */
function routerLuaReadsBody(config: LuaConfig | undefined): boolean {
  if (config === undefined) return false
  return (
    config.live ||
    luaComponent()
      .luaTexts(config)
      .some(([, text]) => BODY_WORDS.test(text))
  )
}

const BODY_WORDS = /body|content-length/i

export function compileEndpointGuard(
  endpoint: EndpointConfig,
  service: GatewayConfig,
  log: Log,
  /** INFO: krakend-cel logs the expression that refused a request at that level. */
  info: Log,
  revocations?: RevocationFilter,
  /** An async agent's pipe: see GuardLogging (an endpoint's by default). */
  logging?: GuardLogging,
): EndpointGuard | undefined {
  const c = endpoint.components
  if (!c) return undefined
  const prefix = `[ENDPOINT: ${luraEndpointPath(endpoint.endpoint)}]`
  const celPrefix = logging ? `[ENDPOINT: ${logging.celName}]` : prefix
  const logsRefusals = logging?.logsRefusals ?? true
  const celLog = (phase?: 'pre' | 'post') => (m: string) =>
    info(`${celPrefix}[CEL]${phase ? `[${phase}]` : ''} ${m}`)
  const cel = c.cel ? celComponent() : undefined
  // krakend-ce chains the revoker's bloom filter, then validation/cel's JWT expressions.
  const tokenRejecter = () => {
    const revoker = service.components?.revoker
    if (revoker && !revocations)
      throw new Error('auth/revoker is configured but the node has no revocation filter')
    const revoked =
      revoker && revocations ? revokerComponent().compileRevocationCheck(revoker, revocations) : undefined
    const jwtChecks = c.cel && cel ? cel.compileGroup(c.cel.jwt, celLog(), 'Rejecter') : undefined
    const celRejects =
      jwtChecks &&
      cel &&
      ((claims: Record<string, unknown>) => jwtChecks({ JWT: claims, now: cel.celNow() }) !== undefined)
    if (revoked && celRejects)
      return (claims: Record<string, unknown>) => revoked(claims) || celRejects(claims)
    return revoked ?? celRejects
  }
  const early: Step[] = []
  const steps: Step[] = []
  // A step that may read the body (Lua, JSON schema) and every step after it wait for the body.
  const runsBeforeBody = (readsBody: boolean) => !readsBody && steps.length === 0
  const add = (step: Step, readsBody = false) => {
    if (runsBeforeBody(readsBody)) early.push(step)
    else steps.push(step)
  }
  // KrakenD's order: bot detector, JWT, Lua, rate limit, then the proxy's JSON-schema validation.
  if (c.botDetector) add(compileBotDetector(c.botDetector, (m) => log(`${prefix}[Botdetector] ${m}`)))
  // gin's ClientIP() with the router's options, as the backend X-Forwarded-For uses it.
  const trusted = compileTrustedProxies(service.server.trustedProxies)
  if (c.jwt) {
    const forward = compileForwardRule(endpoint.inputHeaders, service.server.disableCompression)
    const headersOf = (req: IncomingLike) => backendHeaders(forward, req, service.server, trusted)
    add(
      jwtComponent().compileJwt(
        c.jwt,
        endpoint,
        (m) => log(`${prefix}[JWTValidator] ${m}`),
        tokenRejecter(),
        headersOf,
      ),
    )
  }
  if (c.luaRouter) {
    const readsBody = routerLuaReadsBody(c.luaRouter)
    const beforeBody = runsBeforeBody(readsBody)
    const luaRouter = luaRouterRuntime().compileLuaEndpoint(c.luaRouter, endpoint, service, log, beforeBody)
    if (luaRouter) add(luaRouter, readsBody)
  }
  if (c.rateLimit) {
    add(compileRouterLimit(c.rateLimit, (req) => clientIp(req, service.server, trusted)))
  }
  // modifier/lua-proxy wraps the proxy: its pre runs after the router's checks, before CEL and JSON schema.
  const lua = c.luaProxy ? compileLuaProxy(c.luaProxy, endpoint, service, log, logsRefusals) : undefined
  if (lua) add((req, ctx) => lua.pre(req, ctx), true)
  // Its skip_next never calls the proxy it wraps: validation/cel and JSON schema below it do not run.
  const checks = lua?.skipsBackends !== true
  // CEL and JSON schema refuse inside lura's endpoint handler, after it set X-KrakenD.
  const refusalHeaders = () => ({
    [KRAKEND_HEADER]: krakendHeaderValue(service.server),
    [COMPLETED_HEADER]: 'false',
  })
  // krakend-cel's error (`request aborted by evaluator #N`)
  const aborted = (message: string): Reply =>
    service.server.returnErrorMsg
      ? {
          status: 500,
          headers: { ...refusalHeaders(), 'Content-Type': 'text/plain; charset=utf-8' },
          body: message,
          error: message,
        }
      : { status: 500, headers: refusalHeaders(), body: '', error: message }
  const pre = c.cel && cel && checks ? cel.compileGroup(c.cel.pre, celLog('pre')) : undefined
  // Under auth/signer the proxy's checks wait for the signer's key check (serve-endpoint).
  if (pre && cel)
    add((req, ctx) => {
      const url = req.url ?? '/'
      const q = url.indexOf('?')
      const failed = pre({
        now: cel.celNow(),
        req_method: ctx.proxyRequest?.method ?? req.method ?? 'GET',
        req_path: ctx.proxyRequest?.path ?? cel.celPath(q === -1 ? url : url.slice(0, q)),
        req_params: requestParams(ctx),
        req_headers: cel.headerLists(ctx.headers),
        req_querystring: cel.queryLists(ctx.query),
      })
      return failed ? aborted(failed) : undefined
    }, c.signer !== undefined)
  const post = c.cel && cel && checks ? cel.compileGroup(c.cel.post, celLog('post')) : undefined
  if (c.jsonSchema && checks)
    add(
      jsonSchemaComponent().compileJsonSchema(
        c.jsonSchema,
        service.server.returnErrorMsg,
        refusalHeaders,
        logsRefusals ? (m) => log(`${prefix}[JSONSchema] ${m}`) : undefined,
      ),
      true,
    )
  if (early.length === 0 && steps.length === 0 && !post) return undefined
  return {
    ...(lua ? { lua } : {}),
    ...(early.length > 0
      ? { beforeBody: (req: IncomingLike, ctx: GuardContext) => runSteps(early, req, ctx) }
      : {}),
    run: (req, ctx) => runSteps(steps, req, ctx),
    ...(post
      ? {
          after: (data: Record<string, unknown> | undefined, meta: ResponseMeta) => {
            const failed = post(responseActivation(data ?? {}, meta))
            return failed ? aborted(failed) : undefined
          },
        }
      : {}),
  }
}

async function runSteps(steps: Step[], req: IncomingLike, ctx: GuardContext): Promise<Reply | undefined> {
  for (const step of steps) {
    const reply = await step(req, ctx)
    if (reply) return reply
  }
  return undefined
}
