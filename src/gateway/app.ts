import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2'
import { pipeline } from 'node:stream'
import FindMyWay from 'find-my-way'
import { Pool } from 'undici'
import {
  type BackendGuard,
  compileBackendGuard,
  compileEndpointGuard,
  compileEndpointResponder,
  compileServiceHook,
  type EndpointGuard,
  type EndpointResponder,
} from './components/index.ts'
import type { BackendConfig, EndpointConfig, GatewayConfig } from './config/types.ts'
import { createLogger, type Logger } from './logging.ts'
import { GatewayMetrics } from './metrics.ts'
import {
  compileDecoder,
  compileFormatter,
  compilePattern,
  compileRenderer,
  type Data,
  getPath,
  type PatternPart,
  type Rendered,
  sequentialValue,
} from './transform.ts'
import { GATEWAY_VERSION } from './version.ts'

export type GatewayRequest = IncomingMessage | Http2ServerRequest
export type GatewayResponse = ServerResponse | Http2ServerResponse

export interface GatewayOptions {
  logger?: Logger
  /** Record Prometheus metrics: true (a new registry), a shared GatewayMetrics, or false/undefined (off). */
  metrics?: boolean | GatewayMetrics
  /** Reported by /__health as `started`; default now. */
  startedAt?: Date
  /** Per-origin connection limit of the backend pools (default 256). */
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
  /** Serves one request (node:http or node:http2 compat request/response). */
  handle(req: GatewayRequest, res: GatewayResponse): void
  /** Health turns 503 "draining"; h1 responses ask clients to close their connection. */
  drain(): void
  /** Resolves when no request is in flight. */
  idle(): Promise<void>
  /** Closes the backend connection pools; `force` aborts requests still running. */
  close(options?: { force?: boolean }): Promise<void>
}

interface Failure {
  ok: false
  /** Backend HTTP status to pass through (return_error_code), else undefined. */
  code: number | undefined
  message: string
  body?: string
  contentType?: string
}
interface Success {
  ok: true
  data: Data
  complete: boolean
}
type BackendResult = Success | Failure

interface CompiledBackend {
  cfg: BackendConfig
  pools: Pool[]
  next: number
  parts: PatternPart[]
  plainPath: string | undefined
  hasQuery: boolean
  sendsBody: boolean
  decode: (text: string) => Data
  format: ((data: Data) => Data) | undefined
  record: ((status: number, seconds: number) => void) | undefined
  errorPrefix: string
  /** Backend components (circuit breaker, rate limit, CEL, martian); undefined when none. */
  guard: BackendGuard | undefined
}

interface CompiledEndpoint {
  cfg: EndpointConfig
  backends: CompiledBackend[]
  render: (data: Data | undefined) => Rendered
  headers: string[] | '*'
  query: string[] | '*' | undefined
  hasParams: boolean
  needsBody: boolean
  deadlineMs: number
  needsDeadline: boolean
  cacheControl: string | undefined
  record: ((status: number, seconds: number) => void) | undefined
  /** Endpoint components (bot detector, JWT, rate limit, CEL, JSON schema); undefined when none. */
  guard: EndpointGuard | undefined
  /** auth/signer: answers from the merged data instead of the renderer; undefined when none. */
  respond: EndpointResponder | undefined
}

interface Context {
  params: Record<string, string | undefined>
  query: string
  headers: Record<string, string>
  body: Buffer | undefined
  signal: AbortSignal | undefined
}

type Handler = { kind: 'health' } | { kind: 'endpoint'; ep: CompiledEndpoint }

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'host',
  'content-length',
  'expect',
  'http2-settings',
  'x-forwarded-for',
  'x-forwarded-host',
])
const RESPONSE_HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
])
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const USER_AGENT = `gwdeploy-gateway/${GATEWAY_VERSION}`
const COMPLETED = 'x-krakend-completed'
const JSON_TYPE = 'application/json; charset=utf-8'
const TEXT_TYPE = 'text/plain; charset=utf-8'

class HttpError extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

