/**
 * The backend calls of one endpoint request, as lura makes them: one call (or `concurrent_calls`
 * racing), the sequential chain (sequential-calls.ts), shadows in the background; each through
 * the backend's components, its pool and its decoder, ending in a result the endpoint merges.
 */

import { answerResult } from './backend-answer.ts'
import { chunksEmptyBody } from './backend-body-framing.ts'
import type { HopCache } from './backend-cache.ts'
import { BackendCallError } from './backend-call-error.ts'
import { type BackendClient, type BackendRequest, BodyReadError, goErrorUrl } from './backend-client.ts'
import { backendContext, generatedPath } from './backend-context.ts'
import { hostHeaderFor } from './backend-host.ts'
import { callInstead } from './backend-instead.ts'
import { callReads } from './backend-reads.ts'
import { Cancellation } from './cancellation.ts'
import type {
  BackendResult,
  CompiledBackend,
  CompiledEndpoint,
  CompiledHttpCache,
  Context,
} from './compiled-endpoint.ts'
import type { Outcome } from './components/index.ts'
import type { LuaBackend } from './components/lua-backend-calls.ts'
import { fragmentOf } from './components/martian-origin.ts'
import type { ModifiedRequest } from './components/martian-run.ts'
import type { GatewayConfig } from './config/types.ts'
import { goOp } from './go-http.ts'
import { isGoNilMap } from './go-json.ts'
import { GoPanic } from './go-panic.ts'
import { goQuoteBytes } from './go-quote.ts'
import { monotonicMs } from './monotonic-ms.ts'
import { transportAskedGzip } from './noop-lua.ts'
import { writtenMapHeaders } from './request-headers.ts'
import { sequentialProxy } from './sequential-calls.ts'
import type { Pool } from './undici.ts'
import { goRequestTarget } from './url-pattern.ts'

export interface BackendCalls {
  /** One backend for the request: a call, or `concurrent_calls` calls of which the first success wins. */
  callBackend(ep: CompiledEndpoint, b: CompiledBackend, ctx: Context): Promise<BackendResult>
  /** The sequential proxy: each backend in turn, later url_patterns filled from earlier answers. */
  sequential(ep: CompiledEndpoint, ctx: Context): Promise<BackendResult[]>
  callShadows(ep: CompiledEndpoint, ctx: Context): void
  /** lura's GeneratePath: the url_pattern with the parameters filled in (its own query included). */
  generatedPath(b: CompiledBackend, ctx: Context): string
  /** The request a backend gets (round-robin host, query, components' rewrites). */
  backendRequest(ep: CompiledEndpoint, b: CompiledBackend, ctx: Context, cancel: Cancellation): BackendRequest
}

const EMPTY_BODY = Buffer.alloc(0)

