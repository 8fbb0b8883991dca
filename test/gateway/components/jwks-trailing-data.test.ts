import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, test } from 'node:test'
import { SignJWT } from 'jose'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'

// go-auth0 reads a downloaded JWKS with json.Decoder, which stops after the first JSON value: text
// after the set's object is never read, so KrakenD verifies with that set. A local file is read
// with json.Unmarshal, where trailing text is an error (KrakenD does not start).
const SECRET = new TextEncoder().encode('a-symmetric-secret-of-32-bytes!!')
const SET = JSON.stringify({
  keys: [{ kty: 'oct', kid: 'sym', k: Buffer.from(SECRET).toString('base64url') }],
})
const ANSWERS: Record<string, string> = {
  '/trailing-text': `${SET} trailing`,
  '/second-object': `${SET}{"keys":[]}`,
  '/leading-space': ` \n${SET}\n]`,
  '/text-first': `x${SET}`,
}
let jwks: Server
let jwksOrigin: string
const gateway = gatewayWith(
  (backend) => ({
    version: 3,
    endpoints: Object.keys(ANSWERS).map((path) => ({
      endpoint: path,
      extra_config: {
        'auth/validator': { alg: 'HS256', jwk_url: `${jwksOrigin}${path}`, disable_jwk_security: true },
      },
      backend: [{ host: [backend.origin], url_pattern: '/echo' }],
    })),
  }),
  {
    setUp: async () => {
      jwks = createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(ANSWERS[req.url ?? ''] ?? '')
      })
      await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve))
      jwksOrigin = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}`
    },
    tearDown: async () => {
      await new Promise((resolve) => jwks?.close(resolve))
    },
  },
)

const status = async (path: string) => {
  const token = await new SignJWT({ sub: 'a' })
    .setProtectedHeader({ alg: 'HS256', kid: 'sym' })
    .setExpirationTime('5m')
    .sign(SECRET)
  return (await send(gateway.url, { path, headers: { authorization: `Bearer ${token}` } })).status
}

describe('auth/validator: a downloaded JWKS is its first JSON value', () => {
  test('text or a second object after the set is ignored', async () => {
    assert.equal(await status('/trailing-text'), 200)
    assert.equal(await status('/second-object'), 200)
    assert.equal(await status('/leading-space'), 200)
  })

  test('text before the set is still no set', async () => {
    assert.equal(await status('/text-first'), 401)
  })
})
