// The answers the gateway gives itself: /__health, /__debug/ and /__echo/, written as KrakenD
// writes them (gin's c.JSON: Go JSON, `application/json; charset=utf-8`).
import { type Answers, JSON_TYPE } from './answers.ts'
import type { GatewayRequest, GatewayResponse } from './app.ts'
import type { NodeAgents } from './async-agent/node-agents.ts'
import { textOfBytes } from './byte-text.ts'
import type { GatewayConfig } from './config/types.ts'
import { goJson } from './go-json.ts'
import { goNowString } from './go-time-string.ts'
import { goHeaders, goQueryEscape, parseGoQuery, queryObject } from './go-url.ts'
import type { InFlight } from './in-flight.ts'
import type { Logger } from './logging.ts'
import { requestUri } from './node-http.ts'
import { closeAfterAnswer, HttpError, readRequestBody, refusalHeaders } from './request-body.ts'
import { goUnescapePath } from './router.ts'

export const DEBUG_BODY = goJson({ message: 'pong' })

/**
 * KrakenD's `{"agents":{},"now":"…","status":"ok"}` (`now` as Go's time.Now().String(); `agents`, each
 * async agent's last ping, in the same form) plus our extensions: the config `name`, when the process
 * `started`, and `"status":"draining"` (with 503) while shutting down.
 */
export function healthBody(
  draining: boolean,
  name: string,
  started: string,
  agents: Record<string, string> = {},
): string {
  return goJson({
    agents,
    name,
    now: goNowString(),
    started,
    status: draining ? 'draining' : 'ok',
  })
}

/**
 * lura's echo endpoint: the request as the gateway received it (struct field order, not sorted):
 * the target as sent (RequestURI), Go's decoded URL.Path, the Host (from an absolute-form target
 * when there is one).
 */
export function echoBody(req: GatewayRequest, body: Buffer | undefined): string {
  const url = req.url ?? '/'
  const q = url.indexOf('?')
  const rawPath = q === -1 ? url : url.slice(0, q)
  const decoded = goUnescapePath(rawPath)
  const path = decoded === undefined ? rawPath : Buffer.from(decoded, 'latin1').toString('utf8')
  const rawQuery = q === -1 ? '' : url.slice(q + 1)
  const query = parseGoQuery(rawQuery)
  const keys = [...query.keys()].sort()
  let encoded = ''
  for (const key of keys)
    for (const value of query.get(key) as string[])
      encoded += `${encoded === '' ? '' : '&'}${goQueryEscape(key)}=${goQueryEscape(value)}`
  const host = req.headers[':authority'] ?? req.headers.host ?? ''
  return `{"req_uri":${goJson(textOfBytes(requestUri(req)))},"req_uri_details":${goJson({
    fragment: '',
    host,
    path,
    query: encoded,
    user: '',
  })},"req_method":${goJson(req.method ?? 'GET')},"req_querystring":${goJson(queryObject(query))},"req_body":${goJson(
    body ? body.toString('utf8') : '',
  )},"req_headers":${goJson(goHeaders(req.rawHeaders))}}`
}

export interface BuiltinAnswersOptions {
  config: GatewayConfig
  logger: Logger
  finish: Answers['finish']
  inFlight: InFlight
  isDraining: () => boolean
  /** When the process started, as /__health reports it. */
  started: string
  agents: NodeAgents | undefined
  /** gin.Recovery: what an error nothing expected ends as. */
  recover(res: GatewayResponse, error: unknown): void
}

export type BuiltinAnswer = (
  kind: 'health' | 'debug' | 'echo',
  req: GatewayRequest,
  res: GatewayResponse,
  start: number,
) => void

/** Answers /__health at once; /__debug/ and /__echo/ once they have read the request's body. */
export function createBuiltinAnswers(options: BuiltinAnswersOptions): BuiltinAnswer {
  const { config, logger, finish, inFlight, isDraining, started, agents, recover } = options
  return (kind, req, res, start) => {
    if (kind === 'health') {
      const draining = isDraining()
      const body = healthBody(draining, config.name, started, agents?.report())
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
    inFlight.enter()
    readRequestBody(req, config.server.maxBodyBytes)
      .then(
        (body) => {
          inFlight.leave()
          if (kind === 'debug') {
            logger.debug(`[ENDPOINT: /__debug/*] Method: ${req.method} URL: ${req.url}`)
            finish(req, res, 200, { 'Content-Type': JSON_TYPE }, DEBUG_BODY, start, undefined)
          } else finish(req, res, 200, { 'Content-Type': JSON_TYPE }, echoBody(req, body), start, undefined)
        },
        (error: unknown) => {
          inFlight.leave()
          const status = error instanceof HttpError ? error.status : 500
          if (status !== 413) return finish(req, res, status, {}, '', start, undefined)
          finish(req, res, status, refusalHeaders(req, {}), '', start, undefined)
          closeAfterAnswer(req, res)
        },
      )
      .catch((error: unknown) => recover(res, error))
  }
}
