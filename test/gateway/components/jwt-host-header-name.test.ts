import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { rawRequest, sendRaw } from '../helpers.ts'
import { type Hs256Issuer, hs256Issuer } from './hs256-issuer.ts'

// Go's HTTP/1 server moves Host into Request.Host and drops Transfer-Encoding from Request.Header,
// so krakend-jose's header extractor never finds a token there with auth_header_name "Host": a
// token written as the Host is no token (401), and the cookie is read instead.
let issuer: Hs256Issuer
let token: string

const gateway = gatewayWith(
  (backend) => ({
    version: 3,
    endpoints: [
      {
        endpoint: '/private',
        extra_config: {
          'auth/validator': issuer.validator({ auth_header_name: 'Host', cookie_key: 'tk' }),
        },
        backend: [{ host: [backend.origin], url_pattern: '/echo' }],
      },
    ],
  }),
  {
    setUp: async () => {
      issuer = await hs256Issuer()
      token = await issuer.token({ sub: 'alice' })
    },
    tearDown: async () => {
      await issuer?.remove()
    },
  },
)

describe('auth/validator with auth_header_name "Host"', () => {
  test('a token written as the Host is not read; the cookie is', async () => {
    const status = async (...lines: string[]) =>
      (await sendRaw(gateway.url, rawRequest(['GET /private HTTP/1.1', ...lines]))).status
    assert.equal(await status(`Host: ${token}`), 401)
    assert.equal(await status('Host: gw.example', `Cookie: tk=${token}`), 200)
  })
})
