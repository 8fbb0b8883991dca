// What a backend receives, as lura's router builds it: the forwarded client headers
// (`input_headers`, default only Content-Type; `["*"]` all), X-Forwarded-For from the client
// IP as gin computes it, X-Forwarded-Host, and KrakenD's User-Agent (or X-Forwarded-Via when the
// client's User-Agent is forwarded).

import type { IncomingHttpHeaders } from 'node:http'
import { isIP } from 'node:net'
import { goOnlyHeaders } from './components/incoming-headers.ts'
import { allLines, goHeaderGet } from './components/types.ts'
import type { ServerOptions } from './config/types.ts'
import { GO_USER_AGENT } from './go-http.ts'
import { goNetContains, parseGoIp, parseTrustedNets } from './go-ip.ts'
import { goServerKeeps } from './go-url.ts'
import { KRAKEND_USER_AGENT } from './krakend-compat.ts'
import { setOwnKey } from './own-keys.ts'

/** Headers that describe one connection (RFC 9110 7.6.1, plus Proxy-Connection). */
export const CONNECTION_HEADERS = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
]

export type HeaderValues = Record<string, string | string[]>

export interface ForwardRule {
  /** Lower-case names, or every header. */
  names: string[] | '*'
  forwardsUserAgent: boolean
  /** The client's Accept-Encoding is among the forwarded headers. */
  forwardsAcceptEncoding: boolean
  /**
   * Go's transport asks for gzip (and decompresses the answer itself) when the request has no
   * Accept-Encoding and no Range, unless the service sets `disable_compression`.
   */
  transportGzip: boolean
  forwardsContentLength: boolean
  /** Host, Content-Length, Transfer-Encoding among the names (lower-case; all for `*`). */
  framingNames: string[] | '*'
}

export function compileForwardRule(inputHeaders: string[], disableCompression = false): ForwardRule {
  const list = inputHeaders.length > 0 ? inputHeaders : ['Content-Type']
  const names = list.includes('*')
    ? '*'
    : list.map((h) => h.toLowerCase()).filter((h) => h !== 'transfer-encoding')
  const has = (name: string) => names === '*' || names.includes(name)
  return {
    names,
    forwardsUserAgent: has('user-agent'),
    forwardsAcceptEncoding: has('accept-encoding'),
    transportGzip: !disableCompression,
    forwardsContentLength: has('content-length'),
    framingNames:
      names === '*'
        ? '*'
        : ['host', 'content-length', 'transfer-encoding'].filter((h) =>
            list.some((l) => l.toLowerCase() === h),
          ),
  }
}

interface ClientRequestLike {
  /** 2 over h2c, where node:http2 keeps the first of more names (H2_FIRST_FIELD_ONLY). */
  httpVersionMajor?: number
  headers: IncomingHttpHeaders
  rawHeaders?: string[]
  headersDistinct?: Record<string, string[] | undefined>
  socket?: { remoteAddress?: string | undefined } | null
}

/** router.trusted_proxies as a matcher; undefined when every proxy is trusted (gin's default). */
export type TrustedProxies = ((ip: string) => boolean) | undefined

export function compileTrustedProxies(list: string[] | undefined): TrustedProxies {
  if (list === undefined) return undefined
  const { nets } = parseTrustedNets(list)
  // The same few peers and hops come again and again: their answers are kept (a bounded map).
  const seen = new Map<string, boolean>()
  return (ip) => {
    let trusted = seen.get(ip)
    if (trusted === undefined) {
      const bytes = parseGoIp(ip)
      trusted = bytes !== undefined && nets.some((net) => goNetContains(net, bytes))
      if (seen.size >= 1024) seen.clear()
      seen.set(ip, trusted)
    }
    return trusted
  }
}

/**
 * gin's Context.ClientIP(): from a trusted peer, the first X-Forwarded-For / X-Real-IP address
 * (walking from the right, stopping at the first untrusted one); else the peer's address.
 */
