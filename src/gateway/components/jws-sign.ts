/**
 * A JWS signed as go-jose v3 signs it for krakend-jose's signer, with node:crypto: RSA from 1024
 * bits (Go's floor; the jose library wants 2048, so a 1024-bit key answered 400 where KrakenD
 * signs), RSASSA-PSS with a salt as long as the digest (go-jose's PSSSaltLengthEqualsHash), ECDSA as
 * `r||s`, Ed25519, HMAC with a key of any length.
 */
import type { KeyObject } from 'node:crypto'
import { cryptoModule } from '../libraries.ts'
import type { JoseKey } from './jwks.ts'
import { asKeyObject } from './jws-signature.ts'

const HASH: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' }
const RSA_MIN_BITS = 1024

/** The signature of `input` (the encoded header and payload joined by ".") under `alg`. */
export function signJws(alg: string, key: JoseKey, input: string): Buffer {
  const crypto = cryptoModule()
  const hash = HASH[alg.slice(2)] ?? ''
  if (alg.startsWith('HS')) {
    const secret = key instanceof Uint8Array ? key : asKeyObject(key)
    return crypto.createHmac(hash, secret).update(input).digest()
  }
  const keyObject = asKeyObject(key)
  if (alg === 'EdDSA') return crypto.sign(null, Buffer.from(input), keyObject)
  if (alg.startsWith('ES'))
    return crypto.sign(hash, Buffer.from(input), { key: keyObject, dsaEncoding: 'ieee-p1363' })
  rsaKeySize(keyObject)
  if (alg.startsWith('PS'))
    return crypto.sign(hash, Buffer.from(input), {
      key: keyObject,
      padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
      saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST,
    })
  return crypto.sign(hash, Buffer.from(input), keyObject)
}

function rsaKeySize(keyObject: KeyObject): void {
  const bits = keyObject.asymmetricKeyDetails?.modulusLength ?? 0
  if (bits < RSA_MIN_BITS) throw new Error(`crypto/rsa: ${bits}-bit keys are insecure`)
}
