/**
 * `security/http` (service level), as krakend-httpsecure over unrolled/secure v1.15: a Host outside
 * `allowed_hosts` gets 500 "Bad Host"; `ssl_redirect` sends plain-HTTP requests to https (301);
 * every other answer carries the configured security headers (HSTS only over https, i.e. when an
 * `ssl_proxy_headers` entry matches, or with `force_sts_header`). `is_development` turns the host
 * check, the redirect and HSTS off.
 */
import type { Fields } from './fields.ts'
import { type HeaderSink, header, type IncomingLike, type Reply } from './types.ts'

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
  sslProxyHeaders: Record<string, string>
  development: boolean
}

export function parseHttpSecure(f: Fields): HttpSecureConfig {
  const hostsAreRegex = f.bool('allowed_hosts_are_regex')
  const allowedHosts = f.strings('allowed_hosts') ?? []
  if (hostsAreRegex)
    for (const [i, h] of allowedHosts.entries()) {
      try {
        new RegExp(h)
      } catch (error) {
        f.report.error(
          [...f.at('allowed_hosts'), i],
          `not a valid regular expression: ${(error as Error).message}`,
        )
      }
    }
  const proxyHeaders = f.raw.ssl_proxy_headers
  const sslProxyHeaders: Record<string, string> = {}
  if (proxyHeaders !== undefined) {
    if (typeof proxyHeaders !== 'object' || proxyHeaders === null || Array.isArray(proxyHeaders))
      f.report.error(f.at('ssl_proxy_headers'), '"ssl_proxy_headers" must map header names to values')
    else
      for (const [k, v] of Object.entries(proxyHeaders))
        if (typeof v === 'string') sslProxyHeaders[k.toLowerCase()] = v
  }
  f.refuse(['public_key'], 'HPKP was removed from KrakenD')
  return {
    allowedHosts,
    hostsAreRegex,
    hostProxyHeaders: (f.strings('host_proxy_headers') ?? []).map((h) => h.toLowerCase()),
    stsSeconds: Math.trunc(f.number('sts_seconds') ?? 0),
    stsIncludeSubdomains: f.bool('sts_include_subdomains'),
    forceSts: f.bool('force_sts_header'),
    frameOptions: f.string('custom_frame_options_value') ?? '',
    frameDeny: f.bool('frame_deny'),
    nosniff: f.bool('content_type_nosniff'),
    xssFilter: f.bool('browser_xss_filter'),
    csp: f.string('content_security_policy') ?? '',
    referrerPolicy: f.string('referrer_policy') ?? '',
    sslRedirect: f.bool('ssl_redirect'),
    sslHost: f.string('ssl_host') ?? '',
    sslProxyHeaders,
    development: f.bool('is_development'),
  }
}

const escapeHtml = (s: string) =>
  s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&#34;')
    .replaceAll("'", '&#39;')

export function compileHttpSecure(
  cfg: HttpSecureConfig,
  /** The gateway's health path: probes by IP or plain HTTP must still reach it (a gwdeploy extension). */
  healthPath: string,
): (req: IncomingLike, res: HeaderSink) => Reply | undefined {
  const lowerHosts = cfg.allowedHosts.map((h) => h.toLowerCase())
  const hostPatterns = cfg.hostsAreRegex ? cfg.allowedHosts.map((h) => new RegExp(h)) : []
  const checkHost = cfg.allowedHosts.length > 0 && !cfg.development
  const proxyEntries = Object.entries(cfg.sslProxyHeaders)
  const headers: Array<[string, string]> = []
  if (cfg.frameOptions) headers.push(['x-frame-options', cfg.frameOptions])
  else if (cfg.frameDeny) headers.push(['x-frame-options', 'DENY'])
  if (cfg.nosniff) headers.push(['x-content-type-options', 'nosniff'])
  if (cfg.xssFilter) headers.push(['x-xss-protection', '1; mode=block'])
  if (cfg.csp) headers.push(['content-security-policy', cfg.csp])
  if (cfg.referrerPolicy) headers.push(['referrer-policy', cfg.referrerPolicy])
  const sts =
    cfg.stsSeconds !== 0 && !cfg.development
      ? `max-age=${cfg.stsSeconds}${cfg.stsIncludeSubdomains ? '; includeSubDomains' : ''}`
      : undefined

  return (req, res): Reply | undefined => {
    let host = header(req, 'host') ?? header(req, ':authority') ?? ''
    for (const name of cfg.hostProxyHeaders) {
      const value = header(req, name)
      if (value) {
        host = value
        break
      }
    }
    const url = req.url ?? '/'
    const health = url === healthPath || url.startsWith(`${healthPath}?`)
    if (checkHost && !health) {
      const ok = cfg.hostsAreRegex
        ? hostPatterns.some((p) => p.test(host))
        : lowerHosts.includes(host.toLowerCase())
      if (!ok)
        return {
          status: 500,
          headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
          body: 'Bad Host\n',
        }
    }
    const ssl = proxyEntries.some(([name, value]) => header(req, name) === value)
    if (cfg.sslRedirect && !ssl && !cfg.development && !health) {
      const location = `https://${cfg.sslHost || host}${url}`
      const getOrHead = req.method === 'GET' || req.method === 'HEAD'
      return {
        status: 301,
        headers: getOrHead ? { location, 'content-type': 'text/html; charset=utf-8' } : { location },
        ...(req.method === 'GET'
          ? { body: `<a href="${escapeHtml(location)}">Moved Permanently</a>.\n\n` }
          : {}),
      }
    }
    if (sts && (ssl || cfg.forceSts)) res.setHeader('strict-transport-security', sts)
    for (const [name, value] of headers) res.setHeader(name, value)
    return undefined
  }
}
