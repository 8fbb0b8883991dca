import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { SignJWT } from 'jose'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'

// With both jwk_local_path and jwk_url, krakend-jose looks a kid up in the file; for a kid the file
// lacks, go-auth0 downloads jwk_url's set and then dereferences the nil key the file cache hands
// back: KrakenD panics and gin's Recovery answers 500. A failed download is an error (401).
const SECRET = new TextEncoder().encode('a-symmetric-secret-of-32-bytes!!')
const key = (kid: string) => ({ kty: 'oct', kid, k: Buffer.from(SECRET).toString('base64url') })
let dir: string
let jwks: Server
let file: string
let origin: string
const gateway = gatewayWith(
  (backend) => {
    const endpoint = (path: string, url: string) => ({
      endpoint: path,
      extra_config: {
        'auth/validator': { alg: 'HS256', jwk_local_path: file, jwk_url: url, disable_jwk_security: true },
      },
      backend: [{ host: [backend.origin], url_pattern: '/echo' }],
    })
    return {
      version: 3,
      endpoints: [endpoint('/set', `${origin}/set`), endpoint('/missing', `${origin}/missing`)],
    }
  },
  {
    setUp: async () => {
      dir = await mkdtemp(join(tmpdir(), 'gw-local-url-'))
      file = join(dir, 'jwks.json')
      await writeFile(file, JSON.stringify({ keys: [key('local')] }))
      jwks = createServer((req, res) => {
        if (req.url === '/set') res.writeHead(200, { 'content-type': 'application/json' })
        else res.writeHead(404, { 'content-type': 'text/plain' })
        res.end(JSON.stringify({ keys: [key('remote')] }))
      })
      await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve))
      origin = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}`
    },
    tearDown: async () => {
      await new Promise((resolve) => jwks?.close(resolve))
      if (dir) await rm(dir, { recursive: true, force: true })
    },
  },
)

const status = async (path: string, kid: string) => {
  const token = await new SignJWT({ sub: 'a' })
    .setProtectedHeader({ alg: 'HS256', kid })
    .setExpirationTime('5m')
    .sign(SECRET)
  return (await send(gateway.url, { path, headers: { authorization: `Bearer ${token}` } })).status
}

describe('auth/validator with jwk_local_path and jwk_url', () => {
  test("the file's kid verifies; the URL's set is never used", async () => {
    assert.equal(await status('/set', 'local'), 200)
    assert.equal(await status('/set', 'remote'), 500)
  })

  test('a kid the file lacks: 500 once jwk_url answers a set, 401 when that download fails', async () => {
    assert.equal(await status('/set', 'other'), 500)
    assert.equal(await status('/missing', 'other'), 401)
    assert.equal(await status('/missing', 'local'), 200)
  })
})
