// Seeded `security/bot-detector` configs (SEED=, ENDPOINTS= how many, 8 by default): per endpoint
// a detector with `allow`/`deny` exact strings (case, spaces, UTF-8, long, empty), `patterns` from a
// small RE2 grammar (anchors, classes, POSIX and Unicode classes, (?i)/(?s)/(?U) flags and groups,
// alternation, repetition bounds, \b, \Q..\E, \x{..}, escapes Go and JavaScript read differently),
// `cache_size` (0, 1, small, huge; ODD=1 also negative, fractional, a string, 2^63), and
// `empty_user_agent_is_bot` (true, false, null; ODD=1 also "true"), keys sometimes in another case
// (or with U+017F for an s) or null; the draws are botgen.draw.ts's. Beside them: a service-level detector (half the seeds), a service-level Lua that copies
// X-Rewrite into User-Agent before the service detector runs, security/cors, an endpoint rate limit
// (bots refused before they take a token) and a JWT validator (bots refused before the token is
// read). KrakenD attaches the detector at service and endpoint level only (at backend level it is
// refused here: not drawn).
// A detector this runtime refuses is left out of the served config and named on stderr (KrakenD
// logs it and runs the endpoint without one); botgen-configs.ts compares those refusals with
// KrakenD. Requests: botgen.cases.ts. Against KrakenD CE 2.13.8 (N=300): SEED=1..20 over HTTP/1.1,
// 1..10 over --h2c and ODD=1 SEED=1..6 (10,800 cases): no difference (the 15 ODD detectors refused
// here are ones KrakenD disables). botgen-configs.ts SEEDS=1-150 (1,500 detectors): 4 differ, each
// two spellings of one key that set different things (refused by design).
import { detectorDraws, EXACT, refusals } from './botgen.draw.ts'

export { EXACT, WORDS } from './botgen.draw.ts'

const { detector, maybe, pick, some } = detectorDraws(Number(process.env.SEED ?? 1), process.env.ODD === '1')

/** A drawn detector when this runtime takes it, else undefined (named on stderr). */
function served(where: string, d: Record<string, unknown>): Record<string, unknown> | undefined {
  const errors = refusals(d)
  if (errors.length === 0) return d
  console.error(`botgen: ${where}: detector left out, this runtime refuses it: ${errors.join('; ')}`)
  return undefined
}

const echo = { url_pattern: '/echo' }
const ENDPOINTS = Number(process.env.ENDPOINTS ?? 8)
/** What each endpoint guards with (by index): the plain ones, then a rate limit and a JWT validator. */
const extras = (i: number): Record<string, unknown> => {
  if (i === ENDPOINTS) return { 'qos/ratelimit/router': { max_rate: 2, capacity: 2, every: '1h' } }
  if (i === ENDPOINTS + 1)
    return {
      'auth/validator': { alg: 'HS256', jwk_url: 'BACKEND/jwks', disable_jwk_security: true, cache: false },
    }
  return {}
}

export const drawnDetectors = Array.from({ length: ENDPOINTS + 2 }, () => detector())
export const serviceDetector = maybe(0.5)
  ? {
      deny: some(EXACT.slice(0, 8), 2),
      patterns: maybe(0.5) ? [pick(['^svcbot', '(?i)^slurp$', 'ZZ\\d'])] : [],
    }
  : undefined
const serviceLua = maybe(0.5)

export const config = {
  version: 3,
  name: 'botgen',
  host: ['BACKEND'],
  timeout: '3s',
  extra_config: {
    router: { disable_access_log: true },
    ...(maybe(0.3) ? { 'security/cors': { allow_origins: ['https://app.example.com'] } } : {}),
    ...(serviceDetector ? { 'security/bot-detector': serviceDetector } : {}),
    ...(serviceLua
      ? {
          'modifier/lua-endpoint': {
            pre: "local r = ctx.load(); local v = r:headers('X-Rewrite'); if v ~= '' then r:headers('User-Agent', v) end",
          },
        }
      : {}),
  },
  endpoints: drawnDetectors.map((d, i) => {
    const kept = served(`/e${i}`, d)
    const extra = { ...extras(i), ...(kept ? { 'security/bot-detector': kept } : {}) }
    return { endpoint: `/e${i}`, extra_config: extra, backend: [echo] }
  }),
}
