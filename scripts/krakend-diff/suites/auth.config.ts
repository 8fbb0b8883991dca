// Seeded (SEED=, N=, SETS=) auth/validator and auth/revoker differential suite. JWK sets are drawn
// member by member — alg/use/key_ops that go-jose ignores, keys it refuses (an x5u Go's url.Parse
// refuses, bad base64, a kty in lower case, EC points of the wrong size), Ed25519 x and d of other
// sizes than 32 bytes (go-jose v3 pads or cuts them), x5t / x5t#S256 thumbprints raw, hex, padded or
// wrong, repeated kids, private parts (RSA ones Go's crypto/rsa takes or refuses), sets that are no
// set — and served by a JWKS server this module starts in the runner's process (127.0.0.1, a free
// port). Each set has validators for RS256, ES256, HS256 and EdDSA under a drawn
// key_identify_strategy, cache and issuer/audience; two more endpoints read the unchanged set from a
// jwk_local_path file. The service runs auth/revoker: KrakenD on 18091, this runtime on 18092 (PORT_BASE+11, +12; set
// here as GATEWAY_REVOKER_PORT, which the gateway the runner spawns inherits); auth.cases.ts revokes
// claims on both through gwdeploy's own Go net/rpc client before the tokens (strings, numbers,
// booleans, lists, nested objects, lone surrogates) are sent. 0 of N differ with KrakenD CE 2.13.8.
import { createHash, createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import { serveJwks } from './jwks-server.ts'

export const SEED = Number(process.env.SEED ?? 1)
// With PORT_BASE=P (run.ts's ports P..P+2), the revokers take P+11 and P+12.
const portBase = process.env.PORT_BASE ? Number(process.env.PORT_BASE) : undefined
export const KRAKEND_REVOKER_PORT = portBase === undefined ? 18091 : portBase + 11
export const GATEWAY_REVOKER_PORT = portBase === undefined ? 18092 : portBase + 12
process.env.GATEWAY_REVOKER_PORT = String(GATEWAY_REVOKER_PORT)
export const TOKEN_KEYS = ['jti', 'sub', 'sid', 'user.id', '']

const { next: rnd, pick } = seededRandom(SEED * 104729 + 7)
export const chance = (p: number) => rnd() < p
export { pick }

const HMAC = Buffer.from('auth-suite-hmac-secret-0123456789abcdef')
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const ed = generateKeyPairSync('ed25519')
const u = (b: Buffer | string) => Buffer.from(b).toString('base64url')
const jwkOf = (k: KeyObject) => k.export({ format: 'jwk' }) as Record<string, unknown>
const digest = (name: 'sha1' | 'sha256', seed: string) => createHash(name).update(seed).digest()
/** The thumbprints each key is known by (no certificate: x5t alone names a key to krakend-jose). */
export const THUMBS = {
  r1: { x5t: digest('sha1', 'r1'), s256: digest('sha256', 'r1') },
  e1: { x5t: digest('sha1', 'e1'), s256: digest('sha256', 'e1') },
  d1: { x5t: digest('sha1', 'd1'), s256: digest('sha256', 'd1') },
  h1: { x5t: digest('sha1', 'h1'), s256: digest('sha256', 'h1') },
}
type Kid = keyof typeof THUMBS
const BASE: Record<Kid, Record<string, unknown>> = {
  r1: { ...jwkOf(rsa.publicKey), kid: 'r1' },
  e1: { ...jwkOf(ec.publicKey), kid: 'e1' },
  d1: { ...jwkOf(ed.publicKey), kid: 'd1' },
  h1: { kty: 'oct', kid: 'h1', k: u(HMAC) },
}
export const KID_OF: Record<string, Kid> = { RS256: 'r1', ES256: 'e1', EdDSA: 'd1', HS256: 'h1' }

type Mutation = (k: Record<string, unknown>, kid: Kid) => Record<string, unknown>
const MUTATIONS: Mutation[] = [
  (k) => ({ ...k, alg: pick(['RS384', 'ES256', 'HS256', 'none', 'x']) }),
  (k) => ({ ...k, use: pick(['enc', 'sig', '']) }),
  (k) => ({ ...k, key_ops: pick([['encrypt'], ['verify'], []]) }),
  (k) => ({
    ...k,
    x5u: pick(['http://[::1', 'http://a:b/', '%zz', 'http://[fe80::1%en0]/', '/rel', 'mailto:x', '']),
  }),
  (k) => ({ ...k, kty: String(k.kty).toLowerCase() }),
  (k, kid) => ({ ...k, x5t: u(THUMBS[kid].x5t) }),
  (k, kid) => ({ ...k, x5t: u(THUMBS[kid].x5t.toString('hex')), 'x5t#S256': u(THUMBS[kid].s256) }),
  (k, kid) => ({ ...k, x5t: `${u(THUMBS[kid].x5t)}=` }),
  (k) => ({ ...k, x5t: u(Buffer.alloc(19, 1)) }),
  (k, kid) => ({ ...k, kid: undefined, 'x5t#S256': u(THUMBS[kid].s256) }),
  (k) => ({ ...k, kid: pick(['', 'R1', 'e1']) }),
  (k) => (k.kty === 'OKP' ? { ...k, x: shorten(k.x, pick([16, 31, 33, 40])) } : { ...k, ext: true }),
  (k) => (k.kty === 'OKP' ? { ...k, d: pick(['AQAB', '', u(Buffer.alloc(40, 2))]) } : k),
  (k) => (k.kty === 'EC' ? { ...k, x: shorten(k.x, 31) } : k),
  (k) => ({ ...k, d: 'AQAB' }),
  (k) => ({ ...k, n: k.n === undefined ? undefined : `${k.n}!` }),
  // Last: the RSA key with its private part, one crypto/rsa takes or one it refuses (d too small).
  (k) => ({ ...jwkOf(rsa.privateKey), kid: k.kid }),
  (k) => ({ ...jwkOf(rsa.privateKey), kid: k.kid, d: 'AQAB' }),
]
const RSA_ONLY = 2
function shorten(value: unknown, size: number): string {
  const bytes = Buffer.from(String(value), 'base64url')
  const out = Buffer.alloc(size)
  bytes.copy(out, 0, 0, size)
  return u(out)
}

export interface AuthEndpoint {
  path: string
  alg: string
  strategy: string
  issuer?: string
  audience?: string[]
}
const endpoints: object[] = []
export const authEndpoints: AuthEndpoint[] = []
const sets: Record<string, string> = {}
const setCount = Number(process.env.SETS ?? MUTATIONS.length)
for (let i = 0; i < setCount; i++) {
  const strategy = pick(['kid', 'kid', 'x5t', 'x5t#S256', 'kid_x5t'])
  // Under a thumbprint strategy every key carries its thumbprints, as such a JWKS would.
  const named = (kid: Kid) =>
    strategy === 'kid'
      ? BASE[kid]
      : { ...BASE[kid], x5t: u(THUMBS[kid].x5t), 'x5t#S256': u(THUMBS[kid].s256) }
  // Set i has mutation i (each at least once with SETS >= their count) on one key, and maybe more.
  const mutation = i % MUTATIONS.length
  const target = mutation >= MUTATIONS.length - RSA_ONLY ? 'r1' : pick(Object.keys(BASE) as Kid[])
  const keys: Array<Record<string, unknown>> = (Object.keys(BASE) as Kid[]).map((kid) =>
    kid === target
      ? (MUTATIONS[mutation] as Mutation)(named(kid), kid)
      : chance(0.1)
        ? pick(MUTATIONS.slice(0, -RSA_ONLY))(named(kid), kid)
        : { ...named(kid) },
  )
  if (chance(0.2))
    keys.push({ ...jwkOf(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey), kid: 'r1' })
  if (chance(0.15)) keys.unshift({ ...BASE.h1, k: u('other secret') })
  let body = JSON.stringify({ keys })
  if (chance(0.06))
    body = pick([`${body} trailing`, JSON.stringify({ Keys: keys }), '{"keys":{}}', '[]', '{}'])
  sets[`/set${i}`] = body
  const cache = chance(0.5)
  for (const alg of ['RS256', 'ES256', 'HS256', 'EdDSA']) {
    const ep: AuthEndpoint = { path: `/set${i}/${alg}`, alg, strategy }
    const validator: Record<string, unknown> = { alg, jwk_url: '', disable_jwk_security: true, cache }
    if (strategy !== 'kid') validator.key_identify_strategy = strategy
    if (chance(0.2)) validator.issuer = ep.issuer = 'https://issuer.example/'
    if (chance(0.2)) validator.audience = ep.audience = pick([['a1'], ['a1', 'a2']])
    if (chance(0.3))
      validator.propagate_claims = [
        ['sub', 'X-Sub'],
        ['jti', 'X-Jti'],
      ]
    authEndpoints.push(ep)
    endpoints.push({
      endpoint: ep.path,
      input_headers: ['X-Sub', 'X-Jti'],
      extra_config: { 'auth/validator': validator, '@set': `/set${i}` },
      backend: [{ url_pattern: '/echo' }],
    })
  }
}
const dir = mkdtempSync(join(tmpdir(), 'krakend-diff-auth-'))
writeFileSync(join(dir, 'local.json'), JSON.stringify({ keys: Object.values(BASE) }))
for (const alg of ['RS256', 'HS256']) {
  authEndpoints.push({ path: `/local/${alg}`, alg, strategy: 'kid' })
  endpoints.push({
    endpoint: `/local/${alg}`,
    extra_config: {
      'auth/validator': { alg, jwk_local_path: join(dir, 'local.json'), disable_jwk_security: true },
    },
    backend: [{ url_pattern: '/echo' }],
  })
}

const jwksOrigin = await serveJwks(sets)
for (const ep of endpoints as Array<{ extra_config: Record<string, Record<string, unknown>> }>) {
  const validator = ep.extra_config['auth/validator'] as Record<string, unknown>
  const set = ep.extra_config['@set']
  if (set !== undefined) validator.jwk_url = `${jwksOrigin}${set}`
}

export const config = {
  version: 3,
  name: 'auth',
  host: ['BACKEND'],
  timeout: '3s',
  extra_config: {
    'auth/revoker': {
      N: 10000,
      P: 0.0001,
      hash_name: pick(['default', 'optimal']),
      TTL: 3600,
      port: KRAKEND_REVOKER_PORT,
      token_keys: TOKEN_KEYS,
    },
    router: { disable_access_log: true },
  },
  endpoints,
}

/** A compact JWS over the header and payload texts as given (repeated keys and odd numbers stay). */
export function signToken(header: string, payload: string, alg: string): string {
  const input = `${u(header)}.${u(payload)}`
  const data = Buffer.from(input)
  const signature =
    alg === 'HS256'
      ? createHmac('sha256', HMAC).update(data).digest()
      : alg === 'RS256'
        ? sign('sha256', data, rsa.privateKey)
        : alg === 'ES256'
          ? sign('sha256', data, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' })
          : sign(null, data, ed.privateKey)
  return `${input}.${u(signature)}`
}
