import type { SecureVersion } from 'node:tls'
import type { Location } from '../../core/errors.ts'
import type { AsyncAgentConfig } from '../async-agent/config.ts'
import type { AmqpBackend } from '../backend-amqp/config.ts'
import type { PubsubConfig } from '../backend-pubsub/config.ts'
import type { BackendComponents, EndpointComponents, ServiceComponents } from '../components/index.ts'
import type { FlatmapOp } from '../flatmap.ts'
import type { PropagatedParam } from '../sequential-params.ts'

export type { FlatmapOp }

export type BackendEncoding = 'json' | 'safejson' | 'string' | 'no-op' | 'xml' | 'rss'
export type OutputEncoding = 'json' | 'json-collection' | 'string' | 'no-op' | 'xml' | 'yaml' | 'negotiate'
export type LogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL'
export type LogFormat = 'default' | 'json'

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const
export type HttpMethod = (typeof HTTP_METHODS)[number]

/** Whether KrakenD's router serves an endpoint of this method (upper case); it logs "Unsupported method" for others. */
export const isServedMethod = (method: string): method is HttpMethod =>
  (HTTP_METHODS as readonly string[]).includes(method)

/** A backend after validation: defaults applied, hosts as lura builds URLs from them. */
export interface BackendConfig {
  urlPattern: string
  /** Hosts as lura builds the URL from them (`http://LocalHost:80`; a base path with disable_host_sanitize), round-robin. */
  hosts: string[]
  /** `sd: "dns"`: the hosts are the instances of this SRV name, looked up at start and every dns_cache_ttl (hosts is empty). */
  srv?: { name: string; scheme: string }
  /** The method Go's client sends (title-cased as lura does): any HTTP token but CONNECT. */
  method: string
  /** The method as written where it differs (`get`): lura's error prefix and Lua's r:method() show it. */
  methodAsWritten?: string
  encoding: BackendEncoding
  group?: string
  target?: string
  allow?: string[]
  deny?: string[]
  mapping?: Record<string, string>
  isCollection: boolean
  /** Backend-level input_headers (lura's filter after the endpoint's): only these reach it; [] = no filter. */
  inputHeaders: string[]
  /** Backend-level input_query_strings, the same for the query; [] = no filter. */
  inputQueryStrings: string[]
  returnErrorCode: boolean
  /** Alias for `error_<alias>` in the body (backend/http.return_error_details). */
  returnErrorDetails?: string
  /** proxy.flatmap_filter: replaces allow/deny/mapping (target and group still apply). */
  flatmap?: FlatmapOp[]
  /** proxy.shadow: called with a copy of the request for this long, its answer ignored. */
  shadowTimeoutMs?: number
  /** JSON path of this backend in the config, e.g. `endpoints[2].backend[0]`. */
  path: string
  /** KrakenD components configured on this backend (src/gateway/components). */
  components?: BackendComponents
  /** backend/amqp/consumer or producer: the broker and what to do there, in place of HTTP calls. */
  amqp?: AmqpBackend
  /** backend/pubsub/publisher or subscriber: the topic or subscription, in place of HTTP calls. */
  pubsub?: PubsubConfig
}

export interface EndpointConfig {
  endpoint: string
  method: HttpMethod
  backends: BackendConfig[]
  /** Shadow backends (proxy.shadow), not among `backends`: called in the background, never answered from. */
  shadows?: BackendConfig[]
  inputHeaders: string[]
  inputQueryStrings: string[]
  outputEncoding: OutputEncoding
  concurrentCalls: number
  timeoutMs: number
  /** `cache_ttl` (0: no Cache-Control). */
  cacheTtlMs: number
  sequential: boolean
  /** proxy.sequential_propagated_params, parsed (sequential endpoints only). */
  propagated?: PropagatedParam[]
  /** True when the endpoint passes a single backend's response through unchanged. */
  noop: boolean
  /** proxy.static: data merged into the response when the strategy matches. */
  static?: StaticResponse
  /** Endpoint-level proxy.flatmap_filter, applied after merging several backends. */
  flatmap?: FlatmapOp[]
  path: string
  /** KrakenD components configured on this endpoint (src/gateway/components). */
  components?: EndpointComponents
}

export type StaticStrategy = 'always' | 'success' | 'complete' | 'errored' | 'incomplete'
export const STATIC_STRATEGIES: readonly StaticStrategy[] = [
  'always',
  'success',
  'complete',
  'errored',
  'incomplete',
]

export interface StaticResponse {
  strategy: StaticStrategy
  data: Record<string, unknown>
}

export interface RuntimeOptions {
  /** Worker processes; 0 = one per core. */
  workers: number
  drainGraceMs: number
  drainTimeoutMs: number
  /** 0 = no metrics listener. */
  metricsPort: number
  /** Where metrics listen; undefined follows the gateway's own listen IP. */
  metricsListenIp: string | undefined
  /** Where auth/revoker's Go net/rpc listens; undefined follows the gateway's own listen IP. */
  revokerListenIp: string | undefined
}

