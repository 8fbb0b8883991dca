// Tokens for a jwtgen endpoint (jwtgen.config.ts): a token the endpoint should accept — its alg and
// kid, every claim its issuer, audience, roles and scopes rules ask for, propagated claims of many
// types — then 0 to 3 mutations of the header, the claims, their JSON text, the signature or the
// encoding (alg none or in other case, kid forms, crit / b64 / jku / x5c / jwk members, repeated
// JSON members, dates as floats, exponents, strings, huge, negative, -0, null; aud, iss, roles and
// scopes of other types; padding, standard base64, whitespace, extra parts, JWE-shaped tokens,
// the JWS JSON serialization, broken UTF-8). Times are an hour or more from now, or inside a long
// leeway, so no case depends on when it is sent.
import { type Plan, pick, rnd } from './jwtgen.config.ts'
import { keyFor, PUBLIC, RSA_CERT } from './jwtgen.keys.ts'
import { assemble, type Draft, ENCODING_MUTATIONS, type Json, SIGNATURE_MUTATIONS } from './jwtgen.wire.ts'

const chance = (p: number) => rnd() < p
const now = Math.floor(Date.now() / 1000)

/** Sets `value` at a dotted path as krakend-jose reads it (nested unless `literal`). */
function put(claims: Json, key: string, value: unknown, literal: boolean) {
  if (literal || !key.includes('.')) {
    claims[key] = value
    return
  }
  const parts = key.split('.')
  let at = claims
  for (const part of parts.slice(0, -1)) {
    if (typeof at[part] !== 'object' || at[part] === null) at[part] = {}
    at = at[part] as Json
  }
  at[parts[parts.length - 1] as string] = value
}

const rolesLiteral = (p: Plan) =>
  !(p.rolesNested && p.rolesKey?.includes('.') && !p.rolesKey.startsWith('http'))

function baseDraft(p: Plan): Draft {
  const header: Json = { alg: p.alg, typ: 'JWT' }
  if (p.kid !== undefined) header.kid = p.kid
  const claims: Json = { sub: 'user-1', exp: now + 3600, iat: now - 10, num: 12.5, obj: { a: 1 }, uni: 'ü✓' }
  if (p.issuer) claims.iss = p.issuer
  if (p.audience) claims.aud = p.audience.length === 1 && chance(0.5) ? p.audience[0] : [...p.audience]
  if (p.rolesKey && p.roles) put(claims, p.rolesKey, [...p.roles, 'x'], rolesLiteral(p))
  if (p.scopesKey && p.scopes)
    put(claims, p.scopesKey, chance(0.5) ? p.scopes.join(' ') : [...p.scopes], false)
  return { header, claims, signAlg: p.alg, key: p.key, finish: [] }
}

const DATES: unknown[] = [
  now + 3600.5,
  1.9e9,
  `${now + 3600}`,
  1e19,
  1e300,
  -1,
  -0,
  null,
  now - 3600,
  now - 30,
  true,
  [],
  { $: 1 },
  2 ** 63,
  -9.3e18,
  0,
]
const DATE_TEXTS = [
  '1e400',
  '9223372036854775807',
  '-9223372036854775809',
  '-0',
  '2.0e9',
  '19000000000E-1',
  '1.9E+9',
  '0.0',
  '-0.0',
]
const AUDS: unknown[] = ['a1', ['a1'], ['a1', 'a2', 'a3'], 5, [null, 'a1'], ['a1', 5], [], 'a1 a2', null, '']
const ROLES: unknown[] = [
  'admin ops',
  ['admin'],
  ['ops', 'admin'],
  [1, 'admin'],
  ['admin', 1],
  [null],
  {},
  true,
  '',
  'x admin',
]
const SCOPES: unknown[] = ['read write', ['read'], ['write', 'read'], [1], [], '', 'read', ['read', null], 5]

