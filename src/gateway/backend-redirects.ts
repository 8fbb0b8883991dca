// The hops of a backend call's redirects, as Go's http.Client makes them (net/http client.go,
// Client.do): which answers it follows, the next hop's URL (req.URL.Parse(Location): go-url-resolve.ts),
// method, body and headers, and what the last hop's request is (res.Request, which martian's
// answer side reads).
import { domainToASCII } from 'node:url'
import punycode from 'punycode/punycode.js'
import { BackendCallError } from './backend-call-error.ts'
import type { BackendRequest, Hop, HopRequest } from './backend-client.ts'
import { splitOrigin } from './components/martian-origin.ts'
import { goOp } from './go-http.ts'
import { goQuoteBytes } from './go-quote.ts'
import {
  type RequestUrl,
  requestUri,
  resolveLocation,
  splitHost,
  stripPassword,
  urlString,
} from './go-url-resolve.ts'
import { wireText } from './go-utf8.ts'
import type { HeaderValues } from './request-headers.ts'
import type { Agent, Pool } from './undici.ts'

export const MAX_REDIRECTS = 10

/** Go's makeHeadersCopier: sent to the first request's host (or its subdomains) only. */
export const SENSITIVE_ON_OTHER_HOST = [
  'authorization',
  'www-authenticate',
  'cookie',
  'cookie2',
  'proxy-authorization',
  'proxy-authenticate',
]
/**
 * ... and the length of a body a 301/302/303 drops. Go 1.25 (KrakenD CE 2.13.8's toolchain) copies
 * every other header of the first request, Content-Type and the other body headers included (Go 1.26
 * drops those too).
 */
export const BODY_LENGTH = 'content-length'

export const isRedirect = (status: number) =>
  status >= 301 && status <= 308 && status !== 304 && status !== 305 && status !== 306

/**
 * The Location Go's client follows from this answer; undefined when the answer is the call's last.
 * 307/308 repeat the body, which KrakenD cannot rewind: a call whose first request had a body
 * stops there, even an empty one (Go's client checks that the body is not NoBody, not its bytes),
 * even when an earlier 301/302/303 dropped it (redirectBehavior reads reqs[0]).
 */
export function followedLocation(
  req: Pick<BackendRequest, 'body' | 'replaysBody'>,
  status: number,
  headers: Record<string, string | string[] | undefined>,
): string | undefined {
  if (!isRedirect(status)) return undefined
  const value = headers.location
  const location = Array.isArray(value) ? value[0] : value
  if (!location) return undefined
  const keepsBody = status === 307 || status === 308
  return keepsBody && req.body !== undefined && !req.replaysBody ? undefined : location
}

/**
 * A call that followed redirects: each Location followed, in order, and the headers of the last
 * hop's request. Go's res.Request is that request: its URL is the last Location resolved against
 * the URL before it (url.URL.Parse), which modifier/martian's answer side works out from these.
 */
export interface Redirected {
  locations: string[]
  headers: HeaderValues
}

/** What of the first request its redirects' hops read (a backend call's, or a token fetch's). */
export type RedirectingRequest = Pick<
  BackendRequest,
  'origin' | 'path' | 'method' | 'headers' | 'body' | 'replaysBody' | 'redirected' | 'fragment'
> & { pool: Pool | Agent }

/** Where a call is: `url` as URL.String (answers name it), `errorUrl` with its password as `***` (errors name it). */
export interface CallAt {
  url: string
  errorUrl: string
}

/**
 * A call as Go's Client.do makes it: the first request, then the redirects it follows, to the last
 * answer. `at` follows the URL called, for the caller's errors.
 */
export async function callFollowingRedirects<T>(
  req: RedirectingRequest,
  hop: HopRequest,
  send: (hop: HopRequest) => Promise<Hop<T>>,
  otherOrigins: () => Agent,
  at: CallAt,
): Promise<Hop<T>> {
  const response = await send(hop)
  return isRedirect(response.statusCode)
    ? followAllRedirects(req, hop, response, send, otherOrigins, at)
    : response
}

