/**
 * Go's crypto/tls as KrakenD's backend calls meet it: the names lura's `client_tls` takes
 * (versions, curve and cipher suite IDs) in OpenSSL's terms, a connector that hands over a TLS
 * connection only once its certificate passes Go's checks (go-x509.ts), and Go's words for the
 * alerts a server sends.
 */
import type { Socket } from 'node:net'
import type { SecureVersion, TLSSocket } from 'node:tls'
import { goCertificateFailure } from './go-x509.ts'
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
