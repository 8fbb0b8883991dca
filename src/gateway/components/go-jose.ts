/**
 * JWS tokens and JWT claims read as go-jose 3.0.5 reads them for krakend-jose (and go-auth0 applies
 * its rules): what it cannot parse or decode is a token KrakenD refuses, whatever the signature.
 * The signature itself is checked in jws-signature.ts.
 */

import { goUtf8 } from '../go-utf8.ts'
import { certificateChain, duplicateKey, goStrings, jwkProblem, mayHoldSurrogateEscape } from './jwks-read.ts'
import { parseJwsJson } from './jws-json.ts'
import type { JwtConfig } from './jwt.ts'

export type Claims = Record<string, unknown>

/**
 * base64url as go-jose reads a compact part: trailing "=" dropped, then Go's non-strict
 * RawURLEncoding (the unused low bits of the last character may be anything). The text signed is
 * the parts encoded again (verified-tokens.ts), not as the token wrote them.
 */
export function segment(part: string, what: string): Buffer {
  const text = part.replace(/=+$/, '')
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1)
    throw new Error(`illegal base64 data in the ${what}`)
  return Buffer.from(text, 'base64url')
}

// Go's JSON decoder refuses a leading byte order mark, which TextDecoder would drop by default.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true, fatal: true })

/**
 * The text Go's decoder reads: invalid UTF-8 (only ever valid inside a JSON string) becomes one
 * U+FFFD per byte, as utf8.DecodeRune reads it, where TextDecoder replaces a truncated sequence
 * once. A claim's value is what auth/revoker hashes, roles match and headers carry.
 */
export function goJsonText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes)
  } catch {
    return goUtf8(bytes)
  }
}

/**
 * JSON as go-jose's decoder reads it: no repeated keys (compared as Go unescapes them, a lone
 * surrogate escape as U+FFFD, so "\ud800" and "\udc00" are one key), no number beyond float64.
 */
export function goJsonParse(bytes: Uint8Array, what: string, numbers = true): unknown {
  const text = goJsonText(bytes)
  let value = JSON.parse(text) as unknown
  const repeated = duplicateKey(text)
  if (repeated !== undefined) throw new Error(`json: duplicate key '${repeated}' in the ${what}`)
  if (numbers && !finiteNumbers(value)) throw new Error(`json: a number in the ${what} is out of range`)
  if (mayHoldSurrogateEscape(text)) value = goStrings(value)
  return value
}

export function finiteNumbers(value: unknown): boolean {
  // A loop, not recursion: Go decodes a claim nested thousands deep, so must this.
  const pending = [value]
  while (pending.length > 0) {
    const next = pending.pop()
    if (typeof next === 'number') {
      if (!Number.isFinite(next)) return false
    } else if (typeof next === 'object' && next !== null)
      for (const member of Object.values(next)) pending.push(member)
  }
  return true
}

export const isPlainObject = (v: unknown): v is Claims =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
const stringOrNull = (v: unknown) => v === undefined || v === null || typeof v === 'string'

/** A JWS as go-jose's ParseSigned reads it, for verifiedPayload (verified-tokens.ts). */
export interface ParsedJws {
  /** The header alg and kid are read from (the JSON serialization merges two). */
  header: Claims
  /** The header whose crit go-jose checks when it verifies. */
  critical: Claims
  /** The signing input's first part: the protected header encoded again; undefined when unusable. */
  signedHeader: string | undefined
  /** "b64": false in the protected header: the payload's bytes are signed as they are. */
  unencoded: boolean
  payload: Buffer
  /** The signature's base64url text (checked to decode; decoded again when it is verified). */
  signaturePart: string
}

/** A compact JWS (three parts) or, starting with "{", the JWS JSON serialization (jws-json.ts). */
export function parseJws(token: string): ParsedJws {
  if (token.startsWith('{')) return parseJwsJson(token)
  const parts = token.split('.')
  if (parts.length !== 3) throw new Error('compact JWS format must have three parts')
  const payload = segment(parts[1] as string, 'payload')
  const protectedBytes = segment(parts[0] as string, 'header')
  const header = jwsHeader(goJsonParse(protectedBytes, 'header'))
  // go-jose decodes the signature here too, before any key is looked up (or downloaded).
  segment(parts[2] as string, 'signature')
  return {
    header,
    critical: header,
    signedHeader: protectedBytes.toString('base64url'),
    unencoded: header.b64 === false,
    payload,
    signaturePart: parts[2] as string,
  }
}

/**
 * A JWS header as go-jose's rawHeader.sanitized accepts it: a JSON object, string
 * `alg`/`kid`/`nonce`, a valid public `jwk`, an `x5c` of certificates (`crit` is checkCritical's,
 * later).
 */
