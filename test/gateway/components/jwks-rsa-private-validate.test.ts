import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { describe, test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'
import { jwksAnswerServer, SYM_JWK, statusWithSymToken } from './jwks-answer-server.ts'

// go-jose reads an RSA JWK with "d" through crypto/rsa's PrivateKey.Validate (Go 1.25: d below n
// and longer than half of it, p·q = n, e·dp ≡ 1 mod p-1 and e·dq ≡ 1 mod q-1, qi·q ≡ 1 mod p, e odd):
// a key it refuses fails the whole set, so KrakenD verifies none of the set's tokens (401) and its
// signer answers 401. dp, dq and qi are computed from d when one is missing, as Go does.
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
const jwks = jwksAnswerServer((path) => {
  const key = SETS[decodeURIComponent(path.slice(1))]
  return JSON.stringify({ keys: [{ ...key, kid: 'r1' }, SYM_JWK] })
})
const gateway = gatewayWith(
  (backend) => ({
    version: 3,
    endpoints: [
      ...Object.keys(SETS).map((name) => ({
        endpoint: `/v/${name}`,
        extra_config: {
          'auth/validator': { alg: 'HS256', jwk_url: `${jwks.origin}/${name}`, disable_jwk_security: true },
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
            jwk_url: `${jwks.origin}/${name}`,
            disable_jwk_security: true,
          },
        },
        backend: [{ host: [backend.origin], url_pattern: '/session' }],
      })),
    ],
  }),
  {
    backends: { idp: { '/session': { body: { token: { sub: 'alice' } } } } },
    setUp: jwks.setUp,
    tearDown: jwks.tearDown,
  },
)

const status = (name: string) => statusWithSymToken(gateway.url, `/v/${name}`)

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
