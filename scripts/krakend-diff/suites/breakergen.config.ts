// Seeded qos/circuit-breaker configs (SEED=, N= endpoints, 8 by default) for breakergen.cases.ts:
// each endpoint has one to three backends, most with a breaker of their own (max_errors 0, 1, small,
// large, negative, fractional; interval and timeout of 1-2 s, fractional, zero, negative, an hour),
// beside what decides how a call ends for it: return_error_code / return_error_details, no-op,
// string and safejson encodings, is_collection, group, target, concurrent_calls, a backend rate
// limit, a Lua pre or post that fails, CEL pre and post checks, qos/http-cache, a refused connection, a short endpoint
// timeout, the sequential proxy; now and then the next endpoint repeats the backends (same URL, a
// breaker of its own). Backend j of endpoint i is `/{pj}`: the case names, per call, how the
// recording backend answers (breakergen.answers.ts).
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'

export interface PlannedBackend {
  /** Seconds after which the breaker's state changes without a call (timeout, interval); 0 none. */
  clock: number
  breaker: boolean
  noop: boolean
  collection: boolean
  lua: boolean
  cel: boolean
  refused: boolean
  cached: boolean
}
export interface PlannedEndpoint {
  index: number
  backends: PlannedBackend[]
  /** The endpoint's timeout in ms when a backend may be slow, else 0 (no slow answers). */
  slowMs: number
  /** The endpoint before it has the same backends. */
  twin: boolean
}

const seed = Number(process.env.SEED ?? 1)
const { next: rnd, pick } = seededRandom(seed * 7654321 + 97)
for (let i = 0; i < 5; i += 1) rnd()
const chance = (p: number) => rnd() < p

const MAX_ERRORS = [0, 0, 1, 1, 2, 3, 5, 1000, 0.5, 1.9, 2.7, -0.5, 4294967295]
const TIMEOUTS = [1, 1, 2, 2, 1.9, 2.5, 0, -0.5, 3600]
// (A setting of -1 or below, or of another JSON type, is refused here where KrakenD runs it: not served.)
const INTERVALS = [0, 0, 1, 2, 3600, 1.5, 2.9]
const NAMES = ['', 'cb', 'orders', 'Ünïcode breaker', "a 'quoted' one"]

/** gobreaker's Timeout / Interval as krakend-circuitbreaker builds them: whole seconds, <= 0 the default. */
const wholeSeconds = (n: number) => Math.trunc(n)

function breakerSettings(): { settings: Record<string, unknown>; clock: number } {
  const settings: Record<string, unknown> = {}
  const timeout = pick(TIMEOUTS)
  const interval = pick(INTERVALS)
  if (chance(0.9)) settings.timeout = timeout
  if (chance(0.8)) settings.interval = interval
  settings.max_errors = pick(MAX_ERRORS)
  const name = pick(NAMES)
  if (name !== '') settings.name = name
  if (chance(0.4)) settings.log_status_change = chance(0.7)
  // An all-zero breaker is none in KrakenD (and refused here): give it a timeout.
  if (wholeSeconds(Number(settings.timeout ?? 0)) === 0 && wholeSeconds(Number(settings.interval ?? 0)) === 0)
    settings.timeout = 1
  const t = wholeSeconds(Number(settings.timeout ?? 0))
  const i = wholeSeconds(Number(settings.interval ?? 0))
  const periods = [t > 0 ? t : 60, ...(i > 0 ? [i] : [])].filter((s) => s <= 3)
  return { settings, clock: periods.length > 0 ? Math.min(...periods) : 0 }
}

const LUA_PRE =
  'local r = request.load()\nif string.find(r:path(), "lua") then custom_error("lua says no") end'
const LUA_POST =
  'local r = response.load()\nif r:data():get("o") == "luapost" then custom_error("lua post says no") end'
const CEL_CHECKS = [
  { check_expr: "!req_path.contains('cel')" },
  { check_expr: "!('o' in resp_data) || resp_data.o != 'celpost'" },
]

