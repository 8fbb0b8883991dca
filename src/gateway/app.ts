import type { IncomingMessage, ServerResponse } from 'node:http'
import { createAnswers, TEXT_TYPE } from './answers.ts'
import { createNodeAgents, type NodeAgents } from './async-agent/node-agents.ts'
import { createAmqpSessions } from './backend-amqp/sessions.ts'
import { createBackendCalls } from './backend-calls.ts'
import { createBackendClient } from './backend-client.ts'
import { backendTls } from './backend-tls.ts'
import { createBuiltinAnswers } from './builtin-endpoints.ts'
import { type CompiledEndpoint, compileEndpoint } from './compiled-endpoint.ts'
import { createHttpCaches } from './components/http-cache.ts'
import { compileServiceHooks } from './components/index.ts'
import type { Reply } from './components/types.ts'
import { urlQuery } from './components/url-query.ts'
import type { EndpointConfig, GatewayConfig } from './config/types.ts'
import { abandonAnswer } from './go-panic.ts'
import type { H2Request, H2Response } from './h2-exchange.ts'
import { createInFlight } from './in-flight.ts'
import { KRAKEND_HEADER, krakendHeaderValue } from './krakend-compat.ts'
import { metricsLibrary, pubsubKafkaLibrary, revokerLibrary } from './libraries.ts'
import { createLogger, type Logger } from './logging.ts'
import { provideLuaHttp } from './lua-http-client.ts'
import type { GatewayMetrics } from './metrics.ts'
import { monotonicMs } from './monotonic-ms.ts'
import { createNoopProxy } from './noop-proxy.ts'
import { paramCheckerRefusal } from './param-checker.ts'
import type { Environ } from './proxy-environment.ts'
import { closeAfterAnswer, HttpError, refusalHeaders } from './request-body.ts'
import { compileTrustedProxies } from './request-headers.ts'
import { routedTarget } from './request-uri.ts'
import type { SlidingBloomFilter } from './revoker/bloom-filter.ts'
import { cleanPath, createRouter, type RouteMatch, type Router } from './router.ts'
import { createServeEndpoint } from './serve-endpoint.ts'
import { createSrvDiscovery } from './srv-discovery.ts'
import { GATEWAY_VERSION } from './version.ts'

export type GatewayRequest = IncomingMessage | H2Request
export type GatewayResponse = ServerResponse | H2Response

export interface GatewayOptions {
  logger?: Logger
  /** Record Prometheus metrics: true (a new registry), a shared GatewayMetrics, or false/undefined (off). */
  metrics?: boolean | GatewayMetrics
  /** Reported by /__health as `started`; default now. */
  startedAt?: Date
  /** Open connections per backend origin (default: no limit, as Go's transport, which lura does not limit). */
  connectionsPerHost?: number
  /** The environment HTTP_PROXY / HTTPS_PROXY / NO_PROXY are read from (default: the process's). */
  environ?: Environ
  /** DNS servers `sd: "dns"` backends ask for SRV records (`127.0.0.1:5353`; default: the system's). */
  dnsServers?: string[]
}

/** The gateway as a request handler, independent of any listener (Fastify-style app factory). */
export interface Gateway {
  readonly config: GatewayConfig
  readonly startedAt: Date
  readonly logger: Logger
  readonly metrics: GatewayMetrics | undefined
  /** The auth/revoker filter every JWT endpoint consults; the runtime feeds it (RPC or the primary). */
  readonly revocations: SlidingBloomFilter | undefined
  readonly draining: boolean
  readonly inFlight: number
  /** Serves one request (node:http's request/response, or an h2c stream's). */
  handle(req: GatewayRequest, res: GatewayResponse): void
  /** Health turns 503 "draining"; h1 responses ask clients to close their connection. */
  drain(): void
  /** Resolves when no request is in flight. */
  idle(): Promise<void>
  /** Resolves when the gateway can serve: the first SRV lookups of `sd: "dns"` backends have ended. */
  ready(): Promise<void>
  /** The async agents (async_agent), started by ready(), stopped by drain() and close(). */
  readonly agents: NodeAgents | undefined
  /** Closes the backend connection pools; `force` aborts requests still running. */
  close(options?: { force?: boolean }): Promise<void>
}

