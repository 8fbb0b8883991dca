/**
 * What an endpoint of the config compiles into (compiled-endpoint.ts), and what one request hands its
 * backend calls: the types the request path, the backend calls and the agents' pipes share.
 */

import type { IncomingHttpHeaders } from 'node:http'
import type { AmqpCall } from './backend-amqp/sessions.ts'
import type { BodyRead } from './backend-collect.ts'
import type { PubsubCall } from './backend-pubsub/answer.ts'
import type { Cancellation } from './cancellation.ts'
import type { compileGraphql, compileGraphqlQuery } from './components/graphql.ts'
import type { HttpCache } from './components/http-cache.ts'
import type { BackendGuard, EndpointGuard, EndpointResponder } from './components/index.ts'
import type { LuaBackend, LuaTarget } from './components/lua-backend-calls.ts'
import type { BackendConfig, EndpointConfig, FlatmapOp, StaticResponse } from './config/types.ts'
import type { GoFormKeeper } from './go-json-text.ts'
import type { LambdaCall } from './lazy/lambda.ts'
import type { Rendered } from './output-render.ts'
import type { ForwardRule, HeaderValues } from './request-headers.ts'
import type { StreamedBody } from './request-stream.ts'
import type { Data, Decoder } from './transform.ts'
import type { Pool } from './undici.ts'
import type { PatternPart } from './url-pattern.ts'

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
  /** How much of an answer lura's decoder or status handler reads, by status; undefined: all (discards). */
  reads: ((status: number) => BodyRead) | undefined
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