const HEADER_MUTATIONS: Array<(d: Draft, p: Plan) => void> = [
  (d) => {
    d.header.alg = 'none'
    d.key = 'none'
  },
  (d) => {
    d.header.alg = pick([
      d.signAlg.toLowerCase(),
      `${d.signAlg} `,
      d.signAlg.replace(/^./, (c) => c.toLowerCase()),
    ])
  },
  (d) => {
    const other = pick(['RS256', 'RS384', 'PS256', 'ES256', 'HS256', 'HS512', 'EdDSA', 'ES512'])
    d.header.alg = d.signAlg = other
    if (chance(0.5)) d.key = keyFor(other, 'right')
  },
  (d) => {
    delete d.header.alg
  },
  (d) => {
    d.header.alg = pick([256, null, ['RS256'], true])
  },
  (d) => {
    d.header.kid = pick([
      1,
      'unknown',
      null,
      '',
      ' k1',
      'K1',
      'k2',
      'k3',
      ['k1'],
      'k1\u0000',
      '\udfff',
      '\ufffd',
    ])
  },
  (d) => {
    delete d.header.kid
  },
  (d) => {
    d.header.crit = pick([['b64'], ['exp'], [], 'b64', ['b64', 'b64'], [5], null])
    if (chance(0.5)) d.header.b64 = false
  },
  (d) => {
    d.header.b64 = pick([false, true, 'false', 0])
  },
  (d) => {
    d.header[pick(['jku', 'x5u'])] = pick(['http://127.0.0.1:1/jwks', '%zz', ''])
  },
  (d) => {
    d.header.x5c = pick([[RSA_CERT], ['garbage'], 'str', [], [5], null])
  },
  (d) => {
    d.header.jwk = pick([
      { ...PUBLIC.rsaOther, kid: 'k1' },
      PUBLIC.rsa,
      PUBLIC.hmac,
      'x',
      { kty: 'RSA' },
      null,
    ])
  },
  (d) => {
    d.header.typ = pick(['at+jwt', 5, null, ''])
  },
  (d) => {
    d.header.nonce = pick([5, 'n', null])
  },
  (d) => {
    // Repeated members: Go's decoder refuses them (go-jose's header uses a map).
    const text = JSON.stringify(d.header)
    d.headerText = pick([
      text.replace(/^\{/, '{"alg":"none",'),
      text.replace(/^\{/, `{"alg":${JSON.stringify(d.header.alg)},`),
      text.replace(/^\{/, '{"kid":"zz",'),
      text.replace(/\}$/, ',"kid":"k1"}'),
      text.replace(/^\{/, '{"\\u006bid":"k1",'),
      text.replace(/^\{/, '{"\\udfff":1,"\\ud800":1,'),
    ])
  },
  (d) => {
    const text = JSON.stringify(d.header)
    d.headerText = pick([
      '[]',
      'null',
      '"x"',
      '{}',
      '',
      '{"alg":"RS256"',
      ` ${text}`,
      // Numbers beyond float64 in a member go-jose reads (typ) and in one it keeps as an extra.
      text.replace(/\}$/, ',"x":1e400}'),
      text.replace(/\}$/, ',"typ":1e400}'),
      text.replace(/\}$/, ',"x":123456789012345678901234567890}'),
    ])
  },
]

const CLAIM_MUTATIONS: Array<(d: Draft, p: Plan) => void> = [
  (d) => {
    d.claims[pick(['exp', 'exp', 'nbf', 'iat'])] = pick(DATES)
  },
  (d) => {
    d.claims.nbf = pick([now + 3600, now - 10, now + 20, `${now}`, now - 0.5, null])
  },
  (d) => {
    d.claims.iat = pick([now + 3600, now + 20, null, `${now}`, 1e19])
  },
  (d) => {
    delete d.claims.exp
  },
  (d) => {
    // A date whose JSON text JSON.stringify would not write.
    const name = pick(['exp', 'nbf', 'iat'])
    const text = JSON.stringify({ ...d.claims, [name]: 0 })
    d.claimsBytes = Buffer.from(text.replace(`"${name}":0`, `"${name}":${pick(DATE_TEXTS)}`))
  },
  (d) => {
    d.claims.aud = pick(AUDS)
  },
  (d) => {
    delete d.claims.aud
  },
  (d) => {
    d.claims.iss = pick([5, null, 'other', ISSUER_NO_SLASH, `${ISSUER_NO_SLASH}/ `, { a: 1 }])
  },
  (d) => {
    delete d.claims.iss
  },
  (d) => {
    d.claims[pick(['sub', 'jti'])] = pick([5, null, { a: 1 }, ['s'], '', '\ud800'])
  },
  (d) => {
    d.claims.obj = pick([{ a: [1, { b: null }] }, [1, 'x'], 1e21, 1e-7, -0, 'a\nb', 'é"\\'])
    d.claims.num = pick([1e21, 123456789012345680000, 0.1, -0, 5e-324, 100, 1.5e300])
  },
  (d) => {
    d.claims.big = 'x'.repeat(pick([3000, 9000, 14000, 30000]))
  },
  (d) => {
    d.claims['realm_access.roles'] = pick([['admin'], 'admin'])
    d.claims['a.b'] = pick([['admin'], 'read'])
  },
  (d) => {
    const text = JSON.stringify(d.claims)
    d.claimsBytes = Buffer.from(
      pick([
        text.replace(/^\{/, '{"exp":1,'),
        text.replace(/^\{/, '{"sub":"a",'),
        text.replace(/\}$/, ',"aud":"a1"}'),
        text.replace(/\}$/, ',"obj":{"a":1,"a":2}}'),
        text.replace(/^\{/, '{"__proto__":{"admin":true},'),
        // Keys equal once unescaped as Go unescapes them (a lone surrogate is U+FFFD).
        text.replace(/^\{/, '{"\\u0065xp":1,'),
        text.replace(/^\{/, '{"\\ud800":1,"\\udc00":2,'),
        text.replace(/^\{/, '{"\\ud800":1,"\\ufffd":2,'),
        text.replace(/^\{/, '{"x\\ud800":1,"x\\ud801":2,'),
      ]),
    )
  },
  (d) => {
    d.claimsBytes = Buffer.from(pick(['null', '[]', '"x"', '5', '{}', '', '{"exp":1e400}', '\ufeff{}']))
  },
  (d) => {
    // Broken UTF-8 inside a string, and a lone surrogate escape.
    const text = JSON.stringify({ ...d.claims, sub: 'SUB' })
    const [before, after] = text.split('SUB') as [string, string]
    d.claimsBytes = Buffer.concat([
      Buffer.from(before),
      pick([
        Buffer.from([0xff]),
        Buffer.from([0xc3]),
        Buffer.from('\\udc80'),
        Buffer.from([0xed, 0xa0, 0x80]),
      ]),
      Buffer.from(after),
    ])
  },
]
/** Roles and scopes of other values and types, at the key or beside it. */
const GRANT_MUTATIONS: Array<(d: Draft, p: Plan) => void> = [
  (d, p) => {
    if (p.rolesKey) put(d.claims, p.rolesKey, pick(ROLES), chance(0.7) ? rolesLiteral(p) : !rolesLiteral(p))
    else d.claims.roles = pick(ROLES)
  },
  (d, p) => {
    if (p.scopesKey) put(d.claims, p.scopesKey, pick(SCOPES), chance(0.2))
    else d.claims.scope = pick(SCOPES)
  },
]
const ISSUER_NO_SLASH = 'https://issuer.example'

const GROUPS = [
  HEADER_MUTATIONS,
  CLAIM_MUTATIONS,
  CLAIM_MUTATIONS,
  GRANT_MUTATIONS,
  SIGNATURE_MUTATIONS,
  ENCODING_MUTATIONS,
]

/** A token for `p` and how it was drawn (for the reader of a difference). */
export function tokenFor(p: Plan): string {
  const d = baseDraft(p)
  const mutations = pick([0, 0, 1, 1, 1, 1, 2, 2, 3])
  for (let m = 0; m < mutations; m++) {
    const group = pick(GROUPS) as typeof HEADER_MUTATIONS
    ;(pick(group) as (d: Draft, p: Plan) => void)(d, p)
  }
  return assemble(d)
}
