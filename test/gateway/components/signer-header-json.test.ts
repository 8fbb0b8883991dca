import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'

// go-jose writes the protected header with Go's JSON encoder: keys sorted, and <, > and & escaped
// as \u003c, \u003e and \u0026. A kid or typ holding them gives a header, so a token, that only
// that encoding reproduces.
const SECRET = Buffer.from('signer-secret-with-at-least-32-bytes')
let dir: string
let jwks: string
const gateway = gatewayWith(
  (backend) => ({
    version: 3,
    endpoints: [
      {
        endpoint: '/token',
        extra_config: {
          'auth/signer': {
            alg: 'HS256',
            kid: '<a>&',
            typ: 'a>b',
            keys_to_sign: ['token'],
            jwk_local_path: jwks,
            disable_jwk_security: true,
          },
        },
        backend: [{ host: [backend.origin], url_pattern: '/session' }],
      },
    ],
  }),
  {
    backends: { idp: { '/session': { body: { token: { sub: 'alice' } } } } },
    setUp: async () => {
      dir = await mkdtemp(join(tmpdir(), 'gw-signer-header-'))
      jwks = join(dir, 'keys.json')
      await writeFile(
        jwks,
        JSON.stringify({ keys: [{ kty: 'oct', kid: '<a>&', k: SECRET.toString('base64url') }] }),
      )
    },
    tearDown: async () => {
      if (dir) await rm(dir, { recursive: true, force: true })
    },
  },
)

describe('auth/signer: the protected header as Go encodes it', () => {
  test('<, > and & in kid and typ are escaped, and the token is signed over that header', async () => {
    const res = await send(gateway.url, { path: '/token' })
    assert.equal(res.status, 200)
    const token = (JSON.parse(res.text) as { token: string }).token
    const [header, payload, signature] = token.split('.') as [string, string, string]
    assert.equal(
      Buffer.from(header, 'base64url').toString(),
      '{"alg":"HS256","kid":"\\u003ca\\u003e\\u0026","typ":"a\\u003eb"}',
    )
    assert.equal(signature, createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url'))
  })
})
