import assert from 'node:assert/strict'
import { constants, generateKeyPairSync, verify } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

// go-jose signs with RSA keys from 1024 bits (Go's floor), RSASSA-PSS with a salt as long as the
// digest: krakend-jose's signer answers 200 with such a key, where the jose library refuses keys
// under 2048 bits (the answer was 400).
const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
let dir: string
let backend: TestBackend
let gateway: Running

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-signer-1024-'))
  const jwks = join(dir, 'keys.json')
  await writeFile(jwks, JSON.stringify({ keys: [{ ...rsa.privateKey.export({ format: 'jwk' }), kid: 'r' }] }))
  backend = await startBackend('idp', { '/session': { body: { token: { sub: 'alice' } } } })
  const endpoint = (alg: string) => ({
    endpoint: `/${alg}`,
    extra_config: {
      'auth/signer': {
        alg,
        kid: 'r',
        keys_to_sign: ['token'],
        jwk_local_path: jwks,
        disable_jwk_security: true,
      },
    },
    backend: [{ host: [backend.origin], url_pattern: '/session' }],
  })
  gateway = await startGateway(mustConfig({ version: 3, endpoints: [endpoint('RS256'), endpoint('PS384')] }))
})

after(async () => {
  await gateway?.close()
  await backend?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

/** The signed token's parts, the answer being 200. */
async function signedParts(alg: string): Promise<[string, string, Buffer]> {
  const res = await send(gateway.url, { path: `/${alg}` })
  assert.equal(res.status, 200)
  const [header, payload, signature] = (JSON.parse(res.text) as { token: string }).token.split('.')
  assert.equal(
    Buffer.from(header as string, 'base64url').toString(),
    `{"alg":"${alg}","kid":"r","typ":"JWT"}`,
  )
  assert.equal(Buffer.from(payload as string, 'base64url').toString(), '{"sub":"alice"}')
  return [header as string, payload as string, Buffer.from(signature as string, 'base64url')]
}

describe('auth/signer: a 1024-bit RSA key signs, as in KrakenD', () => {
  test('RS256: PKCS#1 v1.5 over the encoded header and payload', async () => {
    const [header, payload, signature] = await signedParts('RS256')
    assert.ok(verify('sha256', Buffer.from(`${header}.${payload}`), rsa.publicKey, signature))
  })

  test('PS384: PSS with a 48-byte salt (the digest length)', async () => {
    const [header, payload, signature] = await signedParts('PS384')
    const key = { key: rsa.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }
    assert.ok(verify('sha384', Buffer.from(`${header}.${payload}`), key, signature))
  })
})
