/**
 * An endpoint of the config compiled once at startup into what the request path needs: its
 * backends' pools, url patterns, decoders and components, and the decisions made ahead of any
 * request (body, deadline, renderer, static data, shadows).
 */

import type { AmqpSessions } from './backend-amqp/sessions.ts'
import { chunksEmptyBody } from './backend-body-framing.ts'
import type { BackendClient } from './backend-client.ts'
import { hostHeaderFor, splitBackendHost } from './backend-host.ts'
import { compilePubsubCall } from './backend-pubsub/answer.ts'
import { lurasReads } from './backend-reads.ts'
import type {
  CompiledBackend,
  CompiledEndpoint,
  CompiledHttpCache,
  Context,
} from './compiled-endpoint-types.ts'
import { compileGraphql, compileGraphqlQuery } from './components/graphql.ts'
import type { HttpCache, HttpCacheConfig } from './components/http-cache.ts'
import { compileBackendGuard, compileEndpointGuard, compileEndpointResponder } from './components/index.ts'
import { compileLuaBackend } from './components/lua-backend-calls.ts'
import type { RevocationFilter } from './components/revoker.ts'
import type { GuardLogging } from './components/types.ts'
import type { BackendConfig, EndpointConfig, GatewayConfig, StaticStrategy } from './config/types.ts'
import { keepsGoFormText, runsLuaPost } from './go-form-endpoint.ts'
import { luraEndpointPath, luraPattern } from './go-http.ts'
import { GoFormKeeper } from './go-json-text.ts'
import { narrowQuery } from './go-url.ts'
import { lambdaLibrary } from './libraries.ts'
import type { Logger } from './logging.ts'
import type { GatewayMetrics } from './metrics.ts'
import { compileRenderer } from './output-render.ts'
import { compileBackendHeaderFilter, compileForwardRule, type ForwardRule } from './request-headers.ts'
import type { SrvDiscovery } from './srv-discovery.ts'
import { compileDecoder, compileFormatter } from './transform.ts'
import { compilePattern, sequentialInPath } from './url-pattern.ts'

export type {
  BackendResult,
  CallInstead,
  CompiledBackend,
  CompiledEndpoint,
  CompiledHttpCache,
  Context,
  Failure,
  Success,
} from './compiled-endpoint-types.ts'

const STATIC_MATCH: Record<
  StaticStrategy,
  (hasData: boolean, complete: boolean, failed: boolean) => boolean
> = {
  always: () => true,
  success: (_d, _c, failed) => !failed,
  errored: (_d, _c, failed) => failed,
  complete: (hasData, complete, failed) => !failed && hasData && complete,
  incomplete: (hasData, complete) => !hasData || !complete,
}

export interface CompileDeps {
  config: GatewayConfig
  client: BackendClient
  metrics: GatewayMetrics | undefined
  logger: Logger
  /** The process's qos/http-cache caches (one per backend, or the shared ones). */
  httpCaches: (cfg: HttpCacheConfig) => HttpCache
  /** The node's auth/revoker filter, when the service has one. */
  revocations: RevocationFilter | undefined
  /** Looks up the SRV records of `sd: "dns"` backends (present when the config has one). */
  discovery?: SrvDiscovery
  /** The broker sessions of AMQP backends (present when the config has one). */
  amqp?: AmqpSessions
  /** An async agent's pipe: how its guard's components log (an endpoint's otherwise). */
  guardLogging?: GuardLogging
}

