import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { SignJWT } from 'jose'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'

// go-jose's ParseSigned decodes the signature part with the header and payload, before krakend-jose
// looks a key up: a token whose signature is not base64url is refused without a JWKS download
// (KrakenD CE 2.13.8 made none for "Bearer <token>, x"; this runtime downloaded the set first).
const SECRET = new TextEncoder().encode('a-symmetric-secret-of-32-bytes!!')
let jwks: Server
let origin: string
let downloads = 0
const gateway = gatewayWith(
  (backend) => ({
    version: 3,
    endpoints: [
      {
        endpoint: '/v',
        extra_config: {
          'auth/validator': { alg: 'HS256', jwk_url: `${origin}/jwks`, disable_jwk_security: true },
        },
        backend: [{ host: [backend.origin], url_pattern: '/echo' }],
      },
    ],
  }),
  {
    setUp: async () => {
      jwks = createServer((_req, res) => {
        downloads++
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(
          JSON.stringify({ keys: [{ kty: 'oct', kid: 'k1', k: Buffer.from(SECRET).toString('base64url') }] }),
        )
      })
      await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve))
      origin = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}`
    },
    tearDown: async () => {
      await new Promise((resolve) => jwks?.close(resolve))
    },
  },
)

test('a signature that is not base64url is refused before any JWKS download', async () => {
  const token = await new SignJWT({ sub: 'a' })
    .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
    .setExpirationTime('5m')
    .sign(SECRET)
  const call = async (authorization: string) =>
    (await send(gateway.url, { path: '/v', headers: { authorization } })).status
  assert.equal(await call(`Bearer ${token}`), 200)
  const before = downloads
  assert.ok(before > 0)
  for (const bad of [`${token}, x`, `${token}!`, `${token.slice(0, -1)}+`, `${token}AA`])
    assert.equal(await call(`Bearer ${bad}`), 401, bad)
  assert.equal(downloads, before)
  // The same tokens with a signature that decodes but does not verify are looked up (and refused).
  assert.equal(await call(`Bearer ${token.slice(0, -2)}AA`), 401)
  assert.ok(downloads > before)
})