/** followRedirects, failing in Go's words where Go stops (MAX_REDIRECTS requests made). */
export async function followAllRedirects<T>(
  req: RedirectingRequest,
  hop: HopRequest,
  first: Hop<T>,
  send: (hop: HopRequest) => Promise<Hop<T>>,
  otherOrigins: () => Agent,
  at: CallAt,
): Promise<Hop<T>> {
  const last = await followRedirects(req, hop, first, send, otherOrigins, at)
  if (last) return last
  throw new BackendCallError(
    `${goOp(req.method)} ${goQuoteBytes(at.errorUrl)}: stopped after ${MAX_REDIRECTS} redirects`,
  )
}

/** What Client.do carries from hop to hop. */
interface Hops {
  /** The first request's URL.Host, and its hostname as idnaASCII writes it (made when first needed). */
  initialHost: string
  initialAscii?: string
  /** The previous hop's URL and req.Host ('' when Go sends URL.Host). */
  url: RequestUrl
  host: string
  /** stripSensitiveHeaders: once a hop went to another host, no later hop gets credentials. */
  stripSensitive: boolean
  /** !includeBody: once a hop dropped the body, no later hop sends it (or its headers). */
  bodyDropped: boolean
}

/**
 * The rest of a call whose first answer is a redirect: the hops Go's http.Client follows, to the
 * last hop's answer (or undefined: Go stops once it made MAX_REDIRECTS requests, `at` then the Location it
 * stopped at, as Go names it). The hops' requests change `hop`; `at` follows the URL called. A Location Go cannot follow (url.Parse refuses it, a
 * scheme other than http/https, no host) fails the call with Go's words.
 */
export async function followRedirects<T>(
  req: RedirectingRequest,
  hop: HopRequest,
  first: Hop<T>,
  send: (hop: HopRequest) => Promise<Hop<T>>,
  otherOrigins: () => Agent,
  at: CallAt,
): Promise<Hop<T> | undefined> {
  const initial = splitOrigin(req.origin)
  const state: Hops = {
    initialHost: initial.host,
    url: { ...initial, target: req.path, fragment: req.fragment?.() ?? '' },
    host: firstValue(req.headers.host) ?? '',
    stripSensitive: false,
    bodyDropped: false,
  }
  let response = first
  for (let hops = 0; isRedirect(response.statusCode); hops += 1) {
    const location = followedLocation(req, response.statusCode, response.headers)
    if (location === undefined) break
    await response.discard()
    const next = resolveLocation(state.url, location)
    if (typeof next === 'string')
      throw new BackendCallError(
        `${goOp(req.method)} ${goQuoteBytes(stripPassword(state.url))}: failed to parse Location header ${goQuoteBytes(location)}: ${next}`,
      )
    if (hops + 1 === MAX_REDIRECTS) {
      // defaultCheckRedirect: MAX_REDIRECTS requests made (the first one included), no more; its
      // error names the Location.
      at.url = location
      at.errorUrl = location
      return undefined
    }
    at.url = urlString(next)
    at.errorUrl = stripPassword(next)
    const origin = dialOrigin(next)
    if (typeof origin !== 'string')
      throw new BackendCallError(`${goOp(req.method)} ${goQuoteBytes(at.errorUrl)}: ${origin.error}`)
    const keepsBody = response.statusCode === 307 || response.statusCode === 308
    nextHop(hop, req, state, next, origin, keepsBody, location)
    hop.dispatcher = hop.origin === req.origin ? req.pool : otherOrigins()
    response = await send(hop)
  }
  return response
}

/**
 * The next hop of a redirect, as Go's http.Client makes it: the first request's headers (less
 * credentials once a hop left its host, less the body's once a hop dropped it), the Referer,
 * the Host. Recorded on `req.redirected` (only a redirect pays for it).
 */
