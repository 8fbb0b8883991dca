// Dev tool: https backends under client_tls, KrakenD against this runtime. Each case starts a Node
// https backend (certificates from a throw-away CA), serves one endpoint calling it from both
// gateways (`return_error_msg` on), and prints both answers: same status and body, or DIFF.
//
//   node scripts/krakend-diff/tls.ts [--only TEXT]
//
// KrakenD is KRAKEND_BIN or `krakend` on PATH (nothing of KrakenD's is in this repository; without
// it the tool exits 2). Ports 18081/18082 (gateways) and 19100+ (backends) on 127.0.0.1.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import { createServer, type ServerOptions } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import { parseArgs } from 'node:util'
import { certificateAuthority } from '../../test/helpers/tls-authority.ts'
import { selfSignedCertificate } from '../../test/helpers/tls-certificate.ts'

const { values } = parseArgs({ options: { only: { type: 'string' } } })
const krakend = process.env.KRAKEND_BIN ?? which('krakend')
if (!krakend) {
  console.error('no krakend binary: set KRAKEND_BIN or put krakend on PATH')
  process.exit(2)
}
const root = join(new URL('.', import.meta.url).pathname, '..', '..')
const dir = mkdtempSync(join(tmpdir(), 'krakend-diff-tls-'))
const file = (name: string, text: string) => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

function which(bin: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).trim() || undefined
  } catch {
    return undefined
  }
}

const ca = await certificateAuthority()
const twin = await certificateAuthority()
const selfSigned = await selfSignedCertificate('backend')
const other = await certificateAuthority('another CA')
const server = await ca.issue({ commonName: 'backend', altNames: ['IP:127.0.0.1', 'DNS:localhost'] })
const client = await ca.issue({ commonName: 'gateway-client', usage: 'clientAuth' })
const caFile = file('ca.pem', ca.cert)
const mtls = { ...server, ca: ca.cert, requestCert: true, rejectUnauthorized: true }
const clientCerts = [
  { certificate: file('client.pem', client.cert), private_key: file('client.key', client.key) },
]

/** name, the backend's TLS options (undefined: plain HTTP), the service keys of both configs, their environment. */
const cases: Array<[string, ServerOptions | undefined, Record<string, unknown>, Record<string, string>?]> = [
  ['no client_tls, private CA', server, {}],
  ['no client_tls, self-signed certificate', await selfSignedCertificate('backend'), {}],
  [
    'self-signed certificate in ca_certs',
    selfSigned,
    { client_tls: { ca_certs: [file('self.pem', selfSigned.cert)] } },
  ],
  ['CA of the same name, other key', server, { client_tls: { ca_certs: [file('twin.pem', twin.cert)] } }],
  [
    'a non-CA certificate of the issuer name in ca_certs',
    server,
    {
      client_tls: { ca_certs: [file('not-ca.pem', (await selfSignedCertificate('gwdeploy test CA')).cert)] },
    },
  ],
  ['ca_certs', server, { client_tls: { ca_certs: [caFile] } }],
  ['ca_certs of another CA', server, { client_tls: { ca_certs: [file('other.pem', other.cert)] } }],
  ['disable_system_ca_pool without ca_certs', server, { client_tls: { disable_system_ca_pool: true } }],
  [
    'TLS 1.2 backend, client_tls defaults',
    { ...server, maxVersion: 'TLSv1.2' },
    { client_tls: { ca_certs: [caFile] } },
  ],
  [
    'TLS 1.2 backend, min_version TLS12',
    { ...server, maxVersion: 'TLSv1.2' },
    { client_tls: { ca_certs: [caFile], min_version: 'TLS12' } },
  ],
  ['mTLS with client_certs', mtls, { client_tls: { ca_certs: [caFile], client_certs: clientCerts } }],
  ['mTLS without a certificate (TLS 1.3)', mtls, { client_tls: { ca_certs: [caFile] } }],
  [
    'mTLS without a certificate (TLS 1.2)',
    { ...mtls, maxVersion: 'TLSv1.2' },
    { client_tls: { ca_certs: [caFile], min_version: 'TLS12' } },
  ],
  ['allow_insecure_connections at the root', server, { allow_insecure_connections: true }],
  [
    'Common Name only, trusted CA',
    await ca.issue({ commonName: '127.0.0.1' }),
    { client_tls: { ca_certs: [caFile] } },
  ],
  ['Common Name only, unknown CA', await ca.issue({ commonName: '127.0.0.1' }), {}],
  [
    'DNS SAN only, called by IP',
    await ca.issue({ commonName: 'x', altNames: ['DNS:localhost'] }),
    { client_tls: { ca_certs: [caFile] } },
  ],
  [
    'other names',
    await ca.issue({ commonName: 'x', altNames: ['DNS:other.example', 'IP:10.1.2.3'] }),
    { client_tls: { ca_certs: [caFile] } },
  ],
  ['no client_tls, the CA in the system store (SSL_CERT_FILE)', server, {}, { SSL_CERT_FILE: caFile }],
  [
    'client_tls {}, the CA in the system store (SSL_CERT_FILE)',
    server,
    { client_tls: {} },
    { SSL_CERT_FILE: caFile },
  ],
  [
    'disable_system_ca_pool, the CA in the system store',
    server,
    { client_tls: { disable_system_ca_pool: true } },
    { SSL_CERT_FILE: caFile },
  ],
  ['plain HTTP at an https URL', undefined, {}],
  ['plain HTTP at an https URL, client_tls {}', undefined, { client_tls: {} }],
]

