// Seeded scenarios of the jwttime runner (../jwttime.ts; SEED=, N= time cases per scenario): an
// auth/validator endpoint whose JWKS (HS256 oct keys) a script changes between requests, and tokens
// whose exp, nbf and iat sit a few seconds either side of now and of the leeway, plus dates written
// at the ends of Go's ranges. A step's token is signed when the step runs, so its dates are
// relative to that instant on both gateways.
import { createHmac } from 'node:crypto'
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'

export const SEED = Number(process.env.SEED ?? 1)
const { next: rnd, pick } = seededRandom(SEED * 7919 + 29)

/** What the JWKS server answers: a set of the named keys, or one of its failures. */
export type JwksState =
  | { keys: string[] }
  | { keys: string[]; status: number }
  | { keys: string[]; delayMs: number }
  | { keys: string[]; redirect: 301 | 302 | 307 | 308 }
  | { keys: string[]; cacheControl: string }
  | { fail: 'down' | 'invalid-json' | 'html' | 'empty-set' | 'status-500-text' }

/**
 * A token's claims as offsets in seconds from the instant it is signed (fractions kept), or `raw`
 * claims text with NOW standing for that instant's whole seconds.
 */
export interface TokenSpec {
  key: string
  exp?: number
  nbf?: number
  iat?: number
  raw?: string
}

export type Step =
  | { jwks: JwksState }
  | { wait: number }
  /** `replayAfterMs`: the same token sent again that much later (a verified token remembered). */
  | { send: TokenSpec; label: string; replayAfterMs?: number }

export interface Scenario {
  name: string
  validator: Record<string, unknown>
  /** The JWKS before the gateways start. */
  initial: JwksState
  steps: Step[]
}

const SECRETS: Record<string, Buffer> = {
  k1: Buffer.from('jwttime-key-one-0123456789abcdef'),
  k2: Buffer.from('jwttime-key-two-0123456789abcdef'),
  k3: Buffer.from('jwttime-key-three-0123456789abcd'),
  unknown: Buffer.from('jwttime-key-unknown-0123456789ab'),
  /** k1's kid with other material: a key rotated in place. */
  'k1-new': Buffer.from('jwttime-key-one-rotated-01234567'),
}
const kidOf = (key: string) => (key === 'k1-new' ? 'k1' : key)

export const jwkOf = (key: string) => ({
  kty: 'oct',
  kid: kidOf(key),
  k: (SECRETS[key] as Buffer).toString('base64url'),
})

const u = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')

/** An HS256 token for `spec`, its dates `now` plus the offsets (fractional ones kept). */
export function tokenOf(spec: TokenSpec, nowS: number): string {
  const claims: Record<string, unknown> = { sub: 'jwttime' }
  for (const name of ['exp', 'nbf', 'iat'] as const) {
    const off = spec[name]
    if (off !== undefined) claims[name] = Math.round((nowS + off) * 1000) / 1000
  }
  const payload =
    spec.raw === undefined
      ? u(claims)
      : Buffer.from(spec.raw.replaceAll('NOW', String(Math.floor(nowS)))).toString('base64url')
  const input = `${u({ alg: 'HS256', kid: kidOf(spec.key), typ: 'JWT' })}.${payload}`
  const sig = createHmac('sha256', SECRETS[spec.key] as Buffer)
    .update(input)
    .digest('base64url')
  return `${input}.${sig}`
}

const LEEWAYS: Array<[string | undefined, number]> = [
  [undefined, 1],
  ['1s', 1],
  ['2s', 2],
  ['3s', 3],
  ['500ms', 1],
  ['1.5s', 1.5],
  ['-5s', 1],
  ['x', 1],
]

/**
 * Seconds by which `spec` is away from go-jose's nearest edge at `nowS` (a date truncated to whole
 * seconds; exp refused when now - leeway > exp, nbf and iat when now + leeway < them).
 */
export function margin(spec: TokenSpec, nowS: number, leewayS: number): number {
  let m = Infinity
  const date = (off: number | undefined) =>
    off === undefined ? undefined : Math.trunc(Math.round((nowS + off) * 1000) / 1000)
  const exp = date(spec.exp)
  if (exp !== undefined) m = Math.min(m, Math.abs(nowS - leewayS - exp))
  for (const d of [date(spec.nbf), date(spec.iat)])
    if (d !== undefined) m = Math.min(m, Math.abs(nowS + leewayS - d))
  return m
}

