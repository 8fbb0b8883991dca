// Seeded auth/validator configs for the jwtgen suite (SEED=, N= endpoints, 40 by default; cases in
// jwtgen.cases.ts). Each endpoint draws an alg of every family (RS/PS/ES/HS/EdDSA), a JWK set —
// the signing key with its kid present, absent, empty or repeated by another key, use/alg/key_ops
// members, an x5c certificate, keys of other families beside it — served by a JWKS server this
// module starts in the runner's process (127.0.0.1, a free port) as `jwk_url` (with or without
// `cache`) or written to a `jwk_local_path` file, and issuer, audience (one or many), roles with a
// plain, nested, dotted or URL-like `roles_key`, scopes with `scopes_key` and `scopes_matcher`,
// `cookie_key`, `auth_header_name`, `propagate_claims` (arrays preserved or not), `leeway`,
// `key_identify_strategy` and `operation_debug`. The backend echoes what it received, so claims
// propagated into headers are compared too.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import { serveJwks } from './jwks-server.ts'
import { type KeyName, keyFor, PUBLIC, RSA_CERT } from './jwtgen.keys.ts'

export const SEED = Number(process.env.SEED ?? 1)
const { next: rnd, pick } = seededRandom(SEED * 7907 + 13)
export const chance = (p: number) => rnd() < p
export { pick, rnd }

export const ALGS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'HS256',
  'HS384',
  'HS512',
  'EdDSA',
]
export const ISSUER = 'https://issuer.example/'
export const PROPAGATED = ['X-C1', 'X-C2', 'X-C3']

export interface Plan {
  path: string
  alg: string
  /** The kid the signing key has in the set (undefined: none). */
  kid: string | undefined
  /** The key the set lists for the alg. */
  key: KeyName
  issuer?: string
  audience?: string[]
  rolesKey?: string
  rolesNested: boolean
  roles?: string[]
  scopesKey?: string
  scopes?: string[]
  scopesAll: boolean
  cookieKey?: string
  headerName?: string
}

const ROLES_KEYS = ['roles', 'realm_access.roles', 'http://ns.example/roles', 'a.b', 'groups']
const SCOPES_KEYS = ['scope', 'scp', 'ctx.scopes', 'http://ns.example/scp']
const CLAIMS_TO_PROPAGATE = [
  'sub',
  'iss',
  'aud',
  'roles',
  'realm_access.roles',
  'scope',
  'exp',
  'num',
  'obj',
  'nope',
  'a.b',
  'uni',
]

function keyMembers(key: Record<string, unknown>, alg: string): Record<string, unknown> {
  const out = { ...key }
  if (chance(0.15)) out.use = pick(['sig', 'enc', ''])
  if (chance(0.15)) out.alg = pick([alg, alg, 'RS256', 'HS256', 'none'])
  if (chance(0.1)) out.key_ops = pick([['verify'], ['sign'], ['encrypt'], []])
  return out
}

function keySet(alg: string): { keys: object[]; kid: string | undefined; key: KeyName } {
  const kid = pick<string | undefined>(['k1', 'k1', 'k1', 'k1', 'k1', 'k1', undefined, '', '1', '\ud800'])
  // Now and then an ES alg's key is of another curve (go-jose checks the signature's size only).
  // Now and then an RSA key of 1024 bits, an empty HMAC secret.
  const key =
    alg.startsWith('ES') && chance(0.25)
      ? pick<KeyName>(['ES256', 'ES384', 'ES512'])
      : /^(RS|PS)/.test(alg) && chance(0.15)
        ? 'rsa1024'
        : alg.startsWith('HS') && chance(0.15)
          ? 'hmacEmpty'
          : keyFor(alg, 'right')
  const main = keyMembers({ ...PUBLIC[key], ...(kid === undefined ? {} : { kid }) }, alg)
  if (key === 'rsa' && chance(0.25)) main.x5c = [RSA_CERT]
  const keys: object[] = [main]
  if (chance(0.5)) keys.push({ ...PUBLIC.rsaOther, kid: 'k2' })
  if (chance(0.4)) keys.unshift({ ...PUBLIC.hmacOther, kid: 'k3' })
  if (chance(0.3)) keys.push({ ...PUBLIC.ES256, kid: 'k4' })
  if (chance(0.2)) keys.push({ ...PUBLIC.ed, kid: 'k5' })
  // A second key under the signing key's kid, before or after it.
  if (chance(0.15)) {
    const twin = { ...PUBLIC[keyFor(alg, 'other')], ...(kid === undefined ? {} : { kid }) }
    if (chance(0.5)) keys.push(twin)
    else keys.unshift(twin)
  }
  return { keys, kid, key }
}

