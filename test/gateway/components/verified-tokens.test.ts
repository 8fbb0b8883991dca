// A token whose signature verified is not verified again with the same key; its claims still are,
// on every request.
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { importJWK, type JWK, SignJWT } from 'jose'
import { MAX_VERIFIED_TOKENS, verifiedPayload } from '../../../src/gateway/components/verified-tokens.ts'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'

const secret = new TextEncoder().encode('a-symmetric-secret-of-32-bytes!!')
const otherSecret = new TextEncoder().encode('another-symmetric-secret-32bytes')
const jwk = (bytes: Uint8Array): JWK => ({ kty: 'oct', k: Buffer.from(bytes).toString('base64url') })
const sign = (claims: Record<string, unknown>, key = secret) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'sym' }).sign(key)

test('the same token and key verify once; another key object, a wrong key or a changed token verify again', async () => {
  const key = await importJWK(jwk(secret), 'HS256')
  const token = await sign({ sub: 'a' })
  const first = await verifiedPayload(token, key, 'HS256')
  assert.deepEqual(JSON.parse(Buffer.from(first).toString()), { sub: 'a' })
  assert.equal(await verifiedPayload(token, key, 'HS256'), first, 'served from what was verified')

  // The same secret imported again (a key set read again) is another key: verified anew.
  const reimported = await importJWK(jwk(secret), 'HS256')
  const again = await verifiedPayload(token, reimported, 'HS256')
  assert.notEqual(again, first)
  assert.deepEqual(again, first)

  const wrong = await importJWK(jwk(otherSecret), 'HS256')
  assert.throws(() => verifiedPayload(token, wrong, 'HS256'), /invalid hmac/)
  assert.throws(() => verifiedPayload(token, key, 'HS384'), /invalid hmac/)
  const [head, body] = token.split('.')
  const forged = `${head}.${body}.${Buffer.from('not the signature').toString('base64url')}`
  assert.throws(() => verifiedPayload(forged, key, 'HS256'), /invalid hmac/)
})

test('bounded: the oldest verified token goes once the limit is reached', async () => {
  const key = await importJWK(jwk(secret), 'HS256')
  const oldest = await sign({ sub: 'oldest' })
  const first = await verifiedPayload(oldest, key, 'HS256')
  for (let i = 0; i < MAX_VERIFIED_TOKENS; i++)
    await verifiedPayload(await sign({ sub: `n${i}` }), key, 'HS256')
  assert.notEqual(await verifiedPayload(oldest, key, 'HS256'), first, 'verified again after eviction')
})

let dir: string
const gateway = gatewayWith(
  (backend) => ({
    version: 3,
    name: 'verified',
    endpoints: [
      {
        endpoint: '/private',
        extra_config: {
          'auth/validator': {
            alg: 'HS256',
            jwk_local_path: join(dir, 'keys.json'),
            disable_jwk_security: true,
          },
        },
        backend: [{ host: [backend.origin], url_pattern: '/echo' }],
      },
    ],
  }),
  {
    setUp: async () => {
      dir = await mkdtemp(join(tmpdir(), 'gw-verified-'))
      await writeFile(
        join(dir, 'keys.json'),
        JSON.stringify({ keys: [{ ...jwk(secret), kid: 'sym', alg: 'HS256' }] }),
      )
    },
    tearDown: async () => {
      if (dir) await rm(dir, { recursive: true, force: true })
    },
  },
)

test('a token served from the verified set is still refused once it expires', async () => {
  const exp = Math.floor(Date.now() / 1000) + 1
  const token = await sign({ sub: 'short', exp })
  const ask = () => send(gateway.url, { path: '/private', headers: { authorization: `Bearer ${token}` } })
  assert.equal((await ask()).status, 200)
  assert.equal((await ask()).status, 200)
  // go-jose's one second of leeway past exp, then a little more.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, (exp + 1) * 1000 - Date.now()) + 1100))
  assert.equal((await ask()).status, 401)
})
