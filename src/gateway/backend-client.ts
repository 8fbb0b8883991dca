// Backend HTTP calls as KrakenD's Go http.Client makes them: connection pools per origin,
// redirects followed like Go (301/302/303 turn into GET without a body, 307/308 keep both, at
// most 10: backend-redirects.ts), gzip answers decompressed, and errors worded like Go's url.Error.

import { isIP, type Socket } from 'node:net'
import { chunksOf, probed } from './backend-body-framing.ts'
import { cachedBuffer, cachedStream, committingBody, throughCache } from './backend-cache.ts'
import { BackendCallError } from './backend-call-error.ts'
import type {
  BackendAnswer,
  BackendBody,
  BackendClient,
  BackendClientOptions,
  BackendRequest,
  Hop,
  HopRequest,
  Send,
} from './backend-client-types.ts'
import { CollectingHandler, REDIRECT_SLURP } from './backend-collect.ts'
import { readingAnswerHeads, switchedStatus } from './backend-continue.ts'
import { readingPastWriteFailure } from './backend-early-answer.ts'
import { BodyReadError, undoGzip } from './backend-gzip.ts'
import { authorizing } from './backend-hop-authorization.ts'
import { finishingPausedAnswers } from './backend-paused-end.ts'
import { type CallAt, followAllRedirects, isRedirect } from './backend-redirects.ts'
import { backendTls } from './backend-tls.ts'
import { connectOptions, headersTimeout, pastDeadlineDial, poolOptions } from './backend-transport.ts'
import { wireHeaders } from './backend-wire-headers.ts'
import type { CachedAnswer, Commit } from './components/http-cache.ts'
import { fixPragmaCacheControl, goOp, goReason, trimHeaderValues } from './go-http.ts'
import { GoPanic } from './go-panic.ts'
import { goQuoteBytes } from './go-quote.ts'
import {
  asGoWritesClosingHeads,
  asGoWritesHeads,
  EMPTY_CHUNKED_MARK,
  TARGET_SPACE,
} from './go-request-head.ts'
import { goVerifiedConnector } from './go-tls.ts'
import { goFragment } from './go-url-resolve.ts'
import { onFirstUse } from './libraries.ts'
import { throughEnvironmentProxy } from './proxy-connector.ts'
import { StreamedBody } from './request-stream.ts'
import { closedBeforeAnswer, replayable, watchReuse } from './stale-connection.ts'
import { Agent, asGoPool, buildConnector, idleConnection, Pool, requestOn } from './undici.ts'

export type {
  BackendAnswer,
  BackendBody,
  BackendClient,
  BackendClientOptions,
  BackendRequest,
  BufferedAnswer,
  Hop,
  HopRequest,
  Send,
} from './backend-client-types.ts'
// the gzip helpers and the client's types other modules take from here
export { BodyReadError, goHasBody, gunzipFirstJsonValue, isGzip } from './backend-gzip.ts'

const EMPTY = Buffer.alloc(0)
const ignore = () => {}

