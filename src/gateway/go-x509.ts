/**
 * crypto/x509's judgement of a server certificate as KrakenD's backend calls meet it, with Go's
 * words: the leaf's validity period, then the host name by Go's rules (VerifyHostname: no subject
 * Common Name fallback, only a whole leftmost `*`, IP SANs for an IP — Node itself takes the
 * Common Name and partial wildcards), then the chain (OpenSSL's verdict), with Go's hint about a
 * candidate issuer that did not sign the certificate.
 */
import { isIP, SocketAddress } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { goQuote } from './go-quote.ts'
import { loadBuiltin } from './libraries.ts'

/** What Go reads of a server certificate to check it. */
export interface CertificateNames {
  /** Whether it has a subjectAltName extension at all. */
  hasSan: boolean
  dnsNames: string[]
  /** IP SANs as Go prints them (net.IP.String). */
  ipAddresses: string[]
  commonName: string
}

/** crypto/x509's VerifyHostname: undefined when `host` matches, else HostnameError's text. */
export function goVerifyHostname(cert: CertificateNames, host: string): string | undefined {
  const candidateIp =
    host.length >= 3 && host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  const ip = goIpKey(candidateIp)
  if (ip !== undefined) {
    if (cert.ipAddresses.some((san) => goIpKey(san) === ip)) return undefined
    return hostnameError(cert, candidateIp)
  }
  const candidate = lowerAscii(host)
  const validCandidate = validHostname(candidate, false)
  const hostParts = splitHostname(candidate)
  for (const name of cert.dnsNames) {
    const matched =
      validCandidate && validHostname(name, true)
        ? matchHostnames(name, hostParts)
        : matchExactly(name, candidate)
    if (matched) return undefined
  }
  return hostnameError(cert, host)
}

function hostnameError(cert: CertificateNames, host: string): string {
  if (!cert.hasSan && matchHostnames(cert.commonName, splitHostname(host)))
    return 'x509: certificate relies on legacy Common Name field, use SANs instead'
  let valid: string
  if (goIpKey(host) !== undefined) {
    if (cert.ipAddresses.length === 0)
      return `x509: cannot validate certificate for ${host} because it doesn't contain any IP SANs`
    if (cert.ipAddresses.length >= 100)
      return `x509: certificate is valid for ${cert.ipAddresses.length} IP SANs, but none matched ${host}`
    valid = cert.ipAddresses.join(', ')
  } else {
    if (cert.dnsNames.length >= 100)
      return `x509: certificate is valid for ${cert.dnsNames.length} names, but none matched ${host}`
    valid = cert.dnsNames.join(', ')
  }
  if (valid === '') return `x509: certificate is not valid for any names, but wanted to match ${host}`
  return `x509: certificate is valid for ${valid}, not ${host}`
}

const lowerAscii = (text: string) => text.replace(/[A-Z]+/g, (s) => s.toLowerCase())
const splitHostname = (host: string) => lowerAscii(host.endsWith('.') ? host.slice(0, -1) : host).split('.')

function validHostname(host: string, isPattern: boolean): boolean {
  const name = !isPattern && host.endsWith('.') ? host.slice(0, -1) : host
  if (name === '' || name === '*') return false
  return name
    .split('.')
    .every(
      (part, i) =>
        part !== '' && ((isPattern && i === 0 && part === '*') || /^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(part)),
    )
}

function matchExactly(a: string, b: string): boolean {
  if (a === '' || a === '.' || b === '' || b === '.') return false
  return lowerAscii(a) === lowerAscii(b)
}

function matchHostnames(pattern: string, hostParts: string[]): boolean {
  const patternParts = lowerAscii(pattern).split('.')
  if (pattern === '' || patternParts.length !== hostParts.length) return false
  return patternParts.every((part, i) => (i === 0 && part === '*') || part === hostParts[i])
}

/**
 * An address as net.ParseIP reads it, in one form for comparing (IPv4 and its IPv6-mapped form
 * are equal, as ip.Equal has them); undefined for text ParseIP refuses (zones included).
 */
function goIpKey(text: string): string | undefined {
  const family = isIP(text)
  if (family === 0 || text.includes('%')) return undefined
  const v6 = family === 4 ? `::ffff:${text}` : text
  return new SocketAddress({ address: v6, family: 'ipv6' }).address
}

/** net.IP.String: IPv4 (also IPv6-mapped) dotted, IPv6 in RFC 5952's form. */
export function goIpString(text: string): string {
  const key = goIpKey(text)
  if (key === undefined) return text
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(key)
  return mapped ? (mapped[1] as string) : key
}

