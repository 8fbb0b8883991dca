// How Go's net/http and lura word things the gateway writes itself: error texts without a type
// (http.DetectContentType), http.Redirect's Location and body, lura's url_pattern form in errors.

import { goResolverServer } from './go-dns-names.ts'
import { goQuote } from './go-quote.ts'
import { UNDICI_REFUSED_MARK } from './go-request-head.ts'
import { goTlsReason } from './go-tls.ts'
import { canonicalHeaderKey } from './go-url.ts'
import { HTTP_TOKEN } from './http-token.ts'
import { loadBuiltin } from './libraries.ts'
import type { HeaderValues } from './request-headers.ts'
import { luraPlaceholder, URL_PATTERN_PARAM } from './url-pattern.ts'

/**
 * The endpoint as lura keeps it after its config's init, which KrakenD's `[ENDPOINT: ...]` log lines
 * show: one leading `/` (CleanPath), each `/{param}` of REST-strict names (letters, digits, `-`, `_`)
 * as gin's `:param`, before the first `?` only (GetEndpointPath). `/a/{id}` logs as `/a/:id`.
 */
export function luraEndpointPath(endpoint: string): string {
  let path = `/${endpoint.startsWith('/') ? endpoint.slice(1) : endpoint}`
  for (const [, name] of path.matchAll(/\/\{([a-zA-Z\-_0-9]+)\}/g)) {
    const parts = path.split('?')
    parts[0] = (parts[0] as string).replaceAll(`{${name}}`, `:${name}`)
    path = parts.join('?')
  }
  return path
}

/** lura rewrites `{param}` in url_pattern to `{{.Param}}`; its error messages show that form. */
export function luraPattern(pattern: string): string {
  return pattern.replace(URL_PATTERN_PARAM, (_, name: string) => luraPlaceholder(name))
}

/**
 * A 1xx but 101, which Go's WriteHeader writes as an interim head (with the headers set until
 * then) and returns: the handler's write then makes the answer a 200. A Content-Type Go's server
 * would sniff from the body is not set yet when the interim head goes out.
 */
export const isInterimStatus = (status: number) => status >= 100 && status < 200 && status !== 101

/** Go's bodyAllowedForStatus: its server sniffs a Content-Type (and writes a body) only then. */
export const bodyAllowedForStatus = (status: number) => status >= 200 && status !== 204 && status !== 304

/**
 * What net/http sends after lura's `c.Status(code)` of an error (a Lua custom_error's code): gin
 * ignores a code <= 0, so 200 goes out; when the message is written, a code net/http refuses
 * (1-99, above 999) panics inside gin's Recovery: 200 and no message.
 */
export function ginErrorStatus(code: number, writesMessage: boolean): { status: number; message: boolean } {
  if (code <= 0) return { status: 200, message: writesMessage }
  if (writesMessage && (code < 100 || code > 999)) return { status: 200, message: false }
  return { status: code, message: writesMessage }
}

/** What Go's http.DetectContentType says for an error text KrakenD writes without a type. */
export function sniffText(text: string): string {
  const head = text.trimStart().slice(0, 14).toLowerCase()
  if (
    head.startsWith('<!doctype html') ||
    head.startsWith('<html') ||
    head.startsWith('<head') ||
    head.startsWith('<body')
  )
    return 'text/html; charset=utf-8'
  if (head.startsWith('<?xml')) return 'text/xml; charset=utf-8'
  return 'text/plain; charset=utf-8'
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  "'": '&#39;',
}

/** Go's htmlEscape in http.Redirect. */
export function htmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => HTML_ESCAPES[c] as string)
}

