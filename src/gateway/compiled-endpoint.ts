/**
 * An endpoint of the config compiled once at startup into what the request path needs: its
 * backends' pools, url patterns, decoders and components, and the decisions made ahead of any
 * request (body, deadline, renderer, static data, shadows).
 */

import type { IncomingHttpHeaders } from 'node:http'
import type { AmqpCall, AmqpSessions } from './backend-amqp/sessions.ts'
import { chunksEmptyBody } from './backend-body-framing.ts'
import type { BackendClient } from './backend-client.ts'
import { hostHeaderFor, splitBackendHost } from './backend-host.ts'
import { compilePubsubCall, type PubsubCall } from './backend-pubsub/answer.ts'
import type { Cancellation } from './cancellation.ts'
import { compileGraphql, compileGraphqlQuery } from './components/graphql.ts'
import type { HttpCache, HttpCacheConfig } from './components/http-cache.ts'
import {
  type BackendGuard,
  compileBackendGuard,
  compileEndpointGuard,
  compileEndpointResponder,
  type EndpointGuard,
  type EndpointResponder,
} from './components/index.ts'
import { compileLuaBackend, type LuaBackend, type LuaTarget } from './components/lua-backend-calls.ts'
import type { RevocationFilter } from './components/revoker.ts'
import type {
  BackendConfig,
  EndpointConfig,
  FlatmapOp,
  GatewayConfig,
  StaticResponse,
  StaticStrategy,
} from './config/types.ts'
import { keepsGoFormText, runsLuaPost } from './go-form-endpoint.ts'
import { luraEndpointPath, luraPattern } from './go-http.ts'
import { GoFormKeeper } from './go-json-text.ts'
import { narrowQuery } from './go-url.ts'
import type { LambdaCall } from './lazy/lambda.ts'
import { lambdaLibrary } from './libraries.ts'
import type { Logger } from './logging.ts'
import type { GatewayMetrics } from './metrics.ts'
import { compileRenderer, type Rendered } from './output-render.ts'
import {
  compileBackendHeaderFilter,
  compileForwardRule,
  type ForwardRule,
  type HeaderValues,
} from './request-headers.ts'
import type { StreamedBody } from './request-stream.ts'
import type { SrvDiscovery } from './srv-discovery.ts'
import { compileDecoder, compileFormatter, type Data, type Decoder } from './transform.ts'
import type { Pool } from './undici.ts'
import { compilePattern, type PatternPart, sequentialInPath } from './url-pattern.ts'

export interface Failure {
  ok: false
  /** Backend HTTP status to pass through (return_error_code), else undefined. */
  code: number | undefined
  /** The error text KrakenD writes with return_error_msg (for return_error_code: the backend body). */
  message: string
  contentType?: string
}
export interface Success {
  ok: true
  data: Data
  complete: boolean
  /** The body of a discarded no-op answer, kept when sequential_propagated_params asks for it. */
  body?: string
  /** A discarded no-op answer's body, kept for a modifier/lua-backend post that may read it. */
  answerBytes?: Buffer
  /** Response headers a backend-level Lua post set (lura's Metadata.Headers). */
  headers?: Record<string, string[]>
  /** lura's Metadata.StatusCode where set: return_error_details' status, a backend Lua post's. */
  status?: number
}
export type BackendResult = Success | Failure