export function jwsHeader(value: unknown): Claims {
  if (!isPlainObject(value)) throw new Error('the JWS header is not a JSON object')
  for (const name of ['alg', 'kid', 'nonce'])
    if (!stringOrNull(value[name])) throw new Error(`failed to unmarshal ${name}`)
  if (value.jwk !== undefined && value.jwk !== null) {
    const jwk = value.jwk as Claims
    if (jwkProblem(jwk) || jwk.kty === 'oct' || jwk.d !== undefined)
      throw new Error('invalid embedded jwk, must be public key')
  }
  certificateChain(value.x5c)
  return value
}

/**
 * go-jose reads `crit` when it verifies, once it has the key (a JWKS download comes first): only
 * the `b64` extension is understood.
 */
export function checkCritical(header: Claims): void {
  const crit = header.crit
  if (crit === undefined || crit === null) return
  if (!Array.isArray(crit) || crit.some((c) => typeof c !== 'string')) throw new Error('invalid crit')
  if (crit.some((c) => c !== 'b64')) throw new Error('unsupported critical header')
}

/** The claims as go-jose's jwt.Claims and a map both decode them; null is an empty set. */
export function goClaims(payload: Uint8Array): Claims {
  const value = goJsonParse(payload, 'claims')
  if (value === null) return {}
  if (!isPlainObject(value))
    throw new Error('json: cannot unmarshal the claims into Go value of type jwt.Claims')
  for (const name of ['iss', 'sub', 'jti'])
    if (!stringOrNull(value[name])) throw new Error(`json: cannot unmarshal "${name}" into a string`)
  const aud = value.aud
  if (
    aud !== undefined &&
    typeof aud !== 'string' &&
    !(Array.isArray(aud) && aud.every((a) => typeof a === 'string'))
  )
    throw new Error('expected string or array value to unmarshal to Audience')
  for (const name of ['exp', 'nbf', 'iat'])
    if (value[name] !== undefined && value[name] !== null && typeof value[name] !== 'number')
      throw new Error('expected number value to unmarshal NumericDate')
  return value
}

/**
 * go-jose's NumericDate: the seconds truncated to an int64; values time.Unix cannot hold wrap to
 * the distant past (so a huge `exp` is expired). time.Unix overflows above 2^63 - 1 - 62135596800
 * seconds; the double nearest that bound (9223371974719178752) still fits, the next one does not.
 */
function goSeconds(value: number): number {
  return value > LAST_UNIX_SECONDS || value < -(2 ** 63) ? -Infinity : Math.trunc(value)
}
const LAST_UNIX_SECONDS = 2 ** 63 - 62_135_596_800

/** go-jose's ValidateWithLeeway (leeway at least 1s, as go-auth0 sets it). */
export function standardClaimsProblem(
  claims: Claims,
  cfg: Pick<JwtConfig, 'issuer' | 'audience' | 'leewayS'>,
): string | undefined {
  if (cfg.issuer && claims.iss !== cfg.issuer)
    return 'go-jose/go-jose/jwt: validation failed, invalid issuer claim (iss)'
  if (cfg.audience.length > 0) {
    const aud = claims.aud
    const have = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : []
    if (!cfg.audience.every((a) => have.includes(a)))
      return 'go-jose/go-jose/jwt: validation failed, invalid audience claim (aud)'
  }
  const now = Date.now() / 1000
  const date = (name: string) =>
    typeof claims[name] === 'number' ? goSeconds(claims[name] as number) : undefined
  const nbf = date('nbf')
  if (nbf !== undefined && now + cfg.leewayS < nbf)
    return 'go-jose/go-jose/jwt: validation failed, token not valid yet (nbf)'
  const exp = date('exp')
  if (exp !== undefined && now - cfg.leewayS > exp)
    return 'go-jose/go-jose/jwt: validation failed, token is expired (exp)'
  const iat = date('iat')
  if (iat !== undefined && now + cfg.leewayS < iat)
    return 'go-jose/go-jose/jwt: validation field, token issued in the future (iat)'
  return undefined
}

/**
 * go-jose's stripWhitespace: the header's bytes read as UTF-8 (a bad byte becomes U+FFFD, which no
 * token survives) without the runes unicode.IsSpace names, so a token split by a UTF-8 NBSP, NEL or
 * em space verifies, as in KrakenD. Node hands the bytes over as latin1.
 */
export function stripWhitespace(value: string): string {
  if (!/[\u0080-\u00ff]/.test(value)) return value.replace(ASCII_SPACE, '')
  return Buffer.from(value, 'latin1').toString('utf8').replace(GO_UNICODE_SPACE, '')
}

const ASCII_SPACE = /[\t\n\v\f\r ]/g
/** unicode.IsSpace: the ASCII ones, U+0085, U+00A0 and category Z's spaces and separators. */
const GO_UNICODE_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/g
