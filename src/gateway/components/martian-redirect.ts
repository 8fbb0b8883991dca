// The URL of the request martian's answer side reads (Go's res.Request.URL): the request as sent,
// or after redirects the last hop's, which Go's http.Client makes with req.URL.Parse(Location)
// (net/http client.go Client.do; the resolution itself is go-url-resolve.ts).
import { type RequestUrl, resolveLocation } from '../go-url-resolve.ts'

export type { RequestUrl } from '../go-url-resolve.ts'

/**
 * The last hop's URL: each Location resolved against the URL before it. A Location Go's url.Parse
 * refuses ends the walk there (Go fails the call with it: martian never sees an answer).
 */
export function lastHopUrl(first: RequestUrl, locations: readonly string[]): RequestUrl {
  let url = first
  for (const location of locations) {
    const next = resolveLocation(url, location)
    if (typeof next === 'string') break
    url = next
  }
  return url
}