/** Go's hexEscapeNonASCII for the Location header. */
export function hexEscapeNonAscii(text: string): string {
  return text.replace(/[^\x21-\x7e]+/g, (s) =>
    [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  )
}

/** What Go's http.Client sends when a request has no User-Agent. */
export const GO_USER_AGENT = 'Go-http-client/1.1'

/** Go's url.Error op: the method with only its first letter upper case. */
export function goOp(method: string): string {
  return method.charAt(0) + method.slice(1).toLowerCase()
}

/** A failure to reach a proxy from the environment; goReason words it `proxyconnect tcp: <the dial's reason>`. */
export class ProxyConnectError extends Error {
  /** The proxy's URL without credentials, for wording the cause as Go words a dial error. */
  readonly proxyUrl: string
  constructor(cause: Error, proxyUrl: string) {
    super(cause.message, { cause })
    this.name = 'ProxyConnectError'
    this.proxyUrl = proxyUrl
  }
}

/**
 * Go's words for a backend socket's read error (`read tcp L->R: read: connection reset by peer`),
 * set on the error where the socket's addresses are known (backend-continue.ts).
 */
export const GO_NET_TEXT = Symbol('Go net.OpError text')

/** Go's TCPAddr.String: an IPv6 address in brackets, an IPv4-mapped one as IPv4. */
export function goTcpAddress(address: string | undefined, port: number | undefined): string {
  const ip = (address ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '')
  return `${ip.includes(':') ? `[${ip}]` : ip}:${port ?? 0}`
}

/** The server Go names in a lookup error, from /etc/resolv.conf (read on a failed lookup only). */
function systemResolverServer(): string {
  let text = ''
  try {
    text = loadBuiltin<typeof import('node:fs')>('node:fs').readFileSync('/etc/resolv.conf', 'utf8')
  } catch {}
  return goResolverServer(text)
}

/** A failed call's reason worded as Go's net package words the common ones (`headers`: those the call sent). */
export function goReason(error: unknown, url: string, headers?: unknown): string {
  if (error instanceof ProxyConnectError) return `proxyconnect tcp: ${goReason(error.cause, error.proxyUrl)}`
  const tls = goTlsReason(error)
  if (tls !== undefined) return tls
  const code = (error as NodeJS.ErrnoException)?.code
  let hostPort = ''
  try {
    const u = new URL(url)
    hostPort = `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`
  } catch {}
  switch (code) {
    case 'ECONNREFUSED':
      return `dial tcp ${hostPort}: connect: connection refused`
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `dial tcp ${hostPort}: i/o timeout`
    case 'ENOTFOUND':
      return `dial tcp: lookup ${hostPort.replace(/:\d+$/, '')} on ${(error as { server?: string }).server ?? systemResolverServer()}: no such host`
    case 'ECONNRESET':
      return (error as { [GO_NET_TEXT]?: string })[GO_NET_TEXT] ?? 'EOF'
    case 'UND_ERR_SOCKET':
      return 'EOF'
    case 'UND_ERR_INVALID_ARG': {
      // A header value holding a control character (an OAuth2 token, a martian header), which
      // Go's transport refuses before sending; undici words it `invalid <name> header`.
      const name = /^invalid (.+) header$/.exec((error as Error).message)?.[1]
      if (name !== undefined && name !== 'key')
        return `net/http: invalid header field value for ${JSON.stringify(canonicalBackendHeaderKey(name))}`
      // A name that is no token (set by a Lua script): Go's transport names it as written.
      const badName =
        (error as Error).message === 'invalid header key' ? firstNonTokenName(headers) : undefined
      if (badName !== undefined) return `net/http: invalid header field name ${goQuote(badName)}`
      return (error as Error).message
    }
    default:
      return (error as Error)?.message ?? String(error)
  }
}

/** The first header name that is no HTTP token, of a header object or a flat name/value list. */
export function firstNonTokenName(headers: unknown): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined
  const names = Array.isArray(headers) ? headers.filter((_, i) => i % 2 === 0) : Object.keys(headers)
  return names.find((name) => typeof name === 'string' && !HTTP_TOKEN.test(name))
}

const canonicalKeys = new Map<string, string>()

/** Go's canonical form of a header name (a backend's, or one sent to it), remembered (a bounded set: names repeat). */
export function canonicalBackendHeaderKey(name: string): string {
  let key = canonicalKeys.get(name)
  if (key === undefined) {
    key = canonicalHeaderKey(name)
    if (canonicalKeys.size < 4096) canonicalKeys.set(name, key)
  }
  return key
}

export { HTTP_TOKEN } from './http-token.ts'

/**
 * What Go's HTTP/1.1 server deletes from the head of a status without a body (chunkWriter.writeHeader,
 * suppressedHeaders): a 304's Content-Type and length, a 1xx's or 204's length (Transfer-Encoding
 * too, which this runtime never passes on). Its HTTP/2 server deletes none of them.
 */
export function goSuppressedHeaders(status: number): readonly string[] {
  if (status === 304) return SUPPRESSED_304
  return status === 204 || status < 200 ? SUPPRESSED_NO_BODY : NONE_SUPPRESSED
}
const SUPPRESSED_304 = ['Content-Type', 'Content-Length']
const SUPPRESSED_NO_BODY = ['Content-Length']
const NONE_SUPPRESSED: string[] = []

/**
 * Go's bufferBeforeChunkingSize: the answer bytes net/http holds before it must send the head. An
 * answer that ends within them gets a Content-Length; a longer one goes out chunked (HTTP/1.1).
 */
export const GO_BUFFER_BEFORE_CHUNKING = 2048

/**
 * Go's HTTP/2 server buffers a handler's writes in handlerChunkWriteSize (4 KB): an answer that
 * ends within them is declared with a content-length, a longer one goes out without.
 */
export const GO_H2_HANDLER_BUFFER = 4096

/**
 * Go's fixPragmaCacheControl, run on every request its server reads (HTTP/1.x) and every response
 * its client reads: a first `Pragma: no-cache` without any Cache-Control also reads as
 * `Cache-Control: no-cache` (RFC 7234 5.4), for forwarding, caching, CEL and Lua alike.
 */
