/**
 * Go's crypto/tls and crypto/x509 as KrakenD's backend calls meet them: the names lura's
 * `client_tls` takes (versions, curve and cipher suite IDs) in OpenSSL's terms, and a server
 * certificate checked in Go's order with Go's words (validity, then the host name by Go's rules,
 * then the chain). Node's own host name check is more lenient than Go's: it falls back to the
 * subject's Common Name when a certificate has no DNS names, and takes partial wildcards
 * (`f*.example.com`); Go refuses both.
 */
import { isIP, type Socket, SocketAddress } from 'node:net'
import type { SecureVersion, TLSSocket } from 'node:tls'
import { goQuote } from './go-quote.ts'
import { loadBuiltin } from './libraries.ts'
import type { buildConnector } from './undici.ts'

/** lura's version names; any other (or none) is TLS 1.3 there. Go never speaks SSL 3.0: TLS 1.0 is its floor. */
export const GO_TLS_VERSIONS: Record<string, SecureVersion> = {
  'SSL3.0': 'TLSv1',
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
}

/** Go's CurveIDs (the TLS group code points) with OpenSSL's group names. */
export const GO_CURVES: Record<number, string> = {
  23: 'P-256',
  24: 'P-384',
  25: 'P-521',
  29: 'X25519',
  4587: 'SecP256r1MLKEM768',
  4588: 'X25519MLKEM768',
  4589: 'SecP384r1MLKEM1024',
}

/** lura's curves when curve_preferences is empty. */
export const LURA_DEFAULT_CURVES = [25, 24, 23]

/**
 * Go's TLS 1.2 cipher suites with OpenSSL's names. Go always enables its three TLS 1.3 suites and
 * ignores them in CipherSuites (null here). RC4 and 3DES suites, which Go still takes when listed,
 * are not in this runtime's OpenSSL.
 */
export const GO_CIPHER_SUITES: Record<number, string | null> = {
  5: 'RC4-SHA',
  10: 'DES-CBC3-SHA',
  47: 'AES128-SHA',
  53: 'AES256-SHA',
  60: 'AES128-SHA256',
  156: 'AES128-GCM-SHA256',
  157: 'AES256-GCM-SHA384',
  49159: 'ECDHE-ECDSA-RC4-SHA',
  49161: 'ECDHE-ECDSA-AES128-SHA',
  49162: 'ECDHE-ECDSA-AES256-SHA',
  49169: 'ECDHE-RSA-RC4-SHA',
  49170: 'ECDHE-RSA-DES-CBC3-SHA',
  49171: 'ECDHE-RSA-AES128-SHA',
  49172: 'ECDHE-RSA-AES256-SHA',
  49187: 'ECDHE-ECDSA-AES128-SHA256',
  49191: 'ECDHE-RSA-AES128-SHA256',
  49199: 'ECDHE-RSA-AES128-GCM-SHA256',
  49195: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  49200: 'ECDHE-RSA-AES256-GCM-SHA384',
  49196: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  52392: 'ECDHE-RSA-CHACHA20-POLY1305',
  52393: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  4865: null,
  4866: null,
  4867: null,
}

/** Go always offers its three TLS 1.3 suites; listing them keeps them when the TLS 1.2 list is short. */
export const GO_TLS13_SUITES = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
]

/** lura's (and krakend-jose's) cipher suites when cipher_suites is empty. */
export const LURA_DEFAULT_CIPHER_SUITES = [0xc02f, 0xc02b, 0xc030, 0xc02c, 0xcca8, 0xcca9]

/** One cipher suite ID a config lists that this runtime cannot use as Go would. */
export interface CipherSuiteProblem {
  index: number
  message: string
  hint: string
}

/**
 * The OpenSSL names of the TLS 1.2 suites a config lists by Go's IDs (lura's six when it lists
 * none); TLS 1.3 IDs are skipped, as Go always enables those. node:tls, which says which suites
 * OpenSSL has, loads only for a listed set: the defaults are all there.
 */
export function goCipherSuites(ids: number[]): { names: string[]; problems: CipherSuiteProblem[] } {
  if (ids.length === 0)
    return { names: LURA_DEFAULT_CIPHER_SUITES.map((id) => GO_CIPHER_SUITES[id] as string), problems: [] }
  const available = new Set(
    loadBuiltin<typeof import('node:tls')>('node:tls')
      .getCiphers()
      .map((name) => name.toUpperCase()),
  )
  const names: string[] = []
  const problems: CipherSuiteProblem[] = []
  for (const [index, id] of ids.entries()) {
    const name = GO_CIPHER_SUITES[id]
    if (name === null) continue
    if (name !== undefined && available.has(name)) names.push(name)
    else
      problems.push({
        index,
        message:
          name === undefined
            ? `cipher suite ${id} (0x${id.toString(16).padStart(4, '0')}) is not one Go implements`
            : `cipher suite ${id} (${name}) is not available in this runtime's TLS (RC4 and 3DES are gone from OpenSSL 3)`,
        hint: "use Go's TLS 1.2 suite IDs, such as 49199 (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)",
      })
  }
  return { names, problems }
}

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