type Handler =
  | { kind: 'options'; allow: string }
  | { kind: 'health' }
  | { kind: 'debug' }
  | { kind: 'echo' }
  | { kind: 'endpoint'; ep: CompiledEndpoint }

/** gin's Any(): the methods /__debug/ and /__echo/ answer. */
const ANY_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'HEAD', 'OPTIONS', 'DELETE', 'CONNECT', 'TRACE']

export function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Gateway {
  const logger =
    options.logger ??
    createLogger({
      level: config.logging.level,
      format: config.logging.format,
      prefix: config.logging.prefix,
      accessLog: !config.server.disableAccessLog,
      skipPaths: config.server.loggerSkipPaths,
    })
  const metrics =
    typeof options.metrics === 'object'
      ? options.metrics
      : options.metrics
        ? new (metricsLibrary().GatewayMetrics)(config.name, GATEWAY_VERSION)
        : undefined
  const startedAt = options.startedAt ?? new Date()
  const started = startedAt.toISOString()
  const discovery = config.endpoints.some(
    (ep) => ep.backends.some((b) => b.srv) || ep.shadows?.some((b) => b.srv),
  )
    ? createSrvDiscovery({ ttlMs: config.transport.dnsCacheTtlMs, servers: options.dnsServers })
    : undefined
  const client = createBackendClient({
    lookup: discovery?.lookup,
    connectionsPerHost: options.connectionsPerHost ?? null,
    serviceTimeoutMs: config.timeoutMs,
    transport: config.transport,
    environ: options.environ,
    tls: backendTls(config.clientTls),
  })
  // Lua's http_response calls through Go's default client, whose transport the backend calls share.
  provideLuaHttp(config, client)
  const trustedProxies = compileTrustedProxies(config.server.trustedProxies)
  const versionHeader = krakendHeaderValue(config.server)

  const router = createRouter<Handler>(config.server)
  if (!config.server.disableHealth) {
    router.add('GET', config.server.healthPath, { kind: 'health' })
    // HEAD on the health path is ours (gin answers it with 405): load balancers probe with it.
    router.addOwn('HEAD', config.server.healthPath, { kind: 'health' })
  }
  if (config.debugEndpoint) for (const m of ANY_METHODS) router.add(m, '/__debug/*', { kind: 'debug' })
  if (config.echoEndpoint) for (const m of ANY_METHODS) router.add(m, '/__echo/*', { kind: 'echo' })

  const revoker = config.components?.revoker
  const revocations = revoker ? new (revokerLibrary().SlidingBloomFilter)(revoker) : undefined
  const amqp = [...config.endpoints, ...(config.asyncAgents ?? []).map((a) => a.endpoint)].some(
    (ep) => ep.backends.some((b) => b.amqp) || ep.shadows?.some((b) => b.amqp),
  )
    ? createAmqpSessions(logger)
    : undefined
  // Sarama's shutdown, as KrakenD stops: marked offsets committed, the groups left at once.
  const usesKafka = config.endpoints.some((ep) =>
    [...ep.backends, ...(ep.shadows ?? [])].some((b) => b.pubsub?.target.driver === 'kafka'),
  )
  const compile = {
    config,
    client,
    metrics,
    logger,
    httpCaches: createHttpCaches(),
    revocations,
    discovery,
    amqp,
  }
  for (const cfg of config.endpoints) {
    const ep = compileEndpoint(cfg, compile)
    router.add(cfg.method, cfg.endpoint, { kind: 'endpoint', ep })
  }
  if (config.server.autoOptions) addOptionsRoutes(router, config.endpoints)
  const calls = createBackendCalls(config, client)
  const agents = createNodeAgents(
    config,
    (cfg, guardLogging) => compileEndpoint(cfg, { ...compile, guardLogging }),
    calls,
    logger,
  )
  const serviceHooks = compileServiceHooks(config, (message) => logger.error(message))
  const removeExtraSlash = config.server.removeExtraSlash
  const checkParams = !config.server.disablePathDecoding

  let draining = false
  const isDraining = () => draining
  const answers = createAnswers({
    config,
    logger,
    versionHeader,
    isDraining,
    recordUnmatched: metrics?.endpoint('', ''),
  })
  const { finish, unmatched, recover, endpointFailed } = answers
  const proxyNoop = createNoopProxy({
    client,
    calls,
    answers,
    logger,
    versionHeader,
    returnErrorMsg: config.server.returnErrorMsg,
    isDraining,
  })
  const serve = createServeEndpoint({
    config,
    trustedProxies,
    calls,
    proxyNoop,
    answers,
    logger,
    versionHeader,
  })

  const inFlight = createInFlight()
  const builtin = createBuiltinAnswers({
    config,
    logger,
    finish,
    inFlight,
    isDraining,
    started,
    agents,
    recover,
  })

  const route = (req: GatewayRequest, res: GatewayResponse) => {
    const start = monotonicMs()
    // gin routes before its middleware: a service-level Lua change of method or URL does not re-route
    const method = req.method ?? 'GET'
    const target = routedTarget(req)
    // components: security/cors wraps the server, before gin routes
    if (serviceHooks.server) {
      const reply = serviceHooks.server(req, res)
      if (reply) return finish(req, res, reply.status, reply.headers, reply.body, start, undefined)
    }
    const url = removeExtraSlash ? withCleanPath(target) : target
    // The router cleans the decoded path itself (gin cleans URL.Path, and redirects from it uncleaned).
    const found = router.match(method, target, forwardedPrefix(req))
    if (found.kind === 'dropped') {
      // gin panicked before any middleware: Go's server logs it and closes the connection unanswered.
      logger.error(`http: panic serving ${req.socket?.remoteAddress ?? ''}: ${found.reason}`)
      return abandonAnswer(res)
    }
    // gin redirects a near miss (trailing slash, case, dot segments) before any middleware runs
    if (found.kind === 'redirect') return unmatched(req, res, found, start)
    // lura's paramChecker is the engine's first middleware: it runs before the components' and on
    // a 404 or 405 too, reading the parameters gin's lookup collected before it missed
    if (checkParams) {
      const refused = paramCheckerRefusal(found, url)
      if (refused) {
        const record =
          found.kind === 'found' && found.store.kind === 'endpoint' ? found.store.ep.record : undefined
        // gin sets Allow before it runs the middleware on a path only other methods have
        const headers: Record<string, string> =
          found.kind === 'not-allowed'
            ? { Allow: found.allow, 'Content-Type': TEXT_TYPE }
            : { 'Content-Type': TEXT_TYPE }
        return finish(req, res, 400, headers, refused, start, record)
      }
    }
    // components: the engine's middleware (security headers, Lua, bot detector) may answer
    if (serviceHooks.engine) {
      const reply = serviceHooks.engine(req, res, found.params)
      const answer = (reply: Reply | undefined) => {
        if (!reply) return routed(req, res, found, target, url, start)
        // gin sets Allow before it runs the middleware on a path only other methods have (HEAD on
        // the health path too, a route of ours only after them)
        const allow = found.kind === 'not-found' ? undefined : found.allow
        const headers = allow === undefined ? reply.headers : { ...reply.headers, Allow: allow }
        return finish(req, res, reply.status, headers, reply.body, start, undefined)
      }
      // A promise only where a service-level Lua script waits for its HTTP calls.
      if (reply instanceof Promise) {
        reply.then(answer).catch((error: unknown) => {
          // A body a service-level script reads over router.max_payload (KrakenD CE reads it all).
          if (!(error instanceof HttpError) || res.headersSent) return recover(res, error)
          finish(req, res, error.status, refusalHeaders(req, {}), '', start, undefined)
          if (error.status === 413) closeAfterAnswer(req, res)
        })
        return
      }
      return answer(reply)
    }
    return routed(req, res, found, target, url, start)
  }

  /** The request once the engine's middleware let it through: gin's handler for the route. */
  const routed = (
    req: GatewayRequest,
    res: GatewayResponse,
    found: Exclude<RouteMatch<Handler>, { kind: 'dropped' | 'redirect' }>,
    target: string,
    url: string,
    start: number,
  ) => {
    if (found.kind !== 'found') return unmatched(req, res, found, start)
    const handler = found.store
    if (handler.kind === 'options') {
      const headers = { Allow: handler.allow, [KRAKEND_HEADER]: versionHeader }
      return finish(req, res, 200, headers, '', start, undefined)
    }
    if (handler.kind !== 'endpoint') return builtin(handler.kind, req, res, start)
    const ep = handler.ep
    const q = url.indexOf('?')
    if (ep.hasParams) {
      for (const key in found.params) {
        const value = found.params[key]
        // Deliberately stricter than KrakenD: `.`/`..` would climb the backend's path.
        if (value === '.' || value === '..')
          return finish(
            req,
            res,
            400,
            { 'Content-Type': TEXT_TYPE },
            'error: dot-segment url params',
            start,
            ep.record,
          )
      }
    }
    // lura reads the query of the request's URL as the handler finds it (a service-level Lua may set it)
    const rawQuery = req.url === target ? (q === -1 ? '' : url.slice(q + 1)) : urlQuery(req.url ?? '/')
    inFlight.enter()
    serve(ep, req, res, found.params, rawQuery, start).then(inFlight.leave, (error: unknown) => {
      inFlight.leave()
      endpointFailed(req, res, error, ep, start)
    })
  }

  /** Serves one request; an error nothing else caught ends that request only (see recover). */
  const handle = (req: GatewayRequest, res: GatewayResponse) => {
    try {
      route(req, res)
    } catch (error) {
      recover(res, error)
    }
  }

  return {
    config,
    startedAt,
    logger,
    metrics,
    revocations,
    agents,
    get draining() {
      return draining
    },
    get inFlight() {
      return inFlight.count
    },
    handle,
    drain() {
      if (!draining) logger.info('draining: /__health now answers 503')
      draining = true
      void agents?.stop()
    },
    idle: inFlight.idle,
    ready: () => Promise.all([discovery?.ready(), amqp?.ready()]).then(() => agents?.start()),
    async close(options = {}) {
      await agents?.stop()
      discovery?.close()
      await amqp?.close()
      if (usesKafka) await pubsubKafkaLibrary().closeKafkaClients()
      await client.close(options.force === true)
      logger.flush()
    },
  }
}

