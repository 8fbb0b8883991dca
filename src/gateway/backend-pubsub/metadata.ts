/**
 * The message metadata krakend-pubsub's publisher sends: lura's request header map, the first value
 * of each header, under its canonical name (lura canonicalizes input_headers; X-Forwarded-For,
 * X-Forwarded-Host, User-Agent or X-Forwarded-Via are its own). Values are Go strings, bytes:
 * read as UTF-8 here (a value that is not UTF-8 gets U+FFFD where Go would send its bytes).
 */
import { GO_USER_AGENT } from '../go-http.ts'
import { canonicalHeaderKey } from '../go-url.ts'
import type { HeaderValues } from '../request-headers.ts'

/** The backend's own input_headers leave User-Agent out: Go's client adds its own, lura's map has none. */
export const dropsGoUserAgent = (backendHeaders: string[]): boolean =>
  backendHeaders.length > 0 && !backendHeaders.some((h) => h.toLowerCase() === 'user-agent')

export function pubsubMetadata(headers: HeaderValues, withoutGoUserAgent: boolean): Array<[string, string]> {
  const out: Array<[string, string]> = []
  for (const lower of Object.keys(headers)) {
    const value = headers[lower]
    if (value === undefined) continue
    // The transport's own Accept-Encoding and User-Agent are not in lura's map (request-headers.ts).
    if (lower === 'accept-encoding' && value === 'gzip') continue
    if (lower === 'user-agent' && withoutGoUserAgent && value === GO_USER_AGENT) continue
    out.push([canonicalHeaderKey(lower), utf8((Array.isArray(value) ? value[0] : value) ?? '')])
  }
  return out
}

/** A header value as Node holds it (one character per byte) as the text its UTF-8 bytes spell. */
const utf8 = (bytes: string): string =>
  /[\u0080-\u00ff]/.test(bytes) ? Buffer.from(bytes, 'latin1').toString('utf8') : bytes
