/**
 * `security/cors` (service level) with krakend-cors v2.2.1's defaults over rs/cors v1.11.1: KrakenD
 * wraps the whole server (every path, the health route too), so the gateway answers preflights
 * itself (204 unless `options_success_status`) before routing; actual requests get `Vary: Origin`
 * always and the allow/expose headers when origin and method pass. The `debug` key only logs.
 */
import { goParseDuration } from '../go-time.ts'
import { goToLower } from '../go-unicode-case.ts'
import { canonicalHeaderKey } from '../go-url.ts'
import { goUtf8 } from '../go-utf8.ts'
import type { Fields } from './fields.ts'
import { checkHeaderText, goH2HeaderValue, goHeaderValue, utf8Bytes } from './go-header-value.ts'
import { allLines, firstLine, type HeaderSink, type IncomingLike, type Reply } from './types.ts'

export interface CorsConfig {
  origins: string[]
  methods: string[]
  headers: string[]
  expose: string[]
  credentials: boolean
  privateNetwork: boolean
  passthrough: boolean
  successStatus: number
  maxAgeS: number
}

export function parseCors(f: Fields): CorsConfig {
  // krakend-cors's `debug` only logs.
  f.declare('debug')
  const status = successStatus(f)
  // 0 is rs/cors' default (204); Go's WriteHeader panics outside 100-999 and sends 1xx as interim.
  if (status !== undefined && status !== 0 && (status < 200 || status > 999))
    f.report.error(f.at('options_success_status'), '"options_success_status" must be 0 or 200-999')
  const maxAgeS = maxAgeSeconds(f)
  // krakend-cors' getList skips items that are not strings; one that leaves no string widens the
  // setting to its default (every origin, every header, GET POST HEAD): refused.
  const expose = f.stringItems('expose_headers')
  const written = f.raw.expose_headers
  if (Array.isArray(written))
    for (const [i, name] of written.entries())
      if (typeof name === 'string') checkHeaderText(f, 'expose_headers', name, [...f.at('expose_headers'), i])
  return {
    origins: f.stringItems('allow_origins', {
      does: 'allow every origin',
      hint: 'list the allowed origins as strings, or remove the key to allow every origin',
    }),
    methods: f.stringItems('allow_methods', {
      does: 'allow its default methods GET, POST and HEAD',
      hint: 'list the allowed methods as strings',
    }),
    headers: f.stringItems('allow_headers', {
      does: 'allow every request header',
      hint: 'list the allowed headers as strings, or remove the key to allow every header',
    }),
    expose,
    credentials: f.bool('allow_credentials'),
    privateNetwork: f.bool('allow_private_network'),
    passthrough: f.bool('options_passthrough'),
    successStatus: status === undefined ? 0 : Math.floor(status),
    maxAgeS,
  }
}

/**
 * krakend-cors reads `options_success_status` with a float64 assertion: a JSON number, or a YAML
 * float. A YAML integer is a Go int there, skipped: rs/cors' 204 answers. Not a guard, so run as KrakenD.
 */
function successStatus(f: Fields): number | undefined {
  if (!f.yamlInt('options_success_status')) return f.number('options_success_status')
  const written = f.raw.options_success_status as number
  f.report.warn(
    f.at('options_success_status'),
    `"options_success_status: ${written}" is an integer in YAML, which krakend-cors skips (it reads a float only): preflights answer 204 there, and here`,
    `write ${written}.0 for ${written}`,
  )
  return undefined
}

/**
 * krakend-cors reads `max_age` with time.ParseDuration (a negative one too) and ignores a string Go
 * cannot read; rs/cors takes int(MaxAge.Seconds()), toward zero.
 */
function maxAgeSeconds(f: Fields): number {
  f.declare('max_age')
  // Not null as unset: krakend-cors asserts a string (maxAge.(string)) and null panics it too.
  const value = f.asWritten('max_age')
  if (value === undefined) return 0
  if (typeof value !== 'string') {
    f.report.error(
      f.at('max_age'),
      '"max_age" must be a duration string like "12h"',
      'KrakenD stops at startup on any other value',
    )
    return 0
  }
  const ns = goParseDuration(value)
  if (typeof ns === 'bigint') return Number(ns / 1_000_000_000n)
  f.report.warn(
    f.at('max_age'),
    `"max_age" is ignored, as KrakenD ignores it (no Access-Control-Max-Age): ${ns}`,
    'write a duration like "12h"',
  )
  return 0
}

const NON_ASCII = /[\u0080-\u00ff]/