function nextHop(
  hop: HopRequest,
  req: RedirectingRequest,
  state: Hops,
  next: RequestUrl,
  origin: string,
  keepsBody: boolean,
  location: string,
) {
  const previous = state.url
  // req.Host: the previous hop's, kept when it was its own and the Location has no scheme.
  const host =
    state.host !== '' && state.host !== previous.host && location.search(/^[A-Za-z][A-Za-z0-9+.-]*:/) === -1
      ? state.host
      : ''
  if (!keepsBody) {
    if (hop.method !== 'GET' && hop.method !== 'HEAD') hop.method = 'GET'
    hop.body = undefined
    state.bodyDropped = true
  }
  if (!state.stripSensitive && next.host !== state.initialHost) {
    state.initialAscii ??= idnaAscii(splitHost(state.initialHost).hostname)
    if (!isDomainOrSubdomain(idnaAscii(splitHost(next.host).hostname), state.initialAscii))
      state.stripSensitive = true
  }
  const headers = { ...req.headers }
  delete headers.host
  if (state.bodyDropped) delete headers[BODY_LENGTH]
  if (state.stripSensitive) for (const name of SENSITIVE_ON_OTHER_HOST) delete headers[name]
  // refererForURL, then Header.Set (one line): none from https to http (the caller's own lines,
  // copied, stay); the first of the caller's own when not empty; else the previous URL without
  // its user info.
  if (!(previous.scheme === 'https' && next.scheme === 'http')) {
    const explicit = firstValue(headers.referer) ?? ''
    headers.referer = explicit !== '' ? explicit : urlString(previous, '')
  }
  // Go writes req.Host, else URL.Host (its IDN labels in punycode, case and port as written);
  // undici writes the origin's host unless told.
  const sent = host !== '' ? host : punycodeHostPort(next.host)
  if (sent !== new URL(origin).host) headers.host = sent
  hop.headers = headers
  hop.origin = origin
  hop.path = requestUri(next)
  state.url = next
  state.host = host
  if (req.redirected) {
    req.redirected.locations.push(location)
    req.redirected.headers = headers
  } else req.redirected = { locations: [location], headers }
}

const firstValue = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)

/**
 * Where Go's transport dials a hop (canonicalAddr: the hostname in idnaASCII, the scheme's port
 * unless one is given), as undici's origin; or the error its transport fails the hop with.
 */
function dialOrigin(url: RequestUrl): string | { error: string } {
  if (url.scheme !== 'http' && url.scheme !== 'https')
    return { error: `unsupported protocol scheme ${goQuoteBytes(url.scheme)}` }
  if (url.host === '' || url.opaque !== undefined) return { error: 'http: no Host in request URL' }
  const { hostname, port } = splitHost(url.host)
  const ascii = idnaAscii(hostname)
  if (port !== '' && Number(port) > 65535) return { error: `dial tcp: address ${port}: invalid port` }
  try {
    return new URL(
      `${url.scheme}://${ascii.includes(':') ? `[${ascii}]` : ascii}${port === '' ? '' : `:${port}`}`,
    ).origin
  } catch {
    // A host WHATWG refuses (Go accepts `<`, `>`, `"`, a port after a port...): no DNS name.
    return { error: `dial tcp: lookup ${wireText(ascii)}: no such host` }
  }
}

/** net/http's idnaASCII (idna.Lookup.ToASCII of a non-ASCII name; the name itself when it fails). */
function idnaAscii(hostname: string): string {
  if (!/[\x80-\xff]/.test(hostname)) return hostname
  return domainToASCII(Buffer.from(hostname, 'latin1').toString('utf8')) || hostname
}

/** net/http's isDomainOrSubdomain. */
function isDomainOrSubdomain(sub: string, parent: string): boolean {
  if (sub === parent) return true
  if (/[:%]/.test(sub)) return false
  return sub.endsWith(parent) && sub[sub.length - parent.length - 1] === '.'
}

/** httpguts.PunycodeHostPort: each non-ASCII label of the host as `xn--` punycode (idna.ToASCII: no mapping). */
export function punycodeHostPort(host: string): string {
  if (!/[\x80-\xff]/.test(host)) return host
  const colon = host.lastIndexOf(':')
  const hasPort = colon !== -1 && /^:[0-9]*$/.test(host.slice(colon)) && !host.startsWith('[')
  const name = hasPort ? host.slice(0, colon) : host
  const labels = Buffer.from(name, 'latin1')
    .toString('utf8')
    .split('.')
    .map((label) => (/[^\p{ASCII}]/u.test(label) ? `xn--${punycode.encode(label)}` : label))
  return `${labels.join('.')}${hasPort ? host.slice(colon) : ''}`
}