export function compileEndpoint(cfg: EndpointConfig, deps: CompileDeps): CompiledEndpoint {
  const { config, client, metrics, logger, httpCaches } = deps
  const logError = (message: string) => logger.error(message)
  const logInfo = (message: string) => logger.info(message)
  const forward = compileForwardRule(cfg.inputHeaders, config.server.disableCompression)
  const compileBackend = (b: BackendConfig, index: number, shadow: boolean): CompiledBackend => {
    const parts = compilePattern(b.urlPattern)
    // A shadow's answer is read and dropped, like a no-op backend's behind a rendering endpoint; but
    // a shadow's circuit breaker counts the call as lura's stack ends it (status handler, decoder).
    const discards =
      b.encoding === 'no-op' ? shadow || !cfg.noop : shadow && b.components?.circuitBreaker === undefined
    const backend: CompiledBackend = {
      cfg: b,
      ...hostsCompiled(b.hosts, client),
      next: 0,
      parts,
      plainPath:
        parts.length === 1 && typeof parts[0] === 'string' ? parts[0] : parts.length === 0 ? '/' : undefined,
      keepsEncodedSlash: sequentialInPath(parts),
      keepsContentLength:
        b.components?.graphql !== undefined ||
        (forward.forwardsContentLength &&
          (b.inputHeaders.length === 0 || b.inputHeaders.some((h) => h.toLowerCase() === 'content-length'))),
      // The method that goes out decides (backend/graphql's may differ from the backend's).
      chunksEmptyBody: chunksEmptyBody(b.components?.graphql?.method ?? b.method),
      decode: compileDecoder(b.encoding, b.isCollection),
      format: compileFormatter(b),
      record: metrics?.backend(cfg.endpoint, b.urlPattern),
      errorPrefix: `[${b.methodAsWritten ?? b.method} ${luraPattern(b.urlPattern)}]:`,
      discards,
      // a discarded answer is read whole: a later backend may receive its body
      reads: discards ? undefined : lurasReads(b),
      keepsBody: !shadow && (cfg.propagated?.some((p) => p.index === index && p.path.length === 0) ?? false),
      guard: compileBackendGuard(b, cfg, (message) => logger.warning(message), logInfo, client.sideAgent),
      narrow: compileNarrowing(b, forward),
      graphql: b.components?.graphql && compileGraphql(b.components.graphql),
      graphqlQuery:
        b.components?.graphql && b.inputQueryStrings.length === 0
          ? compileGraphqlQuery(b.components.graphql)
          : undefined,
      wireMethod: b.components?.graphql?.method ?? b.method,
      replaysBody: b.components?.httpClient?.sendBodyOnRedirect === true,
      httpCache:
        b.components?.httpCache && compileHttpCache(b, b.components.httpCache, forward, shadow, cfg.noop),
      lua:
        b.components?.luaBackend &&
        compileLuaBackend(b.components.luaBackend, b.urlPattern, cfg, config, logError),
      instead:
        b.components?.lambda &&
        lambdaLibrary().compileLambdaCall(
          b.components.lambda,
          b.methodAsWritten ?? b.method,
          compileFormatter(b),
        ),
    }
    if (b.amqp) backend.instead = deps.amqp?.call(b, backend.decode, backend.format)
    if (b.pubsub) backend.instead = compilePubsubCall(b.pubsub, b, backend.decode, backend.format)
    // lura's dnssrv subscriber: the balancer's hosts follow each lookup that answers
    if (b.srv)
      deps.discovery?.watch(b.srv, (hosts) =>
        Object.assign(backend, hostsCompiled(hosts, client), { next: 0 }),
      )
    return backend
  }
  const compileHttpCache = (
    b: BackendConfig,
    cache: HttpCacheConfig,
    rule: ForwardRule,
    shadow: boolean,
    noopEndpoint: boolean,
  ): CompiledHttpCache => {
    const listed = (name: string) =>
      b.inputHeaders.length === 0 || b.inputHeaders.some((h) => h.toLowerCase() === name)
    const allStatuses = b.returnErrorCode || b.returnErrorDetails !== undefined
    return {
      http: httpCaches(cache),
      transportGzip: rule.transportGzip,
      forwardsAcceptEncoding: rule.forwardsAcceptEncoding && listed('accept-encoding'),
      transportUserAgent: b.inputHeaders.length > 0 && !listed('user-agent'),
      // lura's status handler reads an error body only for return_error_code/details; a no-op
      // answer is read where it is passed through (or its body kept for a later backend).
      reads:
        b.encoding === 'no-op'
          ? () => !shadow && noopEndpoint
          : allStatuses
            ? () => true
            : (status) => status === 200 || status === 201,
    }
  }
  const backends = cfg.backends.map((b, index) => compileBackend(b, index, false))
  // lura calls every shadow with the longest shadow timeout, from 0: at 0 or below the copies'
  // deadline is past before they are sent, so they are never sent (the request is copied all the same).
  const shadowTimeoutMs = Math.max(0, ...(cfg.shadows ?? []).map((b) => b.shadowTimeoutMs ?? 0))
  const shadows =
    shadowTimeoutMs > 0 ? cfg.shadows?.map((b, index) => compileBackend(b, index, true)) : undefined
  const guard = compileEndpointGuard(cfg, config, logError, logInfo, deps.revocations, deps.guardLogging)
  const ep: CompiledEndpoint = {
    cfg,
    logPrefix: `[ENDPOINT: ${luraEndpointPath(cfg.endpoint)}]`,
    guard,
    respond: compileEndpointResponder(cfg, logError),
    backends,
    shadows,
    shadowTimeoutMs,
    render: compileRenderer(cfg.outputEncoding, runsLuaPost(cfg)),
    negotiates: cfg.outputEncoding === 'negotiate',
    forward,
    query: cfg.inputQueryStrings.includes('*')
      ? '*'
      : cfg.inputQueryStrings.length > 0
        ? cfg.inputQueryStrings
        : undefined,
    hasParams: cfg.endpoint.includes('{'),
    copiesBody: backends.length > 1 || cfg.shadows !== undefined || cfg.concurrentCalls > 1,
    sharesHeaders:
      backends.length > 1 &&
      cfg.backends.every((b) => b.method.toUpperCase() === 'GET' || b.method.toUpperCase() === 'HEAD'),
    mergesWithoutCopy:
      backends.length > 1 &&
      cfg.shadows === undefined &&
      cfg.concurrentCalls <= 1 &&
      cfg.backends.every((b) => b.method.toUpperCase() === 'GET' || b.method.toUpperCase() === 'HEAD'),
    deadlineMs: backends.length > 1 ? Math.floor(cfg.timeoutMs * 0.85) : cfg.timeoutMs,
    // lura: any non-zero TTL sends it, max-age in whole seconds (500ms: max-age=0).
    cacheControl: cfg.cacheTtlMs !== 0 ? `public, max-age=${Math.trunc(cfg.cacheTtlMs / 1000)}` : undefined,
    static: cfg.static,
    staticMatch: cfg.static ? STATIC_MATCH[cfg.static.strategy] : undefined,
    flatmap: backends.length > 1 ? cfg.flatmap : undefined,
    record: metrics?.endpoint(cfg.endpoint, cfg.method),
  }
  if (keepsGoFormText(ep)) for (const backend of backends) backend.keepsText = new GoFormKeeper()
  return ep
}

