import type { IncomingMessage, ServerResponse } from 'node:http'
import { pipeline } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { backendContext, callOutcome, createBackendCalls } from './backend-calls.ts'
import { type BackendAnswer, createBackendClient, isGzip } from './backend-client.ts'
import { DEBUG_BODY, echoBody, healthBody } from './builtin-endpoints.ts'
import { Cancellation } from './cancellation.ts'
import {
  type BackendResult,
  type CompiledBackend,
  type CompiledEndpoint,
  type Context,
  compileEndpoint,
  type Failure,
} from './compiled-endpoint.ts'
import { createHttpCaches } from './components/http-cache.ts'
import { compileServiceHook } from './components/index.ts'
import { urlQuery } from './components/lua-api.ts'
import { withLuaHeaders } from './components/lua-calls.ts'
import { firstLine } from './components/types.ts'
import type { EndpointConfig, GatewayConfig } from './config/types.ts'
import { canonicalBackendHeaderKey, hexEscapeNonAscii, htmlEscape, sniffText } from './go-http.ts'
import { goJson, isGoNilMap } from './go-json.ts'
import { forwardQuery } from './go-url.ts'
import { type H2Request, H2Response } from './h2-exchange.ts'
import {
  COMPLETED_HEADER,
  KRAKEND_HEADER,
  KRAKEND_HEADER_HIDDEN,
  KRAKEND_HEADER_VALUE,
} from './krakend-compat.ts'
import { createLogger, type Logger } from './logging.ts'
import { GatewayMetrics } from './metrics.ts'
import { setOwnKey } from './own-keys.ts'
import {
  bodyAbsent,
  bodyFollows,
  closeAfterAnswer,
  HttpError,
  readRequestBody,
  refusalHeaders,
} from './request-body.ts'
import {
  backendHeaders,
  CONNECTION_HEADERS,
  compileTrustedProxies,
  type ForwardRule,
  type HeaderValues,
} from './request-headers.ts'
import { cleanPath, createRouter, goUnescapePath, type Router } from './router.ts'
import { assignOwn, combineData, type Data, goFlatmap } from './transform.ts'
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
}

/** The gateway as a request handler, independent of any listener (Fastify-style app factory). */
export interface Gateway {
  readonly config: GatewayConfig
  readonly startedAt: Date
  readonly logger: Logger
  readonly metrics: GatewayMetrics | undefined
  readonly draining: boolean
  readonly inFlight: number
  /** Serves one request (node:http's request/response, or an h2c stream's). */
  handle(req: GatewayRequest, res: GatewayResponse): void
  /** Health turns 503 "draining"; h1 responses ask clients to close their connection. */
  drain(): void
  /** Resolves when no request is in flight. */
  idle(): Promise<void>
  /** Closes the backend connection pools; `force` aborts requests still running. */
  close(options?: { force?: boolean }): Promise<void>
}

type Handler =
  | { kind: 'options'; allow: string }
  | { kind: 'health' }
  | { kind: 'debug' }
  | { kind: 'echo' }
  | { kind: 'endpoint'; ep: CompiledEndpoint }

