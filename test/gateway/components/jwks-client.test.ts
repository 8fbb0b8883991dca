// The JWKS download as krakend-jose makes it (Go's http.Client): KrakenD's User-Agent, gzip asked
// for and undone, redirects followed, and with disable_jwk_security a certificate nobody signed is
// accepted, as KrakenD's InsecureSkipVerify does.
import assert from 'node:assert/strict'
import { createHash, X509Certificate } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { IncomingHttpHeaders } from 'node:http'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { type Authority, certificateAuthority } from '../../helpers/tls-authority.ts'
import { selfSignedCertificate } from '../../helpers/tls-certificate.ts'
import { gatewayWith } from '../gateway-fixture.ts'
import { mustConfig, send, startGateway } from '../helpers.ts'

let jwks: Server
let origin = ''
const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = []
const rsa = await generateKeyPair('RS256')

const gw = gatewayWith(
  (backend) => {
    const endpoint = (path: string, insecure: boolean, jwkPath = '/moved') => ({
      endpoint: path,
      extra_config: {
        'auth/validator': { alg: 'RS256', jwk_url: origin + jwkPath, disable_jwk_security: insecure },
      },
      backend: [{ host: [backend.origin], url_pattern: '/echo' }],
    })
    return {
      version: 3,
      name: 'jwks',
      endpoints: [
        endpoint('/insecure', true),
        endpoint('/verified', false),
        endpoint('/backslash', true, '/backslash'),
        endpoint('/loop', true, '/loop'),
      ],
    }
  },
  {
    setUp: async () => {
      const set = JSON.stringify({ keys: [{ ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256' }] })
      jwks = createServer(await selfSignedCertificate('jwks'), (req, res) => {
        seen.push({ url: req.url ?? '', headers: req.headers })
        if (req.url === '/moved') return res.writeHead(302, { location: '/jwks.json' }).end()
        if (req.url === '/backslash')
          return res.writeHead(302, { location: '\\\\evil.example/jwks.json' }).end()
        if (req.url === '/loop') return res.writeHead(302, { location: '/loop' }).end()
        const gzip = req.headers['accept-encoding'] === 'gzip'
        res.writeHead(200, {
          'content-type': 'application/json',
          ...(gzip ? { 'content-encoding': 'gzip' } : {}),
        })
        res.end(gzip ? gzipSync(set) : set)
      })
      jwks.listen(0, '127.0.0.1')
      await new Promise((resolve) => jwks.once('listening', resolve))
      origin = `https://127.0.0.1:${(jwks.address() as AddressInfo).port}`
    },
    tearDown: async () => {
      jwks?.close()
    },
  },
)

const token = () =>
  new SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(rsa.privateKey)
const call = async (path: string) =>
  (await send(gw.url, { path, headers: { Authorization: `Bearer ${await token()}` } })).status

describe('auth/validator JWKS download', () => {
  test('with disable_jwk_security an unverifiable certificate is accepted; without, every token is refused', async () => {
    assert.equal(await call('/insecure'), 200)
    const before = seen.length
    assert.equal(await call('/verified'), 401)
    assert.equal(seen.length, before, 'the TLS handshake failed: no request reached the JWKS server')
  })

  test("Go's request: KrakenD's User-Agent, gzip, a redirect followed, no browser headers", () => {
    const [moved, set] = seen
    assert.equal(moved?.url, '/moved')
    assert.equal(set?.url, '/jwks.json')
    for (const request of [moved, set]) {
      assert.equal(request?.headers['user-agent'], 'KrakenD Version 2.13.8')
      assert.equal(request?.headers['accept-encoding'], 'gzip')
      assert.equal(request?.headers['sec-fetch-mode'], undefined)
      assert.equal(request?.headers['accept-language'], undefined)
    }
    assert.equal(moved?.headers.referer, undefined)
    assert.equal(set?.headers.referer, `${origin}/moved`)
  })

  test('a Location with backslashes is a path on the same host (url.Parse), not evil.example', async () => {
    const before = seen.length
    assert.equal(await call('/backslash'), 200)
    assert.deepEqual(
      new Set(seen.slice(before).map((request) => request.url)),
      new Set(['/backslash', '/%5C%5Cevil.example/jwks.json']),
    )
  })

  test('Go stops after 10 requests: no keys, every token refused', async () => {
    const before = seen.length
    assert.equal(await call('/loop'), 401)
    const loops = seen.length - before
    assert.ok(loops > 0 && loops % 10 === 0, `${loops} requests`)
  })
})

describe("krakend-jose's TLS trust: jwk_local_ca, jwk_fingerprints, cipher_suites", () => {
  let ca: Authority
  let server: Server
  let url = ''
  let dir = ''
  let pin = ''
  const caFile = () => join(dir, 'ca.pem')
  /** The padded base64url SHA-256 of a certificate's SubjectPublicKeyInfo, as KrakenD's docs compute it. */
  const fingerprint = (cert: string) =>
    createHash('sha256')
      .update(new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64')
      .replaceAll('+', '-')
      .replaceAll('/', '_')

  before(async () => {
    ca = await certificateAuthority()
    const pair = await ca.issue({ commonName: 'jwks', altNames: ['IP:127.0.0.1'] })
    pin = fingerprint(pair.cert)
    const set = JSON.stringify({ keys: [{ ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256' }] })
    server = createServer(pair, (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(set),
    )
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`
    dir = mkdtempSync(join(tmpdir(), 'jwks-ca-'))
    writeFileSync(caFile(), ca.cert)
  })
  after(() => {
    server?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  /** A config whose /v is validated with `validator` (plus alg and jwk_url). */
  const configWith = (validator: Record<string, unknown>) => ({
    version: 3,
    name: 'jwks-tls',
    endpoints: [
      {
        endpoint: '/v',
        extra_config: { 'auth/validator': { alg: 'RS256', jwk_url: url, ...validator } },
        backend: [{ host: [gw.backend.origin], url_pattern: '/echo' }],
      },
    ],
  })

  /** The status of a token-bearing request to /v. */
  const statusWith = async (validator: Record<string, unknown>) => {
    const gateway = await startGateway(mustConfig(configWith(validator)))
    try {
      return (await send(gateway.url, { path: '/v', headers: { Authorization: `Bearer ${await token()}` } }))
        .status
    } finally {
      await gateway.close()
    }
  }

  test('jwk_local_ca trusts a private CA for the download; without it the key set cannot be fetched', async () => {
    assert.equal(await statusWith({}), 401)
    assert.equal(await statusWith({ jwk_local_ca: caFile() }), 200)
  })

  test("jwk_fingerprints pins the server's public key, with or without disable_jwk_security", async () => {
    const other = fingerprint((await ca.issue({ commonName: 'other', altNames: ['IP:127.0.0.1'] })).cert)
    assert.equal(await statusWith({ jwk_local_ca: caFile(), jwk_fingerprints: [other, pin] }), 200)
    assert.equal(await statusWith({ jwk_local_ca: caFile(), jwk_fingerprints: [other] }), 401)
    assert.equal(await statusWith({ disable_jwk_security: true, jwk_fingerprints: [pin] }), 200)
    assert.equal(await statusWith({ disable_jwk_security: true, jwk_fingerprints: [other] }), 401)
  })

  test('cipher_suites: the download keeps to the listed TLS 1.2 suites (TLS 1.3 is always on, as in Go)', async () => {
    assert.equal(await statusWith({ jwk_local_ca: caFile(), cipher_suites: [49195] }), 200)
  })

  test('what KrakenD would not start with, or what would never match, is refused at its JSON path', async () => {
    const problems = (validator: Record<string, unknown>) =>
      validateGatewayConfig(configWith(validator)).errors.map((e) => `${e.location?.path}: ${e.message}`)
    const [unpadded] = problems({ jwk_fingerprints: [pin.replace(/=+$/, '')] })
    assert.match(
      unpadded ?? '',
      /auth\/validator\.jwk_fingerprints\[0\]: fingerprint #0 is not padded base64url/,
    )
    const [short] = problems({ jwk_fingerprints: ['AAAA'] })
    assert.match(short ?? '', /decodes to 3 bytes, not a SHA-256/)
    const [rc4] = problems({ cipher_suites: [5] })
    assert.match(rc4 ?? '', /cipher_suites\[0\]: cipher suite 5 \(RC4-SHA\) is not available/)
    await assert.rejects(
      startGateway(mustConfig(configWith({ jwk_local_ca: join(dir, 'none.pem') }))),
      /auth\/validator\.jwk_local_ca: cannot read the CA certificate/,
    )
  })
})
