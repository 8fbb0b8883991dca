/**
 * A compact JWS's signature checked as go-jose v3 (krakend-jose's) checks it, with node:crypto:
 * RSA keys from 1024 bits (Go 1.24's floor; jose wants 2048, so a 1024-bit key refused every token),
 * RSASSA-PSS with any salt length (Go's PSSSaltLengthAuto; jose takes only the digest's length),
 * ECDSA signatures of exactly twice the alg's size (ES256 32 bytes...) whatever the key's curve, HMAC with a key of any length (go-jose v3 sets no
 * minimum) compared in constant time, Ed25519. Only public keys verify: a JWKS key that carries its
 * private part ("d") makes go-jose's newVerifier fail, so every token naming it is refused. The
 * header and payload were parsed before (go-jose.ts); the algorithm is the one the config names.
 */
import type { KeyObject } from 'node:crypto'
import { cryptoModule } from '../libraries.ts'
import type { JoseKey } from './jwks.ts'

const HASH: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' }
const EC_SIZE: Record<string, number> = { ES256: 32, ES384: 48, ES512: 66 }
const CURVE_SIZE: Record<string, number> = { prime256v1: 32, secp384r1: 48, secp521r1: 66 }
const RSA_MIN_BITS = 1024

/** Throws unless `signature` signs `input` under `alg` with `key`. */
export function verifySignature(alg: string, key: JoseKey, input: Buffer, signature: Buffer): void {
  const crypto = cryptoModule()
  const hash = HASH[alg.slice(2)] ?? ''
  if (alg.startsWith('HS')) {
    const secret = key instanceof Uint8Array ? key : secretOf(asKeyObject(key))
    const expected = crypto.createHmac(hash, secret).update(input).digest()
    if (signature.length !== expected.length || !crypto.timingSafeEqual(signature, expected))
      throw new Error('go-jose/go-jose: invalid hmac')
    return
  }
  const keyObject = asKeyObject(key)
  // go-jose's newVerifier takes public keys only: a JWKS key with its private part ("d") verifies nothing.
  if (keyObject.type !== 'public') throw new Error(UNSUPPORTED_KEY)
  if (alg === 'EdDSA') {
    if (keyObject.asymmetricKeyType !== 'ed25519' || !crypto.verify(null, input, keyObject, signature))
      throw new Error('go-jose/go-jose: ed25519 signature failed to verify')
    return
  }
  if (alg.startsWith('ES')) {
    const size = EC_SIZE[alg] ?? 0
    if (signature.length !== 2 * size)
      throw new Error(
        `go-jose/go-jose: invalid signature size, have ${signature.length} bytes, wanted ${2 * size}`,
      )
    const curveSize = CURVE_SIZE[keyObject.asymmetricKeyDetails?.namedCurve ?? ''] ?? 0
    const rs = keyObject.asymmetricKeyType === 'ec' ? curveSized(signature, size, curveSize) : undefined
    if (!rs || !verifies(() => crypto.verify(hash, input, { key: keyObject, dsaEncoding: 'ieee-p1363' }, rs)))
      throw new Error('go-jose/go-jose: ecdsa signature failed to verify')
    return
  }
  const bits = keyObject.asymmetricKeyDetails?.modulusLength ?? 0
  const type = keyObject.asymmetricKeyType
  if ((type !== 'rsa' && type !== 'rsa-pss') || bits < RSA_MIN_BITS)
    throw new Error(`crypto/rsa: ${bits}-bit keys are insecure`)
  // Go's rsa verification wants a signature exactly as long as the modulus.
  if (signature.length !== Math.ceil(bits / 8)) throw new Error('crypto/rsa: verification error')
  const pss = alg.startsWith('PS')
  const options = pss
    ? {
        key: keyObject,
        padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
        saltLength: crypto.constants.RSA_PSS_SALTLEN_AUTO,
      }
    : keyObject
  if (!verifies(() => crypto.verify(hash, input, options, signature)))
    throw new Error('crypto/rsa: verification error')
}

/**
 * r||s (each `size` bytes, the alg's) written in the key curve's size: go-jose reads r and s as
 * numbers and checks the curve only through them, so a P-256 key verifies an ES384 token whose r and
 * s are padded to 48 bytes. Undefined when one has more digits than the curve's order (Go: invalid).
 */
function curveSized(signature: Buffer, size: number, curveSize: number): Buffer | undefined {
  if (curveSize === size) return signature
  const half = (part: Buffer) => {
    let at = 0
    while (at < part.length && part[at] === 0) at += 1
    const digits = part.subarray(at)
    return digits.length > curveSize
      ? undefined
      : Buffer.concat([Buffer.alloc(curveSize - digits.length), digits])
  }
  const r = half(signature.subarray(0, size))
  const s = half(signature.subarray(size))
  return r && s ? Buffer.concat([r, s]) : undefined
}

const UNSUPPORTED_KEY = 'go-jose/go-jose: unsupported key type/format'

/** An HMAC key: go-jose verifies HS* only with a symmetric key ([]byte). */
function secretOf(keyObject: KeyObject): Buffer {
  if (keyObject.type !== 'secret') throw new Error(UNSUPPORTED_KEY)
  return keyObject.export()
}

const keyObjects = new WeakMap<object, KeyObject>()

export function asKeyObject(key: JoseKey): KeyObject {
  const { KeyObject } = cryptoModule()
  if (key instanceof KeyObject) return key
  let keyObject = keyObjects.get(key)
  if (!keyObject) {
    keyObject = KeyObject.from(key as Parameters<typeof KeyObject.from>[0])
    keyObjects.set(key, keyObject)
  }
  return keyObject
}

/** OpenSSL throws on some malformed signatures where Go answers "does not verify". */
function verifies(check: () => boolean): boolean {
  try {
    return check()
  } catch {
    return false
  }
}
