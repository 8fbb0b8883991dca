/**
 * Where every answer the gateway renders itself is written (finish); the router's own answers
 * when no endpoint matched: gin's 404/405 (or router.error_body JSON) and its redirects; and the
 * answers to failures: an endpoint's pipe that failed, an error nothing expected (gin.Recovery).
 */
import type { ServerResponse } from 'node:http'
import type { GatewayRequest, GatewayResponse } from './app.ts'
import type { GatewayConfig } from './config/types.ts'
import { namesFraming, writeGoFramed } from './go-handler-framing.ts'
import {
  GO_BUFFER_BEFORE_CHUNKING,
  GO_H2_HANDLER_BUFFER,
  goSuppressedHeaders,
  hexEscapeNonAscii,
  htmlEscape,
  isInterimStatus,
} from './go-http.ts'
import { goJson } from './go-json.ts'
import { abandonAnswer, GoPanic } from './go-panic.ts'
import { detectContentType } from './go-sniff.ts'
import { goAuthorityString } from './go-url-escape.ts'
import { writeInterimHead } from './interim-head.ts'
import { COMPLETED_HEADER, KRAKEND_HEADER } from './krakend-compat.ts'
import type { Logger } from './logging.ts'
import { monotonicMs } from './monotonic-ms.ts'
import {
  answerUnreadBody,
  bodyLeftUnread,
  closeAfterAnswer,
  HttpError,
  refusalHeaders,
} from './request-body.ts'
import { requestUri } from './request-uri.ts'
import type { RouteMatch } from './router.ts'

/** What the router answers for a request no endpoint matched. */
export type Unmatched = Exclude<RouteMatch<unknown>, { kind: 'found' }>

export const JSON_TYPE = 'application/json; charset=utf-8'
export const TEXT_TYPE = 'text/plain; charset=utf-8'
/** gin's own 404/405 bodies and content type. */
const ROUTER_TYPE = 'text/plain'

/** An endpoint's metrics recorder (status, seconds), when metrics are on. */
export type RecordAnswer = ((status: number, seconds: number) => void) | undefined

export interface Answers {
  /** Writes a whole answer (Content-Length from the body's bytes), then records and logs it. */
  finish(
    req: GatewayRequest,
    res: GatewayResponse,
    status: number,
    answerHeaders: Record<string, string | string[]>,
    body: string | Buffer | undefined,
    start: number,
    record: RecordAnswer,
  ): void
  /** The router's answer for a request no endpoint matched: 404, 405 or a redirect. */
  unmatched(req: GatewayRequest, res: GatewayResponse, match: Unmatched, start: number): void
  /** An endpoint's pipe failed: logged on the endpoint's line (a Go panic as gin.Recovery's), answered as lura does. */
  endpointFailed(
    req: GatewayRequest,
    res: GatewayResponse,
    error: unknown,
    ep: { logPrefix: string; record: RecordAnswer },
    start: number,
  ): void
  /**
   * gin.Recovery, which lura's engine uses: an error no handler expected answers 500 without a
   * body (the connection is ended instead once the answer has started), it is logged, and the
   * process goes on serving. Unrecovered, it would end every request of the worker.
   */
  recover(res: GatewayResponse, error: unknown): void
}

export interface AnswersOptions {
  config: GatewayConfig
  logger: Logger
  versionHeader: string
  isDraining: () => boolean
  recordUnmatched: RecordAnswer
}

