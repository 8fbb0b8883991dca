/**
 * The TLS of backend calls (and of the OAuth2 token calls, which go through the same Go
 * transport): `client_tls` made into one Node secure context when the gateway starts, its files
 * read then. Certificates are judged by Go's rules (go-tls.ts), with or without client_tls.
 *
 * KrakenD logs a CA or client certificate file it cannot load and goes on without it (its calls
 * then fail the handshake); here such a file stops the start (exit 2), naming it.
 */
import { readFileSync } from 'node:fs'
import type { SecureVersion } from 'node:tls'
import { configError } from '../core/errors.ts'
import type { ClientTlsOptions } from './config/types.ts'
import { GO_TLS13_SUITES, VERIFIED_BY_GO_RULES } from './go-tls.ts'
import { loadBuiltin, onFirstUse } from './libraries.ts'
import type { buildConnector } from './undici.ts'

export interface BackendTls {
  /**
   * Connector options for https connections, made on first use: reading the system's CAs takes
   * over 100 ms, which a gateway that never calls an https backend should not spend at start.
   */
  connect: () => buildConnector.BuildOptions
  /** InsecureSkipVerify: any server certificate is taken. */
  insecure: boolean
  /** The CAs trusted (PEM), once the context is made: Go's unknown-authority hint reads them. */
  roots: () => readonly string[]
}

export type ReadFile = (path: string) => string

// Loaded on first use: a gateway without https backends never needs them.
const tls = () => loadBuiltin<typeof import('node:tls')>('node:tls')
const crypto = () => loadBuiltin<typeof import('node:crypto')>('node:crypto')

/** Go's default TLS when the config has no client_tls: TLS 1.2 or later, the system's CAs. */
const GO_DEFAULT_TLS: SecureContextOptions = { systemPool: true, ca: [], minVersion: 'TLSv1.2' }

/** The TLS of backend calls: Go's default, or client_tls's with its files read now. */
export function backendTls(options: ClientTlsOptions | undefined, readFile: ReadFile = readText): BackendTls {
  const {
    systemPool: withSystem,
    ca,
    ...rest
  } = options ? secureContextOptions(options, readFile) : GO_DEFAULT_TLS
  const roots = onFirstUse((): readonly string[] => (withSystem ? [...systemPool(), ...ca] : ca))
  return {
    connect: onFirstUse(() => ({
      ...VERIFIED_BY_GO_RULES,
      secureContext: tls().createSecureContext({ ...rest, ca: [...roots()] }),
    })),
    insecure: options?.insecure ?? false,
    roots,
  }
}

export interface SecureContextOptions {
  /** Whether the system's CAs are trusted besides `ca`. */
  systemPool: boolean
  ca: string[]
  cert?: string[]
  key?: string[]
  minVersion: SecureVersion
  maxVersion?: SecureVersion
  ciphers?: string
  ecdhCurve?: string
}

/** What the secure context is made of (pure but for the files it reads): tested without sockets. */
export function secureContextOptions(options: ClientTlsOptions, readFile: ReadFile): SecureContextOptions {
  const ca: string[] = []
  for (const [i, path] of options.caCerts.entries())
    ca.push(...readCaCertificates(path, `client_tls.ca_certs[${i}]`, readFile))
  const cert: string[] = []
  const key: string[] = []
  for (const [i, pair] of options.clientCerts.entries()) {
    const where = `client_tls.client_certs[${i}]`
    const chain = read(pair.certificate, `${where}.certificate`, 'client certificate', readFile)
    const privateKey = read(pair.privateKey, `${where}.private_key`, 'private key', readFile)
    checkKeyPair(chain, privateKey, pair, where)
    cert.push(chain)
    key.push(privateKey)
  }
  return {
    systemPool: !options.disableSystemCaPool,
    ca,
    ...(cert.length > 0 ? { cert, key } : {}),
    minVersion: options.minVersion,
    maxVersion: options.maxVersion,
    ciphers: [...GO_TLS13_SUITES, ...options.ciphers].join(':'),
    ecdhCurve: options.curves.join(':'),
  }
}

/**
 * Go's SystemCertPool stands for the CAs the machine trusts; Node's own list (Mozilla's, plus
 * NODE_EXTRA_CA_CERTS) is added, as a slim image may have no system store at all.
 */
export const systemPool = onFirstUse((): string[] => {
  const { getCACertificates } = tls()
  return [...new Set([...getCACertificates('default'), ...getCACertificates('system')])]
})

const readText: ReadFile = (path) => readFileSync(path, 'utf8')

function read(path: string, where: string, what: string, readFile: ReadFile): string {
  try {
    return readFile(path)
  } catch (error) {
    throw configError(
      `${where}: cannot read the ${what} ${JSON.stringify(path)}: ${(error as Error).message}`,
      {
        hint: "the path is read on the gateway node when it starts, relative to its working directory (the config's directory in gwdeploy's images and local releases)",
      },
    )
  }
}

/** The certificates of a CA file read now; one that cannot be read, or holds none, is a config error naming `where`. */
export function readCaCertificates(path: string, where: string, readFile: ReadFile = readText): string[] {
  return pemCertificates(read(path, where, 'CA certificate', readFile), path, where)
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----\r?\n[\s\S]*?-----END CERTIFICATE-----/g

/** The certificates of a PEM file, each checked; a file with none is refused (Go would add nothing). */
function pemCertificates(text: string, path: string, where: string): string[] {
  const blocks = text.match(PEM_CERTIFICATE) ?? []
  for (const block of blocks) {
    try {
      ;new (crypto().X509Certificate)(block)
    } catch (error) {
      throw configError(
        `${where}: ${JSON.stringify(path)} holds a certificate that cannot be read: ${(error as Error).message}`,
      )
    }
  }
  if (blocks.length === 0)
    throw configError(
      `${where}: ${JSON.stringify(path)} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
      {
        hint: 'give the CA certificates in PEM form',
      },
    )
  return blocks
}

/** tls.LoadX509KeyPair's checks: a certificate, a key it can read, and the two belonging together. */
function checkKeyPair(
  chain: string,
  privateKey: string,
  pair: ClientTlsOptions['clientCerts'][number],
  where: string,
) {
  const leaf = chain.match(PEM_CERTIFICATE)?.[0]
  if (leaf === undefined)
    throw configError(`${where}.certificate: ${JSON.stringify(pair.certificate)} holds no PEM certificate`)
  const { createPrivateKey, X509Certificate } = crypto()
  let key: ReturnType<typeof createPrivateKey>
  try {
    key = createPrivateKey(privateKey)
  } catch (error) {
    throw configError(
      `${where}.private_key: ${JSON.stringify(pair.privateKey)} holds no private key this runtime can read: ${(error as Error).message}`,
      { hint: 'give an unencrypted PEM private key (PKCS#1, PKCS#8 or SEC 1), as Go reads them' },
    )
  }
  if (!new X509Certificate(leaf).checkPrivateKey(key))
    throw configError(
      `${where}: the private key ${JSON.stringify(pair.privateKey)} does not belong to the certificate ${JSON.stringify(pair.certificate)} (Go: "tls: private key does not match public key")`,
    )
}