function offset(leewayS: number): number {
  // Around 0 and around +-leeway, in quarter seconds, a fraction now and then.
  const base = pick([0, leewayS, -leewayS, 0, leewayS + 1, -leewayS - 1])
  const off = base + Math.round((rnd() * 8 - 4) * 4) / 4
  return rnd() < 0.3 ? off + pick([0.1, 0.5, 0.9, -0.1, -0.9]) : off
}

function timeScenario(i: number, n: number): Scenario {
  const [leeway, leewayS] = pick(LEEWAYS)
  const steps: Step[] = []
  for (let j = 0; j < n; j += 1) {
    const spec: TokenSpec = { key: 'k1' }
    if (rnd() < 0.8) spec.exp = offset(leewayS)
    if (rnd() < 0.5) spec.nbf = offset(leewayS)
    if (rnd() < 0.5) spec.iat = offset(leewayS)
    if (rnd() < 0.1 && spec.exp !== undefined) spec.nbf = spec.exp
    steps.push({ send: spec, label: `time ${JSON.stringify(spec)}` })
  }
  // A token valid at its first use and sent again once expired: a verified signature is remembered.
  const short = 2.6 + Math.floor(rnd() * 2)
  steps.push({
    send: { key: 'k1', exp: short - leewayS },
    label: 'valid, then replayed once expired',
    replayAfterMs: (short + 1.6) * 1000,
  })
  return {
    name: `time-${i} leeway=${leeway ?? '(none)'}`,
    validator: { ...(leeway === undefined ? {} : { leeway }) },
    initial: { keys: ['k1'] },
    steps,
  }
}

const send = (key: string, label: string): Step => ({ send: { key, exp: 600 }, label })