export interface ServerOptions {
  readHeaderTimeoutMs: number
  readTimeoutMs: number
  writeTimeoutMs: number
  /** idle_timeout as written (0: none): bounds an h2c session without streams. */
  idleTimeoutMs: number
  /** HTTP/1.1 keep-alive idle bound, Go's idleTimeout(): idle_timeout, or read_timeout when it is 0. */
  keepAliveTimeoutMs: number
  maxHeaderBytes: number
  /** router.max_payload for a body read whole first; 10 MiB when unset. */
  maxBodyBytes: number
  /** router.max_payload for a body streamed to its backend; no bound when unset. */
  streamedBodyBytes: number
  maxBackendBodyBytes: number
  returnErrorMsg: boolean
  disableAccessLog: boolean
  healthPath: string
  /** router.disable_health: no health endpoint at all (lura registers none). */
  disableHealth: boolean
  /** router.auto_options: every endpoint path answers OPTIONS with its methods in Allow. */
  autoOptions: boolean
  /** gin's RemoveExtraSlash: the path is cleaned (`//`, `.`, `..`) before routing. */
  removeExtraSlash: boolean
  /** router.disable_path_decoding: lura leaves out its paramChecker (parameters that decode further pass). */
  disablePathDecoding: boolean
  /** gin's AppEngine: a non-empty X-Appengine-Remote-Addr header is the client IP. */
  appEngine: boolean
  /** disable_compression: backends are not asked for gzip (Go's transport option). */
  disableCompression: boolean
  /** router.logger_skip_paths: request paths the access log leaves out. */
  loggerSkipPaths: string[]
  /** gin's RedirectTrailingSlash (router.disable_redirect_trailing_slash turns it off). */
  redirectTrailingSlash: boolean
  /** gin's RedirectFixedPath: case-insensitive and cleaned-path redirects. */
  redirectFixedPath: boolean
  /** gin's HandleMethodNotAllowed: 405 with Allow instead of 404. */
  handleMethodNotAllowed: boolean
  /** router.hide_version_header: X-KRAKEND says "Version undefined". */
  hideVersionHeader: boolean
  /** gin's ForwardedByClientIP: X-Forwarded-For sent to backends comes from remoteIpHeaders. */
  forwardedByClientIp: boolean
  /** Lower-case header names read for the client IP, in order. */
  remoteIpHeaders: string[]
  /** router.trusted_proxies (IPs or CIDRs); undefined = every proxy trusted (gin's default). */
  trustedProxies?: string[]
  /** router.error_body: JSON bodies for the router's own 404 and 405. */
  errorBody404?: unknown
  errorBody405?: unknown
}

/**
 * lura's service-level backend transport (Go's http.Transport and net.Dialer), the settings this
 * runtime applies. 0 is Go's zero value: unset.
 */
export interface TransportOptions {
  /** disable_keep_alives: a new connection per backend request, sent with `Connection: close`. */
  disableKeepAlives: boolean
  /** response_header_timeout: the wait for a backend's headers once the request is written. */
  responseHeaderTimeoutMs: number
  /** idle_connection_timeout: how long an idle backend connection is kept; 0 = unset (30 s here, see backend-transport.ts). */
  idleConnectionTimeoutMs: number
  /** dialer_timeout: the connect timeout; 0 = unset (the service timeout, at least 1 s); below 0: every dial fails at once. */
  dialerTimeoutMs: number
  /** dialer_keep_alive: TCP keep-alive probe period; 0 = Go's default (15 s). */
  dialerKeepAliveMs: number
  /** dialer_fallback_delay: Happy Eyeballs delay before trying the other address family; 0 = Go's 300 ms. */
  dialerFallbackDelayMs: number
  /** dns_cache_ttl: how often `sd: "dns"` backends look their SRV records up again; below 1 s lura's 30 s. */
  dnsCacheTtlMs: number
}

/** lura's client_tls, read (config/client-tls.ts): Node's names for Go's settings, files not yet read. */
export interface ClientTlsOptions {
  /** allow_insecure_connections (either place): any server certificate is taken. */
  insecure: boolean
  /** PEM files added to the pool. */
  caCerts: string[]
  disableSystemCaPool: boolean
  minVersion: SecureVersion
  maxVersion: SecureVersion
  /** OpenSSL group names, in preference order. */
  curves: string[]
  /** OpenSSL names of the TLS 1.2 suites (TLS 1.3's are always on, as in Go). */
  ciphers: string[]
  clientCerts: Array<{ certificate: string; privateKey: string }>
}

export interface LoggingOptions {
  level: LogLevel
  format: LogFormat
  prefix: string
}

export interface GatewayConfig {
  version: 3
  name: string
  port: number
  listenIp: string
  timeoutMs: number
  /** `cache_ttl` (0: no Cache-Control). */
  cacheTtlMs: number
  /** The service's output_encoding as written: endpoints resolve a name KrakenD has no render for. */
  outputEncoding: string
  endpoints: EndpointConfig[]
  /** debug_endpoint: /__debug/ answers {"message":"pong"} (KrakenD's `run -d`). */
  debugEndpoint: boolean
  /** echo_endpoint: /__echo/ reflects the request. */
  echoEndpoint: boolean
  server: ServerOptions
  runtime: RuntimeOptions
  transport: TransportOptions
  /** client_tls: undefined when the config sets none (Go's default TLS). */
  clientTls?: ClientTlsOptions | undefined
  logging: LoggingOptions
  /** Source file, when loaded from one. */
  file?: string
  /** KrakenD components configured at service level (src/gateway/components). */
  components?: ServiceComponents
  /** async_agent: krakend-amqp's agents (src/gateway/async-agent); absent when there is none. */
  asyncAgents?: AsyncAgentConfig[]
}

export type Locate = (path: ReadonlyArray<string | number>) => Location