const RESPONSE_HOP_BY_HOP = new Set(CONNECTION_HEADERS)
/** gin's Any(): the methods /__debug/ and /__echo/ answer. */
const ANY_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'HEAD', 'OPTIONS', 'DELETE', 'CONNECT', 'TRACE']
const JSON_TYPE = 'application/json; charset=utf-8'
const TEXT_TYPE = 'text/plain; charset=utf-8'
/** gin's own 404/405 bodies and content type. */
const ROUTER_TYPE = 'text/plain'
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
    options.metrics instanceof GatewayMetrics
      ? options.metrics
      : options.metrics
        ? new GatewayMetrics(config.name, GATEWAY_VERSION)
        : undefined
  const startedAt = options.startedAt ?? new Date()
  const started = startedAt.toISOString()
  const client = createBackendClient({
    connectionsPerHost: options.connectionsPerHost ?? null,
    serviceTimeoutMs: config.timeoutMs,
    transport: config.transport,
  })
  const trustedProxies = compileTrustedProxies(config.server.trustedProxies)
  const versionHeader = config.server.hideVersionHeader ? KRAKEND_HEADER_HIDDEN : KRAKEND_HEADER_VALUE

  const router = createRouter<Handler>(config.server)
  if (!config.server.disableHealth) {
    router.add('GET', config.server.healthPath, { kind: 'health' })
    // HEAD on the health path is ours (gin answers it with 405): load balancers probe with it.
    router.add('HEAD', config.server.healthPath, { kind: 'health' })
  }
  if (config.debugEndpoint) for (const m of ANY_METHODS) router.add(m, '/__debug/*', { kind: 'debug' })
  if (config.echoEndpoint) for (const m of ANY_METHODS) router.add(m, '/__echo/*', { kind: 'echo' })

  const compile = { config, client, metrics, logger, httpCaches: createHttpCaches() }
  for (const cfg of config.endpoints) {
    const ep = compileEndpoint(cfg, compile)
    router.add(cfg.method, cfg.endpoint, { kind: 'endpoint', ep })
  }
  if (config.server.autoOptions) addOptionsRoutes(router, config.endpoints)
  const { callBackend, sequential, callShadows, generatedPath, backendRequest, refusalMessage } =
    createBackendCalls(config, client)
  const serviceHook = compileServiceHook(config, (message) => logger.error(message))
  const logErrors = logger.isEnabled('ERROR')
  const recordUnmatched = metrics?.endpoint('', '')
  const returnErrorMsg = config.server.returnErrorMsg
  const removeExtraSlash = config.server.removeExtraSlash

  let draining = false
  let inFlight = 0
  let idleWaiters: Array<() => void> = []
  const done = () => {
    inFlight -= 1
    if (inFlight === 0 && idleWaiters.length > 0) {
      const waiters = idleWaiters
      idleWaiters = []
      for (const resolve of waiters) resolve()
    }
  }

  const finish = (
    req: GatewayRequest,
    res: GatewayResponse,
    status: number,
    answerHeaders: Record<string, string>,
    body: string | undefined,
    start: number,
    record: ((status: number, seconds: number) => void) | undefined,
  ) => {
    // Components answer with shared header objects: only a draining answer needs its own copy.
    const headers =
      draining && req.httpVersionMajor === 1 ? { ...answerHeaders, Connection: 'close' } : answerHeaders
    if (body === undefined || body === '') {
      // Go sends no length with a status that has no body (a 204 preflight, a 304).
      if (status !== 204 && status !== 304) headers['Content-Length'] = '0'
      ;(res as ServerResponse).writeHead(status, headers)
      res.end()
    } else {
      // Encode once: the length and the bytes written come from the same buffer.
      const bytes = Buffer.from(body, 'utf8')
      headers['Content-Length'] = String(bytes.length)
      ;(res as ServerResponse).writeHead(status, headers)
      if (req.method === 'HEAD') res.end()
      else res.end(bytes)
    }
    const ms = performance.now() - start
    record?.(status, ms / 1000)
    logger.access(req.method ?? '', req.url ?? '', status, ms, req.socket?.remoteAddress)
  }

  /** Router answers of our own: 404, 405 (gin's plain text, or router.error_body JSON) and redirects. */
  const unmatched = (
    req: GatewayRequest,
    res: GatewayResponse,
    url: string,
    start: number,
    method = req.method ?? 'GET',
  ) => {
    const match = router.match(method, url)
    if (match.kind === 'redirect') return redirect(req, res, match.status, match.location, start)
    const headers: Record<string, string> = { [KRAKEND_HEADER]: versionHeader, [COMPLETED_HEADER]: 'false' }
    if (match.kind === 'not-allowed') {
      headers.Allow = match.allow
      if (config.server.errorBody405 !== undefined) headers['Content-Type'] = JSON_TYPE
      else headers['Content-Type'] = ROUTER_TYPE
      const body =
        config.server.errorBody405 !== undefined
          ? goJson(config.server.errorBody405)
          : '405 method not allowed'
      return finish(req, res, 405, headers, body, start, recordUnmatched)
    }
    headers['Content-Type'] = config.server.errorBody404 !== undefined ? JSON_TYPE : ROUTER_TYPE
    const body =
      config.server.errorBody404 !== undefined ? goJson(config.server.errorBody404) : '404 page not found'
    finish(req, res, 404, headers, body, start, recordUnmatched)
  }

  /** Go's http.Redirect as gin calls it: an HTML body for GET only. */
  const redirect = (
    req: GatewayRequest,
    res: GatewayResponse,
    status: number,
    location: string,
    start: number,
  ) => {
    const headers: Record<string, string> = { Location: hexEscapeNonAscii(location) }
    let body: string | undefined
    if (req.method === 'GET' || req.method === 'HEAD') headers['Content-Type'] = 'text/html; charset=utf-8'
    if (req.method === 'GET')
      body = `<a href="${htmlEscape(headers.Location as string)}">${status === 301 ? 'Moved Permanently' : 'Temporary Redirect'}</a>.\n\n`
    finish(req, res, status, headers, body, start, recordUnmatched)
  }

  const handle = (req: GatewayRequest, res: GatewayResponse) => {
    const start = performance.now()
    // gin routes before its middleware: a service-level Lua change of method or URL does not re-route
    const method = req.method ?? 'GET'
    const target = req.url ?? '/'
    // components: service-level (CORS, security headers, Lua, bot detector) may answer first
    if (serviceHook) {
      const reply = serviceHook(req, res)
      if (reply) return finish(req, res, reply.status, reply.headers, reply.body, start, undefined)
    }
    const url = removeExtraSlash ? withCleanPath(target) : target
    const found = router.match(method, url)
    if (found.kind !== 'found') return unmatched(req, res, url, start, method)
    const handler = found.store
    if (handler.kind === 'options') {
      const headers = { Allow: handler.allow, [KRAKEND_HEADER]: versionHeader }
      return finish(req, res, 200, headers, '', start, undefined)
    }
    if (handler.kind !== 'endpoint') {
      const refused = handler.kind === 'health' ? undefined : paramCheck(url)
      if (refused) return finish(req, res, 400, { 'Content-Type': TEXT_TYPE }, refused, start, undefined)
      return builtin(handler.kind, req, res, start)
    }
    const ep = handler.ep
    const q = url.indexOf('?')
    if (ep.hasParams) {
      const rawPath = q === -1 ? url : url.slice(0, q)
      // KrakenD (lura's paramChecker) refuses encoded parameters; we refuse every percent sign in
      // a parametrised path, and `.`/`..` parameters that would climb the backend's path.
      if (rawPath.includes('%') || rawPath.includes('#'))
        return finish(
          req,
          res,
          400,
          { 'Content-Type': TEXT_TYPE },
          'error: encoded url params',
          start,
          ep.record,
        )
      for (const key in found.params) {
        const value = found.params[key]
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
    inFlight += 1
    // lura reads the query of the request's URL as the handler finds it (a service-level Lua may set it)
    const rawQuery = req.url === target ? (q === -1 ? '' : url.slice(q + 1)) : urlQuery(req.url ?? '/')
    serve(ep, req, res, found.params, rawQuery, start).then(done, (error: unknown) => {
      done()
      logger.error(`[ENDPOINT: ${ep.cfg.endpoint}] ${(error as Error)?.message ?? String(error)}`)
      if (!res.headersSent) {
        const status = error instanceof HttpError ? error.status : 500
        const headers = { [KRAKEND_HEADER]: versionHeader, [COMPLETED_HEADER]: 'false' }
        finish(
          req,
          res,
          status,
          status === 413 ? refusalHeaders(req, headers) : headers,
          '',
          start,
          ep.record,
        )
        if (status === 413) closeAfterAnswer(req, res)
      } else res.destroy()
    })
  }

  const builtin = (
    kind: 'health' | 'debug' | 'echo',
    req: GatewayRequest,
    res: GatewayResponse,
    start: number,
  ) => {
    if (kind === 'health') {
      const body = healthBody(draining, config.name, started)
      return finish(
        req,
        res,
        draining ? 503 : 200,
        { 'Content-Type': JSON_TYPE, 'Cache-Control': 'no-store' },
        body,
        start,
        undefined,
      )
    }
    inFlight += 1
    readRequestBody(req, config.server.maxBodyBytes).then(
      (body) => {
        done()
        if (kind === 'debug') {
          logger.debug(`[ENDPOINT: /__debug/*] Method: ${req.method} URL: ${req.url}`)
          finish(req, res, 200, { 'Content-Type': JSON_TYPE }, DEBUG_BODY, start, undefined)
        } else finish(req, res, 200, { 'Content-Type': JSON_TYPE }, echoBody(req, body), start, undefined)
      },
      (error: unknown) => {
        done()
        const status = error instanceof HttpError ? error.status : 500
        if (status !== 413) return finish(req, res, status, {}, '', start, undefined)
        finish(req, res, status, refusalHeaders(req, {}), '', start, undefined)
        closeAfterAnswer(req, res)
      },
    )
  }

  const serve = async (
    ep: CompiledEndpoint,
    req: GatewayRequest,
    res: GatewayResponse,
    params: Record<string, string | undefined>,
    rawQuery: string,
    start: number,
  ): Promise<void> => {
    // lura hands the body to every backend, whatever the methods.
    const body = bodyFollows(req) ? await readRequestBody(req, config.server.maxBodyBytes) : bodyAbsent(req)
    // A client that goes away (h1 connection closed, h2 stream reset) aborts the backend calls
    // still running for it. The deadline (lura's context timeout; 85% of it with several backends)
    // aborts whatever has not arrived: undici's own timers fire up to half a second late.
    const cancel = new Cancellation()
    const timer = setTimeout(() => cancel.abort(new Error('timeout')), ep.deadlineMs)
    res.once('close', () => {
      clearTimeout(timer)
      // An h2 stream closes once its answer is out too: a reset (any code but NO_ERROR) is what
      // says the client went away.
      const gone = 'stream' in res ? res.stream.rstCode !== 0 : !res.writableFinished
      if (gone) cancel.abort(new Error('client gone'))
    })
    const ctx: Context = {
      params,
      query: ep.query === undefined || rawQuery === '' ? '' : forwardQuery(ep.query, rawQuery),
      headers: backendHeaders(ep.forward, req, config.server, trustedProxies),
      body,
      bodySized: ep.forward.forwardsContentLength && req.headers['content-length'] !== undefined,
      cancel,
      client: req.headers,
    }
    // components: endpoint guards (bot detector, JWT, rate limit, CEL, JSON schema) may answer instead
    if (ep.guard) {
      const reply = await ep.guard.run(req, ctx)
      if (reply) {
        clearTimeout(timer)
        return finish(req, res, reply.status, reply.headers, reply.body, start, ep.record)
      }
    }
    // components: auth/signer without a key answers 401 before any backend call
    if (ep.respond) {
      const unavailable = await ep.respond.before()
      if (unavailable) {
        clearTimeout(timer)
        return finish(req, res, unavailable.status, unavailable.headers, unavailable.body, start, ep.record)
      }
    }
    // components: modifier/lua-proxy skip_next answers without the proxy below it (backends, shadows)
    const skipped = ep.guard?.lua?.skipsBackends === true
    if (ep.shadows && !skipped) callShadows(ep, ctx)
    if (ep.cfg.noop) return proxyNoop(ep, req, res, ctx, start, timer)
    let results: BackendResult[]
    try {
      if (skipped) results = []
      else if (ep.backends.length === 1)
        results = [await callBackend(ep, ep.backends[0] as CompiledBackend, ctx)]
      else if (ep.cfg.sequential) results = await sequential(ep, ctx)
      else results = await Promise.all(ep.backends.map((b) => callBackend(ep, b, ctx)))
    } finally {
      clearTimeout(timer)
    }
    // lura's merge: the first answer is the base, later ones are merged into it (top level); an
    // answer without data (a backend's JSON null, a nil map) is skipped and makes it incomplete.
    let data: Data | undefined
    let complete = results.length === ep.backends.length
    let failures = 0
    for (const r of results) {
      if (r.ok) {
        if (data === undefined) data = r.data
        else {
          if (isGoNilMap(data) || isGoNilMap(r.data)) complete = false
          data = combineData(data, r.data)
        }
        if (!r.complete) complete = false
      } else {
        complete = false
        failures += 1
        if (logErrors) logger.error(`[ENDPOINT: ${ep.cfg.endpoint}] ${r.message}`)
      }
    }
    if (ep.flatmap && failures === 0 && data !== undefined) data = goFlatmap(data, ep.flatmap)
    if (ep.static && !skipped && ep.staticMatch?.(data !== undefined, complete, failures > 0)) {
      if (data === undefined) {
        data = {}
        complete = false
      } else if (isGoNilMap(data)) data = {}
      assignOwn(data, ep.static.data)
    }
    // components: validation/cel checks the merged response
    const rejected = failures === 0 ? ep.guard?.after?.(data, { complete }) : undefined
    if (rejected) return finish(req, res, rejected.status, rejected.headers, rejected.body, start, ep.record)
    // components: modifier/lua-proxy post rewrites the merged response (skipped when a backend failed)
    let luaHeaders: Record<string, string[]> | undefined
    if (ep.guard?.lua) {
      const out = ep.guard.lua.post(ctx, skipped ? {} : data, skipped ? false : complete, failures > 0)
      if (out.reply)
        return finish(req, res, out.reply.status, out.reply.headers, out.reply.body, start, ep.record)
      ;({ data, complete, headers: luaHeaders } = out)
    }
    // components: auth/signer answers with the signed data instead of the renderer
    if (ep.respond) {
      const reply = await ep.respond.respond(data, failures > 0 || results.length < ep.backends.length)
      return finish(req, res, reply.status, reply.headers, reply.body, start, ep.record)
    }
    if (data === undefined) {
      // Only a single error keeps its own status (return_error_code); merged errors are a 500.
      const single = results.length === 1 ? (results[0] as Failure) : undefined
      const status = single?.code ?? 500
      const headers: Record<string, string> = { [KRAKEND_HEADER]: versionHeader, [COMPLETED_HEADER]: 'false' }
      let text = ''
      if (returnErrorMsg)
        text = results
          .filter((r): r is Failure => !r.ok)
          .map((r) => r.message)
          .join('\n')
      if (returnErrorMsg && single?.code !== undefined && single.contentType)
        headers['Content-Type'] = single.contentType
      else if (text !== '') headers['Content-Type'] = sniffText(text)
      return finish(req, res, status, headers, text, start, ep.record)
    }
    let nonEmpty = false
    for (const _ in data) {
      nonEmpty = true
      break
    }
    const completed = complete && nonEmpty
    // gin's NegotiateFormat reads Header.Get("Accept"): the first line of a repeated header
    const rendered = ep.render(data, ep.negotiates ? firstLine(req, 'accept') : undefined)
    const headers: Record<string, string> = {
      [KRAKEND_HEADER]: versionHeader,
      'Content-Type': rendered.contentType,
      [COMPLETED_HEADER]: completed ? 'true' : 'false',
    }
    if (completed && ep.cacheControl) headers['Cache-Control'] = ep.cacheControl
    // lura adds a script's response headers only to an answer with data
    const answerHeaders =
      luaHeaders && nonEmpty ? (withLuaHeaders(headers, luaHeaders) as Record<string, string>) : headers
    finish(req, res, 200, answerHeaders, rendered.body, start, ep.record)
  }

  const proxyNoop = async (
    ep: CompiledEndpoint,
    req: GatewayRequest,
    res: GatewayResponse,
    endpointCtx: Context,
    start: number,
    timer: NodeJS.Timeout | undefined,
  ): Promise<void> => {
    const b = ep.backends[0] as CompiledBackend
    const fail = (message: string) => {
      clearTimeout(timer)
      logger.error(`[ENDPOINT: ${ep.cfg.endpoint}] ${message}`)
      const headers: Record<string, string> = { [KRAKEND_HEADER]: versionHeader, [COMPLETED_HEADER]: 'false' }
      if (returnErrorMsg) headers['Content-Type'] = sniffText(message)
      finish(req, res, 500, headers, returnErrorMsg ? message : '', start, ep.record)
    }
    const ctx = backendContext(b, endpointCtx)
    if (typeof ctx === 'string') return fail(ctx)
    // components: backend guard (circuit breaker, rate limit, CEL, OAuth2 token) around the no-op call
    const admission = b.guard ? await b.guard.before(ctx, b.wireMethod, generatedPath(b, ctx)) : undefined
    if (admission?.refused !== undefined) return fail(refusalMessage(b, ctx, admission))
    let answer: BackendAnswer
    const t0 = performance.now()
    try {
      answer = await client.request(backendRequest(ep, b, ctx, ctx.cancel))
    } catch (error) {
      admission?.done(callOutcome(ctx.cancel))
      b.record?.(0, (performance.now() - t0) / 1000)
      return fail((error as Error).message)
    }
    b.record?.(answer.status, (performance.now() - t0) / 1000)
    // lura's no-op passes every status through: only a failed call counts against the breaker
    admission?.done(true)
    // components: validation/cel resp_ checks see a no-op answer as empty, complete data with the
    // backend's status and headers (lura's NoOpHTTPResponseParser), at backend then endpoint level
    if (b.guard?.checkResponse || ep.guard?.after) {
      const meta = { complete: true, status: answer.status, headers: answer.headers }
      const refusal = b.guard?.checkResponse?.({}, meta)
      if (refusal !== undefined) {
        void answer.body.dump().catch(() => {})
        return fail(`${b.errorPrefix} ${refusal}`)
      }
      const rejected = ep.guard?.after?.({}, meta)
      if (rejected) {
        void answer.body.dump().catch(() => {})
        clearTimeout(timer)
        return finish(req, res, rejected.status, rejected.headers, rejected.body, start, ep.record)
      }
    }
    // Go's client decompresses the gzip it asked for and then drops the encoding and length.
    const gunzip = transportAskedGzip(ctx.headers, req, ep.forward) && isGzip(answer.headers)
    const headers: Record<string, string | string[]> = {}
    for (const key in answer.headers) {
      if (RESPONSE_HOP_BY_HOP.has(key)) continue
      if (gunzip && (key === 'content-encoding' || key === 'content-length')) continue
      const value = answer.headers[key]
      if (value === undefined) continue
      // lura's noopRender adds the backend's values to what the gateway already set (CORS, security
      // headers): a backend cannot replace the gateway's Content-Security-Policy, only add to it.
      const preset = res.getHeader(key)
      const merged = preset === undefined ? value : [...listOf(preset), ...listOf(value)]
      // A backend's `__proto__` header (Go forwards it) must not become the object's prototype.
      setOwnKey(headers, canonicalBackendHeaderKey(key), merged)
    }
    headers[KRAKEND_HEADER] = versionHeader
    headers[COMPLETED_HEADER] = 'false'
    if (draining && req.httpVersionMajor === 1) headers.Connection = 'close'
    ;(res as ServerResponse).writeHead(answer.status, headers)
    await new Promise<void>((resolve) => {
      const onEnd = (error: NodeJS.ErrnoException | null) => {
        clearTimeout(timer)
        if (error) logger.debug(`[ENDPOINT: ${ep.cfg.endpoint}] ${b.errorPrefix} stream: ${error.message}`)
        resolve()
      }
      const sink = res instanceof H2Response ? res.bodyStream() : res
      if (gunzip) pipeline(answer.body, createGunzip(), sink, onEnd)
      else pipeline(answer.body, sink, onEnd)
    })
    const ms = performance.now() - start
    ep.record?.(answer.status, ms / 1000)
    logger.access(req.method ?? '', req.url ?? '', answer.status, ms, req.socket?.remoteAddress)
  }

  return {
    config,
    startedAt,
    logger,
    metrics,
    get draining() {
      return draining
    },
    get inFlight() {
      return inFlight
    },
    handle,
    drain() {
      if (!draining) logger.info('draining: /__health now answers 503')
      draining = true
    },
    idle() {
      if (inFlight === 0) return Promise.resolve()
      return new Promise((resolve) => idleWaiters.push(resolve))
    },
    async close(options = {}) {
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

/** gin's RemoveExtraSlash: the path part cleaned (`//`, `.`, `..`), the query kept as it is. */
function withCleanPath(url: string): string {
  const q = url.indexOf('?')
  return q === -1 ? cleanPath(url) : cleanPath(url.slice(0, q)) + url.slice(q)
}

const listOf = (value: string | number | string[]): string[] =>
  Array.isArray(value) ? value : [String(value)]

/** Whether the gzip a no-op backend was asked for came from Go's transport (then it is undone) or the client. */
function transportAskedGzip(sent: HeaderValues, req: GatewayRequest, rule: ForwardRule): boolean {
  if (!rule.transportGzip || sent['accept-encoding'] === undefined) return false
  return !(rule.forwardsAcceptEncoding && req.headers['accept-encoding'] !== undefined)
}

/**
 * lura's paramChecker on /__debug/*param and /__echo/*param: the catch-all parameter (the decoded
 * path after the prefix) must not unescape any further nor hold `?` or `#`.
 */
function paramCheck(url: string): string | undefined {
  const q = url.indexOf('?')
  const decoded = goUnescapePath(q === -1 ? url : url.slice(0, q))
  if (decoded === undefined) return undefined // Go's server refused it before routing
  const param = decoded.slice(decoded.indexOf('/', 1))
  const bad = /%(?![0-9A-Fa-f]{2})/.exec(param)
  if (bad) return `error: invalid URL escape ${JSON.stringify(param.slice(bad.index, bad.index + 3))}`
  if (/%[0-9A-Fa-f]{2}|[?#]/.test(param)) return 'error: encoded url params'
  return undefined
}