export function clientIp(req: ClientRequestLike, server: ServerOptions, trusted?: TrustedProxies): string {
  if (server.appEngine) {
    // gin's legacy AppEngine flag: the platform's header wins, from any peer, unvalidated. Its first
    // line only (Header.Get), where Node joins repeated lines.
    const value = goHeaderGet(req, 'x-appengine-remote-addr')
    if (value) return value
  }
  let remote = req.socket?.remoteAddress ?? ''
  // An IPv4 client on a dual-stack socket: gin sees the IPv4 address.
  if (remote.startsWith('::ffff:') && isIP(remote.slice(7)) === 4) remote = remote.slice(7)
  if (!server.forwardedByClientIp || (trusted && !trusted(remote))) return remote
  for (const name of server.remoteIpHeaders) {
    const value = NOT_COMMA_JOINED.has(name) ? allLines(req, name)?.join(',') : req.headers[name]
    if (!value || typeof value !== 'string') continue
    const items = value.split(',')
    for (let i = items.length - 1; i >= 0; i -= 1) {
      const ip = goTrimSpace(items[i] as string)
      // Go's net.ParseIP takes no IPv6 zone (fe80::1%eth0), which Node's isIP accepts.
      if (isIP(ip) === 0 || ip.includes('%')) break
      if (i === 0 || (trusted && !trusted(ip))) return ip
    }
  }
  return remote
}

/**
 * lura's backend-level input_headers: of the headers the endpoint prepared, only those listed reach
 * this backend, X-Forwarded-For and User-Agent included (Go's client then sends its own User-Agent,
 * and its transport still asks for gzip).
 */
export function compileBackendHeaderFilter(
  list: string[],
  rule: ForwardRule,
): (headers: HeaderValues) => HeaderValues {
  // A name Object.prototype has (`constructor`, `__proto__`) is read as the headers' own only.
  const keep = list.map((h) => h.toLowerCase()).map((name) => [name, name in Object.prototype] as const)
  const repeats = new Set(keep.map(([name]) => name)).size < keep.length
  return (headers) => {
    if (repeats && passesWhole(keep, headers)) return headers
    const out: HeaderValues = {}
    for (const [name, inherited] of keep) {
      const value = inherited && !Object.hasOwn(headers, name) ? undefined : headers[name]
      // The transport's own gzip is not in the request's headers (it is added again below).
      if (value === undefined || (name === 'accept-encoding' && value === 'gzip')) continue
      setOwnKey(out, name, value)
    }
    if (out['user-agent'] === undefined) out['user-agent'] = GO_USER_AGENT
    addTransportGzip(out, rule)
    return out
  }
}

/**
 * lura's shortcut (NewFilterHeadersMiddleware): when the listed names found among the headers,
 * counted with repeats, number as many as the headers, all of them pass unfiltered. Only a list
 * naming a header twice can meet it with a header it does not name (`["X-A", "x-a"]` lets one other
 * header through beside X-A). The transport's own gzip is not among lura's headers.
 */
function passesWhole(keep: ReadonlyArray<readonly [string, boolean]>, headers: HeaderValues): boolean {
  let found = 0
  for (const [name, inherited] of keep)
    if (inherited ? Object.hasOwn(headers, name) : lurasHeader(headers, name)) found += 1
  let size = 0
  for (const name in headers) if (lurasHeader(headers, name)) size += 1
  return found === size
}

/** The header is in lura's map: present, and not the transport's own gzip. */
const lurasHeader = (headers: HeaderValues, name: string): boolean =>
  headers[name] !== undefined && (name !== 'accept-encoding' || headers[name] !== 'gzip')

/**
 * Go's transport asks for gzip (and decompresses) unless the caller chose an encoding or a range
 * (Header.Get: the first value, empty counting as none). The value `gzip` as a plain string marks
 * the transport's (written last, as Go writes it); a forwarded one is kept as a list. A forwarded
 * empty Accept-Encoding gets the transport's line when the request goes out (backend-client.ts).
 */
function addTransportGzip(out: HeaderValues, rule: ForwardRule): void {
  if (rule.transportGzip && out['accept-encoding'] === undefined && !firstValue(out.range))
    out['accept-encoding'] = 'gzip'
}

/** Header.Get: the first value, '' for none. */
export const firstValue = (value: string | string[] | undefined): string =>
  (Array.isArray(value) ? value[0] : value) ?? ''

/**
 * Go's strings.TrimSpace on a header value's bytes (Node hands them over as latin1): ASCII
 * whitespace, and the UTF-8 encodings of the other runes unicode.IsSpace names (U+0085, U+00A0,
 * U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000). A lone 0xA0 byte is no rune:
 * it stays, where String.prototype.trim would take it.
 */
export function goTrimSpace(value: string): string {
  if (!NON_ASCII.test(value)) return value.trim()
  return value.replace(GO_LEADING_SPACE, '').replace(GO_TRAILING_SPACE, '')
}

