// Seeded `security/http` configs (SEED=; one per seed, since the namespace is service-level):
// allowed_hosts with ports, case, trailing dots, IPv6, userinfo, IDN, empty strings, "wildcards"
// that are plain text and items of other JSON types (krakend-httpsecure skips them), or as regular
// expressions; host_proxy_headers in any case; ssl_redirect with ssl_host and ssl_proxy_headers
// (values of other types skipped); STS, frame, nosniff, XSS, CSP, referrer and is_development; keys
// krakend-httpsecure does not map (ssl_temporary_redirect, sts_preload, ...). CORS and the router's
// own answers (404/405 bodies, trailing-slash redirects, health) vary beside it. Requests:
// secgen.cases.ts.
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 1) * 104729 + 17)
for (let i = 0; i < 5; i += 1) rnd()
const maybe = (p: number) => rnd() < p
const some = <T>(pool: readonly T[], max: number): T[] =>
  Array.from({ length: 1 + Math.floor(rnd() * max) }, () => pick(pool))

/** Hosts as written in allowed_hosts; the cases send these and their variants. */
export const HOSTS = [
  'good.example',
  'Good.EXAMPLE',
  'good.example:8080',
  'good.example.',
  '*.good.example',
  'sub.good.example',
  'localhost',
  'localhost:18081',
  '127.0.0.1',
  '[::1]',
  '[::1]:80',
  '::1',
  'user@good.example',
  'xn--bcher-kva.example',
  'bücher.example',
  'BÜCHER.example',
  'good.example ',
  '',
]
const OTHER_ITEMS = [null, 42, true, { host: 'good.example' }, ['good.example']]
const REGEXES = [
  'good\\.example',
  '.*\\.good\\.example',
  'good\\.example(:\\d+)?',
  'good\\.example|localhost',
  '(?i)GOOD\\.example',
  '[a-z]+\\.example',
  'localhost',
  '.*',
  '',
  'good.example',
  'good\\.example$|evil',
  '^localhost|good\\.example',
  '(?i)b\\x{fc}cher\\.example',
  '\\pL+\\.example',
  '[[:alpha:]]+\\.good\\.example',
  '\\Qgood.example\\E(:\\d{2,4})?',
  'good\\.example\\z',
  '(?U)good.*',
  '[^.]+\\.example',
  '\\[::1\\](:\\d+)?',
  '(good|sub\\.good)\\.example\\.?',
  '.+@good\\.example',
]
export const PROXY_HEADERS = [
  'X-Forwarded-Host',
  'x-forwarded-host',
  'X-Host',
  'X-Original-Host',
  'Host',
  'Forwarded',
]
const SSL_HOSTS = [
  'secure.example',
  'secure.example:8443',
  'SECURE.example',
  '[::1]:8443',
  'a/b',
  'u@secure.example',
]
const SSL_PROXY: Array<Record<string, unknown>> = [
  { 'X-Forwarded-Proto': 'https' },
  { 'x-forwarded-proto': 'HTTPS' },
  { 'X-Forwarded-Ssl': 'on' },
  { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Ssl': 'on' },
  { 'X-Forwarded-Proto': 5 },
  { 'X-Forwarded-Proto': null, 'X-Forwarded-Scheme': 'https' },
  {},
]
const CSP = ["default-src 'self'", "script-src 'self' https://cdn.example; object-src 'none'", '']
const FRAMES = ['SAMEORIGIN', 'DENY', 'ALLOW-FROM https://a.example', '']
const REFERRERS = ['no-referrer', 'same-origin', 'strict-origin-when-cross-origin', '']
/** Keys krakend-httpsecure does not map: KrakenD ignores them. */
const UNMAPPED: Array<[string, unknown]> = [
  ['ssl_temporary_redirect', true],
  ['sts_preload', true],
  ['ssl_force_host', true],
  ['permissions_policy', 'geolocation=()'],
  ['custom_browser_xss_value', '0'],
  ['cross_origin_opener_policy', 'same-origin'],
  ['content_security_policy_report_only', "default-src 'none'"],
  ['hpkp_public_key', 'pin-sha256="x"'],
]

function securityHttp(): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (maybe(0.8)) {
    const regex = maybe(0.3)
    const items: unknown[] = some(regex ? REGEXES : HOSTS, 4)
    // A list of other types only leaves KrakenD with no host check: this runtime refuses it.
    if (maybe(0.25)) items.splice(Math.floor(rnd() * (items.length + 1)), 0, pick(OTHER_ITEMS))
    out.allowed_hosts = items
    if (regex) out.allowed_hosts_are_regex = true
  }
  if (maybe(0.5)) out.host_proxy_headers = some(PROXY_HEADERS, 2)
  if (maybe(0.5)) {
    out.ssl_redirect = true
    if (maybe(0.4)) out.ssl_host = pick(SSL_HOSTS)
  }
  if (maybe(0.5)) out.ssl_proxy_headers = pick(SSL_PROXY)
  if (maybe(0.5)) {
    out.sts_seconds = pick([300, 31536000, -5, 1.9, 0])
    if (maybe(0.5)) out.sts_include_subdomains = true
    if (maybe(0.4)) out.force_sts_header = true
  }
  if (maybe(0.4)) out.frame_deny = true
  if (maybe(0.3)) out.custom_frame_options_value = pick(FRAMES)
  if (maybe(0.5)) out.content_type_nosniff = true
  if (maybe(0.4)) out.browser_xss_filter = true
  if (maybe(0.4)) out.content_security_policy = pick(CSP)
  if (maybe(0.4)) out.referrer_policy = pick(REFERRERS)
  if (maybe(0.12)) out.is_development = true
  if (maybe(0.3)) {
    const [key, value] = pick(UNMAPPED)
    out[key] = value
  }
  return out
}

function router(): Record<string, unknown> {
  const out: Record<string, unknown> = { disable_access_log: true }
  if (maybe(0.2)) out.disable_health = true
  if (maybe(0.2)) out.health_path = '/healthz'
  if (maybe(0.2)) out.error_body = { 404: { e: 'nf' }, 405: { e: 'nm' } }
  if (maybe(0.15)) out.disable_redirect_trailing_slash = true
  if (maybe(0.15)) out.return_error_msg = true
  if (maybe(0.25)) out.auto_options = true
  if (maybe(0.15)) out.remove_extra_slash = true
  if (maybe(0.15)) out.disable_redirect_fixed_path = true
  return out
}

const cors = maybe(0.4)
  ? {
      'security/cors': {
        allow_origins: pick([['https://a.example'], ['*']]),
        allow_methods: ['GET', 'POST'],
        allow_headers: ['X-Custom'],
        ...(maybe(0.5) ? { allow_credentials: true } : {}),
      },
    }
  : {}

export const config = {
  version: 3,
  name: 'secgen',
  host: ['BACKEND'],
  timeout: '3s',
  extra_config: { router: router(), ...cors, 'security/http': securityHttp() },
  endpoints: [
    {
      endpoint: '/a',
      input_headers: ['X-Forwarded-Host', 'Host', 'X-Forwarded-Proto'],
      backend: [{ url_pattern: '/echo' }],
    },
    { endpoint: '/a/{p}', backend: [{ url_pattern: '/obj' }] },
    { endpoint: '/b', method: 'POST', backend: [{ url_pattern: '/echo' }] },
    { endpoint: '/c/', backend: [{ url_pattern: '/obj' }] },
  ],
}
