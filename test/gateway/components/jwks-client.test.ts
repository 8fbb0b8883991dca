// The JWKS download as krakend-jose makes it (Go's http.Client): KrakenD's User-Agent, gzip asked
// for and undone, redirects followed, and with disable_jwk_security a certificate nobody signed is
// accepted, as KrakenD's InsecureSkipVerify does.
import assert from 'node:assert/strict'
import type { IncomingHttpHeaders } from 'node:http'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { selfSignedCertificate } from '../../helpers/tls-certificate.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

let jwks: Server
let backend: TestBackend
let gw: Running
const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = []
const rsa = await generateKeyPair('RS256')

before(async () => {
  const set = JSON.stringify({ keys: [{ ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256' }] })
  jwks = createServer(await selfSignedCertificate('jwks'), (req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers })
    if (req.url === '/moved') return res.writeHead(302, { location: '/jwks.json' }).end()
    const gzip = req.headers['accept-encoding'] === 'gzip'
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    })
    res.end(gzip ? gzipSync(set) : set)
  })
  jwks.listen(0, '127.0.0.1')
  await new Promise((resolve) => jwks.once('listening', resolve))
  const url = `https://127.0.0.1:${(jwks.address() as AddressInfo).port}/moved`
  backend = await startBackend('api')
  const endpoint = (path: string, insecure: boolean) => ({
    endpoint: path,
    extra_config: { 'auth/validator': { alg: 'RS256', jwk_url: url, disable_jwk_security: insecure } },
    backend: [{ host: [backend.origin], url_pattern: '/echo' }],
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      name: 'jwks',
      endpoints: [endpoint('/insecure', true), endpoint('/verified', false)],
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
  jwks?.close()
})

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
  })
})