export interface CompiledBackend {
  cfg: BackendConfig
  /** Per host: scheme and authority as lura writes them (`http://LocalHost:80`). */
  origins: string[]
  /** Per host: the path disable_host_sanitize's host puts before the url_pattern ('' for others). */
  bases: string[]
  pools: Pool[]
  next: number
  parts: PatternPart[]
  plainPath: string | undefined
  /** The path holds sequential values: a re-escape keeps their encoded `/` (url-pattern.ts reescapePath). */
  keepsEncodedSlash: boolean
  /**
   * The client's Content-Length reaches this backend (endpoint and backend input_headers): lura
   * then gives Go's request that length, so a body goes out with it instead of chunked.
   */
  keepsContentLength: boolean
  /** Go's transport sends an empty body of unknown size chunked for this method (not GET, DELETE). */
  chunksEmptyBody: boolean
  decode: Decoder
  format: ((data: Data) => Data) | undefined
  record: ((status: number, seconds: number) => void) | undefined
  /** lura's `[METHOD {{.Pattern}}]:` error prefix. */
  errorPrefix: string
  /** encoding no-op on an endpoint that renders: the answer is read and dropped. */
  discards: boolean
  /** A discarded answer whose body a later backend receives (sequential_propagated_params `respN`). */
  keepsBody: boolean
  /** Backend components (circuit breaker, rate limit, CEL, martian); undefined when none. */
  guard: BackendGuard | undefined
  /** Backend-level input_headers / input_query_strings: this backend's share of the request. */
  narrow: ((ctx: Context) => Context) | undefined
  /** backend/graphql: the call as lura's GraphQL middleware makes it, from the params and body. */
  graphql: ReturnType<typeof compileGraphql> | undefined
  /**
   * backend/graphql GET: what lura adds to the request's shared query map, which later calls of a
   * sequential endpoint carry (not when the backend filters the query into a map of its own).
   */
  graphqlQuery: ReturnType<typeof compileGraphqlQuery>
  /** The method on the wire: backend/graphql's, else the backend's. */
  wireMethod: string
  /** backend/http/client send_body_on_redirect. */
  replaysBody: boolean
  /** qos/http-cache; undefined when the backend has none. */
  httpCache: CompiledHttpCache | undefined
  /** modifier/lua-backend around the call; undefined when none. */
  lua: LuaBackend | undefined
  /**
   * The call made in place of an HTTP one — backend/lambda's function, backend/amqp/*'s consumer or
   * producer, backend/pubsub/*'s topic or subscription —; undefined for HTTP backends.
   */
  instead: CallInstead | undefined
  /**
   * The endpoint only merges and renders JSON answers (see keepsGoFormText): a body already in Go's
   * encoding stays text (go-json-text.ts) instead of being decoded and written again.
   */
  keepsText?: GoFormKeeper
}

/** A backend of another kind than HTTP, called where lura's components wrap the HTTP call. */
export type CallInstead = LambdaCall | AmqpCall | PubsubCall

/** A backend's qos/http-cache and what Go's cache (above the transport) sees of its requests. */
export interface CompiledHttpCache {
  http: HttpCache
  /** Go's transport asks for gzip when the request carries no Accept-Encoding of the client's. */
  transportGzip: boolean
  /** The client's Accept-Encoding reaches this backend (endpoint and backend input_headers). */
  forwardsAcceptEncoding: boolean
  /** Backend input_headers without User-Agent: Go's transport then sends its own. */
  transportUserAgent: boolean
  /** lura reads the body of an answer with this status (an unread body is never stored). */
  reads(status: number): boolean
}

