// Seeded auth/signer endpoints for the signergen runner (../signergen.ts; SEED=, N= endpoints, 30 by
// default): an alg of every family with a key of that family (now and then of another family or
// curve, public only, an RSA key without dp/dq/qi, 1024 bits), its kid among other keys in a set
// read from `jwk_local_path` or served as `jwk_url`, `typ`, `full`, and `keys_to_sign` naming
// objects, nested objects, values of other types and members the answer lacks; now and then a
// modifier/lua-proxy post setting the status and headers. The backend answers each endpoint's path
// with one of BODIES (or a 500).
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ALGORITHMS } from '../../../src/gateway/components/jwt.ts'
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'

export const SEED = Number(process.env.SEED ?? 1)
const { next: rnd, pick } = seededRandom(SEED * 6151 + 7)
const chance = (p: number) => rnd() < p

type Jwk = Record<string, unknown>
const jwkOf = (k: KeyObject) => k.export({ format: 'jwk' }) as Jwk
const pair = (type: 'rsa' | 'ec' | 'ed25519', option?: number | string) => {
  const made =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: option as number })
      : type === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: option as string })
        : generateKeyPairSync('ed25519')
  return { private: jwkOf(made.privateKey), public: jwkOf(made.publicKey) }
}

/** Private keys by name, with their public halves (for checking randomized signatures). */
export const KEYS: Record<string, { private: Jwk; public: Jwk }> = {
  rsa: pair('rsa', 2048),
  rsa1024: pair('rsa', 1024),
  p256: pair('ec', 'P-256'),
  p384: pair('ec', 'P-384'),
  p521: pair('ec', 'P-521'),
  ed: pair('ed25519'),
  hmac: {
    private: { kty: 'oct', k: Buffer.from('signergen-hmac-secret-0123456789').toString('base64url') },
    public: {},
  },
  hmacShort: { private: { kty: 'oct', k: Buffer.from('s').toString('base64url') }, public: {} },
}
KEYS.hmac = { ...KEYS.hmac, public: KEYS.hmac?.private } as { private: Jwk; public: Jwk }
KEYS.hmacShort = { ...KEYS.hmacShort, public: KEYS.hmacShort?.private } as { private: Jwk; public: Jwk }

const ALGS = ALGORITHMS

function rightKey(alg: string): string {
  if (/^(RS|PS)/.test(alg)) return chance(0.2) ? 'rsa1024' : 'rsa'
  if (alg.startsWith('HS')) return chance(0.2) ? 'hmacShort' : 'hmac'
  if (alg === 'EdDSA') return 'ed'
  return { ES256: 'p256', ES384: 'p384', ES512: 'p521' }[alg] as string
}

/** What the backend answers: objects, nested ones, and values of every other JSON type. */
export const BODIES: Array<Record<string, unknown>> = [
  { a: { sub: 'u1', n: 1, f: 1.5, big: 1e21, neg: -0.000001 }, b: 'text', c: [1, { x: 1 }] },
  { a: { html: '<a href="x">&</a>', uni: 'ü €\u2028', e: '' }, d: null, e: 12, f: true },
  { a: {}, b: { deep: { deeper: { list: [null, true, 'x'] } } }, c: { z: 1, a: 2, m: [] } },
  { nested: { a: { x: 1 } }, a: [{ x: 1 }], b: { 'key with space': 1, '': 'empty key' } },
]

export interface SignerPlan {
  path: string
  alg: string
  key: string
  body: number
  /** The backend fails (500): the signer answers 400. */
  fails: boolean
}

/**
 * A lua-proxy post setting the response's status and headers, which the signer answers with
 * (an empty value drops the header, a status <= 0 is 200, 1000 is Go's empty 200, 204 has no body).
 */
function luaPost(): string {
  const lines = ['local r = response.load()']
  if (chance(0.8))
    lines.push(`r:statusCode(${pick(['201', '202.7', '204', '404', '500', '0', '-3', '1000'])})`)
  if (chance(0.7)) lines.push(`r:headers('X-L', ${pick(["'v'", "''", "'a b'"])})`)
  if (chance(0.2)) lines.push("r:headers('Content-Type', 'text/x')")
  if (chance(0.2)) lines.push("r:data():set('lua', 1)")
  return lines.join('; ')
}

const dir = mkdtempSync(join(tmpdir(), 'signergen-'))
const KIDS = ['sig', 'k-1', 'ü', 'a b', 'kid/with/slash']
const NAMES = ['a', 'b', 'c', 'd', 'e', 'f', 'missing', 'nested.a', 'nested', '']

/** Endpoint configs and the JWK sets jwk_url serves (path -> JSON text), `BACKEND` as run.ts writes it. */
export function plan(n: number): {
  endpoints: Array<Record<string, unknown>>
  sets: Record<string, string>
  plans: SignerPlan[]
} {
  const endpoints: Array<Record<string, unknown>> = []
  const sets: Record<string, string> = {}
  const plans: SignerPlan[] = []
  for (let i = 0; i < n; i += 1) {
    const alg = pick(ALGS)
    const key = chance(0.85) ? rightKey(alg) : pick(Object.keys(KEYS))
    const kid = pick(KIDS)
    let signing: Jwk = { ...(KEYS[key]?.private as Jwk), kid }
    if (chance(0.06)) signing = { ...(KEYS[key]?.public as Jwk), kid }
    if (chance(0.1) && signing.kty === 'RSA') {
      const { dp: _dp, dq: _dq, qi: _qi, ...rest } = signing
      signing = rest
    }
    if (chance(0.1)) signing.alg = pick([alg, 'RS256', 'none'])
    if (chance(0.1)) signing.use = pick(['sig', 'enc'])
    const others = Object.keys(KEYS)
      .filter(() => chance(0.3))
      .map((name, j) => ({ ...(KEYS[name]?.private as Jwk), kid: `other-${j}` }))
    const keys = [...others.slice(0, 1), signing, ...others.slice(1)]
    const setText = JSON.stringify({ keys })
    const signer: Record<string, unknown> = {
      alg,
      kid: chance(0.05) ? 'not-in-set' : kid,
      keys_to_sign: NAMES.filter(() => chance(0.35)),
      disable_jwk_security: true,
    }
    if (chance(0.4)) signer.full = true
    if (chance(0.3)) signer.typ = pick(['JWT', 'at+jwt', ''])
    if (chance(0.5)) {
      const file = join(dir, `set-${i}.json`)
      writeFileSync(file, setText)
      signer.jwk_local_path = file
    } else {
      sets[`/set-${i}`] = setText
      signer.jwk_url = `JWKS/set-${i}`
    }
    const path = `/s${i}`
    const body = Math.floor(rnd() * BODIES.length)
    const fails = chance(0.08)
    plans.push({ path, alg, key, body, fails })
    const extra: Record<string, unknown> = { 'auth/signer': signer }
    if (chance(0.3)) extra['modifier/lua-proxy'] = { post: luaPost() }
    endpoints.push({
      endpoint: path,
      backend: [{ host: ['BACKEND'], url_pattern: `/body/${body}${fails ? '/fail' : ''}` }],
      extra_config: extra,
    })
  }
  return { endpoints, sets, plans }
}
