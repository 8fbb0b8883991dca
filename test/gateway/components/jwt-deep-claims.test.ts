import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

// go-jose's JSON decoder has no nesting limit: a well-signed token whose claims hold a value nested
// thousands deep is accepted by KrakenD (the request head stays under Go's 1 MB); ours overflowed
// the stack while checking the claims' numbers and answered 401.
const SECRET = Buffer.from('a-symmetric-secret-of-32-bytes!!')
let dir: string
let backend: TestBackend
let gateway: Running

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-deep-'))
  const jwks = join(dir, 'jwks.json')
  await writeFile(
    jwks,
    JSON.stringify({ keys: [{ kty: 'oct', kid: 'sym', k: SECRET.toString('base64url') }] }),
  )
  backend = await startBackend('api')
  gateway = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/private',
          extra_config: {
            'auth/validator': { alg: 'HS256', jwk_local_path: jwks, disable_jwk_security: true },
          },
          backend: [{ host: [backend.origin], url_pattern: '/echo' }],
        },
      ],
    }),
  )
})

after(async () => {
  await gateway?.close()
  await backend?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

async function status(claims: string): Promise<number> {
  const h = Buffer.from('{"alg":"HS256","kid":"sym"}').toString('base64url')
  const p = Buffer.from(claims).toString('base64url')
  const token = `${h}.${p}.${createHmac('sha256', SECRET).update(`${h}.${p}`).digest('base64url')}`
  return (await send(gateway.url, { path: '/private', headers: { authorization: `Bearer ${token}` } })).status
}

describe('auth/validator: claims nested thousands deep', () => {
  test('are accepted; a number out of float64 range deep inside is still refused', async () => {
    const exp = Math.floor(Date.now() / 1000) + 300
    const depth = 20_000
    assert.equal(await status(`{"exp":${exp},"deep":${'['.repeat(depth)}1${']'.repeat(depth)}}`), 200)
    assert.equal(await status(`{"exp":${exp},"deep":${'['.repeat(depth)}1e400${']'.repeat(depth)}}`), 401)
  })
})
