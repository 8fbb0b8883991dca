/**
 * JWS signatures already checked. A token verifies with a key or it does not, the same every time,
 * so a client sending its token again (the usual case: a token lives for minutes or hours) skips the
 * signature check; the claims (exp, nbf, issuer, audience, roles...) are still checked on every
 * request by the caller.
 *
 * Bounded: once MAX_VERIFIED_TOKENS are held the oldest goes. A key is compared by identity: a key
 * set read again (rotation, a JWKS without `cache`) imports new keys, whose tokens verify again.
 */
import { segment } from './go-jose.ts'
import type { JoseKey } from './jwks.ts'
import { verifySignature } from './jws-signature.ts'

export const MAX_VERIFIED_TOKENS = 4096

const verified = new Map<string, { key: JoseKey; alg: string; payload: Uint8Array }>()

/**
 * The token's payload once its signature verifies with `key` under `alg`; throws otherwise. An
 * `unencoded` token ("b64": false) signs the decoded payload's bytes after the header, as go-jose
 * checks it (the part itself is base64url all the same).
 */
export function verifiedPayload(token: string, key: JoseKey, alg: string, unencoded = false): Uint8Array {
  const known = verified.get(token)
  if (known !== undefined && known.key === key && known.alg === alg) return known.payload
  const [header = '', body = '', signature = ''] = token.split('.')
  const payload = segment(body, 'payload')
  // go-jose signs the parts as it encodes them again: a padded part, or one whose last character
  // carries other unused bits, verifies with the signature of its canonical form.
  const signedHeader = `${segment(header, 'header').toString('base64url')}.`
  const input = unencoded
    ? Buffer.concat([Buffer.from(signedHeader, 'latin1'), payload])
    : Buffer.from(signedHeader + payload.toString('base64url'), 'latin1')
  verifySignature(alg, key, input, segment(signature, 'signature'))
  if (verified.size >= MAX_VERIFIED_TOKENS) verified.delete(verified.keys().next().value as string)
  verified.set(token, { key, alg, payload })
  return payload
}
