/**
 * JWS signatures already checked. A token verifies with a key or it does not, the same every time,
 * so a client sending its token again (the usual case: a token lives for minutes or hours) skips the
 * signature check; the claims (exp, nbf, issuer, audience, roles...) are still checked on every
 * request by the caller. jose verifies through WebCrypto, an asynchronous job per call, which was
 * most of a JWT endpoint's cost.
 *
 * Bounded: once MAX_VERIFIED_TOKENS are held the oldest goes. A key is compared by identity: a key
 * set read again (rotation, a JWKS without `cache`) imports new keys, whose tokens verify again.
 */
import { joseLibrary } from '../libraries.ts'
import type { JoseKey } from './jwks.ts'

export const MAX_VERIFIED_TOKENS = 4096

const verified = new Map<string, { key: JoseKey; alg: string; payload: Uint8Array }>()

/** The token's payload once its signature verifies with `key` under `alg`; throws as jose does. */
export async function verifiedPayload(token: string, key: JoseKey, alg: string): Promise<Uint8Array> {
  const known = verified.get(token)
  if (known !== undefined && known.key === key && known.alg === alg) return known.payload
  const { payload } = await joseLibrary().compactVerify(token, key, { algorithms: [alg] })
  if (verified.size >= MAX_VERIFIED_TOKENS) verified.delete(verified.keys().next().value as string)
  verified.set(token, { key, alg, payload })
  return payload
}
