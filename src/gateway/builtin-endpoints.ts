// The answers the gateway gives itself: /__health, /__debug/ and /__echo/, written as KrakenD
// writes them (gin's c.JSON: Go JSON, `application/json; charset=utf-8`).
import type { GatewayRequest } from './app.ts'
import { textOfBytes } from './byte-text.ts'
import { goJson } from './go-json.ts'
import { goNowString } from './go-time-string.ts'
import { goHeaders, goQueryEscape, parseGoQuery, queryObject } from './go-url.ts'
import { requestUri } from './node-http.ts'
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
