import assert from 'node:assert/strict'
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { SignJWT } from 'jose'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

// go-jose's newVerifier takes a public key (or an HMAC secret) only: a JWKS key written with its
// private part ("d") decodes as a private key, and every token naming its kid is refused with
// "unsupported key type/format", even one that key signed. The same key without "d" verifies.
const KINDS = [
  { alg: 'RS256', pair: generateKeyPairSync('rsa', { modulusLength: 2048 }) },
  { alg: 'ES256', pair: generateKeyPairSync('ec', { namedCurve: 'P-256' }) },
  { alg: 'EdDSA', pair: generateKeyPairSync('ed25519') },
]
let dir: string
let backend: TestBackend
let gateway: Running

const jwk = (key: KeyObject, kid: string) => ({ ...key.export({ format: 'jwk' }), kid })

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-private-jwk-'))
  backend = await startBackend('api')
  const endpoints = []
  for (const { alg, pair } of KINDS) {
    const file = join(dir, `${alg}.json`)
    const keys = [jwk(pair.publicKey, 'pub'), jwk(pair.privateKey, 'priv')]
    await writeFile(file, JSON.stringify({ keys }))
    endpoints.push({
      endpoint: `/${alg}`,
      extra_config: { 'auth/validator': { alg, jwk_local_path: file, disable_jwk_security: true } },
      backend: [{ host: [backend.origin], url_pattern: '/echo' }],
    })
  }
  gateway = await startGateway(mustConfig({ version: 3, endpoints }))
})

after(async () => {
  await gateway?.close()
  await backend?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('auth/validator: a JWKS key with its private part', () => {
  for (const { alg, pair } of KINDS)
    test(`${alg}: the kid of a key written with "d" refuses its own tokens; the public one accepts them`, async () => {
      const status = async (kid: string) => {
        const token = await new SignJWT({ sub: 'a' })
          .setProtectedHeader({ alg, kid })
          .setExpirationTime('5m')
          .sign(pair.privateKey)
        const res = await send(gateway.url, {
          path: `/${alg}`,
          headers: { authorization: `Bearer ${token}` },
        })
        return res.status
      }
      assert.equal(await status('pub'), 200)
      assert.equal(await status('priv'), 401)
    })
})
