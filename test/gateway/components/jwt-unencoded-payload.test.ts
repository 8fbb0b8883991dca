import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

// A compact JWS with "b64": false (RFC 7797): go-jose still base64url-decodes the payload part, and
// checks the signature over the encoded header, "." and the payload's bytes as they are; KrakenD
// accepts such a token (with or without "crit": ["b64"]) and reads its claims.
const SECRET = Buffer.from('a-symmetric-secret-of-32-bytes!!')
let dir: string
let backend: TestBackend
let gateway: Running

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-b64false-'))
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
          input_headers: ['X-Sub'],
          extra_config: {
            'auth/validator': {
              alg: 'HS256',
              jwk_local_path: jwks,
              disable_jwk_security: true,
              propagate_claims: [['sub', 'X-Sub']],
            },
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

/** A token of `header` over the claims, signed over the raw payload or its base64url text. */
function token(header: Record<string, unknown>, signRaw: boolean): string {
  const claims = `{"sub":"alice","exp":${Math.floor(Date.now() / 1000) + 300}}`
  const h = Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'sym', ...header })).toString('base64url')
  const p = Buffer.from(claims).toString('base64url')
  const signed = signRaw ? `${h}.${claims}` : `${h}.${p}`
  return `${h}.${p}.${createHmac('sha256', SECRET).update(signed).digest('base64url')}`
}

const call = (t: string) => send(gateway.url, { path: '/private', headers: { authorization: `Bearer ${t}` } })

describe('auth/validator: "b64": false tokens', () => {
  test('signed over the raw payload: accepted, with or without crit, and its claims propagated', async () => {
    for (const header of [{ b64: false, crit: ['b64'] }, { b64: false }]) {
      const res = await call(token(header, true))
      assert.equal(res.status, 200, JSON.stringify(header))
      assert.equal((JSON.parse(res.text) as { headers: Record<string, string> }).headers['x-sub'], 'alice')
    }
  })

  test('signed over the encoded payload: refused; "b64" not a boolean reads as true', async () => {
    assert.equal((await call(token({ b64: false, crit: ['b64'] }, false))).status, 401)
    assert.equal((await call(token({ b64: 'false' }, true))).status, 401)
    assert.equal((await call(token({ b64: 'false' }, false))).status, 200)
  })
})
