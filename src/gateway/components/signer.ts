/**
 * `auth/signer` (endpoint level), as krakend-jose's TokenSigner: the endpoint's merged response is
 * answered as JSON with each `keys_to_sign` object replaced by a JWS of it (compact, or the JSON
 * serialization with `full`), signed with the `kid` key of the JWKS (`jwk_url` or
 * `jwk_local_path`). The header is {"alg","kid","typ":"JWT"} and the payload Go's JSON of the
 * object, so tokens are byte-identical to KrakenD's. Any backend failure, or a failure to sign,
 * answers 400 with no body; a key that cannot be loaded or cannot sign (fetched once, at startup)
 * makes every answer 401.
 */
import { configError } from '../../core/errors.ts'
import type { EndpointConfig } from '../config/types.ts'
import { quoteUrl } from '../config/url-credentials.ts'
import { luraEndpointPath } from '../go-http.ts'
import { goJson } from '../go-json.ts'
import { isGoResponseError } from '../go-json-values.ts'
import type { Fields } from './fields.ts'
import type { EndpointResponder } from './hooks.ts'
import { type JoseKey, KeySet } from './jwks.ts'
import { type JwksTls, parseJwksTls } from './jwks-tls.ts'
import { signJws } from './jws-sign.ts'
import { ALGORITHMS } from './jwt.ts'
import { refuseEncryptedKeys } from './jwt-settings.ts'
import { signedAnswer } from './signer-answer.ts'
import type { LuraMetadata, Reply } from './types.ts'

export interface SignerConfig {
  alg: string
  kid: string
  typ: string
  keys: string[]
  full: boolean
  jwkUrl: string | undefined
  jwkLocalPath: string | undefined
  /** The JWKS download's TLS (disable_jwk_security, jwk_local_ca, jwk_fingerprints, cipher_suites). */
  tls: JwksTls
}

export function parseSigner(f: Fields): SignerConfig {
  // krakend-jose's signer decodes `leeway` (shared with the validator's config) and uses it for nothing.
  f.declare('leeway')
  refuseEncryptedKeys(f)
  const alg = f.string('alg')
  if (alg === undefined || !(ALGORITHMS as readonly string[]).includes(alg))
    f.report.error(f.at('alg'), alg === undefined ? '"alg" is required' : `unknown algorithm "${alg}"`)
  const kid = f.string('kid')
  if (!kid) f.report.error(f.at('kid'), '"kid" is required: the key of the JWKS to sign with')
  const jwkUrl = f.string('jwk_url')
  const jwkLocalPath = f.string('jwk_local_path')
  if (!jwkUrl && !jwkLocalPath) f.report.error(f.path, 'auth/signer needs "jwk_url" or "jwk_local_path"')
  const tls = parseJwksTls(f)
  if (!tls.insecure && !jwkUrl?.startsWith('https://'))
    f.report.error(
      f.at(jwkUrl ? 'jwk_url' : 'disable_jwk_security'),
      jwkUrl
        ? `"jwk_url" must use https:// (${quoteUrl(jwkUrl)})`
        : 'KrakenD requires "disable_jwk_security": true with "jwk_local_path"',
      jwkUrl ? 'use https, or set "disable_jwk_security": true' : 'set "disable_jwk_security": true',
    )
  return {
    alg: alg ?? 'HS256',
    kid: kid ?? '',
    typ: f.string('typ') || 'JWT',
    keys: f.strings('keys_to_sign') ?? [],
    full: f.bool('full'),
    jwkUrl,
    jwkLocalPath,
    tls,
  }
}

const BAD_REQUEST: Reply = { status: 400, headers: {}, body: '' }
const UNAUTHORIZED: Reply = { status: 401, headers: {}, body: '' }

