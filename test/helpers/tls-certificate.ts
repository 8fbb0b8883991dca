// A throw-away TLS certificate for servers tests run on 127.0.0.1.
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

/**
 * A self-signed certificate for 127.0.0.1, or the subject alternative names given (openssl, one
 * day, never written outside a temp dir).
 */
export async function selfSignedCertificate(
  commonName: string,
  altNames: string[] = ['IP:127.0.0.1'],
): Promise<{ key: string; cert: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'test-tls-'))
  try {
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${commonName}`,
      '-addext',
      `subjectAltName=${altNames.join(',')}`,
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ])
    return {
      key: await readFile(join(dir, 'key.pem'), 'utf8'),
      cert: await readFile(join(dir, 'cert.pem'), 'utf8'),
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
