/**
 * `security/http` (service level), as krakend-httpsecure v2.2.1 over unrolled/secure v1.15: a Host
 * outside `allowed_hosts` gets 500 "Bad Host"; `ssl_redirect` sends plain-HTTP requests to https
 * (301); every other answer carries the configured security headers (HSTS only over https, i.e.
 * when an `ssl_proxy_headers` entry matches, or with `force_sts_header`). `is_development` turns
 * the host check, the redirect and HSTS off. KrakenD registers it on the gin engine after the
 * health route, so `GET /__health` never sees it.
 */
import { goFoldEqual } from '../go-unicode-case.ts'
import { escapeBytes, goUserinfoString, HOST_KEPT, PATH_KEPT, unescapeBytes } from '../go-url-escape.ts'
import { goUtf8 } from '../go-utf8.ts'
import { cryptoModule } from '../libraries.ts'
import { requestUri, targetUserinfo } from '../request-uri.ts'
import type { Fields } from './fields.ts'
import { checkHeaderText, goH2HeaderValue, goHeaderValue, utf8Bytes } from './go-header-value.ts'
import { compileGoRegExp, type GoRegExpError } from './go-regexp.ts'
import { isHealthRoute } from './health-route.ts'
import { firstLine, goHeaderGet, type HeaderSink, header, type IncomingLike, type Reply } from './types.ts'

export interface HttpSecureConfig {
  allowedHosts: string[]
  hostsAreRegex: boolean
  hostProxyHeaders: string[]
  stsSeconds: number
  stsIncludeSubdomains: boolean
  forceSts: boolean
  frameOptions: string
  frameDeny: boolean
  nosniff: boolean
  xssFilter: boolean
  csp: string
  referrerPolicy: string
  sslRedirect: boolean
  sslHost: string
  /** Lower-cased names: two keys that differ only in case are two entries, as in Go's map. */
  sslProxyHeaders: Array<[string, string]>
  development: boolean
}

export function parseHttpSecure(f: Fields): HttpSecureConfig {
  const hostsAreRegex = f.bool('allowed_hosts_are_regex')
  const allowedHosts = f.stringItems('allowed_hosts', {
    does: 'check no host at all',
    hint: 'list the allowed hosts as strings, or remove the key to allow any host',
  })
  if (hostsAreRegex)
    for (const [i, h] of allowedHosts.entries()) {
      try {
        hostPattern(h)
      } catch (error) {
        f.report.error(
          [...f.at('allowed_hosts'), i],
          `not a Go regular expression this runtime can run: ${(error as Error).message}`,
          (error as GoRegExpError).goAccepts
            ? 'KrakenD runs it, but this runtime would match some hosts differently; rewrite the expression'
            : 'KrakenD panics at startup on an expression Go rejects',
        )
      }
    }
  const proxyHeaders = f.raw.ssl_proxy_headers
  const sslProxyHeaders: Array<[string, string]> = []
  if (proxyHeaders !== undefined) {
    if (typeof proxyHeaders !== 'object' || proxyHeaders === null || Array.isArray(proxyHeaders))
      f.report.error(f.at('ssl_proxy_headers'), '"ssl_proxy_headers" must map header names to values')
    else
      for (const [k, v] of Object.entries(proxyHeaders))
        if (typeof v === 'string') sslProxyHeaders.push([k.toLowerCase(), v])
  }
  f.refuse(['public_key'], 'HPKP was removed from KrakenD')
  // Documented by KrakenD, read by neither KrakenD CE nor this runtime.
  if (f.has('hpkp_public_key'))
    f.report.warn(
      f.at('hpkp_public_key'),
      '"hpkp_public_key" is ignored: HPKP was removed from KrakenD, which sends no Public-Key-Pins header',
      'remove it',
    )
  const csp = f.string('content_security_policy') ?? ''
  for (const key of ['content_security_policy', 'custom_frame_options_value', 'referrer_policy'])
    if (typeof f.raw[key] === 'string') checkHeaderText(f, key, f.raw[key])
  if (nonceParts(csp) === null)
    f.report.error(
      f.at('content_security_policy'),
      'with $NONCE, KrakenD formats the policy with Go\'s fmt.Sprintf and would garble any other "%"',
      'write "%" as "%%", or drop $NONCE',
    )
  return {
    allowedHosts,
    hostsAreRegex,
    hostProxyHeaders: f.stringItems('host_proxy_headers').map((h) => h.toLowerCase()),
    stsSeconds: stsSeconds(f),
    stsIncludeSubdomains: f.bool('sts_include_subdomains'),
    forceSts: f.bool('force_sts_header'),
    frameOptions: f.string('custom_frame_options_value') ?? '',
    frameDeny: f.bool('frame_deny'),
    nosniff: f.bool('content_type_nosniff'),
    xssFilter: f.bool('browser_xss_filter'),
    csp,
    referrerPolicy: f.string('referrer_policy') ?? '',
    sslRedirect: f.bool('ssl_redirect'),
    sslHost: f.string('ssl_host') ?? '',
    sslProxyHeaders,
    development: f.bool('is_development'),
  }
}