export const DEADLINE_EXCEEDED = 'context deadline exceeded'
/** Go's http.Transport error when ResponseHeaderTimeout expires. */
export const AWAITING_HEADERS = 'net/http: timeout awaiting response headers'
/** Go's http.Transport default limit on a response's headers (KrakenD sets none of its own). */
export const MAX_RESPONSE_HEADER_BYTES = 10 * 1024 * 1024
export function createBackendClient(options: BackendClientOptions): BackendClient {
  const { transport } = options
  const tls = options.tls ?? backendTls(undefined)
  const connectOpts = connectOptions(transport, options.serviceTimeoutMs)
  const dialOpts = options.lookup ? { ...connectOpts, lookup: options.lookup } : connectOpts
  const plain = buildConnector(dialOpts)
  const secure = onFirstUse(() => buildConnector({ ...dialOpts, ...tls.connect() }))
  const direct: buildConnector.connector =
    transport.dialerTimeoutMs < 0
      ? pastDeadlineDial
      : (opts, callback) =>
          opts.protocol === 'https:'
            ? secure()(
                opts.hostname.endsWith('.') ? { ...opts, servername: goServerName(opts.hostname) } : opts,
                callback,
              )
            : plain(opts, callback)
  const base = throughEnvironmentProxy(
    goVerifiedConnector(direct, tls.insecure, tls.roots),
    options.environ ?? process.env,
  )
  const asGoWrites = transport.disableKeepAlives ? asGoWritesClosingHeads : asGoWritesHeads
  const connect: buildConnector.connector = (opts, callback) =>
    base(opts, (error, socket) => {
      if (error) callback(error, null)
      else {
        const reuse = watchReuse(socket as Socket)
        const answerHead = readingAnswerHeads(socket as Socket)
        readingPastWriteFailure(socket as Socket)
        finishingPausedAnswers(socket as Socket)
        callback(
          null,
          asGoWrites(socket as Socket, () => {
            reuse()
            answerHead()
          }),
        )
      }
    })
  const { connections, ...perConnection } = poolOptions(transport, options.connectionsPerHost)
  const pools = new Map<string, Pool>()
  let redirectAgent: Agent | undefined
  let sideAgentMade: Agent | undefined
  /** Redirects to another origin share one agent, made on first use. */
  const otherOrigins = (): Agent => {
    if (!redirectAgent)
      redirectAgent = new Agent({ connect, ...perConnection, maxHeaderSize: MAX_RESPONSE_HEADER_BYTES })
    return redirectAgent
  }

  /** Go's SNI: the URL's host name, whatever the Host header says. */
  const urlSniConnect: buildConnector.connector = (opts, callback) =>
    connect({ ...opts, servername: goServerName(opts.hostname) }, callback)

  const pooled = (origin: string, urlSni: boolean): Pool => {
    const key = urlSni ? `sni ${origin}` : origin
    let pool = pools.get(key)
    if (!pool) {
      pool = asGoPool(
        new Pool(origin, {
          connections,
          ...perConnection,
          maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
          connect: urlSni ? urlSniConnect : connect,
        }),
      )
      pools.set(key, pool)
    }
    return pool
  }

  // undici closes a connection after a GET (HEAD, OPTIONS...) that carried a body; Go's client
  // keeps it, as for any other call.
  const reset = transport.disableKeepAlives ? undefined : false
  const dispatchOptions = (hop: HopRequest, req: BackendRequest) => {
    const body = hop.body
    // An iterable body has no known length: undici sends it chunked, like Go's http.Client
    // does for a request body that is not a bytes buffer.
    // (undici's types omit iterables; its runtime takes them.)
    const payload =
      body instanceof StreamedBody
        ? ((req.chunked ? probed(body, hop.method) : body) as unknown as Buffer)
        : body === undefined || body.length === 0
          ? undefined
          : req.chunked
            ? (chunksOf(body, hop.method) as unknown as Buffer)
            : body
    const markEmpty = Buffer.isBuffer(body) && body.length === 0 && req.chunksEmptyBody
    const lines = wireHeaders(hop, req)
    // A streamed body's length is the client's (Go's transport sends Request.ContentLength).
    if (body instanceof StreamedBody && !req.chunked && body.declaredLength !== undefined)
      lines.push('content-length', String(body.declaredLength))
    return {
      origin: hop.origin,
      path: hop.path.includes(' ') ? hop.path.replaceAll(' ', TARGET_SPACE) : hop.path,
      method: hop.method as 'GET',
      headers: (markEmpty ? [EMPTY_CHUNKED_MARK, '1', ...lines] : lines) as string[],
      body: payload,
      headersTimeout: headersTimeout(transport, req.timeoutMs),
      bodyTimeout: req.timeoutMs,
      reset,
    }
  }

  const streamed = async (hop: HopRequest, req: BackendRequest): Promise<Hop<BackendAnswer['body']>> => {
    const response = await requestOn(hop.dispatcher, {
      ...dispatchOptions(hop, req),
      signal: req.cancel.signal,
    })
    const body = response.body as BackendBody
    trimHeaderValues(response.headers)
    fixPragmaCacheControl(response.headers)
    return {
      statusCode: switchedStatus(response.statusCode, response.headers),
      reason: response.statusText,
      headers: response.headers,
      answer: body,
      // Go's client reads up to 2 KB of a redirect's body before it follows (none when its length says more)
      discard: () => body.dump({ limit: REDIRECT_SLURP }).then(ignore, ignore),
    }
  }

  const buffered =
    (limit: number, keep: boolean) =>
    (hop: HopRequest, req: BackendRequest): Promise<Hop<Buffer>> =>
      new Promise((resolve, reject) => {
        hop.dispatcher.dispatch(
          dispatchOptions(hop, req),
          new CollectingHandler(req.cancel, keep ? limit : -1, req.reads, (error, result) => {
            if (error || !result) reject(error)
            else resolve({ ...result, discard: () => {} })
          }),
        )
      })

  /** Calls, then follows redirects like Go's http.Client; errors worded like Go's url.Error. */
  const call = async <T>(
    req: BackendRequest,
    direct: Send<T>,
    cached: (answer: CachedAnswer, commit: Commit | undefined) => Hop<T>,
  ): Promise<{ hop: Hop<T>; url: string }> => {
    // Go sends a replayable call again when the backend closed its reused connection before
    // answering; the endpoint's deadline (r.cancel) bounds the attempts together. That is the
    // transport's doing, below qos/http-cache (which sees only the last attempt's outcome).
    // Each attempt goes to another open idle connection, as Go's getConn takes one, and a new one
    // only when none is left: each retry costs a reused connection, so there is no other bound.
    const retrying: Send<T> = async (hop, r) => {
      let attempt = hop
      for (;;) {
        try {
          return await direct(attempt, r)
        } catch (error) {
          const again =
            !r.cancel.aborted &&
            closedBeforeAnswer(error) &&
            replayable(hop.method, hop.body !== undefined && !r.replaysBody, hop.headers)
          if (!again) throw error
          const idle = hop.dispatcher instanceof Pool ? idleConnection(hop.dispatcher) : undefined
          attempt = idle ? { ...hop, dispatcher: idle } : hop
        }
      }
    }
    // Made only for a redirect: most calls have none (this is every request's path).
    let at: CallAt | undefined
    const first = req.origin + req.path
    // auth/client-credentials: x/oauth2's Transport sits below qos/http-cache (a cached answer asks
    // for no token) and Go's client (every hop of a redirect asks for one).
    const transport: Send<T> = req.authorizeHop
      ? authorizing(
          req.authorizeHop,
          retrying,
          () => `${goOp(req.method)} ${goQuoteBytes(at?.errorUrl ?? goErrorUrl(req))}`,
        )
      : retrying
    const send: Send<T> = req.cache ? (hop, r) => throughCache(hop, r, transport, cached) : transport
    // Go sends an empty body of unknown size chunked for a POST: an empty stream is told apart
    // before the head goes out (undici would write `Content-Length: 0`).
    if (req.body instanceof StreamedBody && req.chunked && req.chunksEmptyBody && (await req.body.isEmpty()))
      req.body = EMPTY
    const hop: HopRequest = {
      dispatcher: req.pool,
      origin: req.origin,
      path: req.path,
      method: req.method,
      headers: req.headers,
      body: req.body,
    }
    try {
      let response = await send(hop, req)
      if (isRedirect(response.statusCode)) {
        at = { url: first, errorUrl: first }
        response = await followAllRedirects(req, hop, response, (next) => send(next, req), otherOrigins, at)
      }
      return { hop: response, url: at?.url ?? (req.fragment ? goErrorUrl(req) : first) }
    } catch (error) {
      // A Go panic under the call (martian's body.Modifier slicing past its body) is no transport error.
      if (error instanceof BackendCallError || error instanceof BodyReadError || error instanceof GoPanic)
        throw error
      const named = `${goOp(req.method)} ${goQuoteBytes(at?.errorUrl ?? goErrorUrl(req))}`
      if (!req.cancel.aborted && isResponseHeaderTimeout(error, req))
        throw new BackendCallError(`${named}: ${AWAITING_HEADERS}`)
      if (req.cancel.aborted) throw new BackendCallError(req.cancel.contextError)
      if (isTimeout(error)) throw new BackendCallError(DEADLINE_EXCEEDED)
      throw new BackendCallError(`${named}: ${goReason(error, hop.origin, hop.headers)}`)
    }
  }

  /** A headers timeout that was response_header_timeout's, not the endpoint's. */
  const isResponseHeaderTimeout = (error: unknown, req: BackendRequest): boolean =>
    (error as { code?: string })?.code === 'UND_ERR_HEADERS_TIMEOUT' &&
    headersTimeout(transport, req.timeoutMs) < req.timeoutMs

  return {
    poolFor: (origin) => pooled(origin, false),
    urlSniPool: (origin) => pooled(origin, true),
    async request(req) {
      const { hop, url } = await call(req, streamed, cachedStream)
      const body = hop.commit ? committingBody(hop.answer, hop.commit) : hop.answer
      return { status: hop.statusCode, headers: hop.headers, body, url }
    },
    async requestBuffered(req, limit, keep = true) {
      const { hop, url } = await call(req, buffered(limit, keep), cachedBuffer)
      const whole = hop.partial !== true
      // an answer without Content-Encoding (the usual) is as it came, with no await
      const encoded = keep && whole && hop.headers['content-encoding'] !== undefined
      // the cache stores what was read when lura closes the body, after a read error too
      const store = () => {
        const stored = whole ? hop.answer : hop.read
        if (hop.commit && keep && stored && req.cache?.reads(hop.statusCode) && !req.cancel.aborted)
          hop.commit(stored)
      }
      try {
        const bytes = encoded
          ? await undoGzip(hop, req.method, limit, req.gzipByTransport !== false)
          : hop.answer
        return { status: hop.statusCode, headers: hop.headers, bytes, url }
      } finally {
        store()
      }
    },
    sideAgent() {
      // Go's oauth2 token calls: a short keep-alive, as they come once per token.
      sideAgentMade ??= new Agent({ keepAliveTimeout: 4_000, connect: base })
      return sideAgentMade
    },
    async close(force) {
      const all: Array<Pool | Agent> = [...pools.values()]
      if (redirectAgent) all.push(redirectAgent)
      if (sideAgentMade) all.push(sideAgentMade)
      await Promise.all(all.map((d) => (force ? d.destroy() : d.close()).catch(() => {})))
    },
  }
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

function isTimeout(error: unknown): boolean {
  const code = (error as { code?: string })?.code
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT'
}

/** crypto/tls's hostnameInSNI: no name for an IP address, a rooted name (an SRV target) without its dots. */
function goServerName(hostname: string): string {
  return isIP(hostname.replace(/^\[|\]$/g, '')) ? '' : hostname.replace(/\.+$/, '')
}

/** The URL a failed call's error names (Go's url.Error: URL.String, the fragment included). */
export function goErrorUrl(req: Pick<BackendRequest, 'origin' | 'path' | 'fragment'>): string {
  const fragment = req.fragment?.() ?? ''
  return `${req.origin}${req.path}${fragment === '' ? '' : `#${goFragment(fragment)}`}`
}
