// Seeded `security/cors` configs (SEED=; one per seed, since the namespace is service-level):
// allow_origins exact, `*`, one-wildcard patterns, letter case, trailing slashes, ports, `null`,
// empty strings and lists, items of other JSON types (krakend-cors skips them); allow_methods in
// any case, unknown and empty; allow_headers with `*`, case, commas and spaces; expose_headers;
// max_age in the forms time.ParseDuration reads and some it does not; allow_credentials,
// options_passthrough, allow_private_network, options_success_status, debug. Beside it the gin
// router options (auto_options, 405 handling, redirects), security/http and the bot detector at
// service level, and per endpoint auth/validator, a rate limit, and no-op endpoints whose backend
// answers its own Vary and Access-Control-* headers. ODD=1 also draws lists that hold no string at
// all (refused here by design). Requests: corsgen.cases.ts. Against KrakenD CE 2.13.8, SEED=1..70
// over HTTP/1.1 (10,500 cases) differ in one: SEED=23 #36, an HTTP/1.0 request to a no-op endpoint,
// where this runtime adds `Connection: close` (not CORS's); SEED=1..40 over --h2c: none.
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import { scripted } from './scripted.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 1) * 48611 + 29)
for (let i = 0; i < 5; i += 1) rnd()
const maybe = (p: number) => rnd() < p
const some = <T>(pool: readonly T[], max: number): T[] =>
  Array.from({ length: Math.floor(rnd() * (max + 1)) }, () => pick(pool))

/** Origins as written in allow_origins; the cases send these and their variants. */
export const ORIGINS = [
  'https://app.example.com',
  'HTTPS://App.Example.COM',
  'https://app.example.com/',
  'https://app.example.com:8443',
  'http://localhost:3000',
  'https://*.example.com',
  'https://*.Example.COM',
  'http://*',
  '*.example.org',
  'https://*-api.example.net',
  'https://*.example.com:*',
  'https://a*',
  '*',
  'null',
  'NULL',
  '',
  ' https://app.example.com',
  'https://bücher.example',
  'https://xn--bcher-kva.example',
  'https://\ufffd.example',
]
const ODD_ITEMS = [null, 42, true, {}, ['https://app.example.com']]
export const METHODS = [
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'HEAD',
  'OPTIONS',
  'get',
  'Post',
  'PURGE',
  '',
]
export const HEADERS = [
  'X-Token',
  'content-type',
  'Authorization',
  'X-A',
  'x-b',
  'X-B',
  '*',
  '',
  'a,b',
  ' x-sp',
  'X-Ünï',
  'x-very-long-header-name-for-the-window',
]
const EXPOSE = ['X-Be', 'content-length', 'x-custom-header', 'Cache-Control', 'a b', 'X-Ünï', '']
const MAX_AGES = [
  '12h',
  '1h30m',
  '90s',
  '-5s',
  '1.5s',
  '500ms',
  '0',
  '0s',
  'bogus',
  '1d',
  '0.9s',
  '-0.5s',
  '',
]

/** A list with odd items among the strings (ODD=1: sometimes none but odd ones). */
function list(pool: readonly string[], max: number): unknown[] {
  const items: unknown[] = some(pool, max)
  if (maybe(0.15)) items.splice(Math.floor(rnd() * (items.length + 1)), 0, pick(ODD_ITEMS))
  if (process.env.ODD !== '1' && items.length > 0 && !items.some((i) => typeof i === 'string'))
    items.push(pick(pool))
  return items
}

function cors(): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (maybe(0.85)) out.allow_origins = list(ORIGINS, 4)
  if (maybe(0.7)) out.allow_methods = list(METHODS, 4)
  if (maybe(0.7)) out.allow_headers = list(HEADERS, 4)
  if (maybe(0.5)) out.expose_headers = list(EXPOSE, 3)
  if (maybe(0.5)) out.max_age = pick(MAX_AGES)
  for (const key of ['allow_credentials', 'options_passthrough', 'allow_private_network', 'debug'])
    if (maybe(0.4)) out[key] = maybe(0.5)
  if (maybe(0.25)) out.options_success_status = pick([0, 200, 204, 299, 202.7, 418])
  return out
}

function router(): Record<string, unknown> {
  const out: Record<string, unknown> = { disable_access_log: true }
  for (const key of [
    'auto_options',
    'disable_handle_method_not_allowed',
    'return_error_msg',
    'disable_redirect_trailing_slash',
  ])
    if (maybe(0.35)) out[key] = maybe(0.7)
  return out
}

const echo = { url_pattern: '/echo' }
const noop = (headers: Record<string, string | string[]>) => ({
  output_encoding: 'no-op',
  backend: [{ url_pattern: scripted(200, headers, 'from-backend'), encoding: 'no-op' }],
})

export const config = {
  version: 3,
  name: 'corsgen',
  host: ['BACKEND'],
  timeout: '3s',
  extra_config: {
    router: router(),
    'security/cors': cors(),
    ...(maybe(0.3)
      ? { 'security/http': { allowed_hosts: ['localhost', '127.0.0.1:18081', '127.0.0.1:18082'] } }
      : {}),
    ...(maybe(0.3) ? { 'security/bot-detector': { deny: ['BadBot'] } } : {}),
  },
  endpoints: [
    { endpoint: '/r', backend: [echo] },
    { endpoint: '/r', method: 'POST', backend: [echo] },
    { endpoint: '/r', method: 'PUT', backend: [echo] },
    { endpoint: '/r', method: 'DELETE', backend: [echo] },
    { endpoint: '/p', method: 'PATCH', backend: [echo] },
    {
      endpoint: '/jwt',
      extra_config: {
        'auth/validator': { alg: 'HS256', jwk_url: 'BACKEND/jwks', disable_jwk_security: true, cache: false },
      },
      backend: [echo],
    },
    {
      endpoint: '/limited',
      extra_config: { 'qos/ratelimit/router': { max_rate: 1, capacity: 1, every: '1h' } },
      backend: [echo],
    },
    { endpoint: '/noop', ...noop({ Vary: 'Accept-Encoding', 'Content-Type': 'text/plain' }) },
    {
      endpoint: '/noop-cors',
      ...noop({
        'Access-Control-Allow-Origin': 'https://backend.example',
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Expose-Headers': 'X-From-Backend',
        Vary: ['Origin', 'Cookie'],
      }),
    },
  ],
}
