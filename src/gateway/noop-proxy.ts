/**
 * lura's no-op proxy (`output_encoding: no-op`): the one backend's status, headers and body
 * passed through as they come, streamed, with only what KrakenD adds or takes away.
 */
import type { ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import type { Answers } from './answers.ts'
import type { GatewayRequest, GatewayResponse } from './app.ts'
import { type BackendCalls, callOutcome } from './backend-calls.ts'
import {
  type BackendAnswer,
  type BackendClient,
  type BackendRequest,
  goHasBody,
  isGzip,
} from './backend-client.ts'
import { backendContext } from './backend-context.ts'
import type { CompiledBackend, CompiledEndpoint, Context } from './compiled-endpoint.ts'
import { writtenContentType } from './components/go-header-value.ts'
import type { Outcome } from './components/index.ts'
import { canonicalBackendHeaderKey, ginErrorStatus, goSuppressedHeaders, sniffText } from './go-http.ts'
import { GoGunzip } from './gzip-stream.ts'
import { H2Response } from './h2-exchange.ts'
import { writeInterimHead } from './interim-head.ts'
import { COMPLETED_HEADER, KRAKEND_HEADER } from './krakend-compat.ts'
import type { Logger } from './logging.ts'
import { monotonicMs } from './monotonic-ms.ts'
import { writeTrailerField } from './node-http.ts'
import {
  fromLuaView,
  luaView,
  type NoopAnswer,
  readWhole,
  scriptedFields,
  skippedAnswer,
  transportAskedGzip,
} from './noop-lua.ts'
import { endsConnection, isProtocolSwitch, listOf, switchingProtocols } from './noop-switch.ts'
import { writeNoopAnswer } from './noop-write.ts'
import { setOwnKey } from './own-keys.ts'
import { CONNECTION_HEADERS, isH2SingleField } from './request-headers.ts'
import { closeAfterCutBody } from './request-stream.ts'
import { goRequestTarget } from './url-pattern.ts'

/**
 * A backend's connection headers KrakenD passes on over HTTP/1.x: Go's client keeps Connection
 * (but `close`), Keep-Alive, Proxy-Connection, Upgrade, TE and Trailer in the answer's headers and
 * gin writes them; only Transfer-Encoding is the client's own. (Trailer goes into the head past
 * node:http, which refuses it on an answer with a length: writeTrailerField.) Over HTTP/2 the
 * connection headers node:http2 refuses are not passed on (Go's server writes them, and the client
 * resets the stream: a documented deviation), but Trailer and `TE: trailers`, which it writes too.
 */
const NOT_PASSED_ON_H1 = new Set(['transfer-encoding', 'trailer'])
const NOT_PASSED_ON_H2 = new Set(CONNECTION_HEADERS.filter((name) => name !== 'trailer' && name !== 'te'))

export type NoopProxy = (
  ep: CompiledEndpoint,
  req: GatewayRequest,
  res: GatewayResponse,
  endpointCtx: Context,
  start: number,
  timer: NodeJS.Timeout | undefined,
) => Promise<void>

export interface NoopProxyOptions {
  client: BackendClient
  calls: Pick<BackendCalls, 'backendRequest' | 'generatedPath'>
  answers: Answers
  logger: Logger
  versionHeader: string
  returnErrorMsg: boolean
  isDraining: () => boolean
}

/** A call that ends without an answer: its error (a script's custom_error keeps its status and type). */
interface Failed {
  ok: false
  message: string
  code?: number | undefined
  contentType?: string | undefined
  /** How the circuit breaker counts it (a failure unless told). */
  outcome?: Outcome
}

/** The answer, with the backend's own body (a 101's connection, or what to drain). */
type Answer = NoopAnswer & { raw?: BackendAnswer['body'] }

export function createNoopProxy(options: NoopProxyOptions): NoopProxy {
  const { client, calls, answers, logger, versionHeader, returnErrorMsg, isDraining } = options
  const { finish } = answers

  /**
   * The backend's answer as lura's backend stack hands it up: the guard (circuit breaker, rate
   * limit, CEL) around modifier/lua-backend (pre, the call, post), below it martian's and CEL's
   * answer side. A failure keeps the answer's body unread.
   */
  const backendAnswer = async (
    ep: CompiledEndpoint,
    b: CompiledBackend,
    req: GatewayRequest,
    res: GatewayResponse,
    endpointCtx: Context,
  ): Promise<Answer | Failed> => {
    const ctx = backendContext(b, endpointCtx)
    if (typeof ctx === 'string') return { ok: false, message: ctx }
    // components: backend guard (circuit breaker, rate limit, CEL, OAuth2 token) around the no-op call
    const admission = b.guard
      ? await b.guard.before(ctx, b.wireMethod, calls.generatedPath(b, ctx), b.lua !== undefined)
      : undefined
    if (admission?.refused !== undefined) return { ok: false, message: admission.refused }
    // lura's no-op passes every status through: only a failed call counts against the breaker, and
    // a backend-level CEL rejection or a Lua error is one (both run inside krakend-circuitbreaker).
    let outcome: Outcome = true
    const call = async (callCtx: Context): Promise<Answer | Failed> => {
      const got = await noopCall(ep, b, req, res, endpointCtx, callCtx)
      if (!got.ok) outcome = got.outcome ?? false
      return got
    }
    const lua = b.lua
    let got: Answer | Failed
    if (!lua) got = await call(ctx)
    else {
      const path = calls.generatedPath(b, ctx)
      const url =
        (b.origins[b.next] ?? '') +
        goRequestTarget((b.bases[b.next] ?? '') + path, ctx.query, b.keepsEncodedSlash)
      got = await lua.around<Answer | Failed>(
        ctx,
        { method: b.cfg.methodAsWritten ?? b.wireMethod, path, url },
        async (changed, request) => {
          // components: validation/cel's req_ checks run below the script, on the request it left
          const refused = b.guard?.checkRequest?.(request)
          if (refused !== undefined) return { ok: false, message: refused }
          const answered = await call({ ...ctx, ...changed })
          return !answered.ok || !lua.readsBody ? answered : readWhole(answered)
        },
        (answered) => (!answered.ok ? undefined : luaView(answered)),
        (answered, response) => fromLuaView<Answer>(answered?.ok ? answered : skippedAnswer(), response),
        (error) => ({
          ok: false,
          message: error.message,
          code: error.status,
          contentType: error.contentType,
        }),
      )
      if (!got.ok && outcome === true) outcome = false
    }
    admission?.done(outcome)
    return got
  }

  /** The call itself: the request, Go's gunzip, martian's response scope and CEL's resp_ checks. */
  const noopCall = async (
    ep: CompiledEndpoint,
    b: CompiledBackend,
    req: GatewayRequest,
    res: GatewayResponse,
    endpointCtx: Context,
    ctx: Context,
  ): Promise<Answer | Failed> => {
    let answer: BackendAnswer
    let request: BackendRequest
    const t0 = monotonicMs()
    try {
      request = calls.backendRequest(ep, b, ctx, ctx.cancel)
      answer = await client.request(request)
    } catch (error) {
      b.record?.(0, (monotonicMs() - t0) / 1000)
      // The rest of a streamed body stays unread: Go closes the connection after the answer.
      if (endpointCtx.streamed?.cutShort) closeAfterCutBody(req, res)
      return { ok: false, message: (error as Error).message, outcome: callOutcome(ctx.cancel) }
    }
    b.record?.(answer.status, (monotonicMs() - t0) / 1000)
    const dropBody = () => void answer.body.dump().catch(() => {})
    // Go's client decompresses the gzip it asked for and then drops the encoding and length;
    // modifier/martian's response scope sees the headers after that.
    const gunzip =
      transportAskedGzip(ctx.headers, req.headers, ep.forward) &&
      isGzip(answer.headers) &&
      goHasBody(answer.status, request.method, answer.headers)
    let answerHeaders = answer.headers
    if (gunzip) {
      const { 'content-encoding': _encoding, 'content-length': _length, ...decoded } = answerHeaders
      answerHeaders = decoded
    }
    let status = answer.status
    let body: Readable = gunzip ? new GoGunzip(answer.body) : answer.body
    if (b.guard?.modifyAnswer) {
      let edited: ReturnType<typeof b.guard.modifyAnswer>
      try {
        edited = b.guard.modifyAnswer(status, answerHeaders, request)
      } catch (error) {
        dropBody()
        throw error
      }
      if (edited.failed !== undefined) {
        // martian runs inside the call the breaker wraps: its error is the call's.
        dropBody()
        return { ok: false, message: edited.failed }
      }
      status = edited.status
      answerHeaders = edited.headers
      if (edited.body) {
        // body.Modifier: its bytes, with their own length (KrakenD keeps the backend's
        // Content-Length, which no longer matches: a deliberate deviation).
        dropBody()
        body = Readable.from([edited.body])
        answerHeaders = { ...answerHeaders, 'content-length': String(edited.body.length) }
      }
    }
    // components: validation/cel resp_ checks see a no-op answer as empty, complete data with the
    // backend's status and headers (lura's NoOpHTTPResponseParser).
    const refusal = b.guard?.checkResponse?.({}, { complete: true, status, headers: answerHeaders })
    if (refusal !== undefined) {
      dropBody()
      return { ok: false, message: refusal }
    }
    return { ok: true, status, headers: answerHeaders, body, raw: answer.body, data: {}, complete: true }
  }

  return async (ep, req, res, endpointCtx, start, timer) => {
    const b = ep.backends[0] as CompiledBackend
    const fail = ({ message, code, contentType }: Failed) => {
      clearTimeout(timer)
      logger.error(`${ep.logPrefix} ${message}`)
      const headers: Record<string, string> = { [KRAKEND_HEADER]: versionHeader, [COMPLETED_HEADER]: 'false' }
      // proxy/static data for a failed call: lura answers that data through its no-op render, which
      // has no status or body for it, so the client gets an empty 200 (no error message either)
      if (ep.staticMatch?.(false, false, true)) return finish(req, res, 200, headers, '', start, ep.record)
      // An error with a status (a script's custom_error) keeps it, as a backend's does on an endpoint that renders.
      const { status, message: writes } =
        code === undefined ? { status: 500, message: returnErrorMsg } : ginErrorStatus(code, returnErrorMsg)
      if (writes && code !== undefined && contentType) {
        const type = writtenContentType(contentType, req.httpVersionMajor !== 2)
        if (type !== undefined) headers['Content-Type'] = type
      } else if (writes && message !== '') headers['Content-Type'] = sniffText(message)
      finish(req, res, status, headers, writes ? message : '', start, ep.record)
    }
    // components: modifier/lua-proxy skip_next answers without the proxy below it
    const skipped = ep.guard?.lua?.skipsBackends === true
    const got: Answer | Failed = skipped ? skippedAnswer() : await backendAnswer(ep, b, req, res, endpointCtx)
    if (!got.ok) return fail(got)
    let reply: Answer = got
    // proxy/static data on a no-op answer: lura's handler, seeing data, adds the backend's headers
    // and the no-op render adds them again (each line twice; not Content-Length, whose repeated
    // line clients such as Node's refuse), and the answer counts as complete.
    if (!skipped && ep.static && ep.staticMatch?.(true, true, false))
      reply = { ...reply, data: { ...reply.data, ...ep.static.data } }
    // components: validation/cel resp_ checks at endpoint level (before static data, as ever here)
    const rejected = skipped
      ? undefined
      : ep.guard?.after?.(got.data, { complete: true, status: got.status, headers: got.headers })
    if (rejected) {
      void got.raw?.dump().catch(() => {})
      clearTimeout(timer)
      return finish(req, res, rejected.status, rejected.headers, rejected.body, start, ep.record)
    }
    // components: modifier/lua-proxy post on the answer (its status, headers, body)
    const proxyLua = ep.guard?.lua
    if (proxyLua) {
      if (proxyLua.readsBody) reply = await readWhole(reply)
      const response = luaView(reply)
      const posted = proxyLua.postAnswer(endpointCtx, response)
      const failed = posted instanceof Promise ? await posted : posted
      if (failed) {
        void got.raw?.dump().catch(() => {})
        clearTimeout(timer)
        return finish(req, res, failed.status, failed.headers, failed.body, start, ep.record)
      }
      reply = fromLuaView(reply, response)
    }
    let nonEmpty = false
    for (const _ in reply.data) {
      nonEmpty = true
      break
    }
    // gin keeps 200 for a status of 0 or below; one Go's server cannot write (below 100, above
    // 999) panics in WriteHeader once the head is due: gin's recovery leaves an empty 200.
    const unwritable = reply.status > 0 && (reply.status < 100 || reply.status > 999)
    const h2 = res instanceof H2Response
    // a 1xx but 101 (a script's) Go writes as an interim head; io.Copy's write then makes it a 200
    const interim = !h2 && reply.status >= 100 && reply.status < 200 && reply.status !== 101
    const status = reply.status <= 0 || unwritable || interim ? 200 : reply.status
    const answerHeaders = reply.scripted
      ? scriptedFields(reply.headers, req.httpVersionMajor === 1)
      : reply.headers
    if (reply.replaced) answerHeaders['content-length'] = String(reply.bytes?.length ?? 0)
    const headers: Record<string, string | string[]> = {}
    if (nonEmpty && reply.complete && ep.cacheControl) headers['Cache-Control'] = ep.cacheControl
    // Go's transport keeps a Trailer line only on an answer that was not chunked (fixTrailer)
    const chunked = answerHeaders['transfer-encoding'] !== undefined
    for (const key in answerHeaders) {
      if ((h2 ? NOT_PASSED_ON_H2 : NOT_PASSED_ON_H1).has(key)) {
        if (key === 'trailer' && !chunked && !h2 && answerHeaders.trailer !== undefined)
          writeTrailerField(res, listOf(answerHeaders.trailer))
        continue
      }
      if (key === 'trailer' && chunked) continue
      if (h2 && key === 'te' && answerHeaders.te !== 'trailers') continue
      if (key === 'connection' && /(^|,)\s*close\s*(,|$)/i.test(String(answerHeaders[key]))) continue
      const own = answerHeaders[key]
      if (own === undefined) continue
      const value = nonEmpty && key !== 'content-length' ? [...listOf(own), ...listOf(own)] : own
      // lura's noopRender adds the backend's values to what the gateway already set (CORS, security
      // headers): a backend cannot replace the gateway's Content-Security-Policy, only add to it.
      const preset = res.getHeader(key)
      const merged = preset === undefined ? value : [...listOf(preset), ...listOf(value)]
      const name = canonicalBackendHeaderKey(key)
      const set = Object.hasOwn(headers, name) ? headers[name] : undefined
      // A backend's `__proto__` header (Go forwards it) must not become the object's prototype.
      setOwnKey(headers, name, set === undefined ? merged : [...listOf(set), ...listOf(merged)])
    }
    // lura sets its two headers before the render adds the backend's: a backend's own lines of
    // those names follow the gateway's.
    for (const [name, value] of [
      [KRAKEND_HEADER, versionHeader],
      [COMPLETED_HEADER, nonEmpty && reply.complete ? 'true' : 'false'],
    ] as const) {
      const backend = headers[name]
      headers[name] = backend === undefined ? value : [value, ...listOf(backend)]
    }
    if (!h2) for (const key of goSuppressedHeaders(status)) delete headers[key]
    else
      for (const name in headers) {
        const value = headers[name]
        if (Array.isArray(value) && value.length > 1 && isH2SingleField(name.toLowerCase()))
          headers[name] = value[0] as string
      }
    // Go's server answers `Connection: close` in place of a handler's when the connection ends
    // with this answer (the client asked so, or the gateway drains), but on a protocol switch; to
    // HTTP/1.0, where closing is the default, no Connection line at all (named while draining, so
    // that node:http closes a kept HTTP/1.0 connection too).
    if (
      req.httpVersionMajor === 1 &&
      (isDraining() || (headers.Connection !== undefined && endsConnection(res))) &&
      !(status === 101 && isProtocolSwitch(headers))
    ) {
      if (req.httpVersionMinor === 0 && !isDraining()) delete headers.Connection
      else headers.Connection = 'close'
    }
    const debug = (error: Error) => logger.debug(`${ep.logPrefix} ${b.errorPrefix} stream: ${error.message}`)
    if (status === 101 && reply.raw) {
      await switchingProtocols(res, headers, reply.raw, debug)
      clearTimeout(timer)
      const ms = monotonicMs() - start
      ep.record?.(status, ms / 1000)
      logger.access(req.method ?? '', req.url ?? '', status, ms, req.socket?.remoteAddress)
      return
    }
    if (unwritable) reply.body?.resume()
    const source: Readable = unwritable || !reply.body ? Readable.from([]) : reply.body
    if (interim) writeInterimHead(req, res as ServerResponse, reply.status, headers)
    await writeNoopAnswer(req, res, status, headers, source, {
      debug,
      bodyDone: () => clearTimeout(timer),
      scripted: reply.scripted === true,
    })
    const ms = monotonicMs() - start
    ep.record?.(status, ms / 1000)
    logger.access(req.method ?? '', req.url ?? '', status, ms, req.socket?.remoteAddress)
  }
}