const NON_ASCII = /[\u0080-\u00ff]/
const GO_SPACE =
  '(?:[\\t\\n\\v\\f\\r ]|\\xc2[\\x85\\xa0]|\\xe1\\x9a\\x80|\\xe2\\x80[\\x80-\\x8a\\xa8\\xa9\\xaf]|\\xe2\\x81\\x9f|\\xe3\\x80\\x80)'
const GO_LEADING_SPACE = new RegExp(`^${GO_SPACE}+`)
const GO_TRAILING_SPACE = new RegExp(`${GO_SPACE}+$`)

/** The headers sent to every backend of an endpoint for one request. */
export function backendHeaders(
  rule: ForwardRule,
  req: ClientRequestLike,
  server: ServerOptions,
  trusted?: TrustedProxies,
): HeaderValues {
  const out: HeaderValues = {}
  if (rule.names === '*') {
    const incoming = req.headers
    for (const key in incoming) {
      if (key.charCodeAt(0) === 58 /* ':' */) continue
      if (!inGoMap(req, key)) continue
      const value = distinct(req, key)
      if (value === undefined) continue
      setOwnKey(out, key, value)
    }
    // Node's IncomingMessage.headers leaves a `__proto__` line out (its object has a prototype);
    // Go forwards it like any header.
    if (!Object.hasOwn(incoming, '__proto__')) {
      const proto = rawProtoHeader(req)
      if (proto !== undefined) setOwnKey(out, '__proto__', proto)
    }
  } else {
    for (const key of rule.names) {
      if (!inGoMap(req, key)) continue
      const value = distinct(req, key)
      if (value === undefined) continue
      setOwnKey(out, key, value)
    }
  }
  const goOnly = goOnlyHeaders(req)
  if (goOnly !== undefined) addGoOnly(out, goOnly, rule.framingNames)
  // A client's own `gzip` is kept apart from the transport's (a list, written in its sorted place).
  if (out['accept-encoding'] === 'gzip') out['accept-encoding'] = ['gzip']
  addTransportGzip(out, rule)
  out['x-forwarded-for'] = clientIp(req, server, trusted)
  const host = req.headers[':authority'] ?? req.headers.host
  out['x-forwarded-host'] = (Array.isArray(host) ? host[0] : host) ?? ''
  if (out['user-agent'] === undefined) out['user-agent'] = KRAKEND_USER_AGENT
  else out['x-forwarded-via'] = KRAKEND_USER_AGENT
  return out
}

/**
 * Whether the client's lines of a name are in Go's header map when lura copies it (goServerKeeps;
 * a copied Content-Length, Host or Trailer is in lura's request, for CEL and Lua, but never written
 * from it: writtenMapHeaders), or a Trailer a component set (a propagated claim) that Go's
 * transport would refuse (it checks every value of the map, written or not).
 */
function inGoMap(req: ClientRequestLike, key: string): boolean {
  return goServerKeeps(req.rawHeaders ?? [], key) || (key === 'trailer' && refusedByGo(req.headers.trailer))
}

/**
 * Host, Content-Length or Transfer-Encoding a component wrote into Go's header map: lura copies
 * them like any forwarded header (CEL's req_headers, Lua see them); Go's client writes none of
 * them from the map (writtenMapHeaders).
 */
function addGoOnly(out: HeaderValues, goOnly: Record<string, string[]>, names: string[] | '*'): void {
  for (const lower in goOnly) {
    if (names !== '*' && !names.includes(lower)) continue
    const values = goOnly[lower] as string[]
    if (values.length === 0) delete out[lower]
    else setOwnKey(out, lower, values.length === 1 ? (values[0] as string) : values)
  }
}

/**
 * The headers Go's client writes of lura's map: never Host, Content-Length, Transfer-Encoding or
 * Trailer, which it takes from the request's fields (a claim propagated into Host and forwarded, a
 * client's h2c `host` field or a Trailer stays in lura's request, for CEL and Lua, and goes no
 * further). The map itself when it has none.
 * Go's transport still checks every value of the map, written or not: one holding a control byte
 * (a claim "a\nb") stays, for the client to refuse the call as Go's does
 * (`net/http: invalid header field value for "Host"`), before anything is sent.
 */
export function writtenMapHeaders(headers: HeaderValues): HeaderValues {
  if (
    headers.host === undefined &&
    headers['content-length'] === undefined &&
    headers['transfer-encoding'] === undefined &&
    headers.trailer === undefined
  )
    return headers
  const out = { ...headers }
  for (const name of UNWRITTEN_MAP_HEADERS) if (!refusedByGo(out[name])) delete out[name]
  return out
}

