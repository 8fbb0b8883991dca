/**
 * `auth/validator`: JWT validation with krakend-jose's semantics. The token comes from the
 * `Authorization` header (or `auth_header_name`; a "Bearer " prefix is optional) or else the
 * `cookie_key` cookie; any failure to find, verify or accept it is 401 with an empty body, missing
 * roles or scopes are 403. Claims can be copied to backend headers (`propagate_claims`, which like
 * KrakenD still need `input_headers` to reach the backend) and into `{JWT.claim}` url_pattern slots.
 */
import type { EndpointConfig } from '../config/types.ts'
import { joseLibrary } from '../libraries.ts'
import type { Fields } from './fields.ts'
import { KeySet } from './jwks.ts'
import { type GuardContext, header, type IncomingLike, type Reply } from './types.ts'

export const ALGORITHMS = [
  'EdDSA',
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
] as const

export interface JwtConfig {
  alg: string
  jwkUrl: string | undefined
  jwkLocalPath: string | undefined
  /** Key cache lifetime; 0 = fetch the JWKS for every request, as KrakenD does without `cache`. */
  cacheMs: number
  /** Remember a kid the JWKS did not have for this long (failed_jwk_key_cooldown). */
  unknownKidMs: number
  issuer: string | undefined
  audience: string[]
  roles: string[]
  rolesKey: string
  rolesNested: boolean
  scopes: string[]
  scopesKey: string
  scopesAll: boolean
  headerName: string
  cookieKey: string
  propagate: Array<[claim: string, header: string]>
  propagateArrays: boolean
  leewayS: number
  debug: boolean
}

export function parseJwt(f: Fields): JwtConfig {
  const report = f.report
  f.refuse(['secret_url', 'cypher_key'], 'encrypted local keys')
  f.refuse(['jwk_fingerprints', 'jwk_local_ca'], 'custom TLS trust for the JWKS')
  const alg = f.string('alg')
  if (alg === undefined || !(ALGORITHMS as readonly string[]).includes(alg))
    report.error(
      f.at('alg'),
      alg === undefined ? '"alg" is required' : `unknown algorithm "${alg}"`,
      `use one of ${ALGORITHMS.join(', ')}`,
    )
  const jwkUrl = f.string('jwk_url')
  const jwkLocalPath = f.string('jwk_local_path')
  const insecureOk = f.bool('disable_jwk_security')
  const cache = f.bool('cache')
  if (!jwkUrl && !jwkLocalPath)
    report.error(f.path, 'auth/validator needs "jwk_url" or "jwk_local_path"', 'point it at the JWKS')
  // krakend-jose refuses a non-https source unless disable_jwk_security (then every request is 401).
  if (!insecureOk && !jwkUrl?.startsWith('https://'))
    report.error(
      f.at(jwkUrl ? 'jwk_url' : 'disable_jwk_security'),
      jwkUrl
        ? `"jwk_url" must use https:// (${JSON.stringify(jwkUrl)})`
        : 'KrakenD requires "disable_jwk_security": true with "jwk_local_path"',
      jwkUrl ? 'use https, or set "disable_jwk_security": true' : 'set "disable_jwk_security": true',
    )
  if (jwkUrl && !jwkLocalPath) {
    try {
      const url = new URL(jwkUrl)
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme')
    } catch {
      report.error(f.at('jwk_url'), `"jwk_url" is not an http(s) URL: ${JSON.stringify(jwkUrl)}`)
    }
  }
  if (cache && jwkLocalPath)
    report.error(f.at('cache'), 'KrakenD cannot use "cache" with "jwk_local_path"', 'remove "cache"')
  const strategy = f.string('key_identify_strategy')
  if (strategy !== undefined && strategy !== '' && strategy !== 'kid')
    report.error(
      f.at('key_identify_strategy'),
      `key_identify_strategy "${strategy}" is not supported`,
      'use "kid"',
    )
  const cacheDuration = f.number('cache_duration') ?? 0
  const propagateRaw = f.raw.propagate_claims
  const propagate: Array<[string, string]> = []
  if (propagateRaw !== undefined) {
    if (
      !Array.isArray(propagateRaw) ||
      propagateRaw.some((t) => !Array.isArray(t) || t.length !== 2 || t.some((s) => typeof s !== 'string'))
    )
      report.error(
        f.at('propagate_claims'),
        '"propagate_claims" must be a list of ["claim", "Header-Name"] pairs',
      )
    else
      for (const [claim, name] of propagateRaw as string[][])
        propagate.push([claim as string, name as string])
  }
  const matcher = f.string('scopes_matcher') ?? 'any'
  if (matcher !== 'any' && matcher !== 'all')
    report.error(f.at('scopes_matcher'), `"scopes_matcher" must be "any" or "all", got "${matcher}"`)
  const leewayMs = f.durationMs('leeway')
  return {
    alg: alg ?? 'RS256',
    jwkUrl,
    jwkLocalPath,
    cacheMs: cache ? (cacheDuration || 15 * 60) * 1000 : 0,
    unknownKidMs: Math.max(0, f.durationMs('failed_jwk_key_cooldown') ?? 0),
    issuer: f.string('issuer') || undefined,
    // A string is not a list for krakend-jose (it would answer 401 to everything): a config error here.
    audience: f.strings('audience') ?? [],
    roles: f.strings('roles') ?? [],
    rolesKey: f.string('roles_key') || 'roles',
    rolesNested: f.bool('roles_key_is_nested'),
    scopes: f.strings('scopes') ?? [],
    scopesKey: f.string('scopes_key') ?? '',
    scopesAll: matcher === 'all',
    headerName: (f.string('auth_header_name') || 'Authorization').toLowerCase(),
    cookieKey: f.string('cookie_key') || 'access_token',
    propagate,
    propagateArrays: f.bool('propagate_claims_preserve_array'),
    // KrakenD falls back to 1s when leeway is absent or not a duration.
    leewayS: leewayMs === undefined ? 1 : leewayMs / 1000,
    debug: f.bool('operation_debug'),
  }
}

