// The hops of a backend call's redirects, as Go's http.Client makes them (net/http client.go,
// Client.do): which answers it follows, the next hop's method, body and headers, and what the last
// hop's request is (res.Request, which martian's answer side reads).
import type { BackendRequest, Hop, HopRequest, Send } from './backend-client.ts'
import { wireText } from './go-utf8.ts'
import type { HeaderValues } from './request-headers.ts'
import type { Agent } from './undici.ts'

export const MAX_REDIRECTS = 10

/** Go's makeHeadersCopier: sent to the first request's host (or its subdomains) only. */
const SENSITIVE_ON_OTHER_HOST = [
  'authorization',
  'www-authenticate',
  'cookie',
  'cookie2',
  'proxy-authorization',
  'proxy-authenticate',
]
/** ... and the headers of a body a 301/302/303 drops (with its length, which Go never copies). */
const BODY_HEADERS = [
  'content-type',
  'content-encoding',
  'content-language',
  'content-location',
  'content-length',
]

export const isRedirect = (status: number) =>
  status >= 301 && status <= 308 && status !== 304 && status !== 305 && status !== 306

/**
 * A call that followed redirects: each Location followed, in order, and the headers of the last
 * hop's request. Go's res.Request is that request: its URL is the last Location resolved against
 * the URL before it (url.URL.Parse), which modifier/martian's answer side works out from these.
 */
export interface Redirected {
  locations: string[]
  headers: HeaderValues
}

/**
 * The rest of a call whose first answer is a redirect: the hops Go's http.Client follows, to the
 * last hop's answer (or undefined: Go stops after MAX_REDIRECTS). The hops' requests change `hop`;
 * `at.url` follows the URL called (errors name it).
 */
export async function followRedirects<T>(
  req: BackendRequest,
  hop: HopRequest,
  first: Hop<T>,
  send: Send<T>,
  otherOrigins: () => Agent,
  at: { url: string },
): Promise<Hop<T> | undefined> {
  let response = first
  for (let hops = 0; isRedirect(response.statusCode); hops += 1) {
    const value = response.headers.location
    const location = Array.isArray(value) ? value[0] : value
    // 307/308 repeat the body, which KrakenD cannot rewind: a call with a body stops there,
    // even an empty one (Go's client checks that the body is not NoBody, not its bytes).
    const keepsBody = response.statusCode === 307 || response.statusCode === 308
    if (!location || (keepsBody && hop.body !== undefined && !req.replaysBody)) break
    response.discard()
    if (hops === MAX_REDIRECTS) return undefined
    const next = new URL(location, wireText(at.url))
    const previous = at.url
    at.url = next.href
    nextHop(hop, req, next, previous, keepsBody, location)
    hop.dispatcher = hop.origin === req.origin ? req.pool : otherOrigins()
    response = await send(hop, req)
  }
  return response
}

/**
 * The next hop of a redirect, as Go's http.Client makes it, recorded on `req.redirected` (only a
 * redirect pays for it).
 */
function nextHop(
  hop: HopRequest,
  req: BackendRequest,
  next: URL,
  previous: string,
  keepsBody: boolean,
  location: string,
) {
  if (!keepsBody) {
    if (hop.method !== 'GET' && hop.method !== 'HEAD') hop.method = 'GET'
    hop.body = undefined
  }
  const headers = { ...hop.headers }
  if (!keepsBody) for (const name of BODY_HEADERS) delete headers[name]
  if (next.origin !== hop.origin && !sameOrSubdomain(new URL(req.origin).hostname, next.hostname))
    for (const name of SENSITIVE_ON_OTHER_HOST) delete headers[name]
  // Go keeps a Referer the caller set, and sends none from https to http.
  if (req.headers.referer === undefined && !(previous.startsWith('https:') && next.protocol === 'http:'))
    headers.referer = stripUserInfo(previous)
  // Go keeps a Host the caller set (other than the URL's) only for a Location without a scheme.
  const host = req.headers.host
  if (host !== undefined) {
    if (host !== new URL(req.origin).host && !/^(?:[A-Za-z][A-Za-z0-9+.-]*)?:/.test(location))
      headers.host = host
    else delete headers.host
  }
  hop.headers = headers
  hop.origin = next.origin
  hop.path = next.pathname + next.search
  if (req.redirected) {
    req.redirected.locations.push(location)
    req.redirected.headers = headers
  } else req.redirected = { locations: [location], headers }
}

function sameOrSubdomain(initial: string, next: string): boolean {
  return next === initial || next.endsWith(`.${initial}`)
}

function stripUserInfo(url: string): string {
  const u = new URL(url)
  u.username = ''
  u.password = ''
  return u.href
}