/** The endpoint's responder: (merged data, whether anything failed) -> the answer. */
export function compileSigner(
  cfg: SignerConfig,
  endpoint: EndpointConfig,
  log: (message: string) => void,
): EndpointResponder {
  const prefix = `[ENDPOINT: ${luraEndpointPath(endpoint.endpoint)}][JWTSigner]`
  const keys = new KeySet(
    {
      alg: cfg.alg,
      jwkUrl: cfg.jwkUrl,
      tls: cfg.tls,
      jwkLocalPath: cfg.jwkLocalPath,
      cacheMs: Infinity,
      unknownKidMs: 0,
    },
    `${endpoint.path}.extra_config.auth/signer`,
  )
  if (cfg.jwkLocalPath && cfg.jwkUrl && !keys.holdsLocally(cfg.kid))
    throw configError(
      `${endpoint.path}.extra_config.auth/signer.kid: "${cfg.kid}" is not in the keys of jwk_local_path ${cfg.jwkLocalPath}: KrakenD then downloads jwk_url and crashes at startup (go-auth0 dereferences the missing key its file cache hands back), or answers 401 to every request when that download fails`,
      {
        hint: 'add the key to the jwk_local_path file, or sign from one source: remove "jwk_url" or "jwk_local_path"',
      },
    )
  // KrakenD builds the signer once, at startup: a key it cannot fetch or sign with makes every
  // answer of the endpoint 401, for good.
  const signingKey = loadSigningKey(keys, cfg).catch((error: unknown) => {
    log(`${prefix} Unable to create the signer: ${(error as Error).message}`)
    return undefined
  })
  // go-jose's protected header: its JSON (sorted keys, HTML escaped) as Go's encoder writes it.
  const protectedHeader = Buffer.from(goJson({ alg: cfg.alg, kid: cfg.kid, typ: cfg.typ })).toString(
    'base64url',
  )
  // krakend-jose's erroredHandler answers 401 without calling the backends.
  const before = async () => ((await signingKey) ? undefined : UNAUTHORIZED)
  const respond = async (
    data: Record<string, unknown> | undefined,
    failed: boolean,
    meta: LuraMetadata | undefined,
    http1: boolean,
  ): Promise<Reply> => {
    const signing = await signingKey
    if (!signing) return UNAUTHORIZED
    if (failed || data === undefined) return BAD_REQUEST
    try {
      for (const name of cfg.keys) {
        const value = data[name]
        // lura's return_error_details error is a Go struct, not the map SignFields signs.
        if (typeof value !== 'object' || value === null || Array.isArray(value) || isGoResponseError(value))
          continue
        const key = signing.key ?? fail(signing.signError)
        const payload = Buffer.from(goJson(value)).toString('base64url')
        const signature = signJws(cfg.alg, key, `${protectedHeader}.${payload}`).toString('base64url')
        data[name] = cfg.full
          ? goJson({ payload, protected: protectedHeader, signature })
          : `${protectedHeader}.${payload}.${signature}`
      }
    } catch (error) {
      log(`${prefix} Signing fields: unable to sign payload: ${(error as Error).message}`)
      return BAD_REQUEST
    }
    return signedAnswer(goJson(data), meta, http1)
  }
  return { before, respond }
}

const FAMILY: Record<string, RegExp> = { RSA: /^(RS|PS)/, EC: /^ES/, OKP: /^EdDSA$/, oct: /^HS/ }
const CURVE: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }

const fail = (message: string | undefined): never => {
  throw new Error(message)
}

/**
 * The `kid` key, refused as go-jose's NewSigner refuses it (a public key, or one of another
 * family). An EC key on the wrong curve passes NewSigner but fails every signature (400).
 */
async function loadSigningKey(
  keys: KeySet,
  cfg: SignerConfig,
): Promise<{ key: JoseKey; signError?: undefined } | { key?: undefined; signError: string }> {
  const jwk = await keys.jwk(cfg.kid)
  if (!jwk) throw new Error('no Keys have been found')
  if (jwk.kty !== 'oct' && jwk.d === undefined)
    throw new Error('go-jose/go-jose: unsupported key type/format')
  const kty = String(jwk.kty)
  const family = Object.hasOwn(FAMILY, kty) ? FAMILY[kty] : undefined
  if (!family?.test(cfg.alg)) throw new Error('go-jose/go-jose: unknown/unsupported algorithm')
  if (jwk.kty === 'EC' && jwk.crv !== CURVE[cfg.alg])
    return { signError: `go-jose/go-jose: ${cfg.alg} cannot sign with a ${String(jwk.crv)} key` }
  return { key: (await keys.get(cfg.kid)) as JoseKey }
}