export function createBackendCalls(config: GatewayConfig, client: BackendClient): BackendCalls {
  const callBackend = (ep: CompiledEndpoint, b: CompiledBackend, ctx: Context): Promise<BackendResult> => {
    if (ep.cfg.concurrentCalls <= 1) return callOnce(ep, b, ctx, ctx.cancel)
    return new Promise((resolve, reject) => {
      const group = ctx.cancel.child()
      let pending = ep.cfg.concurrentCalls
      let last: BackendResult | undefined
      for (let i = 0; i < ep.cfg.concurrentCalls; i += 1) {
        callOnce(ep, b, ctx, group).then((result) => {
          pending -= 1
          if (result.ok) {
            group.abort(new Error('answered by a concurrent call'))
            resolve(result)
          } else {
            last = result
            if (pending === 0) resolve(last)
          }
        }, reject)
      }
    })
  }
  const sequential = sequentialProxy(callBackend)

  /**
   * lura's shadow proxy: the shadows get the request on a context of their own, bounded by the
   * longest shadow_timeout and not cancelled when the client leaves; their answers are ignored.
   */
  const callShadows = (ep: CompiledEndpoint, ctx: Context) => {
    const cancel = new Cancellation()
    const timer = setTimeout(() => cancel.expire(), ep.shadowTimeoutMs).unref()
    const shadowCtx = { ...ctx, cancel }
    const calls = (ep.shadows ?? []).map((b) => callOnce(ep, b, shadowCtx, cancel))
    void Promise.allSettled(calls).then(() => clearTimeout(timer))
  }

  const backendRequest = (
    ep: CompiledEndpoint,
    b: CompiledBackend,
    ctx: Context,
    cancel: Cancellation,
  ): BackendRequest => {
    const i = b.next
    b.next = i + 1 === b.pools.length ? 0 : i + 1
    // components: a modifier/lua-backend script may have sent the call elsewhere
    const target = ctx.target
    // As Go's url.Parse writes it: a path re-escaped where Go would, the forwarded query appended.
    const path = target
      ? target.path
      : goRequestTarget((b.bases[i] ?? '') + generatedPath(b, ctx), ctx.query, b.keepsEncodedSlash)
    // components: modifier/martian (and an OAuth2 token) rewrite this backend's headers and query
    const mapHeaders = writtenMapHeaders(ctx.headers)
    const modified = b.guard?.modify?.(
      mapHeaders,
      path,
      target ? target.origin : (b.origins[i] as string),
      () => fragmentOf(generatedPath(b, ctx)),
      ep.forward.transportGzip,
    )
    const replaced = modified?.body
    const request: BackendRequest = {
      origin: target ? target.origin : (b.origins[i] as string),
      pool: target ? client.poolFor(target.origin) : (b.pools[i] as Pool),
      path: modified ? modified.path : path,
      method: target?.method ?? b.wireMethod,
      headers: modified ? modified.headers : mapHeaders,
      // Every backend gets the client's body, whatever the methods (lura hands each the request);
      // martian's body.Modifier sends its bytes with their length (Go's unknown-length rule when empty).
      body:
        replaced ??
        ctx.streamed ??
        (b.replaysBody
          ? replayableBody(ctx.body)
          : (ctx.body ?? (ep.copiesBody && !ep.mergesWithoutCopy ? EMPTY_BODY : undefined))),
      chunked: replaced ? replaced.length === 0 : !(b.replaysBody || (ctx.bodySized && b.keepsContentLength)),
      // Go's client replays a body (307/308, a stale connection) only through lura's GetBody, which
      // body.Modifier does not set: without send_body_on_redirect a 307/308 is the answer.
      replaysBody: b.replaysBody,
      // A lua-backend script's method frames it (a GET made a POST sends an empty h2c body chunked).
      chunksEmptyBody: target?.method ? chunksEmptyBody(target.method) : b.chunksEmptyBody,
      cancel,
      timeoutMs: ep.cfg.timeoutMs,
      // components: qos/http-cache sees the request as Go's cache does, above the transport
      cache: b.httpCache && hopCache(b.httpCache, ctx),
      transportGzip: ep.forward.transportGzip,
    }
    if (b.guard?.modifyAnswer || b.cfg.urlPattern.includes('#'))
      request.fragment = () => fragmentOf(generatedPath(b, ctx))
    if (b.guard?.authorizeHop) request.authorizeHop = b.guard.authorizeHop
    if (replaced) request.bodyReplaced = true
    if (modified) moved(request, modified)
    sendsHostAsWritten(request, !target && modified?.origin === undefined)
    return request
  }

  /**
   * Go sends the URL's host as written (`LocalHost:80`), in the Host header and a proxy's absolute
   * URI; undici writes the normalised one unless given a Host header. TLS still names the URL's
   * host name (the compiled pools already do for the backend's own hosts).
   */
  const sendsHostAsWritten = (request: BackendRequest, ownPool: boolean): void => {
    if (request.headers.host !== undefined) return
    const host = hostHeaderFor(request.origin)
    if (host === undefined) return
    request.headers = { ...request.headers, host }
    if (!ownPool && request.origin.startsWith('https:')) request.pool = client.urlSniPool(request.origin)
  }

  /**
   * A request martian rewrote: to the origin its URL now names (Go calls there, with the Host header
   * it had), with the header map's Host port.Modifier wrote. Over https with a Host header of its
   * own, Go names the URL's host in TLS (SNI), where undici would take the Host header's.
   */
  const moved = (request: BackendRequest, modified: ModifiedRequest): void => {
    if (modified.mapHost !== undefined) request.mapHost = modified.mapHost
    if (modified.origin !== undefined) {
      request.origin = modified.origin
      request.pool = client.poolFor(modified.origin)
    }
    if (modified.headers.host !== undefined && request.origin.startsWith('https:'))
      request.pool = client.urlSniPool(request.origin)
  }

  const callOnce = async (
    ep: CompiledEndpoint,
    b: CompiledBackend,
    endpointCtx: Context,
    cancel: Cancellation,
  ): Promise<BackendResult> => {
    const ctx = backendContext(b, endpointCtx)
    if (typeof ctx === 'string') return { ok: false, code: undefined, message: ctx }
    // components: backend guard (circuit breaker, rate limit, CEL, OAuth2 token) around the call
    if (b.guard) {
      const admission = await b.guard.before(ctx, b.wireMethod, generatedPath(b, ctx), b.lua !== undefined)
      if (admission.refused !== undefined) return { ok: false, code: undefined, message: admission.refused }
      let result: BackendResult
      try {
        result = await (b.lua ? callWithLua(ep, b, b.lua, ctx, cancel) : callBelow(ep, b, ctx, cancel))
      } catch (error) {
        // gobreaker's Execute counts a panic as a failed call before it panics on: a half-open
        // circuit's trial must end, or the circuit refuses every later call.
        admission.done(false)
        throw error
      }
      admission.done(result.ok ? true : callOutcome(cancel))
      return result
    }
    return b.lua ? callWithLua(ep, b, b.lua, ctx, cancel) : callBelow(ep, b, ctx, cancel)
  }

  /** What lura's components wrap: the HTTP call, or a backend of another kind in its place. */
  const callBelow = (ep: CompiledEndpoint, b: CompiledBackend, ctx: Context, cancel: Cancellation) =>
    b.instead ? callInstead(b, b.instead, ctx, cancel) : callPool(ep, b, ctx, cancel)

  /** modifier/lua-backend: pre and post around the call, below the breaker and rate limit. */
  const callWithLua = (
    ep: CompiledEndpoint,
    b: CompiledBackend,
    lua: LuaBackend,
    ctx: Context,
    cancel: Cancellation,
  ): Promise<BackendResult> => {
    const path = generatedPath(b, ctx)
    const url =
      (b.origins[b.next] ?? '') +
      goRequestTarget((b.bases[b.next] ?? '') + path, ctx.query, b.keepsEncodedSlash)
    return lua.around<BackendResult>(
      ctx,
      // The method lura hands the backend stack: backend/graphql's when set (its middleware runs above),
      // else the backend's as written (Go title-cases it only when it builds the request).
      {
        method: b.graphql ? b.wireMethod : (b.cfg.methodAsWritten ?? b.wireMethod),
        path,
        url,
        readsParams: b.instead !== undefined && b.cfg.pubsub === undefined,
      },
      // components: validation/cel's req_ checks run below the script, on the request it left
      (changed, request) => {
        const refused = b.guard?.checkRequest?.(request)
        if (refused !== undefined) return Promise.resolve({ ok: false, code: undefined, message: refused })
        return callBelow(ep, b, { ...ctx, ...changed }, cancel)
      },
      (r) =>
        r.ok
          ? {
              // krakend-lua gives a response without data an empty map (registerResponseTable)
              data: isGoNilMap(r.data) ? {} : r.data,
              isComplete: r.complete,
              statusCode: r.status ?? 0,
              headers: r.headers ?? {},
              body: r.answerBytes,
              // A no-op answer left unread (see noop-lua.ts luaView).
              ...(r.answerBytes !== undefined && !lua.readsBody ? { bodyUnread: true as const } : {}),
            }
          : undefined,
      (r, response) => ({
        ok: true,
        data: response.data,
        complete: response.isComplete,
        ...(Object.keys(response.headers).length > 0 ? { headers: response.headers } : {}),
        ...(response.statusCode !== 0 ? { status: response.statusCode } : {}),
        // A later backend's resp0 is the body the script left (lura reads Response.Io).
        ...(r?.ok && r.body !== undefined
          ? { body: response.body ? Buffer.from(response.body).toString('utf8') : r.body }
          : {}),
      }),
      (error) => ({
        ok: false,
        code: error.status,
        message: error.message,
        ...(error.contentType ? { contentType: error.contentType } : {}),
      }),
    )
  }

  const callPool = async (
    ep: CompiledEndpoint,
    b: CompiledBackend,
    ctx: Context,
    cancel: Cancellation,
  ): Promise<BackendResult> => {
    const t0 = b.record ? monotonicMs() : 0
    let status = 0
    try {
      const limit = config.server.maxBackendBodyBytes
      const keep = !b.discards || b.keepsBody || b.lua?.readsBody === true
      // The one body lura's merge shared: the first call to send it closed it (Go's client).
      const shared = ctx.sharedBody
      const drained = shared?.sent === true && shared.readsEmpty
      const request = backendRequest(
        ep,
        b,
        drained ? { ...ctx, body: undefined, bodySized: false } : ctx,
        cancel,
      )
      // The body read as empty with the client's Content-Length forwarded: Go's client refuses it.
      if (drained && ctx.bodySized)
        return {
          ok: false,
          code: undefined,
          message: `${goOp(request.method)} ${goQuoteBytes(goErrorUrl(request))}: http: ContentLength=${ctx.declaredLength ?? ctx.body?.length ?? 0} with Body length 0`,
        }
      // A Lua script replaced the body and lura kept the client's Content-Length: Go's client
      // refuses to send it (nothing reaches the backend).
      if (
        ctx.declaredLength !== undefined &&
        !b.graphql &&
        !request.bodyReplaced &&
        (ctx.lengthShared === true || (!request.chunked && !request.replaysBody))
      ) {
        const actual = ctx.body?.length ?? 0
        if (actual !== ctx.declaredLength)
          return {
            ok: false,
            code: undefined,
            message: `${goOp(request.method)} ${goQuoteBytes(goErrorUrl(request))}: http: ContentLength=${ctx.declaredLength} with Body length ${actual}`,
          }
      }
      if (shared !== undefined && !drained) {
        if (shared.sent)
          return {
            ok: false,
            code: undefined,
            message: `${goOp(request.method)} ${goQuoteBytes(goErrorUrl(request))}: http: invalid Read on closed Body`,
          }
        shared.sent = true
      }
      // lura reads no further than its decoder or status handler, Go's client a redirect's first 2 KB
      request.reads = callReads(b, request)
      request.gzipByTransport = transportAskedGzip(ctx.headers, ctx.client, ep.forward)
      const received = await client.requestBuffered(request, limit, keep)
      const read = answerResult(ep, b, ctx, request, received)
      status = read.status
      return read.result
    } catch (error) {
      if (error instanceof GoPanic) throw error
      const message =
        error instanceof BackendCallError
          ? error.message
          : cancel.aborted
            ? cancel.contextError
            : error instanceof BodyReadError
              ? bodyReadMessage(b.cfg.encoding, error.message)
              : ((error as Error)?.message ?? String(error))
      return { ok: false, code: undefined, message }
    } finally {
      b.record?.(status, (monotonicMs() - t0) / 1000)
    }
  }

  /** A body read error as each decoder reports it (gofeed's detector drops it and sees no feed). */
  const bodyReadMessage = (encoding: string, message: string) =>
    encoding === 'xml'
      ? `xml.Decoder.Token() - ${message}`
      : encoding === 'rss'
        ? 'Failed to detect feed type'
        : message

  return { callBackend, sequential, callShadows, generatedPath, backendRequest }
}