/** lura's backend-level input_headers / input_query_strings, applied after the endpoint's; undefined when unset. */
function compileNarrowing(b: BackendConfig, forward: ForwardRule): ((ctx: Context) => Context) | undefined {
  const headers = b.inputHeaders.length > 0 ? compileBackendHeaderFilter(b.inputHeaders, forward) : undefined
  const query = b.inputQueryStrings.length > 0 ? b.inputQueryStrings : undefined
  if (!headers && !query) return undefined
  return (ctx) => ({
    ...ctx,
    headers: headers ? headers(ctx.headers) : ctx.headers,
    query: query && ctx.query !== '' ? narrowQuery(query, ctx.query) : ctx.query,
  })
}

/** The hosts' origins and base paths, and their pools (TLS names the URL's host where Go's Host header differs). */
function hostsCompiled(
  hosts: string[],
  client: BackendClient,
): Pick<CompiledBackend, 'origins' | 'bases' | 'pools'> {
  const split = hosts.map(splitBackendHost)
  return {
    origins: split.map((h) => h.origin),
    bases: split.map((h) => h.base),
    pools: split.map(({ origin }) =>
      origin.startsWith('https:') && hostHeaderFor(origin) !== undefined
        ? client.urlSniPool(origin)
        : client.poolFor(origin),
    ),
  }
}
