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

/**
 * Why Go 1.25's crypto/rsa refuses this RSA private JWK, as go-jose's rsaPrivateKey calls
 * PrivateKey.Validate (fips140/rsa checkPrivateKey): d, dp, dq and qi must fit their moduli, p·q
 * must be n, e·dp ≡ 1 mod p-1 (and q), qi·q ≡ 1 mod p, p and q far apart, d longer than half of n.
 * dp, dq and qi are computed from d when any of them is missing, as Go does. undefined: Go takes it.
 */
export function goRsaPrivateKeyProblem(jwk: JWK): string | undefined {
  const int = (name: 'n' | 'e' | 'd' | 'p' | 'q' | 'dp' | 'dq' | 'qi') =>
    jwk[name] === undefined
      ? undefined
      : BigInt(`0x${Buffer.from(String(jwk[name]).replace(/=+$/, ''), 'base64url').toString('hex') || '0'}`)
  const [n, e, d, p, q] = [int('n'), int('e'), int('d'), int('p'), int('q')]
  if (n === undefined || e === undefined || d === undefined || p === undefined || q === undefined)
    return 'crypto/rsa: missing values'
  if (n <= 1n || p <= 1n || q <= 1n) return 'modulus must be > 1'
  if (d >= n) return 'input overflows the modulus'
  const [dp, dq, qi] = [int('dp'), int('dq'), int('qi')]
  let crt: [bigint, bigint, bigint]
  if (dp !== undefined && dq !== undefined && qi !== undefined) {
    if (qi >= p) return 'input overflows the modulus'
    crt = [dp, dq, qi]
  } else {
    if (p - 1n <= 1n || q - 1n <= 1n) return 'modulus must be > 1'
    if (p % 2n === 0n) return 'crypto/rsa: p is even'
    crt = [d % (p - 1n), d % (q - 1n), modPow(q % p, p - 2n, p)]
  }
  if (n % 2n === 0n) return 'crypto/rsa: public modulus is even'
  if (e < 2n) return 'crypto/rsa: public exponent too small or negative'
  if (e % 2n === 0n) return 'crypto/rsa: public exponent is even'
  if (e > 2n ** 31n - 1n) return 'crypto/rsa: public exponent too large'
  if (p >= n || q >= n) return 'crypto/rsa: invalid prime'
  if ((p * q) % n !== 0n) return 'crypto/rsa: p * q != n'
  for (const [prime, exponent] of [
    [p, crt[0]],
    [q, crt[1]],
  ] as const) {
    if (prime - 1n <= 1n) return 'crypto/rsa: invalid prime'
    if (exponent >= prime - 1n || (e * exponent) % (prime - 1n) !== 1n)
      return 'crypto/rsa: invalid CRT exponent'
  }
  if (((q % p) * crt[2]) % p !== 1n) return 'crypto/rsa: invalid CRT coefficient'
  if (p === q) return 'crypto/rsa: p == q'
  const half = Math.floor(bitLength(n) / 2)
  if (bitLength(p > q ? p - q : q - p) <= half - 100) return 'crypto/rsa: |p - q| too small'
  if (bitLength(d) <= half) return 'crypto/rsa: d too small'
  return undefined
}

const bitLength = (x: bigint) => (x === 0n ? 0 : x.toString(2).length)

function modPow(base: bigint, exponent: bigint, m: bigint): bigint {
  let result = 1n
  let b = base % m
  for (let x = exponent; x > 0n; x >>= 1n) {
    if (x & 1n) result = (result * b) % m
    b = (b * b) % m
  }
  return result
}
