import assert from 'node:assert/strict'
import { createHmac, generateKeyPairSync, sign } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

// go-jose reads a JWK's byte members (k, n, e, x, y...) with strings.TrimRight(v, "=") and Go's
// RawURLEncoding, which skips "\r" and "\n": a key written with any number of "=" or split over
// lines is the same key to KrakenD, and tokens it signed verify.
const SECRET = Buffer.from('a-symmetric-secret-of-32-bytes!!')
const ed = generateKeyPairSync('ed25519')
let dir: string
let backend: TestBackend
let gateway: Running

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-jwk-b64-'))
  const k = SECRET.toString('base64url')
  const x = ed.publicKey.export({ format: 'jwk' }).x as string
  const hs = join(dir, 'hs.json')
  const okp = join(dir, 'okp.json')
  await writeFile(
    hs,
    JSON.stringify({
      keys: [
        { kty: 'oct', kid: 'padded', k: `${k}=====` },
        { kty: 'oct', kid: 'lines', k: `${k.slice(0, 10)}\r\n${k.slice(10, 20)}\n${k.slice(20)}` },
      ],
    }),
  )
  await writeFile(
    okp,
    JSON.stringify({
      keys: [{ kty: 'OKP', crv: 'Ed25519', kid: 'ed', x: `${x.slice(0, 8)}\n${x.slice(8)}=` }],
    }),
  )
  backend = await startBackend('api')
  const endpoint = (path: string, alg: string, file: string) => ({
    endpoint: path,
    extra_config: { 'auth/validator': { alg, jwk_local_path: file, disable_jwk_security: true } },
    backend: [{ host: [backend.origin], url_pattern: '/echo' }],
  })
  gateway = await startGateway(
    mustConfig({ version: 3, endpoints: [endpoint('/hs', 'HS256', hs), endpoint('/ed', 'EdDSA', okp)] }),
  )
})

after(async () => {
  await gateway?.close()
  await backend?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

async function status(path: string, alg: string, kid: string): Promise<number> {
  const h = Buffer.from(JSON.stringify({ alg, kid })).toString('base64url')
  const p = Buffer.from(`{"exp":${Math.floor(Date.now() / 1000) + 300}}`).toString('base64url')
  const signature =
    alg === 'HS256'
      ? createHmac('sha256', SECRET).update(`${h}.${p}`).digest()
      : sign(null, Buffer.from(`${h}.${p}`), ed.privateKey)
  const token = `${h}.${p}.${signature.toString('base64url')}`
  return (await send(gateway.url, { path, headers: { authorization: `Bearer ${token}` } })).status
}

describe('auth/validator: JWK byte members read as go-jose reads them', () => {
  test('an oct key with extra "=" or line breaks verifies its tokens', async () => {
    assert.equal(await status('/hs', 'HS256', 'padded'), 200)
    assert.equal(await status('/hs', 'HS256', 'lines'), 200)
  })

  test('an Ed25519 x split over lines and padded verifies its tokens', async () => {
    assert.equal(await status('/ed', 'EdDSA', 'ed'), 200)
  })
})
