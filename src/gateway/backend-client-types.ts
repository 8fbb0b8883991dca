// The backend client's data: a call (BackendRequest), its answers (streamed, buffered), the hops of
// its redirects, and the client's interface (backend-client.ts builds it).
import type { LookupFunction } from 'node:net'
import type { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import type { HopCache } from './backend-cache.ts'
import type { BodyRead, BodyReads } from './backend-collect.ts'
import type { HopAuthorization } from './backend-hop-authorization.ts'
import type { Redirected } from './backend-redirects.ts'
import type { BackendTls } from './backend-tls.ts'
import type { Cancellation } from './cancellation.ts'
import type { Commit } from './components/http-cache.ts'
import type { TransportOptions } from './config/types.ts'
import type { Environ } from './proxy-environment.ts'
import type { HeaderValues } from './request-headers.ts'
import type { StreamedBody } from './request-stream.ts'
import type { Agent, Pool } from './undici.ts'

export interface BackendRequest {
  origin: string
  pool: Pool
  /** Path and query. */
  path: string
  method: string
  headers: HeaderValues
  /**
   * Undefined: no body (Go's http.NoBody). A Buffer, even an empty one, is a body to send; a
   * StreamedBody is the client's, sent as it arrives.
   */
  body: Buffer | StreamedBody | undefined
  /** Send a body without Content-Length (chunked), as Go does for a body of unknown size. */
  chunked: boolean
  /** An empty body goes out chunked (`0\r\n\r\n`): see chunksEmptyBody. */
  chunksEmptyBody: boolean
  cancel: Cancellation
  timeoutMs: number
  /** backend/http/client send_body_on_redirect: a 307/308 sends the body again. */
  replaysBody?: boolean
  /** martian's body.Modifier set the body (with its own length): lura's Content-Length is not sent. */
  bodyReplaced?: boolean
  /** qos/http-cache: every hop of the call goes through it. */
  cache?: HopCache | undefined
  /** Go's transport may ask for gzip (no `disable_compression`): see transportAsksGzip. */
  transportGzip?: boolean
  /**
   * A buffered call whose gzip Go's transport asked for (not a client's forwarded Accept-Encoding):
   * it undoes a gzip answer (any status, `GZIP` too); otherwise only lura's parser does (a 200/201
   * whose Content-Encoding is exactly `gzip`).
   */
  gzipByTransport?: boolean
  /** modifier/martian: the header map's Host port.Modifier wrote (never sent; martian reads it). */
  mapHost?: string
  /** Set by the client when the call followed redirects (martian's answer side reads the last hop). */
  redirected?: Redirected
  /**
   * lura's URL fragment (a `#` in the url_pattern), never sent: Go's url.Error names the URL with it,
   * and martian's answer side reads it in res.Request.URL.
   */
  fragment?: () => string
  /** How much of each answer the buffered path reads (backend-reads.ts); the whole body when unset. */
  reads?: BodyReads | undefined
  /**
   * auth/client-credentials: x/oauth2's Transport sits below Go's client, so every redirect hop asks
   * for a valid token (fetching one when needed) and carries it (not to another host: see call).
   */
  authorizeHop?: () => Promise<HopAuthorization>
}

export interface BackendAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: BackendBody
  /** The URL that answered (after redirects), as undici wrote it: one character per byte (see wireText). */
  url: string
}

export type BackendBody = Readable & { dump(options?: { limit?: number }): Promise<unknown> }

export interface BackendClientOptions {
  /** Open connections per backend origin; null: no limit (Go's MaxConnsPerHost 0). */
  connectionsPerHost: number | null
  /** The service timeout: the connect timeout when dialer_timeout is not set. */
  serviceTimeoutMs: number
  transport: TransportOptions
  /** Where HTTP_PROXY / HTTPS_PROXY / NO_PROXY are read (once): the process's environment unless given. */
  environ?: Environ | undefined
  /** The TLS of https backends (client_tls); Go's defaults when not given. */
  tls?: BackendTls | undefined
  /** How host names are resolved for dialling (SRV discovery's rooted targets); getaddrinfo unless given. */
  lookup?: LookupFunction | undefined
}

/** A whole answer, read into memory (and gunzipped when the backend compressed it). */
export interface BufferedAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  /** Empty when the caller said it discards the body. */
  bytes: Buffer
  /** As BackendAnswer's. */
  url: string
}

export interface BackendClient {
  poolFor(origin: string): Pool
  /**
   * The pool of an https origin for requests with a Host header of their own: TLS names the
   * origin's host (Go's SNI), where undici would name the Host header's.
   */
  urlSniPool(origin: string): Pool
  /** The answer with its body as a stream (for passing it through). */
  request(req: BackendRequest): Promise<BackendAnswer>
  /** The answer with its body read, up to `limit` bytes after decompression; `keep: false` drops it. */
  requestBuffered(req: BackendRequest, limit: number, keep?: boolean): Promise<BufferedAnswer>
  /** For calls Go's transport makes besides backend calls (OAuth2 tokens): same TLS and proxies, undici's heads. */
  sideAgent(): Agent
  close(force: boolean): Promise<void>
}

/** One hop of a call: what the redirect logic needs of an answer, and how to drop it. */
export interface Hop<T> {
  statusCode: number
  headers: Record<string, string | string[] | undefined>
  answer: T
  /** A promise where qos/http-cache stores what it read of a redirect's body (awaited before the next hop). */
  discard(): void | Promise<void>
  /** qos/http-cache: stores the answer once its body is read (decompressed where Go's transport did). */
  commit?: Commit | undefined
  /** The status line's reason phrase as the backend wrote it (qos/http-cache counts it). */
  reason?: string | undefined
  /** The body was read only as far as lura reads it (BodyRead), not to its end. */
  partial?: true
  /**
   * Of a partial answer, the bytes Go's JSON decoder had read when lura closed the body: what
   * qos/http-cache stores (its reader stores what was read on Close). Absent: nothing is stored.
   */
  read?: Buffer
  /** A whole gzip body already decompressed as it came (backend-collect.ts): not gunzipped again. */
  decoded?: Buffer
  /** How much of it lura's decoder reads (the buffered path's BodyRead). */
  bodyRead?: BodyRead | undefined
}

export type Send<T> = (hop: HopRequest, req: BackendRequest) => Promise<Hop<T>>

export interface HopRequest {
  /** A pool, the redirect agent, or (retrying a stale connection) one pooled connection. */
  dispatcher: Dispatcher
  origin: string
  path: string
  method: string
  headers: HeaderValues
  body: Buffer | StreamedBody | undefined
}