const HTTPS_TARGET = /^https:/i

/** krakend-httpsecure reads `sts_seconds` as int64(float64): a negative one is sent as it is (`max-age=-5`). */
function stsSeconds(f: Fields): number {
  const seconds = f.number('sts_seconds', Number.NEGATIVE_INFINITY)
  if (seconds === undefined) return 0
  if (Math.abs(seconds) >= 2 ** 63) {
    f.report.error(f.at('sts_seconds'), `"sts_seconds" must be below 2^63 (Go's int64), got ${seconds}`)
    return 0
  }
  return Math.trunc(seconds)
}

/** unrolled/secure compiles each expression as "^" + expr + "$" (so `a|b` is `^a|b$`). */
const hostPattern = (expr: string) => compileGoRegExp(`^${expr}$`)

/**
 * The policy split where its nonce goes, when it asks for one ($NONCE, or Go's "%[1]s" itself):
 * unrolled/secure then formats it with fmt.Sprintf. undefined: a fixed policy; null: a "%" that
 * Sprintf would garble.
 */
function nonceParts(csp: string): string[] | undefined | null {
  const template = csp.replaceAll('$NONCE', "'nonce-%[1]s'")
  if (!template.includes('%[1]s')) return undefined
  const parts = ['']
  for (let i = 0; i < template.length; i += 1) {
    const c = template[i] as string
    if (c === '%' && template.startsWith('%[1]s', i)) {
      parts.push('')
      i += 4
      continue
    }
    if (c === '%' && template[i + 1] !== '%') return null
    if (c === '%') i += 1
    parts[parts.length - 1] += c
  }
  return parts
}

/** 16 random bytes, base64 without padding, as unrolled/secure's cspRandNonce. */
const newNonce = () => cryptoModule().randomBytes(16).toString('base64').replace(/=+$/, '')

const escapeHtml = (s: string) =>
  s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&#34;')
    .replaceAll("'", '&#39;')

/**
 * url.URL.String() of the request's URL with scheme https and this host: the host as
 * escape(host, encodeHost) writes it (a `/`, `?`, `@` or space in a proxy header's host stays in
 * the host), the path as EscapedPath (the raw path when it is validly encoded, else the decoded
 * path escaped), the query as it came. Node hands bytes over as latin1 characters. As Go writes
 * it, a path not starting with `/` (`*`) gets one after a host, and `//` comes only before a host
 * or a path.
 */
function redirectUrl(host: string, target: string, userinfo: string | undefined): string {
  const q = target.indexOf('?')
  const path = escapedPath(q === -1 ? target : target.slice(0, q))
  const authority =
    host !== '' || path !== '' || userinfo !== undefined
      ? `//${userinfo === undefined ? '' : `${userinfo}@`}${escapeBytes(host, HOST_KEPT)}`
      : ''
  const slash = path !== '' && path[0] !== '/' && host !== '' ? '/' : ''
  return `https:${authority}${slash}${path}${q === -1 ? '' : target.slice(q)}`
}

/** An absolute-form target with no path (`http://host`, `http://host?q`): node-http.ts routes it on `/`. */
const ABSOLUTE_NO_PATH = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?]*(?:\?|$)/

