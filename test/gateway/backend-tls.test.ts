// client_tls against real https backends on 127.0.0.1, and Go's certificate checks with Go's words.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import { createServer, type ServerOptions } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { TLSSocket } from 'node:tls'
import { createGateway } from '../../src/gateway/app.ts'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'
import { certificateNames, goCertificateFailure, goVerifyHostname } from '../../src/gateway/go-x509.ts'
import { type Authority, certificateAuthority, type KeyPair } from '../helpers/tls-authority.ts'
import { mustConfig, quietLogger, send, startGateway } from './helpers.ts'

const MAIN = new URL('../../src/gateway/main.ts', import.meta.url).pathname

let ca: Authority
let otherCa: Authority
let serverPair: KeyPair
let clientPair: KeyPair
let dir: string
const file = (name: string, text: string) => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}
const closers: Array<() => void> = []

/** An https backend on 127.0.0.1 that answers who it saw: the client certificate's CN and the TLS version. */
async function httpsBackend(options: ServerOptions): Promise<string> {
  const server = createServer(options, (req, res) => {
    const socket = req.socket as TLSSocket
    if (req.url === '/token') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"access_token":"tok","token_type":"bearer","expires_in":3600}')
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(
      JSON.stringify({
        client: socket.getPeerCertificate()?.subject?.CN ?? '',
        protocol: socket.getProtocol(),
        authorization: req.headers.authorization ?? '',
      }),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(() => server.close())
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** A gateway with one endpoint, /x, calling `host`; its answer (error texts shown). */
async function call(host: string, service: Record<string, unknown>, backend: Record<string, unknown> = {}) {
  const gw = await startGateway(
    mustConfig({
      version: 3,
      ...service,
      extra_config: { router: { return_error_msg: true } },
      endpoints: [{ endpoint: '/x', backend: [{ host: [host], url_pattern: '/who', ...backend }] }],
    }),
  )
  try {
    return await send(gw.url, { path: '/x' })
  } finally {
    await gw.close()
  }
}

before(async () => {
  ;[ca, otherCa] = await Promise.all([certificateAuthority(), certificateAuthority('another CA')])
  ;[serverPair, clientPair] = await Promise.all([
    ca.issue({ commonName: 'backend', altNames: ['IP:127.0.0.1', 'DNS:localhost'] }),
    ca.issue({ commonName: 'gateway-client', usage: 'clientAuth' }),
  ])
  dir = mkdtempSync(join(tmpdir(), 'client-tls-'))
})
after(() => {
  for (const close of closers) close()
  rmSync(dir, { recursive: true, force: true })
})

describe('client_tls against https backends', () => {
  test('without client_tls a certificate from a private CA fails as Go words it', async () => {
    const host = await httpsBackend(serverPair)
    const res = await call(host, {})
    assert.equal(res.status, 500)
    assert.equal(
      res.text,
      `Get "${host}/who": tls: failed to verify certificate: x509: certificate signed by unknown authority`,
    )
  })

  test('ca_certs trusts the private CA (beside the system CAs), and TLS 1.3 is the default', async () => {
    const host = await httpsBackend(serverPair)
    const res = await call(host, { client_tls: { ca_certs: [file('ca.pem', ca.cert)] } })
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(JSON.parse(res.text), { client: '', protocol: 'TLSv1.3', authorization: '' })
    // Another CA's file does not make it trusted.
    const other = await call(host, { client_tls: { ca_certs: [file('other.pem', otherCa.cert)] } })
    assert.equal(other.status, 500)
    assert.match(other.text, /x509: certificate signed by unknown authority$/)
    // A CA of the issuer's name with another key: Go names the candidate that failed.
    const twin = await certificateAuthority()
    const renamed = await call(host, { client_tls: { ca_certs: [file('twin.pem', twin.cert)] } })
    assert.equal(
      renamed.text,
      `Get "${host}/who": tls: failed to verify certificate: x509: certificate signed by unknown authority (possibly because of "x509: ECDSA verification failure" while trying to verify candidate authority certificate "gwdeploy test CA")`,
    )
  })

  test('any client_tls means TLS 1.3 only, as lura sets it; min_version TLS12 reaches a TLS 1.2 backend', async () => {
    const host = await httpsBackend({ ...serverPair, maxVersion: 'TLSv1.2' })
    const caFile = file('ca.pem', ca.cert)
    const strict = await call(host, { client_tls: { ca_certs: [caFile] } })
    assert.equal(strict.status, 500)
    assert.equal(strict.text, `Get "${host}/who": remote error: tls: protocol version not supported`)
    const allowed = await call(host, { client_tls: { ca_certs: [caFile], min_version: 'TLS12' } })
    assert.equal(allowed.status, 200, allowed.text)
    assert.equal(JSON.parse(allowed.text).protocol, 'TLSv1.2')
  })

  test('client_certs: the backend that asks for a client certificate gets it', async () => {
    const host = await httpsBackend({
      ...serverPair,
      ca: ca.cert,
      requestCert: true,
      rejectUnauthorized: true,
    })
    const caFile = file('ca.pem', ca.cert)
    const res = await call(host, {
      client_tls: {
        ca_certs: [caFile],
        client_certs: [
          {
            certificate: file('client.pem', clientPair.cert),
            private_key: file('client.key', clientPair.key),
          },
        ],
      },
    })
    assert.equal(res.status, 200, res.text)
    assert.equal(JSON.parse(res.text).client, 'gateway-client')
    const without = await call(host, { client_tls: { ca_certs: [caFile] } })
    assert.equal(without.status, 500)
    // TLS 1.3: the refusal comes after the client's handshake, as an alert on the first read.
    assert.equal(without.text, `Get "${host}/who": remote error: tls: certificate required`)
    const tls12 = await httpsBackend({
      ...serverPair,
      ca: ca.cert,
      requestCert: true,
      rejectUnauthorized: true,
      maxVersion: 'TLSv1.2',
    })
    const during = await call(tls12, { client_tls: { ca_certs: [caFile], min_version: 'TLS12' } })
    assert.equal(during.text, `Get "${tls12}/who": remote error: tls: handshake failure`)
  })

  test('an https URL to a plain HTTP server reads as Go words it', async () => {
    const server = createHttpServer((_req, res) => res.end('plain'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    closers.push(() => server.close())
    const host = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
    for (const service of [{}, { client_tls: {} }]) {
      const res = await call(host, service)
      assert.equal(res.text, `Get "${host}/who": http: server gave HTTP response to HTTPS client`)
    }
  })

  test('allow_insecure_connections (root or in client_tls) takes any certificate', async () => {
    const host = await httpsBackend(serverPair)
    for (const service of [
      { allow_insecure_connections: true },
      { client_tls: { allow_insecure_connections: true } },
    ]) {
      const res = await call(host, service)
      assert.equal(res.status, 200, `${JSON.stringify(service)}: ${res.text}`)
      // lura folds the root key into a client_tls of its own: TLS 1.3 only.
      assert.equal(JSON.parse(res.text).protocol, 'TLSv1.3')
    }
  })

  test("Go's host name rules: only a Common Name, or no IP SAN for an IP, is refused on every call", async () => {
    const cnOnly = await httpsBackend(await ca.issue({ commonName: '127.0.0.1' }))
    const dnsOnly = await httpsBackend(await ca.issue({ commonName: 'x', altNames: ['DNS:localhost'] }))
    const service = { client_tls: { ca_certs: [file('ca.pem', ca.cert)] } }
    // Twice: no TLS session of a refused connection may carry a later one through.
    for (let i = 0; i < 2; i++) {
      const res = await call(cnOnly, service)
      assert.equal(res.status, 500)
      assert.equal(
        res.text,
        `Get "${cnOnly}/who": tls: failed to verify certificate: x509: certificate relies on legacy Common Name field, use SANs instead`,
      )
    }
    const ip = await call(dnsOnly, service)
    assert.equal(
      ip.text,
      `Get "${dnsOnly}/who": tls: failed to verify certificate: x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs`,
    )
  })

  test('one gateway keeps refusing a bad certificate over repeated calls (no session resumed)', async () => {
    const host = await httpsBackend(await ca.issue({ commonName: '127.0.0.1' }))
    const gw = await startGateway(
      mustConfig({
        version: 3,
        client_tls: { ca_certs: [file('ca.pem', ca.cert)] },
        endpoints: [{ endpoint: '/x', backend: [{ host: [host], url_pattern: '/who' }] }],
      }),
    )
    try {
      for (let i = 0; i < 3; i++) assert.equal((await send(gw.url, { path: '/x' })).status, 500)
    } finally {
      await gw.close()
    }
  })

  test('the OAuth2 token call goes through client_tls too', async () => {
    const host = await httpsBackend(serverPair)
    const credentials = {
      extra_config: {
        'auth/client-credentials': { client_id: 'id', client_secret: 's', token_url: `${host}/token` },
      },
    }
    const trusted = await call(host, { client_tls: { ca_certs: [file('ca.pem', ca.cert)] } }, credentials)
    assert.equal(trusted.status, 200, trusted.text)
    assert.equal(JSON.parse(trusted.text).authorization, 'Bearer tok')
    const untrusted = await call(host, {}, credentials)
    assert.equal(untrusted.status, 500)
  })

  test("without client_tls the system's CAs are trusted, as Go's are (SSL_CERT_FILE names the store here)", async () => {
    const host = await httpsBackend(serverPair)
    const config = file(
      'system.json',
      JSON.stringify({
        version: 3,
        port: 0,
        listen_ip: '127.0.0.1',
        extra_config: { router: { return_error_msg: true } },
        endpoints: [{ endpoint: '/x', backend: [{ host: [host], url_pattern: '/who' }] }],
      }),
    )
    const child = spawn(process.execPath, [MAIN, '-c', config, '--port', '0', '--log-level', 'INFO'], {
      env: { ...process.env, SSL_CERT_FILE: file('system-store.pem', ca.cert) },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    try {
      let out = ''
      child.stdout.on('data', (d) => {
        out += d
      })
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 10_000)
        child.stdout.on('data', () => {
          const match = /listening on [^\s]*:(\d+)/.exec(out)
          if (match) {
            clearTimeout(timer)
            resolve(Number(match[1]))
          }
        })
      })
      const res = await send(`http://127.0.0.1:${port}`, { path: '/x' })
      assert.equal(res.status, 200, res.text)
      assert.equal(JSON.parse(res.text).protocol, 'TLSv1.3')
    } finally {
      child.kill('SIGKILL')
    }
  })

  test('a file it cannot use stops the gateway before it serves, naming the key', () => {
    const start = (client_tls: unknown) => () =>
      createGateway(mustConfig({ version: 3, client_tls, endpoints: [] }), { logger: quietLogger() })
    assert.throws(
      start({ ca_certs: [join(dir, 'missing.pem')] }),
      /client_tls\.ca_certs\[0\]: cannot read the CA certificate/,
    )
    assert.throws(
      start({ ca_certs: [file('empty.pem', 'nothing here\n')] }),
      /client_tls\.ca_certs\[0\]: .* holds no PEM certificate/,
    )
    assert.throws(
      start({
        client_certs: [
          { certificate: file('c.pem', clientPair.cert), private_key: file('k.pem', serverPair.key) },
        ],
      }),
      /client_tls\.client_certs\[0\]: the private key .* does not belong to the certificate/,
    )
    assert.throws(
      start({
        client_certs: [{ certificate: file('c.pem', clientPair.cert), private_key: file('bad.key', 'x') }],
      }),
      /client_tls\.client_certs\[0\]\.private_key: .* holds no private key/,
    )
  })
})

describe('client_tls as config', () => {
  const problems = (client_tls: unknown, extra: Record<string, unknown> = {}) => {
    const result = validateGatewayConfig({ version: 3, name: 'tls', client_tls, ...extra, endpoints: [] })
    const where = (list: typeof result.errors) => list.map((p) => `${p.location?.path}: ${p.message}`)
    return { errors: where(result.errors), warnings: where(result.warnings), config: result.config }
  }

  test("lura's defaults: TLS 1.3, curves P-521, P-384, P-256, its six ECDHE suites", () => {
    assert.deepEqual(problems({}).config?.clientTls, {
      insecure: false,
      caCerts: [],
      disableSystemCaPool: false,
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
      curves: ['P-521', 'P-384', 'P-256'],
      ciphers: [
        'ECDHE-RSA-AES128-GCM-SHA256',
        'ECDHE-ECDSA-AES128-GCM-SHA256',
        'ECDHE-RSA-AES256-GCM-SHA384',
        'ECDHE-ECDSA-AES256-GCM-SHA384',
        'ECDHE-RSA-CHACHA20-POLY1305',
        'ECDHE-ECDSA-CHACHA20-POLY1305',
      ],
      clientCerts: [],
    })
    assert.equal(problems(undefined).config?.clientTls, undefined)
    assert.equal(problems(undefined, { allow_insecure_connections: true }).config?.clientTls?.insecure, true)
  })

  test("Go's IDs in OpenSSL's names; TLS 1.3 suite IDs are Go's always-on suites", () => {
    const tls = problems({ curve_preferences: [29, 23], cipher_suites: [49199, 4865], min_version: 'TLS12' })
      .config?.clientTls
    assert.deepEqual(tls?.curves, ['X25519', 'P-256'])
    assert.deepEqual(tls?.ciphers, ['ECDHE-RSA-AES128-GCM-SHA256'])
    assert.equal(tls?.minVersion, 'TLSv1.2')
  })

  test('settings that would fail every call, or that Go cannot mean, are refused at their JSON path', () => {
    const { errors } = problems({
      curve_preferences: [23, 99],
      cipher_suites: [5, 1234],
      max_version: 'TLS11',
      client_certs: [{ certificate: 'c.pem' }, 'x'],
    })
    assert.deepEqual(
      errors.map((e) => e.split(': ')[0]),
      [
        'client_tls.max_version',
        'client_tls.curve_preferences[1]',
        'client_tls.cipher_suites[0]',
        'client_tls.cipher_suites[1]',
        'client_tls.client_certs[1]',
      ],
    )
    assert.match(errors[2] as string, /RC4-SHA\) is not available/)
    assert.match(
      problems({ min_version: 'TLS13', max_version: 'TLS12' }).errors[0] as string,
      /^client_tls\.min_version: .*above/,
    )
    assert.match(problems({ curve_preferences: [70000] }).errors[0] as string, /uint16/)
    assert.match(problems('yes').errors[0] as string, /^client_tls: "client_tls" must be an object/)
  })

  test('what Go reads otherwise is said: an unknown version is TLS 1.3, TLS 1.0 is not spoken here', () => {
    const typo = problems({ min_version: 'TLS1.2' })
    assert.equal(typo.config?.clientTls?.minVersion, 'TLSv1.3')
    assert.match(typo.warnings[0] as string, /^client_tls\.min_version: .*reads as TLS 1\.3/)
    const old = problems({ min_version: 'TLS10', max_version: 'TLS12' })
    assert.equal(old.config?.clientTls?.minVersion, 'TLSv1.2')
    assert.match(old.warnings[0] as string, /TLS 1\.0 or 1\.1 fails here/)
    assert.match(
      problems({ ca_cert: [] }).warnings[0] as string,
      /^client_tls\.ca_cert: unknown client_tls key/,
    )
  })
})

describe("Go's certificate checks", () => {
  const names = (dnsNames: string[], ipAddresses: string[] = [], commonName = '', hasSan = true) => ({
    hasSan,
    dnsNames,
    ipAddresses,
    commonName,
  })

  test("crypto/x509's VerifyHostname, with its texts", () => {
    const cases: Array<[ReturnType<typeof names>, string, string | undefined]> = [
      [names(['api.example.com']), 'API.Example.com', undefined],
      [names(['api.example.com']), 'api.example.com.', undefined],
      [names(['*.example.com']), 'api.example.com', undefined],
      [
        names(['*.example.com']),
        'example.com',
        'x509: certificate is valid for *.example.com, not example.com',
      ],
      [
        names(['*.example.com']),
        'a.b.example.com',
        'x509: certificate is valid for *.example.com, not a.b.example.com',
      ],
      // Node takes partial wildcards; Go does not.
      [
        names(['a*.example.com']),
        'api.example.com',
        'x509: certificate is valid for a*.example.com, not api.example.com',
      ],
      [names(['a*.example.com']), 'a*.example.com', undefined],
      // Node falls back to the Common Name; Go does not.
      [
        names([], [], 'api.example.com', false),
        'api.example.com',
        'x509: certificate relies on legacy Common Name field, use SANs instead',
      ],
      [
        names([], [], 'other', false),
        'api.example.com',
        'x509: certificate is not valid for any names, but wanted to match api.example.com',
      ],
      [names([], ['127.0.0.1']), '127.0.0.1', undefined],
      [names([], ['127.0.0.1']), '[::ffff:127.0.0.1]', undefined],
      [
        names([], ['::1', '10.0.0.1']),
        '127.0.0.1',
        'x509: certificate is valid for ::1, 10.0.0.1, not 127.0.0.1',
      ],
      [
        names(['localhost']),
        '127.0.0.1',
        "x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs",
      ],
      [names(['under_score.example']), 'under_score.example', undefined],
    ]
    for (const [cert, host, expected] of cases)
      assert.equal(goVerifyHostname(cert, host), expected, `${JSON.stringify(cert)} for ${host}`)
  })

  test("a certificate's names as Node prints them, IPs as Go prints them", async () => {
    const pair = await ca.issue({
      commonName: 'cn.example',
      altNames: ['DNS:a.example', 'DNS:*.b.example', 'IP:127.0.0.1', 'IP:0:0:0:0:0:0:0:1'],
    })
    const cert = new X509Certificate(pair.cert)
    assert.deepEqual(certificateNames(cert.subjectAltName, cert.subject), {
      hasSan: true,
      dnsNames: ['a.example', '*.b.example'],
      ipAddresses: ['127.0.0.1', '::1'],
      commonName: 'cn.example',
    })
  })

  test('validity comes first, in Go words and RFC 3339 times', () => {
    const cert = new X509Certificate(serverPair.cert)
    const socket = { getPeerCertificate: () => ({ raw: cert.raw }), authorized: true } as unknown as TLSSocket
    assert.equal(goCertificateFailure(socket, '127.0.0.1'), undefined)
    // Even with a host it does not name: Go checks the validity period before the name.
    const later = new Date(cert.validToDate.getTime() + 1000)
    assert.equal(
      goCertificateFailure(socket, 'elsewhere.example', later)?.message,
      `tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time ${later.toISOString().replace(/\.\d+Z$/, 'Z')} is after ${cert.validToDate.toISOString().replace(/\.\d+Z$/, 'Z')}`,
    )
    const untrusted = {
      getPeerCertificate: () => ({ raw: cert.raw }),
      authorized: false,
      authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    }
    assert.equal(
      goCertificateFailure(untrusted as unknown as TLSSocket, 'elsewhere.example')?.message,
      // The name before the chain, as Go checks them.
      'tls: failed to verify certificate: x509: certificate is valid for localhost, not elsewhere.example',
    )
  })
})