export function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Gateway {
  const logger =
    options.logger ??
    createLogger({
      level: config.logging.level,
      format: config.logging.format,
      prefix: config.logging.prefix,
      accessLog: !config.server.disableAccessLog,
    })
  const metrics =
    options.metrics instanceof GatewayMetrics
      ? options.metrics
      : options.metrics
        ? new GatewayMetrics(config.name, GATEWAY_VERSION)
        : undefined
  const startedAt = options.startedAt ?? new Date()
  const started = startedAt.toISOString()
  const pools = new Map<string, Pool>()
  const poolFor = (origin: string) => {
    let pool = pools.get(origin)
    if (!pool) {
      pool = new Pool(origin, {
        connections: options.connectionsPerHost ?? 256,
        pipelining: 1,
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 60_000,
        connectTimeout: Math.max(1000, config.timeoutMs),
      })
      pools.set(origin, pool)
    }
    return pool
  }

  const router = FindMyWay({ ignoreTrailingSlash: true, caseSensitive: true, maxParamLength: 1000 })
  const healthHandler: Handler = { kind: 'health' }
  const noopRoute = () => {}
  router.on('GET', config.server.healthPath, noopRoute, healthHandler)
  router.on('HEAD', config.server.healthPath, noopRoute, healthHandler)
  const methods = new Set<string>(['GET', 'HEAD'])

  for (const cfg of config.endpoints) {
    const backends = cfg.backends.map((b): CompiledBackend => {
      const parts = compilePattern(b.urlPattern)
      return {
        cfg: b,
        pools: b.hosts.map(poolFor),
        next: 0,
        parts,
        plainPath:
          parts.length === 1 && typeof parts[0] === 'string'
            ? parts[0]
            : parts.length === 0
              ? '/'
              : undefined,
        hasQuery: b.urlPattern.includes('?'),
        sendsBody: BODY_METHODS.has(b.method),
        decode: compileDecoder(b.encoding, b.isCollection),
        format: compileFormatter(b),
        record: metrics?.backend(cfg.endpoint, b.urlPattern),
        errorPrefix: `[${b.method} ${b.urlPattern}]`,
        guard: compileBackendGuard(b, (message) => logger.warning(message)),
      }
    })
    const headers = cfg.inputHeaders.includes('*')
      ? '*'
      : (cfg.inputHeaders.length > 0 ? cfg.inputHeaders : ['Content-Type']).map((h) => h.toLowerCase())
    const guard = compileEndpointGuard(cfg, config, (message) => logger.error(message))
    const ep: CompiledEndpoint = {
      cfg,
      guard,
      respond: compileEndpointResponder(cfg, (message) => logger.error(message)),
      backends,
      render: compileRenderer(cfg.outputEncoding),
      headers,
      query: cfg.inputQueryStrings.includes('*')
        ? '*'
        : cfg.inputQueryStrings.length > 0
          ? cfg.inputQueryStrings
          : undefined,
      hasParams: cfg.endpoint.includes('{'),
      needsBody: backends.some((b) => b.sendsBody) || guard?.needsBody === true,
      deadlineMs: backends.length > 1 ? Math.floor(cfg.timeoutMs * 0.85) : cfg.timeoutMs,
      needsDeadline: backends.length > 1 || cfg.concurrentCalls > 1,
      cacheControl: cfg.cacheTtlS > 0 ? `public, max-age=${cfg.cacheTtlS}` : undefined,
      record: metrics?.endpoint(cfg.endpoint, cfg.method),
    }
    const route = cfg.endpoint.replace(/\{([^{}]+)\}/g, ':$1')
    router.on(cfg.method, route, noopRoute, { kind: 'endpoint', ep } satisfies Handler)
    methods.add(cfg.method)
  }
  const methodList = [...methods]
  const serviceHook = compileServiceHook(config, (message) => logger.error(message))
  const logErrors = logger.isEnabled('ERROR')
  const recordUnmatched = metrics?.endpoint('', '')

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
    headers: Record<string, string>,
    body: string | undefined,
    start: number,
    record: ((status: number, seconds: number) => void) | undefined,
  ) => {
    if (draining && req.httpVersionMajor === 1) headers.connection = 'close'
    if (body === undefined) {
      ;(res as ServerResponse).writeHead(status, headers)
      res.end()
    } else {
      // Encode once: the length and the bytes written come from the same buffer.
      const bytes = Buffer.from(body, 'utf8')
      headers['content-length'] = String(bytes.length)
      ;(res as ServerResponse).writeHead(status, headers)
      res.end(bytes)
    }
    const ms = performance.now() - start
    record?.(status, ms / 1000)
    logger.access(req.method ?? '', req.url ?? '', status, ms, req.socket?.remoteAddress)
  }

  const health = (req: GatewayRequest, res: GatewayResponse, start: number) => {
    const body = JSON.stringify({
      status: draining ? 'draining' : 'ok',
      name: config.name,
      started,
      agents: {},
      now: new Date().toISOString(),
    })
    finish(
      req,
      res,
      draining ? 503 : 200,
      { 'content-type': JSON_TYPE, 'cache-control': 'no-store' },
      req.method === 'HEAD' ? undefined : body,
      start,
      undefined,
    )
  }

  const unmatched = (req: GatewayRequest, res: GatewayResponse, url: string, start: number) => {
    const allowed: string[] = []
    for (const m of methodList) if (m !== req.method && router.find(m as 'GET', url) !== null) allowed.push(m)
    if (allowed.length > 0)
      finish(
        req,
        res,
        405,
        { 'content-type': TEXT_TYPE, allow: allowed.join(', ') },
        '405 method not allowed',
        start,
        recordUnmatched,
      )
    else finish(req, res, 404, { 'content-type': TEXT_TYPE }, '404 page not found', start, recordUnmatched)
  }

  const handle = (req: GatewayRequest, res: GatewayResponse) => {
    const start = performance.now()
    // components: service-level (CORS, security headers, bot detector) may answer first
    if (serviceHook) {
      const reply = serviceHook(req, res)
      if (reply) return finish(req, res, reply.status, reply.headers, reply.body, start, undefined)
    }
    const url = req.url ?? '/'
    const found = router.find((req.method ?? 'GET') as 'GET', url)
    if (found === null) return unmatched(req, res, url, start)
    const handler = found.store as Handler
    if (handler.kind === 'health') return health(req, res, start)
    const ep = handler.ep
    const q = url.indexOf('?')
    if (ep.hasParams) {
      const rawPath = q === -1 ? url : url.slice(0, q)
      if (rawPath.includes('%') || rawPath.includes('#'))
        return finish(
          req,
          res,
          400,
          { 'content-type': TEXT_TYPE },
          '400 bad request: encoded path parameter',
          start,
          ep.record,
        )
    }
    inFlight += 1
    serve(ep, req, res, found.params, q === -1 ? '' : url.slice(q + 1), start).then(
      done,
      (error: unknown) => {
        done()
        logger.error(`[ENDPOINT: ${ep.cfg.endpoint}] ${(error as Error)?.message ?? String(error)}`)
        if (!res.headersSent) {
          const status = error instanceof HttpError ? error.status : 500
          finish(req, res, status, { 'content-type': TEXT_TYPE, [COMPLETED]: 'false' }, '', start, ep.record)
        } else res.destroy()
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
    const body =
      ep.needsBody && BODY_METHODS.has(req.method ?? '')
        ? await readBody(req, config.server.maxBodyBytes)
        : undefined
    // One backend: undici's headers/body timeouts bound the call, no timer of our own. Several:
    // one deadline (85% of the timeout) aborts whatever has not arrived.
    let signal: AbortSignal | undefined
    let timer: NodeJS.Timeout | undefined
    if (ep.needsDeadline) {
      const controller = new AbortController()
      timer = setTimeout(() => controller.abort(new Error('timeout')), ep.deadlineMs)
      signal = controller.signal
    }
    const ctx: Context = {
      params,
      query: filterQuery(ep.query, rawQuery),
      headers: backendHeaders(ep, req),
      body,
      signal,
    }
    // components: endpoint guards (bot detector, JWT, rate limit, CEL, JSON schema) may answer instead
    if (ep.guard) {
      const reply = await ep.guard.run(req, ctx)
      if (reply) {
        clearTimeout(timer)
        return finish(req, res, reply.status, reply.headers, reply.body, start, ep.record)
      }
    }
    if (ep.cfg.noop) return proxyNoop(ep, req, res, ctx, start, timer)
    let results: BackendResult[]
    try {
      if (ep.backends.length === 1) results = [await callBackend(ep, ep.backends[0] as CompiledBackend, ctx)]
      else if (ep.cfg.sequential) results = await sequential(ep, ctx)
      else results = await Promise.all(ep.backends.map((b) => callBackend(ep, b, ctx)))
    } finally {
      clearTimeout(timer)
    }
    let data: Data | undefined
    let complete = true
    let firstFailure: Failure | undefined
    let failures = 0
    for (const r of results) {
      if (r.ok) {
        data = data === undefined ? r.data : Object.assign(data, r.data)
        if (!r.complete) complete = false
      } else {
        complete = false
        failures += 1
        firstFailure ??= r
      }
    }
    if (results.length < ep.backends.length) complete = false
    if (failures > 0 && logErrors)
      for (const r of results) if (!r.ok) logger.error(`[ENDPOINT: ${ep.cfg.endpoint}] ${r.message}`)
    // components: validation/cel checks the merged response
    const rejected = failures === 0 ? ep.guard?.after?.(data, complete) : undefined
    if (rejected) return finish(req, res, rejected.status, rejected.headers, rejected.body, start, ep.record)
    // components: auth/signer answers with the signed data instead of the renderer
    if (ep.respond) {
      const reply = await ep.respond(data, failures > 0 || results.length < ep.backends.length)
      return finish(req, res, reply.status, reply.headers, reply.body, start, ep.record)
    }
    if (data === undefined) {
      const single = ep.backends.length === 1 ? firstFailure : undefined
      const status = single?.code ?? 500
      const headers: Record<string, string> = { [COMPLETED]: 'false' }
      let text = ''
      if (config.server.returnErrorMsg) {
        if (single?.code !== undefined && single.body !== undefined) {
          text = single.body
          if (single.contentType) headers['content-type'] = single.contentType
        } else
          text = results
            .filter((r): r is Failure => !r.ok)
            .map((r) => r.message)
            .join('\n')
      }
      headers['content-type'] ??= TEXT_TYPE
      return finish(req, res, status, headers, text, start, ep.record)
    }
    let nonEmpty = false
    for (const _ in data) {
      nonEmpty = true
      break
    }
    const completed = complete && nonEmpty
    const rendered = ep.render(data)
    const headers: Record<string, string> = {
      'content-type': rendered.contentType,
      [COMPLETED]: completed ? 'true' : 'false',
    }
    if (completed && ep.cacheControl) headers['cache-control'] = ep.cacheControl
    finish(req, res, 200, headers, rendered.body, start, ep.record)
  }

  const sequential = async (ep: CompiledEndpoint, ctx: Context): Promise<BackendResult[]> => {
    const results: BackendResult[] = []
    const datas: Array<Data | undefined> = []
    for (const [i, b] of ep.backends.entries()) {
      let seqParams: Record<string, string> | undefined
      for (const part of b.parts) {
        if (typeof part === 'string' || !part.sequential) continue
        seqParams ??= {}
        seqParams[part.param] = sequentialValue(getPath(datas[part.sequential.index], part.sequential.path))
      }
      const result = await callBackend(
        ep,
        b,
        seqParams ? { ...ctx, params: { ...ctx.params, ...seqParams } } : ctx,
      )
      if (!result.ok && i === 0) return [result]
      results.push(result)
      if (!result.ok || !result.complete) break
      datas[i] = result.data
    }
    return results
  }

  const buildPath = (b: CompiledBackend, ctx: Context): string => {
    let path = b.plainPath
    if (path === undefined) {
      path = ''
      for (const part of b.parts) path += typeof part === 'string' ? part : (ctx.params[part.param] ?? '')
    }
    if (ctx.query !== '') path += (b.hasQuery ? '&' : '?') + ctx.query
    return path
  }

  const callBackend = (ep: CompiledEndpoint, b: CompiledBackend, ctx: Context): Promise<BackendResult> => {
    if (ep.cfg.concurrentCalls <= 1) return callOnce(ep, b, ctx, ctx.signal)
    return new Promise((resolve) => {
      const group = new AbortController()
      const signal = ctx.signal ? AbortSignal.any([ctx.signal, group.signal]) : group.signal
      let pending = ep.cfg.concurrentCalls
      let last: BackendResult | undefined
      for (let i = 0; i < ep.cfg.concurrentCalls; i += 1) {
        void callOnce(ep, b, ctx, signal).then((result) => {
          pending -= 1
          if (result.ok) {
            group.abort()
            resolve(result)
          } else {
            last = result
            if (pending === 0) resolve(last)
          }
        })
      }
    })
  }

  const callOnce = async (
    ep: CompiledEndpoint,
    b: CompiledBackend,
    ctx: Context,
    signal: AbortSignal | undefined,
  ): Promise<BackendResult> => {
    // components: backend guard (circuit breaker, rate limit, CEL, OAuth2 token) around the call
    if (b.guard) {
      const refused = await b.guard.before(ctx, b.cfg.method, buildPath(b, ctx))
      if (refused) return { ok: false, code: undefined, message: `${b.errorPrefix} ${refused}` }
      const result = await callPool(ep, b, ctx, signal)
      b.guard.after(result.ok)
      return result
    }
    return callPool(ep, b, ctx, signal)
  }

  const callPool = async (
    ep: CompiledEndpoint,
    b: CompiledBackend,
    ctx: Context,
    signal: AbortSignal | undefined,
  ): Promise<BackendResult> => {
    const pool = b.pools[b.next] as Pool
    b.next = b.next + 1 === b.pools.length ? 0 : b.next + 1
    const t0 = b.record ? performance.now() : 0
    let status = 0
    // components: modifier/martian rewrites this backend's headers and query
    const modified = b.guard?.modify?.(ctx.headers, buildPath(b, ctx))
    try {
      const response = await pool.request({
        path: modified ? modified.path : buildPath(b, ctx),
        method: b.cfg.method,
        headers: modified ? modified.headers : ctx.headers,
        body: b.sendsBody ? ctx.body : undefined,
        signal,
        headersTimeout: ep.cfg.timeoutMs,
        bodyTimeout: ep.cfg.timeoutMs,
      })
      status = response.statusCode
      if (status !== 200 && status !== 201) {
        const details = b.cfg.returnErrorDetails
        const keepBody = details !== undefined || (b.cfg.returnErrorCode && config.server.returnErrorMsg)
        const text = keepBody
          ? await readText(response.body, response.headers, config.server.maxBackendBodyBytes)
          : ''
        if (!keepBody) response.body.dump().catch(ignore)
        const contentType = headerValue(response.headers['content-type'])
        if (details !== undefined) {
          const error: Data = { http_status_code: status, http_body: text }
          if (contentType) error.http_body_encoding = contentType
          return { ok: true, data: { [`error_${details}`]: error }, complete: false }
        }
        return {
          ok: false,
          code: b.cfg.returnErrorCode ? status : undefined,
          message: `${b.errorPrefix} invalid status code ${status}`,
          body: text,
          ...(contentType ? { contentType } : {}),
        }
      }
      const text = await readText(response.body, response.headers, config.server.maxBackendBodyBytes)
      let data = b.decode(text)
      if (b.format) data = b.format(data)
      // components: validation/cel checks this backend's response
      const rejected = b.guard?.checkResponse?.(data)
      if (rejected) return { ok: false, code: undefined, message: `${b.errorPrefix} ${rejected}` }
      return { ok: true, data, complete: true }
    } catch (error) {
      const reason = signal?.aborted ? 'timeout or cancelled' : ((error as Error)?.message ?? String(error))
      return { ok: false, code: undefined, message: `${b.errorPrefix} ${reason}` }
    } finally {
      b.record?.(status, (performance.now() - t0) / 1000)
    }
  }

  const proxyNoop = async (
    ep: CompiledEndpoint,
    req: GatewayRequest,
    res: GatewayResponse,
    ctx: Context,
    start: number,
    timer: NodeJS.Timeout | undefined,
  ): Promise<void> => {
    const b = ep.backends[0] as CompiledBackend
    // components: backend guard (circuit breaker, rate limit, CEL, OAuth2 token) around the no-op call
    const refused = await b.guard?.before(ctx, b.cfg.method, buildPath(b, ctx))
    if (refused) {
      clearTimeout(timer)
      const message = `${b.errorPrefix} ${refused}`
      logger.error(`[ENDPOINT: ${ep.cfg.endpoint}] ${message}`)
      return finish(
        req,
        res,
        500,
        { 'content-type': TEXT_TYPE, [COMPLETED]: 'false' },
        config.server.returnErrorMsg ? message : '',
        start,
        ep.record,
      )
    }
    const pool = b.pools[b.next] as Pool
    b.next = b.next + 1 === b.pools.length ? 0 : b.next + 1
    let response: Awaited<ReturnType<Pool['request']>>
    const t0 = performance.now()
    // components: modifier/martian rewrites this backend's headers and query
    const modified = b.guard?.modify?.(ctx.headers, buildPath(b, ctx))
    try {
      response = await pool.request({
        path: modified ? modified.path : buildPath(b, ctx),
        method: b.cfg.method,
        headers: modified ? modified.headers : ctx.headers,
        body: b.sendsBody ? ctx.body : undefined,
        signal: ctx.signal,
        headersTimeout: ep.cfg.timeoutMs,
        bodyTimeout: ep.cfg.timeoutMs,
      })
    } catch (error) {
      clearTimeout(timer)
      b.guard?.after(false)
      b.record?.(0, (performance.now() - t0) / 1000)
      const message = `${b.errorPrefix} ${(error as Error).message}`
      logger.error(`[ENDPOINT: ${ep.cfg.endpoint}] ${message}`)
      return finish(
        req,
        res,
        500,
        { 'content-type': TEXT_TYPE, [COMPLETED]: 'false' },
        config.server.returnErrorMsg ? message : '',
        start,
        ep.record,
      )
    }
    b.record?.(response.statusCode, (performance.now() - t0) / 1000)
    // lura's no-op passes every status through: only a failed call counts against the breaker
    b.guard?.after(true)
    const headers: Record<string, string | string[]> = {}
    for (const key in response.headers) {
      if (RESPONSE_HOP_BY_HOP.has(key)) continue
      const value = response.headers[key]
      if (value !== undefined) headers[key] = value
    }
    headers[COMPLETED] = 'false'
    if (draining && req.httpVersionMajor === 1) headers.connection = 'close'
    ;(res as ServerResponse).writeHead(response.statusCode, headers)
    await new Promise<void>((resolve) => {
      pipeline(response.body, res as ServerResponse, (error) => {
        clearTimeout(timer)
        if (error) logger.debug(`[ENDPOINT: ${ep.cfg.endpoint}] ${b.errorPrefix} stream: ${error.message}`)
        resolve()
      })
    })
    const ms = performance.now() - start
    ep.record?.(response.statusCode, ms / 1000)
    logger.access(req.method ?? '', req.url ?? '', response.statusCode, ms, req.socket?.remoteAddress)
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
      await Promise.all(
        [...pools.values()].map((pool) => (options.force ? pool.destroy() : pool.close()).catch(ignore)),
      )
      logger.flush()
    },
  }
}