/** The names of a certificate as Node prints its subjectAltName (`DNS:a, IP Address:1.2.3.4`, odd values JSON-quoted). */
export function certificateNames(subjectAltName: string | undefined, subject: string): CertificateNames {
  const dnsNames: string[] = []
  const ipAddresses: string[] = []
  for (const match of (subjectAltName ?? '').matchAll(/(?:^|, )([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)/g)) {
    const raw = match[2] as string
    const value = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw
    if (match[1] === 'DNS') dnsNames.push(value)
    else if (match[1] === 'IP Address') ipAddresses.push(goIpString(value))
  }
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(subject)?.[1] ?? ''
  return { hasSan: subjectAltName !== undefined, dnsNames, ipAddresses, commonName: cn }
}

/** Go's time.RFC3339 of an instant, in UTC as a node's clock runs. */
const rfc3339 = (at: Date) => at.toISOString().replace(/\.\d{3}Z$/, 'Z')

/** OpenSSL's verdicts on a chain that Go words as an unknown authority. */
const UNKNOWN_AUTHORITY = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
])

/**
 * Why Go's TLS client refuses the server's certificate, or undefined: the leaf's validity period,
 * its host name, then the chain (OpenSSL's verdict, which Node reads after the handshake).
 */
export function goCertificateFailure(
  socket: TLSSocket,
  host: string,
  now = new Date(),
  /** The trusted CAs (PEM), for Go's hint about a candidate issuer that did not sign the certificate. */
  roots: readonly string[] = [],
): Error | undefined {
  // Not getPeerX509Certificate: on Node 24 a second look at the peer's certificates (the JWKS pins)
  // then finds none.
  const raw = socket.getPeerCertificate(true)?.raw
  if (raw === undefined) return verificationError('x509: certificate signed by unknown authority')
  const leaf = new (loadBuiltin<typeof import('node:crypto')>('node:crypto').X509Certificate)(raw)
  const notBefore = leaf.validFromDate
  const notAfter = leaf.validToDate
  if (now < notBefore)
    return verificationError(
      `x509: certificate has expired or is not yet valid: current time ${rfc3339(now)} is before ${rfc3339(notBefore)}`,
    )
  if (now > notAfter)
    return verificationError(
      `x509: certificate has expired or is not yet valid: current time ${rfc3339(now)} is after ${rfc3339(notAfter)}`,
    )
  const hostname = goVerifyHostname(certificateNames(leaf.subjectAltName, leaf.subject), host)
  if (hostname !== undefined) return verificationError(hostname)
  if (socket.authorized) return undefined
  const reason = String(socket.authorizationError ?? '')
  if (UNKNOWN_AUTHORITY.has(reason))
    return verificationError(
      `x509: certificate signed by unknown authority${candidateHint(leaf, socket, roots)}`,
    )
  if (reason === 'CERT_HAS_EXPIRED' || reason === 'CERT_NOT_YET_VALID')
    return verificationError('x509: certificate has expired or is not yet valid')
  return verificationError(`x509: ${reason || 'certificate not verified'}`)
}

type X509 = import('node:crypto').X509Certificate
const parsedRoots = new WeakMap<readonly string[], X509[]>()

/**
 * x509's UnknownAuthorityError hint: the first certificate named as the issuer (the trusted CAs
 * first, then those the server sent) whose check of the signature failed, and why, as Go says it.
 */
function candidateHint(leaf: X509, socket: TLSSocket, roots: readonly string[]): string {
  const { X509Certificate } = loadBuiltin<typeof import('node:crypto')>('node:crypto')
  let trusted = parsedRoots.get(roots)
  if (trusted === undefined) {
    trusted = roots.map((pem) => new X509Certificate(pem))
    parsedRoots.set(roots, trusted)
  }
  const sent: X509[] = []
  const seen = new Set<string>()
  for (
    let cert = socket.getPeerCertificate(true)?.issuerCertificate;
    cert?.raw && !seen.has(cert.fingerprint256);
  ) {
    seen.add(cert.fingerprint256)
    sent.push(new X509Certificate(cert.raw))
    cert = cert.issuerCertificate
  }
  for (const candidate of [...trusted, ...sent]) {
    if (candidate.subject !== leaf.issuer || candidate.fingerprint256 === leaf.fingerprint256) continue
    const why = !candidate.ca
      ? 'x509: invalid signature: parent certificate cannot sign this kind of certificate'
      : leaf.verify(candidate.publicKey)
        ? undefined
        : (SIGNATURE_FAILURE[candidate.publicKey.asymmetricKeyType ?? ''] ??
          'x509: signature verification failure')
    if (why !== undefined)
      return ` (possibly because of ${goQuote(why)} while trying to verify candidate authority certificate ${goQuote(goCertName(candidate))})`
  }
  return ''
}

/** What Go's CheckSignatureFrom says when the signature does not verify, by the issuer's key type. */
const SIGNATURE_FAILURE: Record<string, string> = {
  ec: 'x509: ECDSA verification failure',
  rsa: 'crypto/rsa: verification error',
  'rsa-pss': 'crypto/rsa: verification error',
  ed25519: 'x509: Ed25519 verification failure',
}

/** x509's certName: the Common Name, else the whole subject (RFC 2253 order). */
function goCertName(cert: X509): string {
  const lines = cert.subject.split('\n')
  const cn = lines.findLast((line) => line.startsWith('CN='))
  return cn ? cn.slice(3) : lines.reverse().join(',')
}

const verificationError = (text: string) =>
  Object.assign(new Error(`tls: failed to verify certificate: ${text}`), { code: 'ERR_GO_TLS_VERIFY' })