export function fixPragmaCacheControl(
  headers: Record<string, string | string[] | undefined>,
  firstPragma = Array.isArray(headers.pragma) ? headers.pragma[0] : headers.pragma,
): boolean {
  if (firstPragma !== 'no-cache' || headers['cache-control'] !== undefined) return false
  headers['cache-control'] = 'no-cache'
  return true
}

/**
 * Go's textproto reads a header value without the spaces and tabs around it; undici keeps those at
 * the end of a backend's value (`X-T: a<SP><SP>`, `Cache-Control: no-store<TAB>`). Trims them in
 * place, so everything reading the answer (client, cache, martian, Lua, CEL) sees Go's value.
 */
export function trimHeaderValues(headers: Record<string, string | string[] | undefined>): void {
  for (const name of Object.keys(headers)) {
    const value = headers[name]
    if (value === undefined) continue
    const trimmed = trimmedValues(value)
    if (trimmed !== value) headers[name] = trimmed
  }
}

/** Go's http.StatusText where node:http's STATUS_CODES words it otherwise. */
const GO_STATUS_TEXT: Record<number, string> = {
  413: 'Request Entity Too Large',
  414: 'Request URI Too Long',
  416: 'Requested Range Not Satisfiable',
  418: "I'm a teapot",
}

/**
 * The reason phrase Go's server writes after `status` when node:http would write another one;
 * undefined when they agree. A code Go has no text for gets `status code N` (writeStatusLine).
 */
export function goStatusLineText(status: number, nodeText: string | undefined): string | undefined {
  const text = GO_STATUS_TEXT[status]
  if (text !== undefined) return text
  return nodeText === undefined || status === 509 ? `status code ${status}` : undefined
}

/**
 * A backend request's headers in the order and case Go's Request.write sends them, as undici's
 * flat header list: User-Agent first, then the header map sorted by name (canonical names), then the
 * transport's own `Accept-Encoding: gzip`. (Host and the body's framing are undici's own lines: the
 * head rewrite in go-request-head.ts puts them where Go writes them.) The names undici refuses
 * (Connection, Expect, Keep-Alive, Upgrade), which Go writes like any other, go under a mark the rewrite takes off.
 */
export function goRequestHeaders(headers: HeaderValues): Array<string | string[]> {
  const named: Array<[name: string, key: string]> = []
  for (const key in headers) {
    if (key === 'user-agent' || (key === 'accept-encoding' && headers[key] === 'gzip')) continue
    named.push([canonicalBackendHeaderKey(key), key])
  }
  sortByName(named)
  const out: Array<string | string[]> = []
  const agent = headers['user-agent']
  if (agent !== undefined) out.push('User-Agent', trimmedValues(agent))
  for (const [name, key] of named)
    out.push(
      REFUSED_BY_UNDICI.has(name) ? `${UNDICI_REFUSED_MARK}${name}` : name,
      trimmedValues(headers[key] as string | string[]),
    )
  if (headers['accept-encoding'] === 'gzip') out.push('Accept-Encoding', 'gzip')
  return out
}

/**
 * Sorts by canonical name in place, stable. A backend request has a handful of headers: those are
 * sorted by insertion, without Array.prototype.sort, whose work copy was most of what this function
 * allocated on every backend call. Past INSERTION_SORT_MAX (a client forwarding many headers), the
 * built-in sort: insertion sort grows with the square of the count.
 */
function sortByName(named: Array<[name: string, key: string]>): void {
  if (named.length > INSERTION_SORT_MAX) {
    named.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    return
  }
  for (let i = 1; i < named.length; i += 1) {
    const entry = named[i] as [string, string]
    let j = i - 1
    for (; j >= 0 && (named[j] as [string, string])[0] > entry[0]; j -= 1)
      named[j + 1] = named[j] as [string, string]
    named[j + 1] = entry
  }
}

const INSERTION_SORT_MAX = 24

/**
 * Go writes each value with textproto.TrimString: spaces and tabs a value kept (an HTTP/2 client's
 * field, a Lua or martian header) do not reach the backend. Most values have none: those are kept.
 */
function trimmedValues(value: string | string[]): string | string[] {
  if (typeof value === 'string') return hasOuterSpace(value) ? value.replace(OUTER_SPACE, '') : value
  return value.some(hasOuterSpace) ? value.map((v) => v.replace(OUTER_SPACE, '')) : value
}

const OUTER_SPACE = /^[ \t\r\n]+|[ \t\r\n]+$/g

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13

function hasOuterSpace(value: string): boolean {
  return value !== '' && (isSpace(value.charCodeAt(0)) || isSpace(value.charCodeAt(value.length - 1)))
}

/** Canonical names undici's request() refuses (or drops: Connection) in a caller's headers. */
const REFUSED_BY_UNDICI = new Set(['Connection', 'Expect', 'Keep-Alive', 'Upgrade'])