const ignore = () => {}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

function filterQuery(rule: string[] | '*' | undefined, raw: string): string {
  if (rule === undefined || raw === '') return ''
  if (rule === '*') return raw
  const input = new URLSearchParams(raw)
  const out = new URLSearchParams()
  for (const name of rule) for (const value of input.getAll(name)) out.append(name, value)
  return out.toString()
}

function backendHeaders(ep: CompiledEndpoint, req: GatewayRequest): Record<string, string> {
  const incoming = req.headers as IncomingHttpHeaders & Record<string, string | string[] | undefined>
  const out: Record<string, string> = {}
  if (ep.headers === '*') {
    for (const key in incoming) {
      if (key.charCodeAt(0) === 58 /* ':' */ || HOP_BY_HOP.has(key)) continue
      if (key === 'accept-encoding' && !ep.cfg.noop) continue
      const value = incoming[key]
      if (value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : value
    }
  } else {
    for (const key of ep.headers) {
      if (HOP_BY_HOP.has(key)) continue
      const value = incoming[key]
      if (value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : value
    }
  }
  let remote = req.socket?.remoteAddress ?? ''
  if (remote.startsWith('::ffff:')) remote = remote.slice(7)
  const forwarded = incoming['x-forwarded-for']
  out['x-forwarded-for'] = forwarded ? `${forwarded}, ${remote}` : remote
  const host = incoming[':authority'] ?? incoming.host
  if (host) out['x-forwarded-host'] = Array.isArray(host) ? (host[0] as string) : host
  if (out['user-agent'] === undefined) out['user-agent'] = USER_AGENT
  else out['x-forwarded-via'] = USER_AGENT
  return out
}

function readBody(req: GatewayRequest, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'])
  if (declared > limit) {
    req.resume()
    return Promise.reject(new HttpError(413, `request body over ${limit} bytes`))
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        req.removeAllListeners('data')
        req.resume()
        reject(new HttpError(413, `request body over ${limit} bytes`))
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)))
    req.on('error', reject)
  })
}

async function readText(
  body: AsyncIterable<Buffer> & { text(): Promise<string>; destroy(error?: Error): unknown },
  headers: Record<string, string | string[] | undefined>,
  limit: number,
): Promise<string> {
  const length = Number(headerValue(headers['content-length']))
  if (Number.isFinite(length) && length <= limit) return body.text()
  if (length > limit) {
    body.destroy()
    throw new Error(`backend response over ${limit} bytes`)
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    size += chunk.length
    if (size > limit) {
      body.destroy()
      throw new Error(`backend response over ${limit} bytes`)
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks, size).toString('utf8')
}
