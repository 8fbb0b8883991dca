/**
 * `auth/signer` (endpoint level), as krakend-jose's TokenSigner: the endpoint's merged response is
 * answered as JSON with each `keys_to_sign` object replaced by a JWS of it (compact, or the JSON
 * serialization with `full`), signed with the `kid` key of the JWKS (`jwk_url` or
 * `jwk_local_path`). The header is {"alg","kid","typ":"JWT"} and the payload Go's JSON of the
 * object, so tokens are byte-identical to KrakenD's. Any backend failure answers 400 with no body,
 * as does a key that cannot be loaded.
 */
import type { EndpointConfig } from '../config/types.ts'
import { goJson } from '../go-json.ts'
import { joseLibrary } from '../libraries.ts'
import type { Fields } from './fields.ts'
import { type JoseKey, KeySet } from './jwks.ts'
import { ALGORITHMS } from './jwt.ts'
import type { Reply } from './types.ts'

export interface SignerConfig {
  alg: string
  kid: string
  typ: string
  keys: string[]
  full: boolean
  jwkUrl: string | undefined
  jwkLocalPath: string | undefined
}

export function parseSigner(f: Fields): SignerConfig {
  f.refuse(['secret_url', 'cypher_key'], 'encrypted local keys')
  f.refuse(['jwk_fingerprints', 'jwk_local_ca'], 'custom TLS trust for the JWKS')
  const alg = f.string('alg')
  if (alg === undefined || !(ALGORITHMS as readonly string[]).includes(alg))
    f.report.error(f.at('alg'), alg === undefined ? '"alg" is required' : `unknown algorithm "${alg}"`)
  const kid = f.string('kid')
  if (!kid) f.report.error(f.at('kid'), '"kid" is required: the key of the JWKS to sign with')
  const jwkUrl = f.string('jwk_url')
  const jwkLocalPath = f.string('jwk_local_path')
  if (!jwkUrl && !jwkLocalPath) f.report.error(f.path, 'auth/signer needs "jwk_url" or "jwk_local_path"')
  if (!f.bool('disable_jwk_security') && !jwkUrl?.startsWith('https://'))
    f.report.error(
      f.at(jwkUrl ? 'jwk_url' : 'disable_jwk_security'),
      jwkUrl
        ? `"jwk_url" must use https:// (${JSON.stringify(jwkUrl)})`
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
  }
}

const BAD_REQUEST: Reply = { status: 400, headers: {}, body: '' }

/** The endpoint's responder: (merged data, whether anything failed) -> the answer. */
export function compileSigner(
  cfg: SignerConfig,
  endpoint: EndpointConfig,
  log: (message: string) => void,
): (data: Record<string, unknown> | undefined, failed: boolean) => Promise<Reply> {
  // KrakenD loads the signing key once, at startup; a failure there makes every answer 401.
  const keys = new KeySet(
    { alg: cfg.alg, jwkUrl: cfg.jwkUrl, jwkLocalPath: cfg.jwkLocalPath, cacheMs: Infinity, unknownKidMs: 0 },
    `${endpoint.path}.extra_config.auth/signer`,
  )
  const header = { alg: cfg.alg, kid: cfg.kid, typ: cfg.typ }
  const encoder = new TextEncoder()
  return async (data, failed) => {
    if (failed || data === undefined) return BAD_REQUEST
    let signingKey: JoseKey | undefined
    try {
      signingKey = await keys.get(cfg.kid)
      if (!signingKey) throw new Error(`no key "${cfg.kid}" in the JWKS`)
    } catch (error) {
      log(
        `[ENDPOINT: ${endpoint.endpoint}][JWTSigner] Unable to create the signer: ${(error as Error).message}`,
      )
      return { status: 401, headers: {}, body: '' }
    }
    for (const name of cfg.keys) {
      const value = data[name]
      if (typeof value !== 'object' || value === null || Array.isArray(value)) continue
      const payload = encoder.encode(goJson(value))
      data[name] = cfg.full
        ? goJson(await new (joseLibrary().FlattenedSign)(payload).setProtectedHeader(header).sign(signingKey))
        : await new (joseLibrary().CompactSign)(payload).setProtectedHeader(header).sign(signingKey)
    }
    return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: goJson(data) }
  }
}