/**
 * Go's r.URL.User as URL.String writes it (undefined for none; `@host` has an empty one): the
 * name and password unescaped, then escaped for userinfo (`:`, `@`, `/`, `?` and what is not
 * unreserved or `$&+,;=` as %XX).
 */
function goUserinfo(req: IncomingLike, url: string): string | undefined {
  const raw = requestUri(req)
  if (raw.charCodeAt(0) === 47) return undefined
  // A CONNECT's `u@host:port` is read as `http://u@host:port`.
  const info = targetUserinfo(req.method === 'CONNECT' && url === raw ? `http://${raw}` : raw)
  return info === undefined ? undefined : goUserinfoString(info)
}

/**
 * The path and query of Go's r.URL, which the redirect keeps: a CONNECT's `host:port` target is
 * parsed as `http://host:port`, so it has no path (its query stays); an absolute-form target with
 * no path has an empty one. Other targets are `url` as the gateway reads them (`*` included).
 */
function goUrlPathAndQuery(req: IncomingLike, url: string): string {
  if (req.method === 'CONNECT' && url.charCodeAt(0) !== 47) {
    const q = url.indexOf('?')
    return q === -1 ? '' : url.slice(q)
  }
  return url.charCodeAt(0) === 47 && ABSOLUTE_NO_PATH.test(requestUri(req)) ? url.slice(1) : url
}

/**
 * http.Redirect's GET body: a link to the URL as url.String() wrote it, a query with its raw bytes as
 * the client sent them (node-http.ts keeps them escaped in req.url, the target as sent beside it).
 */
function redirectBody(target: string, sent: string, url: string): string | Buffer {
  const q = target.indexOf('?')
  if (sent === url || q === -1) return `<a href="${escapeHtml(target)}">Moved Permanently</a>.\n\n`
  const link = escapeHtml(target.slice(0, q) + sent.slice(sent.indexOf('?')))
  return Buffer.from(`<a href="${link}">Moved Permanently</a>.\n\n`, 'latin1')
}

