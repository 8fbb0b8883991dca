/**
 * `auth/validator`: JWT validation with krakend-jose's semantics. The token comes from the
 * `Authorization` header (or `auth_header_name`; a "Bearer " prefix is optional) or else the
 * `cookie_key` cookie; any failure to find, verify or accept it is 401 with an empty body, missing
 * roles or scopes are 403. Claims can be copied to backend headers (`propagate_claims`, which like
 * KrakenD still need `input_headers` to reach the backend) and into `{JWT.claim}` url_pattern slots.
 */
import type { EndpointConfig } from '../config/types.ts'
import { quoteUrl } from '../config/url-credentials.ts'
import type { Fields } from './fields.ts'
import {
  type Claims,
  checkCritical,
  goClaims,
  isPlainObject,
  parseJws,
  standardClaimsProblem,
} from './go-jose.ts'
import { replaceIncomingHeader } from './incoming-headers.ts'
import { KeySet, type KeySource, NilKeyPanic } from './jwks.ts'
import { KEY_ID_STRATEGIES, type KeyIdStrategy, tokenKeyId } from './jwks-key-id.ts'
import { parseJwksTls } from './jwks-tls.ts'
import { claimList, claimString } from './jwt-claim-text.ts'
import { goDurationMs, goStringList, refuseEncryptedKeys, uint32 } from './jwt-settings.ts'
import { extractToken } from './jwt-token-source.ts'
import type { GuardContext, IncomingLike, Reply } from './types.ts'
import { verifiedPayload } from './verified-tokens.ts'

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

export interface JwtConfig extends KeySource {
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
  refuseEncryptedKeys(f)
  const alg = f.string('alg')
  if (alg === undefined || !(ALGORITHMS as readonly string[]).includes(alg))
    report.error(
      f.at('alg'),
      alg === undefined ? '"alg" is required' : `unknown algorithm "${alg}"`,
      `use one of ${ALGORITHMS.join(', ')}`,
    )
  const jwkUrl = f.string('jwk_url')
  const jwkLocalPath = f.string('jwk_local_path')
  const tls = parseJwksTls(f)
  const insecureOk = tls.insecure
  const cache = f.bool('cache')
  if (!jwkUrl && !jwkLocalPath)
    report.error(f.path, 'auth/validator needs "jwk_url" or "jwk_local_path"', 'point it at the JWKS')
  // krakend-jose refuses a non-https source unless disable_jwk_security (then every request is 401).
  if (!insecureOk && !jwkUrl?.startsWith('https://'))
    report.error(
      f.at(jwkUrl ? 'jwk_url' : 'disable_jwk_security'),
      jwkUrl
        ? `"jwk_url" must use https:// (${quoteUrl(jwkUrl)})`
        : 'KrakenD requires "disable_jwk_security": true with "jwk_local_path"',
      jwkUrl ? 'use https, or set "disable_jwk_security": true' : 'set "disable_jwk_security": true',
    )
  if (jwkUrl && !jwkLocalPath) {
    try {
      const url = new URL(jwkUrl)
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme')
    } catch {
      report.error(f.at('jwk_url'), `"jwk_url" is not an http(s) URL: ${quoteUrl(jwkUrl)}`)
    }
  }
  if (cache && jwkLocalPath)
    report.error(f.at('cache'), 'KrakenD cannot use "cache" with "jwk_local_path"', 'remove "cache"')
  const strategy = f.string('key_identify_strategy') || 'kid'
  // krakend-jose reads any other value as "kid": refused here, as a misspelt strategy.
  if (!(KEY_ID_STRATEGIES as readonly string[]).includes(strategy))
    report.error(
      f.at('key_identify_strategy'),
      `key_identify_strategy "${strategy}" is not one of ${KEY_ID_STRATEGIES.join(', ')}`,
      'KrakenD would identify keys by "kid"; write that, or the strategy meant',
    )
  const cacheDuration = uint32(f, 'cache_duration') ?? 0
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
  const scopes = goStringList(f, 'scopes') ?? []
  const scopesKey = f.string('scopes_key') ?? ''
  // krakend-jose checks scopes only when both are set: required scopes without a claim to read
  // them from would let every token through.
  if (scopes.length > 0 && scopesKey === '')
    report.error(
      f.at('scopes_key'),
      '"scopes" needs a "scopes_key" (the claim that holds the token\'s scopes)',
      'KrakenD checks no scope without it and lets every valid token through; name the claim, e.g. "scope"',
    )
  const leewayMs = goDurationMs(f, 'leeway', 'uses a leeway of 1s')
  const rolesKey = f.string('roles_key') || 'roles'
  const rolesNested = f.bool('roles_key_is_nested')
  // krakend-jose slices roles_key[:4] here: a shorter dotted key panics and KrakenD does not start.
  if (rolesNested && rolesKey.includes('.') && rolesKey.length < 4)
    report.error(
      f.at('roles_key'),
      `KrakenD cannot start with a nested "roles_key" shorter than 4 characters (${JSON.stringify(rolesKey)})`,
      'use a longer claim path',
    )
  return {
    alg: alg ?? 'RS256',
    jwkUrl,
    tls,
    jwkLocalPath,
    cacheMs: cache ? (cacheDuration || 15 * 60) * 1000 : 0,
    // krakend-jose ignores a cooldown shorter than 1s.
    keyIdStrategy: strategy as KeyIdStrategy,
    unknownKidMs: cooldownMs(
      goDurationMs(f, 'failed_jwk_key_cooldown', 'keeps no cooldown (every unknown kid is looked up)'),
    ),
    issuer: f.string('issuer') || undefined,
    // A string is not a list for krakend-jose (it would answer 401 to everything): a config error here.
    audience: goStringList(f, 'audience') ?? [],
    roles: goStringList(f, 'roles') ?? [],
    rolesKey,
    rolesNested,
    scopes,
    scopesKey,
    scopesAll: matcher === 'all',
    headerName: (f.string('auth_header_name') || 'Authorization').toLowerCase(),
    cookieKey: f.string('cookie_key') || 'access_token',
    propagate,
    propagateArrays: f.bool('propagate_claims_preserve_array'),
    // KrakenD falls back to 1s when leeway is absent or not a duration, and go-auth0 raises
    // anything shorter to 1s.
    leewayS: Math.max(1, (leewayMs ?? 1000) / 1000),
    debug: f.bool('operation_debug'),
  }
}

