import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, test } from 'node:test'
import { SignJWT } from 'jose'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'

// go-jose reads an RSA JWK with "d" through crypto/rsa's PrivateKey.Validate (Go 1.25: d below n
// and longer than half of it, p·q = n, e·dp ≡ 1 mod p-1 and e·dq ≡ 1 mod q-1, qi·q ≡ 1 mod p, e odd):
// a key it refuses fails the whole set, so KrakenD verifies none of the set's tokens (401) and its
// signer answers 401. dp, dq and qi are computed from d when one is missing, as Go does.
const SECRET = new TextEncoder().encode('a-symmetric-secret-of-32-bytes!!')
const full = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' })
const without = (names: string[]) =>
  Object.fromEntries(Object.entries(full).filter(([name]) => !names.includes(name)))
const REFUSED: Record<string, object> = {
  'd-too-small': { ...full, d: 'AQAB' },
  'd-too-small-no-dp': { ...without(['dp']), d: 'AQAB' },
  'p-q-swapped-with-crt': { ...full, p: full.q, q: full.p },
  'dp-wrong': { ...full, dp: 'AQAB' },
  'qi-wrong': { ...full, qi: 'AQAB' },
  'e-even': { ...full, e: 'AQAA' },
}
const TAKEN: Record<string, object> = {
  whole: full,
  'p-q-swapped-no-crt': Object.fromEntries(
    Object.entries({ ...full, p: full.q, q: full.p }).filter(([name]) => !['dp', 'dq', 'qi'].includes(name)),
  ),
  'no-qi': without(['qi']),
}
const SETS = { ...REFUSED, ...TAKEN }
let jwks: Server
let jwksOrigin: string
const gateway = gatewayWith(
  (backend) => ({
    version: 3,
    endpoints: [
      ...Object.keys(SETS).map((name) => ({
        endpoint: `/v/${name}`,
        extra_config: {
          'auth/validator': { alg: 'HS256', jwk_url: `${jwksOrigin}/${name}`, disable_jwk_security: true },
        },
        backend: [{ host: [backend.origin], url_pattern: '/echo' }],
      })),
      ...['whole', 'd-too-small'].map((name) => ({
        endpoint: `/s/${name}`,
        extra_config: {
          'auth/signer': {
            alg: 'RS256',
            kid: 'r1',
            keys_to_sign: ['token'],
            jwk_url: `${jwksOrigin}/${name}`,
            disable_jwk_security: true,
          },
        },
        backend: [{ host: [backend.origin], url_pattern: '/session' }],
      })),
    ],
  }),
  {
    backends: { idp: { '/session': { body: { token: { sub: 'alice' } } } } },
    setUp: async () => {
      jwks = createServer((req, res) => {
        const key = SETS[decodeURIComponent(req.url?.slice(1) ?? '')]
        const keys = [
          { ...key, kid: 'r1' },
          { kty: 'oct', kid: 'sym', k: Buffer.from(SECRET).toString('base64url') },
        ]
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }))
      })
      await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve))
      jwksOrigin = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}`
    },
    tearDown: async () => {
      await new Promise((resolve) => jwks?.close(resolve))
    },
  },
)

const status = async (name: string) => {
  const token = await new SignJWT({ sub: 'a' })
    .setProtectedHeader({ alg: 'HS256', kid: 'sym' })
    .setExpirationTime('5m')
    .sign(SECRET)
  return (await send(gateway.url, { path: `/v/${name}`, headers: { authorization: `Bearer ${token}` } }))
    .status
}

describe('auth/validator and auth/signer: an RSA private JWK is read as Go validates it', () => {
  test('a set holding an RSA private key crypto/rsa refuses verifies no token', async () => {
    for (const name of Object.keys(REFUSED)) assert.equal(await status(name), 401, name)
  })

  test('a private key Go takes (CRT values missing or computed again) leaves the set usable', async () => {
    for (const name of Object.keys(TAKEN)) assert.equal(await status(name), 200, name)
  })

  test('the signer answers 401 with a key Go refuses, and signs with one it takes', async () => {
    assert.equal((await send(gateway.url, { path: '/s/d-too-small' })).status, 401)
    assert.equal((await send(gateway.url, { path: '/s/whole' })).status, 200)
  })
})
