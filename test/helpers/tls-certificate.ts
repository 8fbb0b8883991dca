// A throw-away TLS certificate for servers tests run on 127.0.0.1.
import { type KeyPair, selfSigned } from './tls-authority.ts'

/**
 * A self-signed certificate for 127.0.0.1, or the subject alternative names given (openssl, one
 * day, never written outside a temp dir).
 */
export function selfSignedCertificate(
  commonName: string,
  altNames: string[] = ['IP:127.0.0.1'],
): Promise<KeyPair> {
  return selfSigned(commonName, [`subjectAltName=${altNames.join(',')}`])
}