export interface CompiledEndpoint {
  cfg: EndpointConfig
  /** `[ENDPOINT: /path/:p]`: how lura's logs name the endpoint (its CleanPath + GetEndpointPath). */
  logPrefix: string
  backends: CompiledBackend[]
  /** proxy.shadow backends: called with the request in the background, for shadowTimeoutMs at most. */
  shadows: CompiledBackend[] | undefined
  shadowTimeoutMs: number
  render: (data: Data | undefined, accept?: string, configValues?: Data) => Rendered
  /** output_encoding negotiate: the renderer reads the request's Accept header. */
  negotiates: boolean
  forward: ForwardRule
  query: string[] | '*' | undefined
  hasParams: boolean
  /**
   * lura copies the request (CloneRequest) for each call: several backends, shadows or
   * concurrent_calls. A copied body is never http.NoBody, so a request without one sends each
   * backend an empty body of unknown size.
   */
  copiesBody: boolean
  /**
   * lura's merge copies the request only when a backend's method is neither GET nor HEAD
   * (hasUnsafeBackends); else every backend gets the client's request as it is, so one without a
   * body keeps http.NoBody and Go's transport may send the call again on a fresh connection.
   */
  mergesWithoutCopy: boolean
  /**
   * Every backend of a merge gets lura's shallow copy (no hasUnsafeBackends): one header map, so the
   * Content-Type a GraphQL backend sets reaches the calls after it on a sequential endpoint.
   */
  sharesHeaders: boolean
  deadlineMs: number
  cacheControl: string | undefined
  static: StaticResponse | undefined
  staticMatch: ((hasData: boolean, complete: boolean, failed: boolean) => boolean) | undefined
  flatmap: FlatmapOp[] | undefined
  record: ((status: number, seconds: number) => void) | undefined
  /** Endpoint components (bot detector, JWT, rate limit, CEL, JSON schema); undefined when none. */
  guard: EndpointGuard | undefined
  /** auth/signer: answers from the merged data instead of the renderer; undefined when none. */
  respond: EndpointResponder | undefined
}

/** What one client request hands its backend calls. */
export interface Context {
  params: Record<string, string | undefined>
  /** `JWT.<claim>` params the token lacks (see GuardContext). */
  absentParams?: Set<string>
  query: string
  headers: HeaderValues
  /**
   * The client's body, for every method: undefined where Go's server hands lura http.NoBody (an
   * HTTP/1 request with neither Transfer-Encoding nor a Content-Length above 0), else the bytes
   * read, maybe none.
   */
  body: Buffer | undefined
  /** The client's body sent to the one backend as it arrives (body is then undefined): see request-stream.ts. */
  streamed?: StreamedBody | undefined
  /** The client sent a Content-Length (and the endpoint forwards it): the body's size is known. */
  bodySized: boolean
  /**
   * The Content-Length lura gives Go's request once a Lua script replaced the body: Go's client
   * refuses to send a body of another length (see backend-calls.ts).
   */
  declaredLength?: number | undefined
  /** declaredLength is a GraphQL body's, left in the header map an earlier sequential call shared. */
  lengthShared?: boolean
  cancel: Cancellation
  /** The client's own headers (qos/http-cache tells the client's Accept-Encoding from Go's). */
  client: IncomingHttpHeaders
  /** The URL and method a modifier/lua-backend script set for this call. */
  target?: LuaTarget
  /**
   * The client's body where lura's merge hands every backend the one request (mergesWithoutCopy):
   * Go's client closes it once a call sent it. A later call's read then fails over HTTP/1 (Go's
   * server body: ErrBodyReadAfterClose), and over h2c finds the end (the stream was read to its end:
   * io.EOF), so that call goes without a body (`readsEmpty`).
   */
  sharedBody?: { sent: boolean; readsEmpty: boolean }
}

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
}

export function compileEndpoint(cfg: EndpointConfig, deps: CompileDeps): CompiledEndpoint {
  const { config, client, metrics, logger, httpCaches } = deps
  const logError = (message: string) => logger.error(message)
  const logInfo = (message: string) => logger.info(message)
  const forward = compileForwardRule(cfg.inputHeaders, config.server.disableCompression)
  const compileBackend = (b: BackendConfig, index: number, shadow: boolean): CompiledBackend => {
    const parts = compilePattern(b.urlPattern)
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
      // A shadow's answer is read and dropped, like a no-op backend's behind a rendering endpoint; but
      // a shadow's circuit breaker counts the call as lura's stack ends it (status handler, decoder).
      discards:
        b.encoding === 'no-op' ? shadow || !cfg.noop : shadow && b.components?.circuitBreaker === undefined,
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
  const guard = compileEndpointGuard(cfg, config, logError, logInfo, deps.revocations)
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