type Claims = Record<string, unknown>

const EMPTY: Reply = { status: 401, headers: {}, body: '' }
const FORBIDDEN: Reply = { status: 403, headers: {}, body: '' }

/** The endpoint's JWT guard; reads jwk_local_path now (a missing file stops startup). */
export function compileJwt(
  cfg: JwtConfig,
  endpoint: EndpointConfig,
  log: (message: string) => void,
  /** krakend-jose's rejecter (validation/cel JWT expressions): true rejects the token with 401. */
  reject?: (claims: Record<string, unknown>) => boolean,
): (req: IncomingLike, ctx: GuardContext) => Promise<Reply | undefined> {
  const keys = new KeySet(cfg, `${endpoint.path}.extra_config.auth/validator`)
  const passes = endpoint.inputHeaders.includes('*')
    ? () => true
    : (
        (set: Set<string>) => (name: string) =>
          set.has(name.toLowerCase())
      )(new Set(endpoint.inputHeaders.map((h) => h.toLowerCase())))
  const jwtParams = new Set<string>()
  for (const b of endpoint.backends)
    for (const m of b.urlPattern.matchAll(/\{JWT\.([^{}]+)\}/g)) jwtParams.add(m[1] as string)
  const fail = (why: string) => {
    if (cfg.debug) log(`Unable to validate the token: ${why}`)
    return EMPTY
  }

  return async (req, ctx) => {
    const token = extractToken(req, cfg)
    if (token === undefined) return fail('token not found')
    let claims: Claims
    try {
      const { decodeProtectedHeader, jwtVerify } = joseLibrary()
      const protectedHeader = decodeProtectedHeader(token)
      if (protectedHeader.alg !== cfg.alg) return fail(`algorithm ${String(protectedHeader.alg)} not allowed`)
      const key = await keys.get(protectedHeader.kid ?? '')
      if (key === undefined) return fail('no key for the token')
      const verified = await jwtVerify(token, key, {
        algorithms: [cfg.alg],
        ...(cfg.issuer ? { issuer: cfg.issuer } : {}),
        clockTolerance: cfg.leewayS,
      })
      claims = verified.payload as Claims
    } catch (error) {
      return fail((error as Error).message)
    }
    if (!audienceOk(claims, cfg.audience)) return fail('audience not accepted')
    const iat = claims.iat
    if (typeof iat === 'number' && iat > Date.now() / 1000 + cfg.leewayS) return fail('issued in the future')
    if (reject?.(claims)) return fail('token rejected')
    if (!rolesOk(cfg, claims)) {
      if (cfg.debug) log('Token sent by client does not have sufficient roles')
      return FORBIDDEN
    }
    if (!scopesOk(cfg, claims)) {
      if (cfg.debug) log('Token sent by client does not have the required scopes')
      return FORBIDDEN
    }
    for (const [claim, name] of cfg.propagate) {
      if (!passes(name)) continue
      const value = claimValue(claims, claim, cfg.propagateArrays)
      ctx.headers[name.toLowerCase()] = value
    }
    for (const param of jwtParams) {
      const value = normalise(claims[param])
      if (value !== undefined) ctx.params[`JWT.${param}`] = value
    }
    return undefined
  }
}