const UNWRITTEN_MAP_HEADERS = ['host', 'content-length', 'transfer-encoding', 'trailer'] as const

/** What httpguts.ValidHeaderFieldValue refuses in one of the values: a control byte but tab, or DEL. */
export function refusedByGo(value: string | string[] | undefined): boolean {
  if (value === undefined) return false
  return Array.isArray(value)
    ? value.some((v) => INVALID_FIELD_VALUE.test(v))
    : INVALID_FIELD_VALUE.test(value)
}
// biome-ignore lint/suspicious/noControlCharactersInRegex: the bytes Go refuses
const INVALID_FIELD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/

/** Every value of a header as the client sent it (Go keeps repeated header lines apart). */
function distinct(req: ClientRequestLike, key: string): string | string[] | undefined {
  const value = req.headers[key]
  if (value === undefined) return undefined
  if (typeof value === 'string') {
    // Node keeps only the first of repeated lines for some names (Authorization...); Go keeps all.
    if (NODE_FIRST_LINE_ONLY.has(key) || (req.httpVersionMajor === 2 && H2_FIRST_FIELD_ONLY.has(key)))
      return repeatedLines(req, key) ?? value
    // Node joins repeated lines with ", " (Cookie with "; "); only then is headersDistinct worth building.
    if (!value.includes(',') && !(key === 'cookie' && value.includes('; '))) return value
    // HTTP/2 (no headersDistinct): the fields as sent, but Cookie, which Go's h2 server joins too.
    const all = req.headersDistinct
      ? req.headersDistinct[key]
      : key === 'cookie'
        ? undefined
        : repeatedLines(req, key)
    return all && all.length > 1 ? all : value
  }
  if (Array.isArray(value)) return value
  // Neither: a name Object.prototype has (`constructor`, `__proto__`) found on the prototype.
  return key === '__proto__' ? rawProtoHeader(req) : undefined
}

/** Names whose repeated lines node:http keeps only the first of (IncomingMessage's matchKnownFields). */
export const NODE_FIRST_LINE_ONLY = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
])

/**
 * The names node:http2 also keeps only the first field of (its kSingleValueHeaders, beyond
 * NODE_FIRST_LINE_ONLY): Go's HTTP/2 server keeps every field, for the backends, CEL and Lua.
 */
const H2_FIRST_FIELD_ONLY = new Set([
  'access-control-allow-credentials',
  'access-control-max-age',
  'access-control-request-method',
  'content-encoding',
  'content-language',
  'content-location',
  'content-md5',
  'content-range',
  'date',
  'dnt',
  'if-match',
  'if-none-match',
  'if-range',
  'range',
  'tk',
  'upgrade-insecure-requests',
  'x-content-type-options',
])

/**
 * The answer header names node:http2 writes one field of at most (its kSingleValueHeaders): Go's
 * HTTP/2 server writes every line, of which node:http2's client keeps the first.
 */
export const isH2SingleField = (key: string): boolean =>
  key !== 'server' && (NODE_FIRST_LINE_ONLY.has(key) || H2_FIRST_FIELD_ONLY.has(key))

/** Every line of header `key` when the client sent more than one. */
function repeatedLines(req: ClientRequestLike, key: string): string[] | undefined {
  const raw = req.rawHeaders ?? []
  const values: string[] = []
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string
    if (name.length === key.length && name.toLowerCase() === key) values.push(raw[i + 1] as string)
  }
  return values.length > 1 ? values : undefined
}

/** The client's `__proto__` header lines, which Node's IncomingMessage.headers cannot hold. */
function rawProtoHeader(req: ClientRequestLike): string | string[] | undefined {
  const raw = req.rawHeaders ?? []
  const values: string[] = []
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string
    if (name.length === 9 && name.toLowerCase() === '__proto__') values.push(raw[i + 1] as string)
  }
  return values.length === 0 ? undefined : values.length === 1 ? values[0] : values
}

/**
 * Names whose repeated lines Node does not join with ", " (it keeps the first, or joins Cookie with
 * "; "): gin joins every line of a remote IP header with ",", so these are read from the raw lines.
 */
const NOT_COMMA_JOINED = new Set(['cookie', 'set-cookie', ...NODE_FIRST_LINE_ONLY, ...H2_FIRST_FIELD_ONLY])
