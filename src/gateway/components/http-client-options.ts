// backend/http/client: of its options KrakenD CE (lura's proxy/http.go) reads only
// send_body_on_redirect; the others are KrakenD Enterprise's, which CE ignores.
import type { Fields } from './fields.ts'

export interface HttpClientOptions {
  /** The body is read into memory first, so a 307/308 redirect can send it again. */
  sendBodyOnRedirect: boolean
}

export function parseHttpClientOptions(f: Fields): HttpClientOptions {
  for (const key of Object.keys(f.raw))
    if (key !== 'send_body_on_redirect' && !/^[@$_#]/.test(key)) {
      f.handled(key)
      f.report.error(
        f.at(key),
        `"${key}" is a KrakenD Enterprise option of backend/http/client: KrakenD CE ignores it, so the backend would be called without it`,
        'remove it; this runtime follows KrakenD CE',
      )
    }
  return { sendBodyOnRedirect: f.bool('send_body_on_redirect') }
}
