// Seeded router options around gin's ClientIP (SEED=): forwarded_by_client_ip, remote_ip_headers,
// trusted_proxies (the test peer, 127.0.0.1, trusted or not, in several spellings), app_engine;
// and what reads the client IP: the backend's X-Forwarded-For (/echo), per-client rate limits
// keyed on it (/ip, /ipkey: capacity 1 an hour, so the n-th refused request shows which requests
// shared a key), a header-keyed limit (/hdr), and a CEL check on lura's X-Forwarded-For (/cel).
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'

const { next: rnd } = seededRandom(Number(process.env.SEED ?? 1) * 104729 + 7)
const maybe = <T>(p: number, value: T): T | undefined => (rnd() < p ? value : undefined)

const TRUSTED: Array<string[] | undefined> = [
  undefined,
  [],
  ['127.0.0.1'],
  ['127.0.0.0/8', '10.0.0.0/8'],
  ['10.0.0.0/8'],
  ['::ffff:127.0.0.1'],
  ['::ffff:0:0/96'],
  ['127.0.0.1', '2001:db8::/32', '192.168.0.0/16'],
  ['0.0.0.0/0'],
  ['::/0'],
  ['127.0.0.1/32', '10.1.2.3', '::1'],
  ['127.0.0.5/24'],
  ['::ffff:127.0.0.0/104', '10.0.0.0/8'],
]
const HEADERS: Array<string[] | undefined> = [
  undefined,
  ['X-Forwarded-For'],
  ['x-real-ip', 'X-Forwarded-For'],
  ['X-Client-Ip'],
  ['True-Client-IP', 'x-forwarded-for'],
  [],
]

const router: Record<string, unknown> = { disable_access_log: true }
// The seed walks every trusted_proxies and remote_ip_headers choice in turn (the generator's first
// draws vary little from one seed to the next); the other options are drawn.
const seed = Number(process.env.SEED ?? 1)
const trusted = TRUSTED[seed % TRUSTED.length]
if (trusted !== undefined) router.trusted_proxies = trusted
const headers = HEADERS[Math.floor(seed / TRUSTED.length) % HEADERS.length]
if (headers !== undefined) router.remote_ip_headers = headers
const forwarded = maybe(0.3, rnd() < 0.5)
if (forwarded !== undefined) router.forwarded_by_client_ip = forwarded
if (rnd() < 0.25) router.app_engine = true
if (process.env.PRINT_ROUTER) console.error(JSON.stringify(router))

const limit = (extra: Record<string, unknown>) => ({
  'qos/ratelimit/router': { client_max_rate: 1, client_capacity: 1, every: '1h', ...extra },
})
export const config = {
  version: 3,
  name: 'clientip',
  host: ['BACKEND'],
  timeout: '3s',
  extra_config: { router },
  endpoints: [
    {
      endpoint: '/echo',
      input_headers: ['X-Forwarded-For', 'X-Real-Ip', 'X-Appengine-Remote-Addr'],
      backend: [{ url_pattern: '/echo' }],
    },
    { endpoint: '/ip', extra_config: limit({ strategy: 'ip' }), backend: [{ url_pattern: '/echo' }] },
    {
      endpoint: '/ipkey',
      extra_config: limit({ strategy: 'ip', key: 'X-Client-Key' }),
      backend: [{ url_pattern: '/echo' }],
    },
    {
      endpoint: '/hdr',
      extra_config: limit({ strategy: 'header', key: 'X-Forwarded-For' }),
      backend: [{ url_pattern: '/echo' }],
    },
    {
      endpoint: '/both',
      extra_config: limit({ strategy: 'ip', max_rate: 4, capacity: 4 }),
      backend: [{ url_pattern: '/echo' }],
    },
    {
      endpoint: '/cel',
      extra_config: {
        'validation/cel': [{ check_expr: "!(req_headers['X-Forwarded-For'][0] in ['6.6.6.6', '::1', ''])" }],
      },
      backend: [{ url_pattern: '/echo' }],
    },
  ],
}