// rs/cors lowers the allowed origins and the request's Origin (its bytes read as UTF-8: a KELVIN
// SIGN lowers to `k`) with strings.ToLower (go-unicode-case.ts).
export function compileCors(cfg: CorsConfig): (req: IncomingLike, res: HeaderSink) => Reply | undefined {
  // krakend-cors defaults: every origin and every header when the lists are empty.
  const origins = (cfg.origins.length > 0 ? cfg.origins : ['*']).map(goToLower)
  const allOrigins = origins.includes('*')
  const exact = new Set(origins.filter((o) => !o.includes('*')))
  const wildcards = origins
    .filter((o) => o.includes('*'))
    .map((o) => [o.slice(0, o.indexOf('*')), o.slice(o.indexOf('*') + 1)] as const)
  const allowHeaders = cfg.headers.length > 0 ? cfg.headers : ['*']
  const allHeaders = allowHeaders.includes('*')
  // Go compares and sorts the lowered names' UTF-8 bytes with the request's bytes (latin1 here).
  const sortedHeaders = [...new Set(allowHeaders.map((h) => utf8Bytes(goToLower(h))))].sort()
  const headerPos = new Map(sortedHeaders.map((h, i) => [h, i]))
  const methods = cfg.methods.length > 0 ? cfg.methods : ['GET', 'POST', 'HEAD']
  const exposeText = cfg.expose.length > 0 ? cfg.expose.map(canonicalHeaderKey).join(', ') : undefined
  const exposeH1 = exposeText === undefined ? undefined : goHeaderValue(exposeText)
  const exposeH2 = exposeText === undefined ? undefined : goH2HeaderValue(exposeText)
  const preflightVary = cfg.privateNetwork
    ? 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network'
    : 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers'
  const status = cfg.successStatus || 204
  // rs/cors: a negative max age is sent as 0 (no caching), zero sends none.
  const maxAge = cfg.maxAgeS > 0 ? String(cfg.maxAgeS) : cfg.maxAgeS < 0 ? '0' : undefined

  const originAllowed = (origin: string) => {
    if (allOrigins) return true
    // Go reads each byte of invalid UTF-8 as one U+FFFD (Buffer's decoder may take two as one).
    const o = NON_ASCII.test(origin) ? goToLower(goUtf8(Buffer.from(origin, 'latin1'))) : origin.toLowerCase()
    if (exact.has(o)) return true
    return wildcards.some(([p, s]) => o.length >= p.length + s.length && o.startsWith(p) && o.endsWith(s))
  }
  const methodAllowed = (method: string) => method === 'OPTIONS' || methods.includes(method)
  // rs/cors: lowercase names, sorted, each once, at most one space or tab around each.
  const headersAccepted = (values: string[]) => {
    let last = -1
    let empty = 0
    for (const value of values)
      for (const raw of value.split(',')) {
        const name = raw.replace(/^[ \t]?/, '').replace(/[ \t]?$/, '')
        if (/^[ \t]|[ \t]$/.test(name)) return false
        if (name === '') {
          empty += 1
          if (empty > 16) return false
          continue
        }
        const pos = headerPos.get(name)
        if (pos === undefined || pos <= last) return false
        last = pos
      }
    return true
  }

  return (req, res) => {
    const origin = firstLine(req, 'origin') ?? ''
    const requestMethod = firstLine(req, 'access-control-request-method')
    if (req.method === 'OPTIONS' && requestMethod) {
      const headers: Record<string, string | string[]> = { Vary: preflightVary }
      // rs/cors reads the lines as sent: each checked, and each its own allow line.
      const requested = allLines(req, 'access-control-request-headers')
      if (
        origin !== '' &&
        originAllowed(origin) &&
        methodAllowed(requestMethod) &&
        (requested === undefined || allHeaders || headersAccepted(requested))
      ) {
        // rs/cors copies the request's header slices: every Origin and method line the client sent.
        headers['Access-Control-Allow-Origin'] = allOrigins ? '*' : (allLines(req, 'origin') ?? origin)
        headers['Access-Control-Allow-Methods'] =
          allLines(req, 'access-control-request-method') ?? requestMethod
        if (requested?.[0])
          headers['Access-Control-Allow-Headers'] = requested.length === 1 ? requested[0] : requested
        if (cfg.credentials) headers['Access-Control-Allow-Credentials'] = 'true'
        if (cfg.privateNetwork && firstLine(req, 'access-control-request-private-network') === 'true')
          headers['Access-Control-Allow-Private-Network'] = 'true'
        if (maxAge) headers['Access-Control-Max-Age'] = maxAge
      }
      if (!cfg.passthrough) return { status, headers }
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value)
      return undefined
    }
    res.setHeader('Vary', 'Origin')
    if (origin === '' || !originAllowed(origin) || !methodAllowed(req.method ?? 'GET')) return undefined
    res.setHeader('Access-Control-Allow-Origin', allOrigins ? '*' : (allLines(req, 'origin') ?? origin))
    const expose = req.httpVersionMajor === 2 ? exposeH2 : exposeH1
    if (expose !== undefined) res.setHeader('Access-Control-Expose-Headers', expose)
    if (cfg.credentials) res.setHeader('Access-Control-Allow-Credentials', 'true')
    return undefined
  }
}