let nextPort = 19100
async function backend(options: ServerOptions | undefined): Promise<{ origin: string; close: () => void }> {
  const port = nextPort++
  const answer = (socket: TLSSocket | undefined) =>
    JSON.stringify({
      client: socket?.getPeerCertificate?.()?.subject?.CN ?? '',
      protocol: socket?.getProtocol?.() ?? '',
    })
  const listener = (
    req: { socket: unknown },
    res: { setHeader(n: string, v: string): void; end(b: string): void },
  ) => {
    res.setHeader('content-type', 'application/json')
    res.end(answer(req.socket as TLSSocket))
  }
  const s = options ? createServer(options, listener) : createHttpServer(listener)
  await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve))
  return { origin: `https://127.0.0.1:${port}`, close: () => s.close() }
}

async function answerOf(
  command: string,
  args: string[],
  port: number,
  env: Record<string, string> = {},
): Promise<string> {
  const child: ChildProcess = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  })
  let out = ''
  child.stdout?.on('data', (d) => {
    out += d
  })
  child.stderr?.on('data', (d) => {
    out += d
  })
  try {
    for (let i = 0; i < 100; i++) {
      const up = await fetch(`http://127.0.0.1:${port}/__health`).then(
        () => true,
        () => false,
      )
      if (up) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const res = await fetch(`http://127.0.0.1:${port}/x`)
    return `${res.status} ${await res.text()}`
  } catch (error) {
    return `no answer (${(error as Error).message}): ${out.slice(-500)}`
  } finally {
    child.kill('SIGKILL')
  }
}

let differ = 0
for (const [name, options, service, env] of cases) {
  if (values.only && !name.includes(values.only)) continue
  const { origin, close } = await backend(options)
  const config = (port: number) =>
    file(
      `${port}.json`,
      JSON.stringify({
        version: 3,
        name: 'tls',
        port,
        listen_ip: '127.0.0.1',
        ...service,
        extra_config: { router: { return_error_msg: true }, 'telemetry/logging': { level: 'CRITICAL' } },
        endpoints: [{ endpoint: '/x', backend: [{ host: [origin], url_pattern: '/who' }] }],
      }),
    )
  const k = await answerOf(krakend, ['run', '-c', config(18081)], 18081, env)
  const g = await answerOf(
    process.execPath,
    [join(root, 'src/gateway/main.ts'), '-c', config(18082)],
    18082,
    env,
  )
  close()
  if (k !== g) differ++
  console.log(
    `${k === g ? 'same' : 'DIFF'}  ${name}\n  K ${k.replaceAll(origin, 'BACKEND')}\n  G ${g.replaceAll(origin, 'BACKEND')}`,
  )
}
console.log(`${differ} of ${cases.length} differ`)
process.exit(differ ? 1 : 0)