// FOLD=1: one key of a third of the validators written in another case or Unicode fold (KELVIN
// SIGN, long s), as krakend-jose's encoding/json reads it in any case; drawn from a stream of its
// own, so the rest of a seed is unchanged.
const fold = process.env.FOLD === '1' ? seededRandom(SEED * 6133 + 71) : undefined
function spellAnew(v: Record<string, unknown>): void {
  if (fold === undefined || fold.next() >= 0.33) return
  const key = fold.pick(Object.keys(v).filter((k) => k !== 'jwk_url'))
  const folds = [key.toUpperCase(), `${key[0]?.toUpperCase()}${key.slice(1)}`]
  if (/[ks]/.test(key)) folds.push(key.replace('k', '\u212a').replace(/s(?![^s]*s)/, '\u017f'))
  const spelled = fold.pick(folds)
  if (spelled === key) return
  v[spelled] = v[key]
  delete v[key]
}

const endpoints: object[] = []
export const plans: Plan[] = []
const sets: Record<string, string> = {}
const dir = mkdtempSync(join(tmpdir(), 'krakend-diff-jwtgen-'))
const count = Number(process.env.N ?? 40)
for (let i = 0; i < count; i++) {
  const alg = ALGS[i % ALGS.length] as string
  const set = keySet(alg)
  const plan: Plan = { path: `/v${i}`, alg, kid: set.kid, key: set.key, rolesNested: false, scopesAll: false }
  const v: Record<string, unknown> = { alg, disable_jwk_security: true }
  if (chance(0.3)) {
    const file = join(dir, `set${i}.json`)
    writeFileSync(file, JSON.stringify({ keys: set.keys }))
    v.jwk_local_path = file
  } else {
    sets[`/set${i}`] = JSON.stringify({ keys: set.keys })
    v.jwk_url = `JWKS/set${i}`
    if (chance(0.4)) v.cache = true
  }
  if (chance(0.4)) v.issuer = plan.issuer = ISSUER
  else if (chance(0.1)) v.issuer = ''
  if (chance(0.4)) v.audience = plan.audience = pick([['a1'], ['a1', 'a2'], ['a2', 'a1', 'a3']])
  else if (chance(0.1)) v.audience = []
  if (chance(0.35)) {
    plan.rolesKey = pick(ROLES_KEYS)
    plan.roles = pick([['admin'], ['admin', 'ops'], ['ops']])
    v.roles_key = plan.rolesKey
    v.roles = plan.roles
    // A nested key shorter than 4 characters stops KrakenD (and this runtime) at start.
    if (plan.rolesKey.includes('.') && plan.rolesKey.length >= 4 && chance(0.7))
      v.roles_key_is_nested = plan.rolesNested = true
  }
  if (chance(0.35)) {
    plan.scopesKey = pick(SCOPES_KEYS)
    plan.scopes = pick([['read'], ['read', 'write'], ['write']])
    v.scopes_key = plan.scopesKey
    v.scopes = plan.scopes
    if (chance(0.7)) {
      v.scopes_matcher = pick(['any', 'all'])
      plan.scopesAll = v.scopes_matcher === 'all'
    }
  }
  // Cookie names Go's Request.Cookie never finds (not a token) too, and header names in other forms.
  if (chance(0.3))
    v.cookie_key = plan.cookieKey = pick(['jwt', 'session', 'access_token', 'Jwt', 'jwt@x', 'a b', 'a.b'])
  if (chance(0.15))
    v.auth_header_name = plan.headerName = pick(['X-Token', 'authorization', 'x_token', 'Cookie', 'X-TOKEN'])
  const propagate: string[][] = []
  if (chance(0.6))
    for (const header of PROPAGATED)
      if (chance(0.7))
        propagate.push([pick(CLAIMS_TO_PROPAGATE), chance(0.2) ? header.toLowerCase() : header])
  if (propagate.length > 0) v.propagate_claims = propagate
  if (propagate.length > 0 && chance(0.3)) v.propagate_claims_preserve_array = true
  if (chance(0.3))
    v.leeway = pick([
      '2h',
      '0s',
      '30s',
      '5',
      '876000h',
      '2562047h',
      '2562048h',
      '-5s',
      '1.5s',
      '1h1m',
      '.5h',
      '',
    ])
  if (chance(0.1)) v.key_identify_strategy = 'kid'
  if (chance(0.2)) v.operation_debug = true
  if (fold) spellAnew(v)
  plans.push(plan)
  endpoints.push({
    endpoint: plan.path,
    input_headers: [...PROPAGATED, 'Authorization'],
    extra_config: { 'auth/validator': v },
    // A claim in the backend's path ({JWT.x}), missing or of any type.
    backend: [{ url_pattern: chance(0.2) ? `/echo/{JWT.${pick(CLAIMS_TO_PROPAGATE)}}` : '/echo' }],
  })
}

const jwks = await serveJwks(sets)
for (const ep of endpoints as Array<{ extra_config: Record<string, Record<string, unknown>> }>) {
  const v = ep.extra_config['auth/validator'] as Record<string, unknown>
  if (typeof v.jwk_url === 'string') v.jwk_url = v.jwk_url.replace('JWKS', jwks)
}

export const config = {
  version: 3,
  name: 'jwtgen',
  host: ['BACKEND'],
  timeout: '3s',
  extra_config: { router: { disable_access_log: true } },
  endpoints,
}
