/**
 * krakend-jose's TLS for the JWKS download (auth/validator, auth/signer): TLS 1.2 or later, its
 * cipher suites (`cipher_suites`, Go's IDs; six ECDHE suites by default), the system's CAs plus
 * `jwk_local_ca`, the certificate unchecked with `disable_jwk_security`, and with
 * `jwk_fingerprints` a pin: one of the server's certificates must carry a public key whose SHA-256
 * (of its SubjectPublicKeyInfo, base64url) is listed, else the download fails ("JWK client did not
 * find a pinned key"), with or without disable_jwk_security.
 */
import type { TLSSocket } from 'node:tls'
import { goCipherSuites } from '../go-tls.ts'
import { loadBuiltin } from '../libraries.ts'
import type { buildConnector } from '../undici.ts'
import type { Fields } from './fields.ts'

export interface JwksTls {
  /** disable_jwk_security: the server's certificate is not verified. */
  insecure: boolean
  /** jwk_local_ca: a PEM file added to the system's CAs, read when the gateway starts. */
  localCa: string | undefined
  /** jwk_fingerprints, decoded: SHA-256 digests of public keys, one of which the server must show. */
  fingerprints: Buffer[]
  /** cipher_suites as OpenSSL names (TLS 1.2; Go's TLS 1.3 suites are always on). */
  ciphers: string[]
}

/** Go's base64.URLEncoding: the URL alphabet, padded. */
const PADDED_BASE64URL = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?$/

export function parseJwksTls(f: Fields): JwksTls {
  const fingerprints: Buffer[] = []
  for (const [i, text] of (f.strings('jwk_fingerprints') ?? []).entries()) {
    const digest = PADDED_BASE64URL.test(text) ? Buffer.from(text, 'base64url') : undefined
    if (digest?.length === 32) fingerprints.push(digest)
    else
      f.report.error(
        [...f.at('jwk_fingerprints'), i],
        digest === undefined
          ? `fingerprint #${i} is not padded base64url (Go's base64.URLEncoding): KrakenD does not start`
          : `fingerprint #${i} decodes to ${digest.length} bytes, not a SHA-256 (32): no key would ever match`,
        'give the base64url SHA-256 of the certificate public key (SubjectPublicKeyInfo, DER)',
      )
  }
  const suites = f.raw.cipher_suites
  const listed =
    Array.isArray(suites) && suites.every((id) => Number.isInteger(id) && id >= 0 && id <= 0xffff)
  if (suites !== undefined && !listed)
    f.report.error(
      f.at('cipher_suites'),
      '"cipher_suites" must be a list of numbers from 0 to 65535 (Go\'s uint16 IDs)',
    )
  const { names: ciphers, problems } = goCipherSuites(listed ? (suites as number[]) : [])
  for (const { index, message, hint } of problems)
    f.report.error([...f.at('cipher_suites'), index], message, hint)
  return {
    insecure: f.bool('disable_jwk_security'),
    localCa: f.string('jwk_local_ca') || undefined,
    fingerprints,
    ciphers,
  }
}

/**
 * `connect` that hands over a TLS connection only when one of the server's certificates has a
 * pinned key (every connection when no key is pinned). Certificates Node adds to the chain from
 * the trust store are self-signed roots; they are not counted, as a server rarely sends its root.
 */
export function pinnedConnector(
  connect: buildConnector.connector,
  fingerprints: Buffer[],
): buildConnector.connector {
  if (fingerprints.length === 0) return connect
  const { createHash } = loadBuiltin<typeof import('node:crypto')>('node:crypto')
  const pins = new Set(fingerprints.map((digest) => digest.toString('hex')))
  return (opts, callback) =>
    connect(opts, (error, socket) => {
      if (error) return callback(error, null)
      if (opts.protocol !== 'https:') return callback(null, socket)
      for (const key of publicKeys(socket as TLSSocket))
        if (pins.has(createHash('sha256').update(key).digest('hex'))) return callback(null, socket)
      socket?.destroy()
      callback(new Error('JWK client did not find a pinned key'), null)
    })
}

/** The SubjectPublicKeyInfo (DER) of the server's certificate and its chain but self-signed roots. */
function publicKeys(socket: TLSSocket): Buffer[] {
  const { X509Certificate } = loadBuiltin<typeof import('node:crypto')>('node:crypto')
  const keys: Buffer[] = []
  const seen = new Set<string>()
  for (let cert = socket.getPeerCertificate(true); cert?.raw && !seen.has(cert.fingerprint256); ) {
    const x509 = new X509Certificate(cert.raw)
    const root = seen.size > 0 && x509.subject === x509.issuer && x509.verify(x509.publicKey)
    if (!root) keys.push(x509.publicKey.export({ type: 'spki', format: 'der' }))
    seen.add(cert.fingerprint256)
    cert = cert.issuerCertificate
  }
  return keys
}
