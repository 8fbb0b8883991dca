import assert from 'node:assert/strict'
import { createHmac, generateKeyPairSync, sign } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'

// go-jose v3 copies an Ed25519 JWK's x and d into Go's 32-byte keys without checking their size
// (go-jose v4 checks): a short one is zero-padded, a long one cut, and the set loads. KrakenD then
// verifies the set's other keys' tokens, and an x with bytes past 32 verifies as its first 32.
const SECRET = Buffer.from('a-symmetric-secret-of-32-bytes!!')
const ed = generateKeyPairSync('ed25519')
const x = Buffer.from(ed.publicKey.export({ format: 'jwk' }).x as string, 'base64url')
const u = (b: Buffer) => b.toString('base64url')
const SETS: Record<string, object[]> = {
  'short-d': [{ kty: 'OKP', crv: 'Ed25519', kid: 'ed', x: u(x), d: 'AQAB' }],
  'short-x': [{ kty: 'OKP', crv: 'Ed25519', kid: 'ed', x: u(x.subarray(0, 16)) }],
  'long-x': [{ kty: 'OKP', crv: 'Ed25519', kid: 'ed', x: u(Buffer.concat([x, Buffer.from([7, 7])])) }],
}
let dir: string
const gateway = gatewayWith(
  (backend) => ({
    version: 3,
    endpoints: Object.keys(SETS).flatMap((name) =>
      ['HS256', 'EdDSA'].map((alg) => ({
        endpoint: `/${name}/${alg}`,
        extra_config: {
          'auth/validator': { alg, jwk_local_path: join(dir, `${name}.json`), disable_jwk_security: true },
        },
        backend: [{ host: [backend.origin], url_pattern: '/echo' }],
      })),
    ),
  }),
  {
    setUp: async () => {
      dir = await mkdtemp(join(tmpdir(), 'gw-jwks-ed-size-'))
      for (const [name, keys] of Object.entries(SETS))
        await writeFile(
          join(dir, `${name}.json`),
          JSON.stringify({ keys: [...keys, { kty: 'oct', kid: 'sym', k: u(SECRET) }] }),
        )
    },
    tearDown: async () => {
      await rm(dir, { recursive: true, force: true })
    },
  },
)

async function status(path: string, alg: 'HS256' | 'EdDSA'): Promise<number> {
  const h = u(Buffer.from(JSON.stringify({ alg, kid: alg === 'HS256' ? 'sym' : 'ed' })))
  const p = u(Buffer.from(`{"exp":${Math.floor(Date.now() / 1000) + 300}}`))
  const input = Buffer.from(`${h}.${p}`)
  const signature =
    alg === 'HS256' ? createHmac('sha256', SECRET).update(input).digest() : sign(null, input, ed.privateKey)
  return (await send(gateway.url, { path, headers: { authorization: `Bearer ${h}.${p}.${u(signature)}` } }))
    .status
}

describe('auth/validator: Ed25519 JWK members of another size than 32 bytes, as go-jose v3', () => {
  test('the set loads: its other keys verify their tokens', async () => {
    for (const name of Object.keys(SETS)) assert.equal(await status(`/${name}/HS256`, 'HS256'), 200, name)
  })

  test('an x cut to 32 bytes is the key; a padded one and a private key verify nothing', async () => {
    assert.equal(await status('/long-x/EdDSA', 'EdDSA'), 200)
    assert.equal(await status('/short-x/EdDSA', 'EdDSA'), 401)
    assert.equal(await status('/short-d/EdDSA', 'EdDSA'), 401)
  })
})
