/**
 * JWS signatures already checked. A token verifies with a key or it does not, the same every time,
 * so a client sending its token again (the usual case: a token lives for minutes or hours) skips the
 * signature check; the claims (exp, nbf, issuer, audience, roles...) are still checked on every
 * request by the caller.
 *
 * Bounded: once MAX_VERIFIED_TOKENS are held the oldest goes. A key is compared by identity: a key
 * set read again (rotation, a JWKS without `cache`) imports new keys, whose tokens verify again.
 */
import { type ParsedJws, parseJws, segment } from './go-jose.ts'
import type { JoseKey } from './jwks.ts'
import { verifySignature } from './jws-signature.ts'

export const MAX_VERIFIED_TOKENS = 4096

const verified = new Map<string, { key: JoseKey; alg: string; payload: Uint8Array }>()

/**
 * The token's payload once its signature verifies with `key` under `alg`; throws otherwise. go-jose
 * signs the parts as it encodes them again (a padded part, or one whose last character carries
 * other unused bits, verifies with the signature of its canonical form); an unencoded token
 * ("b64": false) signs the decoded payload's bytes after the header.
 */
export function verifiedPayload(
  token: string,
  key: JoseKey,
  alg: string,
  jws: ParsedJws = parseJws(token),
): Uint8Array {
  const known = verified.get(token)
  if (known !== undefined && known.key === key && known.alg === alg) return known.payload
  const { payload, signedHeader } = jws
  if (signedHeader === undefined) throw new Error('go-jose/go-jose: error in cryptographic primitive')
  const input = jws.unencoded
    ? Buffer.concat([Buffer.from(`${signedHeader}.`, 'latin1'), payload])
    : Buffer.from(`${signedHeader}.${payload.toString('base64url')}`, 'latin1')
  verifySignature(alg, key, input, segment(jws.signaturePart, 'signature'))
  if (verified.size >= MAX_VERIFIED_TOKENS) verified.delete(verified.keys().next().value as string)
  verified.set(token, { key, alg, payload })
  return payload
}
