/**
 * One request to a KrakenD endpoint, as lura serves it: the request's context (deadline, client
 * gone, forwarded headers and query), the endpoint's guards, the backend calls, lura's merge of
 * their answers, static data, the response components, and the rendered answer.
 */
import type { ServerResponse } from 'node:http'
import type { Answers } from './answers.ts'
import type { GatewayRequest, GatewayResponse } from './app.ts'
import type { BackendCalls } from './backend-calls.ts'
import { Cancellation } from './cancellation.ts'
import { servingOn } from './client-half-close.ts'
import type {
  BackendResult,
  CompiledBackend,
  CompiledEndpoint,
  Context,
  Failure,
} from './compiled-endpoint.ts'
import { writtenContentType } from './components/go-header-value.ts'
import { goOnlyHeaders, luraDeclaredLength } from './components/incoming-headers.ts'
import { withLuaHeaders } from './components/lua-calls.ts'
import { firstLine, type GuardContext, type LuraMetadata, type Reply } from './components/types.ts'
import type { GatewayConfig } from './config/types.ts'
import { goStringBytes } from './go-bytes-string.ts'
import { closingConnectionLine } from './go-handler-framing.ts'
import { bodyAllowedForStatus, ginErrorStatus } from './go-http.ts'
import { isGoNilMap } from './go-json.ts'
import { mergedInGoOrder } from './go-json-merge.ts'
import { GoFormText, mergedGoFormText } from './go-json-text.ts'
import { detectContentType } from './go-sniff.ts'
import { forwardQuery } from './go-url.ts'
import { COMPLETED_HEADER, KRAKEND_HEADER } from './krakend-compat.ts'
import type { Logger } from './logging.ts'
import type { NoopProxy } from './noop-proxy.ts'
import {
  bodyAbsent,
  bodyFollows,
  HttpError,
  readRequestBody,
  scriptBody,
  sizeScriptBody,
} from './request-body.ts'
import { backendHeaders, type compileTrustedProxies } from './request-headers.ts'
import {
  backendStreamsBody,
  closeAfterCutBody,
  type StreamedBody,
  streamRequestBody,
} from './request-stream.ts'
import { assignOwn, combineData, type Data, goFlatmap } from './transform.ts'

export type ServeEndpoint = (
  ep: CompiledEndpoint,
  req: GatewayRequest,
  res: GatewayResponse,
  params: Record<string, string | undefined>,
  rawQuery: string,
  start: number,
) => Promise<void>

export interface ServeEndpointOptions {
  config: GatewayConfig
  trustedProxies: ReturnType<typeof compileTrustedProxies>
  calls: Pick<BackendCalls, 'callBackend' | 'sequential' | 'callShadows'>
  proxyNoop: NoopProxy
  answers: Answers
  logger: Logger
  versionHeader: string
}

