// A slow JWKS server: go-auth0 downloads the set with an http.Client that has no timeout, so
// KrakenD waits for the answer and the token passes once it comes (a set answered after 6 s gave
// 200 on KrakenD CE 2.13.8, scripts/krakend-diff/jwttime.ts). This runtime gave up after 5 s (401).
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { SYM_JWK, statusWithSymToken } from './jwks-answer-server.ts'

let jwks: Server
const gateway = gatewayWith(
  (backend) => ({
    version: 3,
    name: 'jwks-slow-answer',
    endpoints: [
      {
        endpoint: '/guarded',
        extra_config: {
          'auth/validator': {
            alg: 'HS256',
            jwk_url: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`,
            disable_jwk_security: true,
            cache: true,
          },
        },
        backend: [{ host: [backend.origin], url_pattern: '/echo' }],
      },
    ],
  }),
  {
    setUp: async () => {
      jwks = createServer((_req, res) => {
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [SYM_JWK] }))
        }, 5_600)
      })
      jwks.listen(0, '127.0.0.1')
      await new Promise((resolve) => jwks.once('listening', resolve))
    },
    tearDown: async () => {
      jwks?.closeAllConnections()
      jwks?.close()
    },
  },
)

describe('auth/validator with a slow JWKS server', () => {
  test('the set answered after more than 5 s is waited for, as Go waits', async () => {
    assert.equal(await statusWithSymToken(gateway.url, '/guarded'), 200)
  })
})
