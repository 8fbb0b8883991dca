// auth/validator's failed_jwk_key_cooldown as krakend-jose's miss tracker (jwk_client.go, GetKey):
// a kid whose lookup failed is refused for the cooldown before the key cache is even looked at (and
// without "cache", before the set is downloaded again), so a key the JWKS publishes meanwhile is not
// trusted until the cooldown ends.
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { type CryptoKey, exportJWK, generateKeyPair, SignJWT } from 'jose'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'

const first = await generateKeyPair('RS256', { extractable: true })
const second = await generateKeyPair('RS256', { extractable: true })
const token = (key: CryptoKey, kid: string) =>
  new SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'RS256', kid }).setExpirationTime('5m').sign(key)

let keys: unknown[] = []
let downloads = 0
let jwks: Server
const gateway = gatewayWith(
  (backend) => {
    const validator = {
      alg: 'RS256',
      jwk_url: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`,
      disable_jwk_security: true,
      failed_jwk_key_cooldown: '1s',
    }
    return {
      version: 3,
      name: 'jwks-cooldown',
      endpoints: [
        {
          endpoint: '/guarded',
          extra_config: { 'auth/validator': validator },
          backend: [{ host: [backend.origin], url_pattern: '/echo' }],
        },
      ],
    }
  },
  {
    setUp: async () => {
      keys = [{ ...(await exportJWK(first.publicKey)), kid: 'k1' }]
      jwks = createServer((_req, res) => {
        downloads += 1
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }))
      })
      jwks.listen(0, '127.0.0.1')
      await new Promise((resolve) => jwks.once('listening', resolve))
    },
    tearDown: async () => {
      jwks?.close()
    },
  },
)

const call = async (bearer: string) =>
  (await send(gateway.url, { path: '/guarded', headers: { authorization: `Bearer ${bearer}` } })).status

describe('auth/validator failed_jwk_key_cooldown', () => {
  test('a kid that failed is refused for the cooldown, without a download, even once the JWKS has it', async () => {
    assert.equal(await call(await token(first.privateKey, 'k1')), 200)
    assert.equal(await call(await token(second.privateKey, 'k2')), 401, 'k2 is not published yet')
    keys = [...keys, { ...(await exportJWK(second.publicKey)), kid: 'k2' }]
    const before = downloads
    assert.equal(await call(await token(second.privateKey, 'k2')), 401, 'still in its cooldown')
    assert.equal(downloads, before, 'refused before any download')
    assert.equal(await call(await token(first.privateKey, 'k1')), 200, 'other kids are not held back')
    // Without "cache" krakend-jose downloads the set for each of its two lookups of a valid token.
    assert.equal(downloads, before + 2)
    await sleep(1_100)
    assert.equal(
      await call(await token(second.privateKey, 'k2')),
      200,
      'after the cooldown it is looked up again',
    )
    assert.equal(downloads, before + 4)
  })
})