/**
 * What Go's cache sees otherwise than what goes out: no Accept-Encoding where the transport asks
 * for gzip itself, no User-Agent where the transport sends Go's (the OAuth2 token is set below it).
 */
function hopCache(c: CompiledHttpCache, ctx: Context): HopCache {
  const seen: Record<string, string | undefined> = {}
  if (c.transportGzip && !(c.forwardsAcceptEncoding && ctx.client['accept-encoding'] !== undefined))
    seen['accept-encoding'] = undefined
  if (c.transportUserAgent) seen['user-agent'] = undefined
  return { http: c.http, seen, transportGzip: 'accept-encoding' in seen, reads: c.reads }
}

/**
 * send_body_on_redirect: lura reads the body into a buffer, which Go sends with its length and
 * replays on a 307/308; an empty one is http.NoBody.
 */
const replayableBody = (body: Buffer | undefined) =>
  body === undefined || body.length === 0 ? undefined : body

/**
 * How a failed backend call counts for the circuit breaker: a call cancelled because the client
 * left or a concurrent sibling answered first (Go's context.Canceled) counts neither way; a
 * deadline (context.DeadlineExceeded) or any other error is a failure.
 */
export const callOutcome = (cancel: Cancellation): Outcome =>
  cancel.aborted && !cancel.deadlinePassed ? 'excluded' : false
