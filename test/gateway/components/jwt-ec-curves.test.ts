// go-jose checks an ES signature's size against the alg (64 bytes for ES256, 96 for ES384, 132 for
// ES512) and then reads r and s as numbers on the key's own curve: a P-256 key in the JWK set verifies
// an ES384 or ES512 token whose r and s are zero-padded to the alg's size, as KrakenD CE 2.13.8 does
// (200). The key was imported for the configured alg (jose ties ES384 to P-384), so such tokens were
// 401 here. The digest stays the alg's.
import assert from 'node:assert/strict'
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' })
const SIZE: Record<string, number> = { ES256: 32, ES384: 48, ES512: 66 }
const b64 = (data: string | Buffer) => Buffer.from(data).toString('base64url')

/** r and s each left-padded to the alg's size. */
function padded(rs: Buffer, size: number): Buffer {
  const half = rs.length / 2
  const pad = (n: Buffer) => Buffer.concat([Buffer.alloc(size - n.length), n])
  return Buffer.concat([pad(rs.subarray(0, half)), pad(rs.subarray(half))])
}

function token(alg: string, kid: string, key: KeyObject, digest: string): string {
  const input = `${b64(JSON.stringify({ alg, kid }))}.${b64(JSON.stringify({ sub: kid }))}`
  const rs = sign(digest, Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
  return `${input}.${b64(padded(rs, SIZE[alg] as number))}`
}

let dir: string
let backend: TestBackend
let gateway: Running
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-ec-curves-'))
  const jwk = (k: KeyObject, kid: string) => ({ ...k.export({ format: 'jwk' }), kid })
  const jwks = join(dir, 'jwks.json')
  await writeFile(jwks, JSON.stringify({ keys: [jwk(p256.publicKey, 'p256'), jwk(p384.publicKey, 'p384')] }))
  backend = await startBackend('api')
  gateway = await startGateway(
    mustConfig({
      version: 3,
      endpoints: ['ES256', 'ES384', 'ES512'].map((alg) => ({
        endpoint: `/${alg}`,
        extra_config: { 'auth/validator': { alg, jwk_local_path: jwks, disable_jwk_security: true } },
        backend: [{ host: [backend.origin], url_pattern: '/echo' }],
      })),
    }),
  )
})
after(async () => {
  await gateway?.close()
  await backend?.close()
  await rm(dir, { recursive: true, force: true })
})

const status = async (alg: string, t: string) =>
  (await send(gateway.url, { path: `/${alg}`, headers: { authorization: `Bearer ${t}` } })).status

test('a key of a smaller curve verifies a bigger ES alg with r and s padded to its size', async () => {
  assert.equal(await status('ES256', token('ES256', 'p256', p256.privateKey, 'sha256')), 200)
  assert.equal(await status('ES384', token('ES384', 'p256', p256.privateKey, 'sha384')), 200)
  assert.equal(await status('ES512', token('ES512', 'p256', p256.privateKey, 'sha512')), 200)
  assert.equal(await status('ES512', token('ES512', 'p384', p384.privateKey, 'sha512')), 200)
})

test('the digest is the alg one, and r or s beyond the key curve does not verify', async () => {
  assert.equal(await status('ES384', token('ES384', 'p256', p256.privateKey, 'sha256')), 401)
  assert.equal(await status('ES512', token('ES512', 'p384', p384.privateKey, 'sha384')), 401)
  // A P-384 signature (48-byte r and s) does not fit ES256's 32 bytes: the size check refuses it.
  const input = `${b64('{"alg":"ES256","kid":"p384"}')}.${b64('{}')}`
  const rs = sign('sha256', Buffer.from(input), { key: p384.privateKey, dsaEncoding: 'ieee-p1363' })
  assert.equal(await status('ES256', `${input}.${b64(rs)}`), 401)
  // r with a non-zero byte beyond P-256's 32 bytes is no P-256 number.
  const good = Buffer.from(
    token('ES384', 'p256', p256.privateKey, 'sha384').split('.')[2] as string,
    'base64url',
  )
  good[0] = 1
  const [h, p] = token('ES384', 'p256', p256.privateKey, 'sha384').split('.')
  assert.equal(await status('ES384', `${h}.${p}.${b64(good)}`), 401)
})
