// A throw-away certificate authority for TLS tests on 127.0.0.1 (openssl, one day, files only in a temp dir).
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface KeyPair {
  key: string
  cert: string
}

export interface IssueOptions {
  commonName: string
  /** openssl subjectAltName entries (`DNS:localhost`, `IP:127.0.0.1`); none: no SAN extension at all. */
  altNames?: string[]
  /** extendedKeyUsage: serverAuth (default) or clientAuth. */
  usage?: 'serverAuth' | 'clientAuth'
}

export interface Authority extends KeyPair {
  issue(options: IssueOptions): Promise<KeyPair>
}

export async function inTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'test-ca-'))
  try {
    return await work(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** A new P-256 key, unencrypted. */
export const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']

/** `NAME.key` and `NAME.pem` of `dir`. */
export async function readPair(dir: string, name: string): Promise<KeyPair> {
  return {
    key: await readFile(join(dir, `${name}.key`), 'utf8'),
    cert: await readFile(join(dir, `${name}.pem`), 'utf8'),
  }
}

/** A self-signed certificate with these extensions (openssl `-addext` lines), one day, in a temp dir only. */
export function selfSigned(commonName: string, extensions: string[]): Promise<KeyPair> {
  return inTempDir(async (dir) => {
    await run('openssl', [
      'req',
      '-x509',
      ...EC_KEY,
      '-days',
      '1',
      '-subj',
      `/CN=${commonName}`,
      ...extensions.flatMap((extension) => ['-addext', extension]),
      '-keyout',
      join(dir, 'self.key'),
      '-out',
      join(dir, 'self.pem'),
    ])
    return readPair(dir, 'self')
  })
}

export async function certificateAuthority(name = 'gwdeploy test CA'): Promise<Authority> {
  const ca = await selfSigned(name, [
    'basicConstraints=critical,CA:TRUE',
    'keyUsage=critical,keyCertSign,cRLSign',
  ])
  const issue = (options: IssueOptions) =>
    inTempDir(async (dir) => {
      await writeFile(join(dir, 'ca.key'), ca.key)
      await writeFile(join(dir, 'ca.pem'), ca.cert)
      const extensions = [
        'basicConstraints=CA:FALSE',
        `extendedKeyUsage=${options.usage ?? 'serverAuth'}`,
        ...(options.altNames ? [`subjectAltName=${options.altNames.join(',')}`] : []),
      ]
      await writeFile(join(dir, 'ext.cnf'), `${extensions.join('\n')}\n`)
      await run('openssl', [
        'req',
        '-new',
        ...EC_KEY,
        '-subj',
        `/CN=${options.commonName}`,
        '-keyout',
        join(dir, 'leaf.key'),
        '-out',
        join(dir, 'leaf.csr'),
      ])
      await run('openssl', [
        'x509',
        '-req',
        '-in',
        join(dir, 'leaf.csr'),
        '-CA',
        join(dir, 'ca.pem'),
        '-CAkey',
        join(dir, 'ca.key'),
        '-CAcreateserial',
        '-days',
        '1',
        '-extfile',
        join(dir, 'ext.cnf'),
        '-out',
        join(dir, 'leaf.pem'),
      ])
      return readPair(dir, 'leaf')
    })
  return { ...ca, issue }
}