export function createAnswers(options: AnswersOptions): Answers {
  const { config, logger, versionHeader, isDraining, recordUnmatched } = options

  const finish: Answers['finish'] = (req, res, status, answerHeaders, body, start, record) => {
    // A status net/http refuses to write (a Lua custom_error's 1000 or 99 without return_error_msg):
    // gin writes it after the handlers, outside its Recovery, so Go's server panics and closes the
    // connection (resets the h2 stream) without an answer.
    if (status < 100 || status > 999) return abandonAnswer(res)
    if (isInterimStatus(status)) {
      // A Lua custom_error's 1xx: an interim head over HTTP/1.x (then the 200 that carries the
      // message), where answering it as final shifted every later answer on the connection.
      if (req.httpVersionMajor === 1) {
        writeInterimHead(req, res as ServerResponse, status, answerHeaders)
        status = 200
      }
      if (body !== undefined && body.length > 0 && answerHeaders['Content-Type'] === undefined)
        answerHeaders = { ...answerHeaders, 'Content-Type': detectContentType(Buffer.from(body)) }
    }
    // Components answer with shared header objects: only a draining answer, or one whose status
    // makes Go's HTTP/1.1 server delete some of them, needs its own copy.
    const h1 = req.httpVersionMajor === 1
    const suppressed = h1 ? goSuppressedHeaders(status) : []
    let headers = isDraining() && h1 ? { ...answerHeaders, Connection: 'close' } : answerHeaders
    if (suppressed.some((key) => headers[key] !== undefined)) {
      headers = { ...headers }
      for (const key of suppressed) delete headers[key]
    }
    // Go's server settles a body the handler did not read before it writes the answer.
    if (h1 && bodyLeftUnread(req)) {
      const settled = headers
      answerUnreadBody(req, res as ServerResponse, () => write(req, res, status, settled, body))
    } else write(req, res, status, headers, body)
    const ms = monotonicMs() - start
    record?.(status, ms / 1000)
    logger.access(req.method ?? '', req.url ?? '', status, ms, req.socket?.remoteAddress)
  }

  const unmatched: Answers['unmatched'] = (req, res, match, start) => {
    if (match.kind === 'redirect')
      return redirect(req, res, match.status, match.location, start, match.uncleaned)
    const headers: Record<string, string> = { [KRAKEND_HEADER]: versionHeader, [COMPLETED_HEADER]: 'false' }
    if (match.kind === 'not-allowed') {
      headers.Allow = match.allow
      const errorBody = config.server.errorBody405
      headers['Content-Type'] = errorBody !== undefined ? JSON_TYPE : ROUTER_TYPE
      const body = errorBody !== undefined ? goJson(errorBody) : '405 method not allowed'
      return finish(req, res, 405, headers, body, start, recordUnmatched)
    }
    const errorBody = config.server.errorBody404
    headers['Content-Type'] = errorBody !== undefined ? JSON_TYPE : ROUTER_TYPE
    const body = errorBody !== undefined ? goJson(errorBody) : '404 page not found'
    finish(req, res, 404, headers, body, start, recordUnmatched)
  }

  /** Go's http.Redirect as gin calls it: an HTML body for GET only. */
  const redirect = (
    req: GatewayRequest,
    res: GatewayResponse,
    status: number,
    location: string,
    start: number,
    uncleaned = location,
  ) => {
    const raw = requestUri(req)
    // An absolute-form target: gin redirects to req.URL.String(), its scheme and host included,
    // which http.Redirect leaves uncleaned
    const absolute = raw === req.url ? null : ABSOLUTE_FORM.exec(raw)
    if (absolute)
      location = `${(absolute[1] as string).toLowerCase()}://${goAuthorityString(absolute[2] as string)}${uncleaned}`
    const headers: Record<string, string> = { Location: hexEscapeNonAscii(location) }
    let body: string | Buffer | undefined
    if (req.method === 'GET' || req.method === 'HEAD') headers['Content-Type'] = 'text/html; charset=utf-8'
    if (req.method === 'GET') {
      const text = status === 301 ? 'Moved Permanently' : 'Temporary Redirect'
      // Go writes the URL itself here: a query with raw bytes (kept escaped in req.url) as sent
      const q = location.indexOf('?')
      body =
        raw === req.url || q === -1
          ? `<a href="${htmlEscape(hexEscapeNonAscii(location))}">${text}</a>.\n\n`
          : Buffer.from(
              `<a href="${htmlEscape(location.slice(0, q) + raw.slice(raw.indexOf('?')))}">${text}</a>.\n\n`,
              'latin1',
            )
    }
    finish(req, res, status, headers, body, start, recordUnmatched)
  }

  const recover: Answers['recover'] = (res, error) => {
    logger.error(`panic recovered: ${(error as Error)?.stack ?? String(error)}`)
    try {
      if (res.headersSent) abandonAnswer(res)
      else {
        ;(res as ServerResponse).writeHead(500, { 'Content-Length': '0' })
        res.end()
      }
    } catch {
      res.destroy()
    }
  }

  const endpointFailed: Answers['endpointFailed'] = (req, res, error, ep, start) => {
    try {
      const panicked = error instanceof GoPanic
      logger.error(
        `${panicked ? '[Recovery] panic recovered:' : ep.logPrefix} ${(error as Error)?.message ?? String(error)}`,
      )
      if (res.headersSent) return abandonAnswer(res)
      const status = error instanceof HttpError ? error.status : 500
      const headers: Record<string, string> = panicked
        ? { [KRAKEND_HEADER]: versionHeader }
        : { [KRAKEND_HEADER]: versionHeader, [COMPLETED_HEADER]: 'false' }
      finish(req, res, status, status === 413 ? refusalHeaders(req, headers) : headers, '', start, ep.record)
      if (status === 413) closeAfterAnswer(req, res)
    } catch (failure) {
      recover(res, failure)
    }
  }

  return { finish, unmatched, endpointFailed, recover }
}

/** A request target in absolute form: its scheme and authority. */
const ABSOLUTE_FORM = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)/

/** Writes an answer: its status, headers and body (Content-Length from the body's bytes). */
function write(
  req: GatewayRequest,
  res: GatewayResponse,
  status: number,
  headers: Record<string, string | string[]>,
  body: string | Buffer | undefined,
): void {
  // Go writes no body, and no length, for a status that has none (a 204 preflight, a 304), nor a
  // length for an empty answer to HEAD (chunkWriter: `!isHEAD || len(p) > 0`).
  // The length goes on a copy: components answer with shared header objects (a bot detector's
  // 403), where one answer's length would stay for the next (an empty HEAD answer has none).
  const bodyless = status === 204 || status === 304 || status < 200
  // framing lines a script set: Go's server frames the answer by them
  if (req.httpVersionMajor === 1 && namesFraming(headers)) {
    const bytes =
      body === undefined ? Buffer.alloc(0) : typeof body === 'string' ? Buffer.from(body, 'utf8') : body
    writeGoFramed(req, res as ServerResponse, status, headers, bytes)
    return
  }
  if (body === undefined || body.length === 0 || bodyless) {
    const sized = bodyless || req.method === 'HEAD' ? headers : { ...headers, 'Content-Length': '0' }
    ;(res as ServerResponse).writeHead(status, sized)
    res.end()
    return
  }
  // Encode once: the length and the bytes written come from the same buffer.
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body
  const buffered = req.httpVersionMajor === 1 ? GO_BUFFER_BEFORE_CHUNKING : GO_H2_HANDLER_BUFFER
  if (bytes.length > buffered && req.method !== 'HEAD') {
    // Go's server: an answer its write buffer cannot hold goes out before the handler ends,
    // so without a length: chunked over HTTP/1.1 (node:http chunks without one too), DATA
    // frames without a content-length over HTTP/2.
    const { 'Content-Length': _stale, ...unsized } = headers
    ;(res as ServerResponse).writeHead(status, unsized)
  } else (res as ServerResponse).writeHead(status, { ...headers, 'Content-Length': String(bytes.length) })
  if (req.method === 'HEAD') res.end()
  else res.end(bytes)
}