function rotationScenarios(): Scenario[] {
  const cacheS = 2 + Math.floor(rnd() * 2)
  const cached = { cache: true, cache_duration: cacheS }
  const afterExpiry = { wait: cacheS * 1000 + 1600 }
  const failure = pick<JwksState>([
    { fail: 'down' },
    { fail: 'invalid-json' },
    { fail: 'html' },
    { fail: 'empty-set' },
    { fail: 'status-500-text' },
  ])
  return [
    {
      name: 'no cache: key removed, then back',
      validator: {},
      initial: { keys: ['k1', 'k2'] },
      steps: [
        send('k1', 'k1 listed'),
        { jwks: { keys: ['k2'] } },
        send('k1', 'k1 removed'),
        send('k2', 'k2 still'),
        { jwks: { keys: ['k1'] } },
        send('k1', 'k1 back'),
      ],
    },
    {
      name: `cache ${cacheS}s: key removed after first use`,
      validator: cached,
      initial: { keys: ['k1', 'k2'] },
      steps: [
        send('k1', 'k1 listed'),
        { jwks: { keys: ['k2'] } },
        send('k1', 'k1 removed, cached'),
        afterExpiry,
        send('k1', 'k1 removed, cache expired'),
        send('k2', 'k2 after expiry'),
      ],
    },
    {
      name: 'cache 30s: key removed before the first request (prefetch at start)',
      validator: { cache: true, cache_duration: 30 },
      initial: { keys: ['k1', 'k2'] },
      steps: [{ wait: 1500 }, { jwks: { keys: ['k2'] } }, send('k1', 'k1 removed before first use')],
    },
    {
      name: `cache ${cacheS}s: key added`,
      validator: cached,
      initial: { keys: ['k1'] },
      steps: [send('k1', 'k1'), { jwks: { keys: ['k1', 'k3'] } }, send('k3', 'k3 added'), send('k1', 'k1')],
    },
    {
      name: `cache ${cacheS}s: ${JSON.stringify(failure)} after a good fetch`,
      validator: cached,
      initial: { keys: ['k1'] },
      steps: [
        send('k1', 'k1 fetched'),
        { jwks: failure },
        send('k1', 'k1 cached while JWKS fails'),
        send('k2', 'unknown kid while JWKS fails'),
        afterExpiry,
        send('k1', 'k1 after expiry while JWKS fails'),
        { jwks: { keys: ['k1'] } },
        send('k1', 'k1 JWKS back'),
      ],
    },
    {
      name: `no cache: ${JSON.stringify(failure)}`,
      validator: {},
      initial: { keys: ['k1'] },
      steps: [send('k1', 'k1'), { jwks: failure }, send('k1', 'k1 while JWKS fails')],
    },
    {
      name: 'cooldown 2s: unknown kid, then added',
      validator: { cache: true, failed_jwk_key_cooldown: '2s' },
      initial: { keys: ['k1'] },
      steps: [
        send('k2', 'k2 unknown'),
        { jwks: { keys: ['k1', 'k2'] } },
        send('k2', 'k2 added, in cooldown'),
        { wait: 3600 },
        send('k2', 'k2 after cooldown'),
        send('unknown', 'kid "unknown" (the start-up prefetch asks for it)'),
      ],
    },
    {
      name: 'cooldown 3s: kid "unknown" right after start',
      validator: { cache: true, failed_jwk_key_cooldown: '3s' },
      initial: { keys: ['k1', 'unknown'] },
      steps: [{ wait: 300 }, send('unknown', 'kid unknown')],
    },
    {
      name: 'answers: 500 with a set, redirects, Cache-Control',
      validator: { cache: true, cache_duration: 1 },
      initial: { keys: ['k1'], status: 500 },
      steps: [
        send('k1', 'set served with 500'),
        { jwks: { keys: ['k2'], redirect: pick([301, 302, 307, 308] as const) } },
        { wait: 2600 },
        send('k2', 'set behind a redirect'),
        { jwks: { keys: ['k3'], cacheControl: 'no-store, max-age=0' } },
        { wait: 2600 },
        send('k3', 'set with Cache-Control: no-store'),
      ],
    },
    {
      name: `cache ${cacheS}s: k1 rotated in place (same kid, other material)`,
      validator: cached,
      initial: { keys: ['k1'] },
      steps: [
        send('k1', 'old k1'),
        { jwks: { keys: ['k1-new'] } },
        send('k1-new', 'new k1 while the old one is cached'),
        send('k1', 'old k1 still cached'),
        afterExpiry,
        send('k1-new', 'new k1 after expiry'),
        send('k1', 'old k1 after expiry'),
      ],
    },
    {
      name: 'no cache: k1 rotated in place',
      validator: {},
      initial: { keys: ['k1'] },
      steps: [
        send('k1', 'old k1'),
        { jwks: { keys: ['k1-new'] } },
        send('k1-new', 'new k1'),
        send('k1', 'old k1'),
      ],
    },
    {
      name: 'slow set (6s, no cache)',
      validator: {},
      initial: { keys: ['k1'], delayMs: 6000 },
      steps: [send('k1', 'slow JWKS')],
    },
  ]
}

/** Dates as JSON writes them: huge, at the ends of int64 and of time.Unix, fractions, exponents. */
const DATE_FORMS = [
  '{"exp":1e300}',
  '{"nbf":-1e300}',
  '{"iat":1e300}',
  '{"exp":9223372036854775807}',
  '{"exp":-9223372036854775808}',
  '{"exp":9223371974719179007}',
  '{"nbf":9223371974719179007}',
  '{"exp":9223371974719180000}',
  '{"nbf":9223371974719180000}',
  '{"exp":0}',
  '{"exp":-0.5}',
  '{"nbf":-0.0}',
  '{"exp":1e-7}',
  '{"exp":NOW.99999999999e0}',
  '{"exp":NOW00e-2,"nbf":NOW00e-2}',
  '{"exp":null,"nbf":null,"iat":null}',
  '{"exp":1.7976931348623157e308}',
]

function dateForms(): Scenario {
  const leeway = pick(['1s', '2562047h'])
  return {
    name: `date forms leeway=${leeway}`,
    validator: { leeway },
    initial: { keys: ['k1'] },
    steps: DATE_FORMS.map((raw) => ({ send: { key: 'k1', raw }, label: raw })),
  }
}

const N = Number(process.env.N ?? 12)
export const scenarios: Scenario[] = [
  timeScenario(1, N),
  timeScenario(2, N),
  ...rotationScenarios(),
  dateForms(),
]