/**
 * router.auto_options (lura's registerOptionEndpoints): OPTIONS on every endpoint path answers 200
 * with no body and `Allow` listing the path's methods, sorted.
 */
function addOptionsRoutes(router: Router<Handler>, endpoints: EndpointConfig[]): void {
  const methods = new Map<string, string[]>()
  for (const ep of endpoints) methods.set(ep.endpoint, [...(methods.get(ep.endpoint) ?? []), ep.method])
  for (const [path, list] of methods)
    router.add('OPTIONS', path, { kind: 'options', allow: list.sort().join(', ') })
}

/** The first X-Forwarded-Prefix, as Go's Header.Get reads it (Node joins repeated ones with `, `). */
function forwardedPrefix(req: GatewayRequest): string | undefined {
  if (req.headers['x-forwarded-prefix'] === undefined) return undefined
  const raw = req.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2)
    if ((raw[i] as string).toLowerCase() === 'x-forwarded-prefix') return raw[i + 1] as string
  return undefined
}

/** gin's RemoveExtraSlash: the path part cleaned (`//`, `.`, `..`), the query kept as it is. */
function withCleanPath(url: string): string {
  const q = url.indexOf('?')
  return q === -1 ? cleanPath(url) : cleanPath(url.slice(0, q)) + url.slice(q)
}