/** validEncoded(path, encodePath): the bytes a raw path may hold to be written as it is. */
const PATH_VALID = /^[A-Za-z0-9\-._~!$&'()*+,;=:@[\]%/]*$/
function escapedPath(raw: string): string {
  return PATH_VALID.test(raw) ? raw : escapeBytes(unescapeBytes(raw), PATH_KEPT)
}

const NON_ASCII = /[\u0080-\u00ff]/

/**
 * strings.EqualFold of a configured host and a header's bytes (a host_proxy_headers value may hold
 * any, read as Go decodes UTF-8): rune by rune under Go's simple case folding (go-unicode-case.ts),
 * so a KELVIN SIGN matches `k` and a long s `s`, and a dotless `ı` does not match `i`.
 */
function goEqualFold(allowed: string, latin1: string): boolean {
  const a = [...allowed]
  const b = [...goUtf8(Buffer.from(latin1, 'latin1'))]
  return (
    a.length === b.length &&
    a.every((x, i) => goFoldEqual(x.codePointAt(0) as number, b[i]?.codePointAt(0) as number))
  )
}

/** net/http's hexEscapeNonASCII: bytes past ASCII as %xx (lower-case hex). */
const hexEscapeNonAscii = (s: string) =>
  s.replace(/[\u0080-\u00ff]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)

/**
 * The configured headers as one of Go's servers writes them (`written`: the value it puts on the
 * wire, undefined for none), and the nonce policy's parts.
 */
function fixedHeaders(cfg: HttpSecureConfig, written: (text: string) => string | undefined) {
  const headers: Array<[string, string]> = []
  const add = (name: string, text: string) => {
    const value = written(text)
    if (value !== undefined) headers.push([name, value])
  }
  if (cfg.frameOptions) add('X-Frame-Options', cfg.frameOptions)
  else if (cfg.frameDeny) add('X-Frame-Options', 'DENY')
  if (cfg.nosniff) add('X-Content-Type-Options', 'nosniff')
  if (cfg.xssFilter) add('X-Xss-Protection', '1; mode=block')
  // The nonce (base64) is never blank or a newline: the template written as Go writes the policy.
  const template = cfg.csp ? written(cfg.csp) : undefined
  const cspParts = template === undefined ? undefined : (nonceParts(template) ?? undefined)
  if (template !== undefined && !cspParts) add('Content-Security-Policy', cfg.csp)
  if (cfg.referrerPolicy) add('Referrer-Policy', cfg.referrerPolicy)
  return { headers, cspParts }
}

export function compileHttpSecure(
  cfg: HttpSecureConfig,
  /** gin's health route (GET) is registered before this middleware: it skips it all (none with router.disable_health). */
  healthPath: string | undefined,
): (req: IncomingLike, res: HeaderSink) => Reply | undefined {
  const lowerHosts = cfg.allowedHosts.map((h) => h.toLowerCase())
  // ASCII on both sides folds as JavaScript lowers; a configured `ſ` or KELVIN SIGN needs Go's folding.
  const asciiHosts = cfg.allowedHosts.every((h) => !/[^\0-\x7f]/.test(h))
  const hostPatterns = cfg.hostsAreRegex ? cfg.allowedHosts.map(hostPattern) : []
  const checkHost = cfg.allowedHosts.length > 0 && !cfg.development
  const proxyEntries = cfg.sslProxyHeaders.map(([k, v]) => [k, utf8Bytes(v)] as const)
  const sslHost = utf8Bytes(cfg.sslHost)
  const h1 = fixedHeaders(cfg, goHeaderValue)
  const h2 = fixedHeaders(cfg, goH2HeaderValue)
  const sts =
    cfg.stsSeconds !== 0 && !cfg.development
      ? `max-age=${cfg.stsSeconds}${cfg.stsIncludeSubdomains ? '; includeSubDomains' : ''}`
      : undefined

  return (req, res): Reply | undefined => {
    const url = req.url ?? '/'
    if (healthPath !== undefined && isHealthRoute(req.method, url, healthPath)) return undefined
    // Go's r.Host: over HTTP/2 the :authority pseudo-header, the Host field only when it is empty.
    let host = header(req, ':authority') || firstLine(req, 'host') || ''
    for (const name of cfg.hostProxyHeaders) {
      const value = goHeaderGet(req, name)
      if (value) {
        host = value
        break
      }
    }
    if (checkHost) {
      const ok = cfg.hostsAreRegex
        ? hostPatterns.some((p) => p.testHeader(host))
        : NON_ASCII.test(host) || !asciiHosts
          ? cfg.allowedHosts.some((allowed) => goEqualFold(allowed, host))
          : lowerHosts.includes(host.toLowerCase())
      if (!ok)
        return {
          status: 500,
          headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
          body: 'Bad Host\n',
        }
    }
    // unrolled/secure's isSSL: the URL's scheme (an absolute-form `https://` target), else a proxy header.
    const ssl =
      (cfg.sslRedirect || sts !== undefined ? HTTPS_TARGET.test(requestUri(req)) : false) ||
      // Header.Get reads an absent header as "": an entry with an empty value makes every request SSL.
      proxyEntries.some(([name, value]) => (goHeaderGet(req, name) ?? '') === value)
    if (cfg.sslRedirect && !ssl && !cfg.development) {
      // http.Redirect(w, r, url.String()): the Location with bytes past ASCII hex-escaped, the body's
      // link as the URL was.
      const target = redirectUrl(sslHost || host, goUrlPathAndQuery(req, url), goUserinfo(req, url))
      const location = hexEscapeNonAscii(target)
      const getOrHead = req.method === 'GET' || req.method === 'HEAD'
      return {
        status: 301,
        headers: getOrHead
          ? { Location: location, 'Content-Type': 'text/html; charset=utf-8' }
          : { Location: location },
        ...(req.method === 'GET' ? { body: redirectBody(target, requestUri(req), url) } : {}),
      }
    }
    if (sts && (ssl || cfg.forceSts)) res.setHeader('Strict-Transport-Security', sts)
    const fixed = req.httpVersionMajor === 2 ? h2 : h1
    for (const [name, value] of fixed.headers) res.setHeader(name, value)
    if (fixed.cspParts) res.setHeader('Content-Security-Policy', fixed.cspParts.join(newNonce()))
    return undefined
  }
}
