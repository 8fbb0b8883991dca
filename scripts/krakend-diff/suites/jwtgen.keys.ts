// The keys of the jwtgen suite, one per algorithm family (RSA 2048 for RS/PS, P-256/384/521 for
// ES256/384/512, Ed25519, two HMAC secrets), their public JWKs, an x5c certificate of the RSA key
// (made with the openssl CLI at start), and a signer over header and payload texts as given.
import { execFileSync } from 'node:child_process'
import { createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const u = (b: Buffer | string) => Buffer.from(b).toString('base64url')
const jwkOf = (k: KeyObject) => k.export({ format: 'jwk' }) as Record<string, unknown>

const HMAC = Buffer.from('jwtgen-suite-hmac-secret-0123456789abcdef')
const HMAC_OTHER = Buffer.from('another-secret')
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const rsaOther = generateKeyPairSync('rsa', { modulusLength: 2048 })
const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 })
const ec = {
  ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  ES384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  ES512: generateKeyPairSync('ec', { namedCurve: 'P-521' }),
}
const ed = generateKeyPairSync('ed25519')

/** The key a family's tokens are signed with; "other" is a key of the same family nobody lists. */
export type KeyName =
  | 'rsa'
  | 'rsaOther'
  | 'rsa1024'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'ed'
  | 'hmac'
  | 'hmacOther'
  | 'hmacEmpty'
export const PUBLIC: Record<KeyName, Record<string, unknown>> = {
  rsa: jwkOf(rsa.publicKey),
  rsaOther: jwkOf(rsaOther.publicKey),
  rsa1024: jwkOf(rsa1024.publicKey),
  ES256: jwkOf(ec.ES256.publicKey),
  ES384: jwkOf(ec.ES384.publicKey),
  ES512: jwkOf(ec.ES512.publicKey),
  ed: jwkOf(ed.publicKey),
  hmac: { kty: 'oct', k: u(HMAC) },
  hmacOther: { kty: 'oct', k: u(HMAC_OTHER) },
  hmacEmpty: { kty: 'oct', k: '' },
}

/** The RSA key's self-signed certificate (DER, standard base64) for an x5c member. */
export const RSA_CERT = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'jwtgen-cert-'))
  const key = join(dir, 'k.pem')
  writeFileSync(key, rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }))
  execFileSync('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    key,
    '-subj',
    '/CN=jwtgen',
    '-days',
    '2',
    '-outform',
    'DER',
    '-out',
    join(dir, 'c.der'),
  ])
  return readFileSync(join(dir, 'c.der')).toString('base64')
})()

/** The key that signs `alg` ("right"), or another key of its family ("other"). */
export function keyFor(alg: string, which: 'right' | 'other'): KeyName {
  if (/^(RS|PS)/.test(alg)) return which === 'right' ? 'rsa' : 'rsaOther'
  if (/^HS/.test(alg)) return which === 'right' ? 'hmac' : 'hmacOther'
  if (alg === 'EdDSA') return 'ed'
  const curve = alg as keyof typeof ec
  return which === 'right' ? curve : curve === 'ES256' ? 'ES384' : 'ES256'
}

const PRIVATE: Record<KeyName, KeyObject | Buffer> = {
  rsa: rsa.privateKey,
  rsaOther: rsaOther.privateKey,
  rsa1024: rsa1024.privateKey,
  ES256: ec.ES256.privateKey,
  ES384: ec.ES384.privateKey,
  ES512: ec.ES512.privateKey,
  ed: ed.privateKey,
  hmac: HMAC,
  hmacOther: HMAC_OTHER,
  hmacEmpty: Buffer.alloc(0),
}

/**
 * A signature of `input` by `key` under `alg` as go-jose makes one (PSS with a digest-long salt,
 * ECDSA r||s); an alg of another family than the key signs with the key's own family's 256 form.
 */
export function signatureOf(input: string, alg: string, key: KeyName): Buffer {
  const data = Buffer.from(input, 'latin1')
  const secret = PRIVATE[key]
  const bits = /(256|384|512)$/.exec(alg)?.[1] ?? '256'
  if (Buffer.isBuffer(secret)) return createHmac(`sha${bits}`, secret).update(data).digest()
  if (key === 'ed') return sign(null, data, secret)
  if (key.startsWith('ES')) {
    // The digest of the alg when it is an ES one (go-jose hashes by alg, whatever the curve), r and
    // s each written in the alg's size when they fit: a P-256 key signs ES384 tokens go-jose takes.
    const size = EC_SIZE[alg]
    const digest = `sha${size === undefined ? EC_BITS[key] : bits}`
    const rs = sign(digest, data, { key: secret, dsaEncoding: 'ieee-p1363' })
    return size === undefined ? rs : fitted(rs, size)
  }
  if (alg.startsWith('PS')) {
    // A 1024-bit key has no room for PS512's digest-long salt: then the longest salt it holds.
    const saltLength = key === 'rsa1024' && bits === '512' ? -2 : Number(bits) / 8
    return sign(`sha${bits}`, data, { key: secret, padding: 6, saltLength })
  }
  return sign(`sha${bits}`, data, secret)
}

const EC_SIZE: Record<string, number> = { ES256: 32, ES384: 48, ES512: 66 }
const EC_BITS: Record<string, string> = { ES256: '256', ES384: '384', ES512: '512' }

/** r||s with each half left-padded (or stripped of leading zeros) to `size` bytes, when it fits. */
function fitted(rs: Buffer, size: number): Buffer {
  const half = rs.length / 2
  const fit = (n: Buffer) => {
    let at = 0
    while (at < n.length - size && n[at] === 0) at += 1
    const bytes = n.subarray(at)
    return bytes.length > size ? bytes : Buffer.concat([Buffer.alloc(size - bytes.length), bytes])
  }
  return Buffer.concat([fit(rs.subarray(0, half)), fit(rs.subarray(half))])
}