function extractToken(req: IncomingLike, cfg: JwtConfig): string | undefined {
  let raw = header(req, cfg.headerName) ?? ''
  if (raw.length > 7 && raw.slice(0, 7).toUpperCase() === 'BEARER ') raw = raw.slice(7)
  if (raw !== '') return raw
  const cookies = header(req, 'cookie')
  if (!cookies) return undefined
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=')
    if (eq === -1) continue
    if (part.slice(0, eq).trim() !== cfg.cookieKey) continue
    let value = part.slice(eq + 1).trim()
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
    return value === '' ? undefined : value
  }
  return undefined
}

/** go-jose: every configured audience must be in the token's `aud`. */
function audienceOk(claims: Claims, audience: string[]): boolean {
  if (audience.length === 0) return true
  const aud = claims.aud
  const have = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : []
  return audience.every((a) => have.includes(a))
}

function nested(claims: Claims, key: string): [Claims | undefined, string] {
  const parts = key.split('.')
  let current: unknown = claims
  for (const part of parts.slice(0, -1)) {
    current = (current as Claims)[part]
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return [undefined, key]
  }
  return [current as Claims, parts[parts.length - 1] as string]
}

/** A claim as a list of strings (an array, or a space-separated string), undefined when absent. */
function listOf(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.map((v) => String(v))
  if (typeof value === 'string') return value.split(' ')
  return undefined
}

function rolesOk(cfg: JwtConfig, claims: Claims): boolean {
  if (cfg.roles.length === 0) return true
  let holder: Claims | undefined = claims
  let key = cfg.rolesKey
  if (cfg.rolesNested && key.includes('.') && !key.startsWith('http')) [holder, key] = nested(claims, key)
  const have = holder ? listOf(holder[key]) : undefined
  return have !== undefined && cfg.roles.some((r) => have.includes(r))
}

function scopesOk(cfg: JwtConfig, claims: Claims): boolean {
  if (cfg.scopes.length === 0 || cfg.scopesKey === '') return true
  let holder: Claims | undefined = claims
  let key = cfg.scopesKey
  if (key.includes('.')) {
    const [inner, last] = nested(claims, key)
    // krakend-jose looks the whole key up at the top level when the path does not resolve.
    if (inner) [holder, key] = [inner, last]
  }
  const have = holder ? listOf(holder[key]) : undefined
  if (have === undefined) return false
  return cfg.scopesAll ? cfg.scopes.every((s) => have.includes(s)) : cfg.scopes.some((s) => have.includes(s))
}

/** krakend-jose's Claims.Get: strings as they are, whole numbers without decimals, arrays comma-joined. */
function normalise(value: unknown): string | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string') return value
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(6)
  if (Array.isArray(value))
    return value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(',')
  return JSON.stringify(value)
}

function claimValue(claims: Claims, claim: string, arrays: boolean): string {
  let holder: Claims | undefined = claims
  let key = claim
  if (claim.includes('.') && !(claim.length >= 4 && claim.startsWith('http')))
    [holder, key] = nested(claims, claim)
  const value = holder?.[key]
  if (arrays && Array.isArray(value)) return value.map((v) => String(v)).join(', ')
  return normalise(value) ?? ''
}