export function createServeEndpoint(options: ServeEndpointOptions): ServeEndpoint {
  const { config, trustedProxies, calls, proxyNoop, logger, versionHeader } = options
  const { finish } = options.answers
  const { callBackend, sequential, callShadows } = calls
  const returnErrorMsg = config.server.returnErrorMsg
  const logErrors = logger.isEnabled('ERROR')
  const streamLimit = config.server.streamedBodyBytes

  return async (ep, req, res, params, rawQuery, start) => {
    const answer = (reply: Reply) =>
      finish(req, res, reply.status, reply.headers, reply.body, start, ep.record)
    const guarded: GuardContext = {
      params,
      query: ep.query === undefined || rawQuery === '' ? '' : forwardQuery(ep.query, rawQuery),
      headers: backendHeaders(ep.forward, req, config.server, trustedProxies),
      body: undefined,
    }
    // components: the guards that never read the body (bot detector, JWT, rate limit) answer before
    // it is read, as in KrakenD: a body over router.max_payload is no 413 for a request they refuse.
    if (ep.guard?.beforeBody) {
      const reply = await ep.guard.beforeBody(req, guarded)
      if (reply) return answer(reply)
    }
    // components: auth/signer without a key answers 401 in place of the proxy (its Lua, CEL, schema)
    if (ep.respond) {
      const unavailable = await ep.respond.before()
      if (unavailable) return answer(unavailable)
    }
    // lura hands the body to every backend, whatever the methods: as it arrives to a single one
    // (request-stream.ts), read whole first where lura or a component needs all of it.
    let body: Buffer | undefined
    let streamed: StreamedBody | undefined
    // A Content-Length a component wrote into Go's header map (a propagated claim) and forwarded
    // sizes the body instead of the client's: read whole, to compare (lura's sizing, below).
    const mapLength =
      goOnlyHeaders(req)?.['content-length'] !== undefined ? guarded.headers['content-length'] : undefined
    // A service-level Lua script read it before routing (lua-router.ts): the body is what it left.
    const held = scriptBody(req)
    if (held) body = held.body
    else if (!bodyFollows(req)) body = bodyAbsent(req)
    else if (mapLength === undefined && backendStreamsBody(ep, streamLimit !== Number.POSITIVE_INFINITY))
      streamed = streamRequestBody(req, streamLimit)
    else body = await readRequestBody(req, config.server.maxBodyBytes)
    // A client that goes away (h1 connection closed, h2 stream reset) aborts the backend calls
    // still running for it. The deadline (lura's context timeout; 85% of it with several backends)
    // aborts whatever has not arrived: undici's own timers fire up to half a second late.
    const cancel = new Cancellation()
    if (!('stream' in req)) servingOn(req.socket, cancel)
    const timer = setTimeout(() => cancel.expire(), ep.deadlineMs)
    res.once('close', () => {
      clearTimeout(timer)
      // An h2 stream closes once its answer is out too: a reset (any code but NO_ERROR) is what
      // says the client went away.
      const gone = 'stream' in res ? res.stream.rstCode !== 0 : !res.writableFinished
      if (gone) cancel.abort(new Error('client gone'))
    })
    const ctx: Context = {
      ...guarded,
      body,
      streamed,
      // lura gives Go's request the forwarded Content-Length: 0 on a body that is not http.NoBody (an
      // h2c stream with a DATA frame) is a length Go's client does not know (chunked, or a probe read)
      bodySized:
        ep.forward.forwardsContentLength &&
        req.headers['content-length'] !== undefined &&
        !(Number(req.headers['content-length']) === 0 && (body !== undefined || streamed !== undefined)),
      cancel,
      client: req.headers,
    }
    if (held?.touched) sizeScriptBody(ctx, req.headers['content-length'])
    // lura's sequential merge reads the body whole before each call (CloneRequest): the later calls
    // find it closed and read it as empty, as an h2c body read to its end reads
    if (ep.mergesWithoutCopy && body !== undefined)
      ctx.sharedBody = { sent: false, readsEmpty: req.httpVersionMajor === 2 || ep.cfg.sequential }
    if (mapLength !== undefined && body !== undefined) {
      const declared = luraDeclaredLength(mapLength)
      ctx.bodySized = declared !== undefined && declared > 0
      ctx.declaredLength = ctx.bodySized ? declared : undefined
    }
    // components: the other endpoint guards (Lua, CEL, JSON schema) may answer instead
    if (ep.guard) {
      const reply = await ep.guard.run(req, ctx)
      if (reply) {
        clearTimeout(timer)
        return answer(insideProxy(ep, reply))
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
      else results = await inArrivalOrder(ep.backends.map((b) => callBackend(ep, b, ctx)))
    } finally {
      // A lua-proxy post's HTTP calls still run inside lura's deadline (the answer's close clears it).
      if (!ep.guard?.lua?.suspends) clearTimeout(timer)
    }
    // A streamed body that ran over max_payload failed the call: the answer is its 413.
    if (streamed?.overLimit) throw new HttpError(413, `request body over ${streamLimit} bytes`)
    // A failed call left the rest of the body unread: Go closes the connection after the answer.
    if (streamed?.cutShort && results[0]?.ok === false) closeAfterCutBody(req, res)
    const merged = mergeResults(results, ep.backends.length)
    const { failures } = merged
    let { meta } = merged
    if (failures > 0 && logErrors) logFailures(logger, ep, results)
    let { data, complete, staticData } = flatmapAndStatic(ep, merged, skipped)
    // components: validation/cel checks the merged response
    const rejected = failures === 0 ? ep.guard?.after?.(data, { complete, staticData, ...meta }) : undefined
    if (rejected) return answer(insideProxy(ep, rejected))
    // components: modifier/lua-proxy post rewrites the merged response (skipped when a backend failed)
    if (ep.guard?.lua) {
      const posted = ep.guard.lua.post(
        ctx,
        // krakend-lua gives a response without data an empty map (registerResponseTable)
        skipped || isGoNilMap(data) ? {} : data,
        skipped ? false : complete,
        failures > 0,
        skipped ? undefined : meta,
      )
      // A promise only where the scripts call http_response.
      const out = posted instanceof Promise ? await posted : posted
      clearTimeout(timer)
      if (out.reply) return answer(insideProxy(ep, out.reply))
      ;({ data, complete, meta } = out)
    }
    // components: auth/signer answers with the signed data (and the response's metadata) instead of the renderer
    if (ep.respond)
      return answer(await ep.respond.respond(data, failures > 0, meta, req.httpVersionMajor === 1))
    if (data === undefined) {
      // Only a single error keeps its own status (return_error_code); merged errors are a 500.
      const single = results.length === 1 ? (results[0] as Failure) : undefined
      const code = single?.code
      const { status, message } =
        code === undefined ? { status: 500, message: returnErrorMsg } : ginErrorStatus(code, returnErrorMsg)
      const headers: Record<string, string> = { [KRAKEND_HEADER]: versionHeader, [COMPLETED_HEADER]: 'false' }
      let text = ''
      if (message)
        text = results
          .filter((r): r is Failure => !r.ok)
          .map((r) => r.message)
          .join('\n')
      // gin writes the messages' bytes: a backend body's bytes that are not UTF-8 too
      const bytes = goStringBytes(text)
      if (message && single?.code !== undefined && single.contentType) {
        const type = writtenContentType(single.contentType, req.httpVersionMajor !== 2)
        if (type !== undefined) headers['Content-Type'] = type
      }
      // Go's server sniffs a type from those bytes (a UTF-16 BOM, a PDF, a NUL...)
      else if (text !== '' && bodyAllowedForStatus(status)) headers['Content-Type'] = detectContentType(bytes)
      return finish(req, res, status, headers, bytes, start, ep.record)
    }
    let nonEmpty = false
    if (data instanceof GoFormText) nonEmpty = data.size > 0
    else
      for (const _ in data) {
        nonEmpty = true
        break
      }
    const completed = complete && nonEmpty
    // gin's NegotiateFormat reads Header.Get("Accept"): the first line of a repeated header
    const rendered = ep.render(data, ep.negotiates ? firstLine(req, 'accept') : undefined, staticData)
    const headers: Record<string, string> = {
      [KRAKEND_HEADER]: versionHeader,
      'Content-Type': rendered.contentType,
      [COMPLETED_HEADER]: completed ? 'true' : 'false',
    }
    if (completed && ep.cacheControl) headers['Cache-Control'] = ep.cacheControl
    // lura adds a script's response headers only to an answer with data
    const answerHeaders =
      meta?.headers && nonEmpty
        ? (withLuaHeaders(headers, afterPreset(res, meta.headers), req.httpVersionMajor === 1) as Record<
            string,
            string
          >)
        : headers
    // a script's Connection line on a connection that ends with this answer
    if (
      answerHeaders !== headers &&
      req.httpVersionMajor === 1 &&
      (res as ServerResponse).shouldKeepAlive === false &&
      Object.keys(answerHeaders).some((name) => name.toLowerCase() === 'connection')
    )
      closingConnectionLine(req, answerHeaders)
    finish(req, res, 200, answerHeaders, rendered.body, start, ep.record)
  }
}

/**
 * A script's response headers after the values the middlewares already set (security/http, CORS):
 * lura Adds them to the writer's headers, so a script's X-Frame-Options or Content-Security-Policy
 * goes beside the gateway's, never in its place (the answer's headers replace preset ones here).
 */
function afterPreset(res: GatewayResponse, lua: Record<string, string[]>): Record<string, string[]> {
  let out: Record<string, string[]> | undefined
  for (const [key, values] of Object.entries(lua)) {
    const preset = values.length > 0 && key !== 'Content-Type' ? res.getHeader(key) : undefined
    if (preset === undefined) continue
    out ??= { ...lua }
    out[key] = [...(Array.isArray(preset) ? preset : [String(preset)]), ...values]
  }
  return out ?? lua
}

/**
 * A refusal from inside lura's proxy (its Lua, CEL, JSON schema): under auth/signer, krakend-jose
 * answers any proxy error with its own 400 and no body.
 */
function insideProxy(ep: CompiledEndpoint, reply: Reply): Reply {
  return ep.respond ? SIGNER_PROXY_ERROR : reply
}
const SIGNER_PROXY_ERROR: Reply = { status: 400, headers: {}, body: '' }

/**
 * The backends' results in the order they arrived: lura's parallel merge combines each answer
 * into the data as it arrives, so on a key two backends share the one that came last wins.
 */
export async function inArrivalOrder(calls: Array<Promise<BackendResult>>): Promise<BackendResult[]> {
  const arrived: BackendResult[] = []
  await Promise.all(calls.map((call) => call.then((result) => void arrived.push(result))))
  return arrived
}

/**
 * lura's proxies above the merge: the endpoint's flatmap_filter on an answer without error, then its
 * static data where the strategy matches (not when a lua-proxy `skip_next` called no backend).
 */
export function flatmapAndStatic(
  ep: CompiledEndpoint,
  merged: { data: Data | undefined; complete: boolean; failures: number },
  skipped: boolean,
): { data: Data | undefined; complete: boolean; staticData: Record<string, unknown> | undefined } {
  let { data, complete } = merged
  const { failures } = merged
  if (ep.flatmap && failures === 0 && data !== undefined) data = goFlatmap(data, ep.flatmap)
  let staticData: Record<string, unknown> | undefined
  if (ep.static && !skipped && ep.staticMatch?.(data !== undefined, complete, failures > 0)) {
    if (data === undefined) {
      data = {}
      complete = false
    } else if (isGoNilMap(data)) data = {}
    staticData = ep.static.data
    assignOwn(data, staticData)
  }
  return { data, complete, staticData }
}

/**
 * lura's merge: the first answer is the base, later ones are merged into it (top level); an
 * answer without data (a backend's JSON null, a nil map) is skipped and makes it incomplete, and
 * so does every failure and a backend that was not called.
 */
export function mergeResults(
  results: BackendResult[],
  backendCount: number,
): { data: Data | undefined; complete: boolean; failures: number; meta?: LuraMetadata } {
  let data: Data | undefined
  let complete = results.length === backendCount
  let failures = 0
  let answered = 0
  for (const r of results) {
    if (r.ok) {
      answered += 1
      if (!r.complete) complete = false
    } else {
      complete = false
      failures += 1
    }
  }
  // Answers kept as text (go-json-text.ts): merged as text when all are, else decoded for the merge below.
  let kept = 0
  for (const r of results) if (r.ok && r.data instanceof GoFormText) kept += 1
  if (kept > 0 && kept === answered && answered > 1)
    data = mergedGoFormText(okData(results, answered) as unknown as GoFormText[]) as unknown as Data
  else if (kept > 0 && answered > 1)
    for (const r of results) if (r.ok && r.data instanceof GoFormText) r.data = r.data.decoded()
  // Several answers: built in Go's key order where their shapes recur (go-json-merge.ts).
  const parts = data === undefined && answered > 1 ? okData(results, answered) : undefined
  if (parts) data = mergedInGoOrder(parts)
  if (data === undefined)
    for (const r of results) {
      if (!r.ok) continue
      if (data === undefined) data = r.data
      else {
        if (isGoNilMap(data) || isGoNilMap(r.data)) complete = false
        data = combineData(data, r.data)
      }
    }
  // lura's merge keeps the one response it got as it is, with its metadata (the headers and status
  // a script set, return_error_details' status); combining two makes a new one without.
  const only = answered === 1 ? results.find((r) => r.ok) : undefined
  if (!only || (only.headers === undefined && only.status === undefined)) return { data, complete, failures }
  return { data, complete, failures, meta: { headers: only.headers, status: only.status } }
}

/** The data of the `count` answers that succeeded, in arrival order. */
function okData(results: BackendResult[], count: number): Data[] {
  const parts = new Array<Data>(count)
  let i = 0
  for (const r of results) if (r.ok) parts[i++] = r.data
  return parts
}

/**
 * lura's endpoint handler logs each error of a merge (several backends: a multiError) as `Error #i:`,
 * counted over the failures in the order they came; a single backend's error as it is.
 */
function logFailures(logger: Logger, ep: CompiledEndpoint, results: BackendResult[]): void {
  const merged = ep.backends.length > 1
  let index = 0
  for (const r of results) {
    if (r.ok) continue
    logger.error(`${ep.logPrefix} ${merged ? `Error #${index}: ` : ''}${r.message}`)
    index += 1
  }
}