const cooldownMs = (ms: number | undefined) => (ms !== undefined && ms >= 1000 ? ms : 0)

const EMPTY: Reply = { status: 401, headers: {}, body: '' }
const FORBIDDEN: Reply = { status: 403, headers: {}, body: '' }
/** What gin's Recovery answers when krakend-jose panics (a non-string role or scope in the token). */
const PANIC: Reply = { status: 500, headers: {}, body: '' }

/** krakend-jose panics (r.(string)) on a non-string element of the roles or scopes claim. */
class GoPanic extends Error {}

/** The endpoint's JWT guard; reads jwk_local_path now (a missing file stops startup). */
export function compileJwt(
  cfg: JwtConfig,
  endpoint: EndpointConfig,
  log: (message: string) => void,
  /** krakend-jose's rejecter (validation/cel JWT expressions): true rejects the token with 401. */
  reject: ((claims: Record<string, unknown>) => boolean) | undefined,
  /** The backend headers lura's router builds from the request as it is now (request-headers.ts). */
  backendHeadersOf: (req: IncomingLike) => GuardContext['headers'],
): (req: IncomingLike, ctx: GuardContext) => Promise<Reply | undefined> {
  const keys = new KeySet(cfg, `${endpoint.path}.extra_config.auth/validator`)
  keys.prefetch()
  const keyIdStrategy = cfg.keyIdStrategy ?? 'kid'
  const jwtParams = new Set<string>()
  for (const b of endpoint.backends)
    for (const m of b.urlPattern.matchAll(/\{JWT\.([^{}]+)\}/g)) jwtParams.add(m[1] as string)
  const fail = (why: string) => {
    if (cfg.debug) log(`Unable to validate the token: ${why}`)
    return EMPTY
  }

  return async (req, ctx) => {
    const token = extractToken(req, cfg)
    if (token === undefined) return fail('Token not found')
    let claims: Claims
    try {
      const jws = parseJws(token)
      if (jws.header.alg !== cfg.alg) return fail('algorithm is invalid')
      const kid = tokenKeyId(jws.header, keyIdStrategy)
      const key = await keys.get(kid)
      if (key === undefined) return fail('no Keys have been found')
      checkCritical(jws.critical)
      claims = goClaims(verifiedPayload(token, key, cfg.alg, jws))
      const why = standardClaimsProblem(claims, cfg)
      if (why) return fail(why)
      // krakend-jose looks the key up again to read the claims: without `cache` that is a second
      // JWKS download, and the token must verify with what it returns.
      if (cfg.cacheMs === 0 && cfg.jwkUrl && !cfg.jwkLocalPath) {
        const again = await keys.get(kid)
        if (again === undefined) return fail('no Keys have been found')
        verifiedPayload(token, again, cfg.alg, jws)
      }
    } catch (error) {
      if (!(error instanceof NilKeyPanic)) return fail((error as Error).message)
      log(`[Recovery] panic recovered: ${error.message}`)
      return PANIC
    }
    if (reject?.(claims)) return fail('token rejected')
    try {
      if (!rolesOk(cfg, claims)) {
        if (cfg.debug) log('Token sent by client does not have sufficient roles')
        return FORBIDDEN
      }
      if (!scopesOk(cfg, claims)) {
        if (cfg.debug) log('Token sent by client does not have the required scopes')
        return FORBIDDEN
      }
    } catch (error) {
      if (!(error instanceof GoPanic)) throw error
      log(`[Recovery] panic recovered: ${error.message}`)
      return PANIC
    }
    // krakend-jose sets the claims on the client's request: the rate limit after it reads them
    // there (never the client's own lines), and lura's router builds the backend headers from that
    // request afterwards: input_headers, and X-Forwarded-For from gin's ClientIP, which reads a claim
    // propagated into X-Forwarded-For or X-Real-IP whether or not input_headers lists it.
    if (cfg.propagate.length > 0) {
      for (const [claim, name] of cfg.propagate) {
        const value = propagatedValue(claims, claim, cfg.propagateArrays)
        replaceIncomingHeader(req, name, typeof value === 'string' ? [wireText(value)] : value.map(wireText))
      }
      ctx.headers = backendHeadersOf(req)
    }
    for (const param of jwtParams) {
      const key = `JWT.${param}`
      if (Object.hasOwn(claims, param)) ctx.params[key] = claimString(claims[param])
      else {
        // lura leaves a placeholder whose claim is missing (escaped in a path, as Go sends it).
        ctx.params[key] = `{{.${key}}}`
        ctx.absentParams ??= new Set()
        ctx.absentParams.add(key)
      }
    }
    return undefined
  }
}

