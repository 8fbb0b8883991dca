// auth/validator with `cache`: krakend-jose's SecretProvider looks up the kid "unknown" in the
// background when the first validator of a jwk_url is built (`go client.GetKey("unknown")`), so the
// set is downloaded and its keys cached at startup. A key the set drops after the start still
// verifies tokens for the cache's time, as in KrakenD (checked side by side with KrakenD CE 2.13.8,
// scripts/krakend-diff/jwttime.ts), and under failed_jwk_key_cooldown the kid "unknown" is a failed
// kid from the start when the set lacks it.
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { SignJWT } from 'jose'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'
import { SYM_JWK, SYM_SECRET } from './jwks-answer-server.ts'

const token = (kid: string) =>
  new SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'HS256', kid }).setExpirationTime('5m').sign(SYM_SECRET)

/** The keys each path serves, and the downloads each path had. */
const sets: Record<string, unknown[]> = {
  '/cached': [SYM_JWK],
  '/cooldown': [SYM_JWK],
  '/uncached': [SYM_JWK],
}
const downloads: Record<string, number> = {}
let jwks: Server
const url = (path: string) => `http://127.0.0.1:${(jwks.address() as AddressInfo).port}${path}`

const gateway = gatewayWith(
  (backend) => {
    const endpoint = (path: string, validator: Record<string, unknown>) => ({
      endpoint: path,
      extra_config: {
        'auth/validator': { alg: 'HS256', jwk_url: url(path), disable_jwk_security: true, ...validator },
      },
      backend: [{ host: [backend.origin], url_pattern: '/echo' }],
    })
    return {
      version: 3,
      name: 'jwks-start-download',
      endpoints: [
        endpoint('/cached', { cache: true }),
        endpoint('/cooldown', { cache: true, failed_jwk_key_cooldown: '1h' }),
        endpoint('/uncached', {}),
      ],
    }
  },
  {
    setUp: async () => {
      jwks = createServer((req, res) => {
        const path = req.url ?? ''
        downloads[path] = (downloads[path] ?? 0) + 1
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: sets[path] }))
      })
      jwks.listen(0, '127.0.0.1')
      await new Promise((resolve) => jwks.once('listening', resolve))
    },
    tearDown: async () => {
      jwks?.close()
    },
  },
)

const call = async (path: string, kid: string) =>
  (await send(gateway.url, { path, headers: { authorization: `Bearer ${await token(kid)}` } })).status

/** Waits (bounded) until the start-up downloads of the cached sets have been answered. */
async function startDownloads(): Promise<void> {
  for (let i = 0; i < 200 && !(downloads['/cached'] && downloads['/cooldown']); i += 1) await sleep(10)
  // The answer is read after the server counted it.
  await sleep(50)
}

describe('auth/validator cache: the set downloaded at startup', () => {
  test('a key dropped after the start verifies from the cache; without cache it does not', async () => {
    await startDownloads()
    assert.equal(downloads['/cached'], 1, 'downloaded once at startup')
    assert.equal(downloads['/uncached'], undefined, 'without cache nothing is downloaded before a token')
    sets['/cached'] = [{ ...SYM_JWK, kid: 'other' }]
    sets['/uncached'] = [{ ...SYM_JWK, kid: 'other' }]
    assert.equal(await call('/cached', 'sym'), 200)
    assert.equal(downloads['/cached'], 1, 'served from the keys cached at startup')
    assert.equal(await call('/uncached', 'sym'), 401)
  })

  test('under failed_jwk_key_cooldown, the kid "unknown" the start looked up is refused', async () => {
    await startDownloads()
    sets['/cooldown'] = [SYM_JWK, { ...SYM_JWK, kid: 'unknown' }]
    const before = downloads['/cooldown']
    assert.equal(await call('/cooldown', 'unknown'), 401)
    assert.equal(downloads['/cooldown'], before, 'refused without a download')
    assert.equal(await call('/cooldown', 'sym'), 200)
  })
})
