import type { JWK } from 'jose'

/**
 * An RSA private key without all of dp, dq and qi: Go's crypto/rsa computes the three from d, p
 * and q (ignoring the ones given) and signs; node:crypto refuses such a JWK, so they are filled in.
 */
export function withCrt(jwk: JWK): JWK {
  const int = (name: 'd' | 'p' | 'q') =>
    BigInt(`0x${Buffer.from(String(jwk[name]).replace(/=+$/, ''), 'base64url').toString('hex') || '0'}`)
  const d = int('d')
  const p = int('p')
  const q = int('q')
  if (p < 2n || q < 2n) return jwk
  return { ...jwk, dp: base64url(d % (p - 1n)), dq: base64url(d % (q - 1n)), qi: base64url(modInverse(q, p)) }
}

function base64url(n: bigint): string {
  const hex = n.toString(16)
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url')
}

/** a^-1 mod m (extended Euclid); 0 when there is none (a key Go then refuses too). */
function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [((a % m) + m) % m, m]
  let [s0, s1] = [1n, 0n]
  while (r1 !== 0n) {
    const k = r0 / r1
    ;[r0, r1] = [r1, r0 - k * r1]
    ;[s0, s1] = [s1, s0 - k * s1]
  }
  return r0 === 1n ? ((s0 % m) + m) % m : 0n
}
