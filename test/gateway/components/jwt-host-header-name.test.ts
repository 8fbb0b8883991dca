import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { rawRequest, sendRaw } from '../helpers.ts'
import { hs256PrivateGateway } from './hs256-private-gateway.ts'

// Go's HTTP/1 server moves Host into Request.Host and drops Transfer-Encoding from Request.Header,
// so krakend-jose's header extractor never finds a token there with auth_header_name "Host": a
// token written as the Host is no token (401), and the cookie is read instead.

const alice = hs256PrivateGateway({ auth_header_name: 'Host', cookie_key: 'tk' })
const { gateway } = alice

describe('auth/validator with auth_header_name "Host"', () => {
  test('a token written as the Host is not read; the cookie is', async () => {
    const status = async (...lines: string[]) =>
      (await sendRaw(gateway.url, rawRequest(['GET /private HTTP/1.1', ...lines]))).status
    assert.equal(await status(`Host: ${alice.token}`), 401)
    assert.equal(await status('Host: gw.example', `Cookie: tk=${alice.token}`), 200)
  })
})