/**
 * A claim's text as the request's header lines hold it: Node keeps a line's bytes as latin1 text,
 * and Go writes the claim's UTF-8 bytes, so "ü" reaches the backend as C3 BC (not the byte FC).
 */
const wireText = (value: string) =>
  /[\u0080-\uffff]/.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value

/** krakend-jose's getNestedClaim: the holder of the last segment, undefined when the path breaks. */
function nested(claims: Claims, key: string): [Claims | undefined, string] {
  const parts = key.split('.')
  let current: Claims = claims
  for (const part of parts.slice(0, -1)) {
    const next = current[part]
    if (!isPlainObject(next)) return [undefined, key]
    current = next
  }
  return [current, parts[parts.length - 1] as string]
}

const notString = (v: unknown) =>
  new GoPanic(`interface conversion: interface {} is ${goType(v)}, not string`)

function goType(v: unknown): string {
  if (v === null) return 'nil'
  if (typeof v === 'number') return 'float64'
  if (typeof v === 'boolean') return 'bool'
  return Array.isArray(v) ? '[]interface {}' : 'map[string]interface {}'
}

/** krakend-jose's CanAccess: any required role in the claim (a list, or a space-separated string). */
function rolesOk(cfg: JwtConfig, claims: Claims): boolean {
  if (cfg.roles.length === 0) return true
  let holder: Claims | undefined = claims
  let key = cfg.rolesKey
  if (cfg.rolesNested && key.includes('.') && !key.startsWith('http')) [holder, key] = nested(claims, key)
  if (!holder || !Object.hasOwn(holder, key)) return false
  const value = holder[key]
  if (Array.isArray(value)) {
    for (const role of cfg.roles)
      for (const r of value) {
        if (typeof r !== 'string') throw notString(r)
        if (r === role) return true
      }
    return false
  }
  return typeof value === 'string' && cfg.roles.some((role) => value.split(' ').includes(role))
}

/** krakend-jose's ScopesAnyMatcher / ScopesAllMatcher. */
function scopesOk(cfg: JwtConfig, claims: Claims): boolean {
  if (cfg.scopes.length === 0 || cfg.scopesKey === '') return true
  let holder: Claims | undefined = claims
  let key = cfg.scopesKey
  // Any dot means a path, even in a URL-like key; a path that breaks finds nothing.
  if (key.includes('.')) [holder, key] = nested(claims, key)
  if (!holder || !Object.hasOwn(holder, key)) return false
  const value = holder[key]
  let have: string[]
  if (Array.isArray(value) && value.length > 0) {
    const bad = value.find((v) => typeof v !== 'string')
    if (bad !== undefined || value.includes(null)) throw notString(bad ?? null)
    have = value as string[]
  } else if (typeof value === 'string') have = value.split(' ')
  else return false
  return cfg.scopesAll ? cfg.scopes.every((s) => have.includes(s)) : cfg.scopes.some((s) => have.includes(s))
}

/** The header value propagate_claims sets: missing claims (or broken paths) give an empty value. */
function propagatedValue(claims: Claims, claim: string, arrays: boolean): string | string[] {
  let holder: Claims | undefined = claims
  let key = claim
  if (claim.includes('.') && !(claim.length >= 4 && claim.startsWith('http')))
    [holder, key] = nested(claims, claim)
  const present = holder !== undefined && Object.hasOwn(holder, key)
  if (!arrays) return present ? claimString(holder?.[key]) : ''
  return present ? claimList(holder?.[key]) : ['']
}