function backend(
  j: number,
  many: boolean,
  sequential: boolean,
): { cfg: Record<string, unknown>; plan: PlannedBackend } {
  const extra: Record<string, unknown> = {}
  const plan: PlannedBackend = {
    clock: 0,
    breaker: chance(0.85),
    noop: false,
    collection: false,
    lua: false,
    cel: false,
    refused: chance(0.04),
    cached: false,
  }
  if (plan.breaker) {
    const { settings, clock } = breakerSettings()
    extra['qos/circuit-breaker'] = settings
    plan.clock = clock
  }
  const cfg: Record<string, unknown> = {
    url_pattern: sequential && j > 0 ? `/{p${j}}?v={resp0_v}` : `/{p${j}}`,
  }
  if (plan.refused) cfg.host = ['http://127.0.0.1:21999']
  const encoding = many
    ? pick(['json', 'json', 'json', 'safejson', 'string'])
    : pick(['json', 'json', 'safejson', 'no-op'])
  if (encoding !== 'json') cfg.encoding = encoding
  plan.noop = encoding === 'no-op'
  if (!plan.noop && chance(0.15)) {
    cfg.is_collection = true
    plan.collection = true
  }
  if (many) cfg.group = `g${j}`
  if (!plan.noop && !plan.collection && chance(0.1)) cfg.target = 'inner'
  if (!plan.noop && chance(0.2)) cfg.allow = pick([['o', 'v'], ['v'], ['collection', 'o']])
  if (chance(0.3)) {
    const http: Record<string, unknown> = {}
    if (chance(0.5)) http.return_error_code = true
    if (chance(0.5)) http.return_error_details = chance(0.2) ? '' : `b${j}`
    extra['backend/http'] = http
  }
  if (chance(0.15)) cfg.concurrent_calls = pick([2, 3])
  // A shadow's answer is dropped, its breaker counts all the same.
  if (many && j > 0 && !sequential && chance(0.12)) extra.proxy = { shadow: true }
  // (Lua on a no-op backend is not implemented here.)
  if (!plan.noop && chance(0.15)) {
    plan.lua = true
    extra['modifier/lua-backend'] = { pre: LUA_PRE, post: LUA_POST, allow_open_libs: true }
  }
  // (Lua and CEL on one backend are not implemented here.)
  if (!plan.lua && chance(0.15)) {
    plan.cel = true
    extra['validation/cel'] = CEL_CHECKS
  }
  // An answer the cache holds counts as a success without reaching the backend (httpcache is below the breaker).
  if (chance(0.1)) {
    plan.cached = true
    extra['qos/http-cache'] = {}
  }
  if (chance(0.1)) extra['qos/ratelimit/proxy'] = { max_rate: 1, every: '1h', capacity: pick([1, 2, 4]) }
  if (Object.keys(extra).length > 0) cfg.extra_config = extra
  return { cfg, plan }
}

export const plan: PlannedEndpoint[] = []
const endpoints: Record<string, unknown>[] = []
const count = Number(process.env.N ?? 8)
for (let i = 0; i < count; i += 1) {
  const previous = endpoints.at(-1)
  const before = plan.at(-1)
  if (previous && before && !before.twin && chance(0.15)) {
    endpoints.push({ ...previous, endpoint: `/b${i}/${before.backends.map((_, j) => `{p${j}}`).join('/')}` })
    plan.push({ ...before, index: i, twin: true })
    continue
  }
  const size = pick([1, 1, 1, 2, 2, 3])
  const sequential = size > 1 && chance(0.25)
  const built = Array.from({ length: size }, (_, j) => backend(j, size > 1, sequential))
  const slowMs = chance(0.25) ? pick([250, 400]) : 0
  const endpoint: Record<string, unknown> = {
    endpoint: `/b${i}/${built.map((_, j) => `{p${j}}`).join('/')}`,
    method: 'GET',
    backend: built.map((b) => b.cfg),
  }
  if (slowMs > 0) endpoint.timeout = `${slowMs}ms`
  if (sequential) endpoint.extra_config = { proxy: { sequential: true } }
  if (size === 1 && built[0]?.plan.noop) endpoint.output_encoding = 'no-op'
  else if (chance(0.2)) endpoint.output_encoding = pick(['json', 'string', 'negotiate', 'json-collection'])
  endpoints.push(endpoint)
  plan.push({ index: i, backends: built.map((b) => b.plan), slowMs, twin: false })
}

export const config = {
  version: 3,
  name: 'breakergen',
  host: ['BACKEND'],
  timeout: '3s',
  extra_config: {
    router: { disable_access_log: true, ...(chance(0.5) ? { return_error_msg: true } : {}) },
  },
  endpoints,
}