/**
 * The connector options under which goVerifiedConnector, not Node, judges the server's certificate.
 * No TLS session is resumed (Go's transport keeps no session cache): a resumed session shows no
 * certificate to judge, and one saved from a connection refused afterwards must never be reused.
 */
export const VERIFIED_BY_GO_RULES = {
  rejectUnauthorized: false,
  checkServerIdentity: () => undefined,
  maxCachedSessions: 0,
} as const

/**
 * `connect` whose TLS connections are handed over only once the server's certificate passes Go's
 * checks (made with VERIFIED_BY_GO_RULES); `insecure` (InsecureSkipVerify) takes any certificate.
 */
export function goVerifiedConnector(
  connect: buildConnector.connector,
  insecure: boolean,
  /** The CAs the connector trusts (PEM), read only to word an unknown authority as Go does. */
  roots: () => readonly string[] = () => [],
): buildConnector.connector {
  return (opts, callback) =>
    connect(opts, (error, socket) => {
      if (error) return callback(error, null)
      if (opts.protocol !== 'https:') return callback(null, socket)
      const failure = insecure
        ? undefined
        : goCertificateFailure(socket as TLSSocket, opts.hostname, new Date(), roots())
      if (failure !== undefined) {
        socket?.destroy()
        return callback(failure, null)
      }
      watchTlsAlerts(socket as TLSSocket)
      callback(null, socket)
    })
}

/** crypto/tls's alert texts by alert number. */
const GO_ALERTS: Record<number, string> = {
  0: 'close notify',
  10: 'unexpected message',
  20: 'bad record MAC',
  21: 'decryption failed',
  22: 'record overflow',
  30: 'decompression failure',
  40: 'handshake failure',
  42: 'bad certificate',
  43: 'unsupported certificate',
  44: 'revoked certificate',
  45: 'expired certificate',
  46: 'unknown certificate',
  47: 'illegal parameter',
  48: 'unknown certificate authority',
  49: 'access denied',
  50: 'error decoding message',
  51: 'error decrypting message',
  60: 'export restriction',
  70: 'protocol version not supported',
  71: 'insufficient security level',
  80: 'internal error',
  86: 'inappropriate fallback',
  90: 'user canceled',
  100: 'no renegotiation',
  109: 'missing extension',
  110: 'unsupported extension',
  111: 'certificate unobtainable',
  112: 'unrecognized name',
  113: 'bad certificate status response',
  114: 'bad certificate hash value',
  115: 'unknown PSK identity',
  116: 'certificate required',
  120: 'no application protocol',
  121: 'encrypted client hello required',
}

/** Go's net.OpError for an alert the server sent (OpenSSL names its number in the message). */
function remoteAlert(error: Error): string | undefined {
  const number = /SSL alert number (\d+)/.exec(error.message ?? '')?.[1]
  if (number === undefined) return undefined
  const text = GO_ALERTS[Number(number)]
  return `remote error: tls: ${text ?? `alert(${number})`}`
}

const GO_TLS_ALERT = Symbol('the alert the server sent on this connection, in Go words')
type AlertedError = Error & { [GO_TLS_ALERT]?: string }

/**
 * A TLS 1.3 server refuses the client's certificate after the client's handshake is done, so its
 * alert arrives as a read error, and undici then fails the call with its own "other side closed"
 * (which it destroys the socket with): later errors of the socket carry the alert for goTlsReason.
 */
export function watchTlsAlerts(socket: Socket): void {
  let alert: string | undefined
  socket.on('error', (error: AlertedError) => {
    alert ??= remoteAlert(error)
    if (alert !== undefined) error[GO_TLS_ALERT] = alert
  })
}

/** A TLS failure of a backend call in Go's words, or undefined when `error` is not one. */
export function goTlsReason(error: unknown): string | undefined {
  const e = error as (AlertedError & { code?: string }) | undefined
  if (e === undefined || e === null) return undefined
  if (e[GO_TLS_ALERT] !== undefined) return e[GO_TLS_ALERT]
  if (e.code === 'ERR_SSL_WRONG_VERSION_NUMBER') return 'http: server gave HTTP response to HTTPS client'
  return typeof e.code === 'string' && e.code.startsWith('ERR_SSL_') ? remoteAlert(e) : undefined
}
