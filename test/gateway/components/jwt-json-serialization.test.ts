import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

// go-jose's ParseSigned reads a token starting with "{" as the JWS JSON serialization, so KrakenD
// accepts one in the Authorization header. Flattened: alg and kid from the protected header, with
// the unprotected `header` filling members it lacks; general: one signature only, alg and kid from
// its protected header alone; crit from both; the signature over the protected header ("" without
// one) and the payload; a nonce in the unprotected header is refused.
const SECRET = Buffer.from('a-symmetric-secret-of-32-bytes!!')
const b64 = (text: string) => Buffer.from(text).toString('base64url')
const mac = (input: string) => createHmac('sha256', SECRET).update(input).digest('base64url')
let dir: string
let backend: TestBackend
let gateway: Running
let payload: string

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-jws-json-'))
  const jwks = join(dir, 'jwks.json')
  await writeFile(
    jwks,
    JSON.stringify({ keys: [{ kty: 'oct', kid: 'k1', k: SECRET.toString('base64url') }] }),
  )
  payload = b64(`{"sub":"alice","exp":${Math.floor(Date.now() / 1000) + 300}}`)
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

const call = (token: unknown) =>
  send(gateway.url, { path: '/private', headers: { authorization: `Bearer ${JSON.stringify(token)}` } })
const status = async (token: unknown) => (await call(token)).status
/** A flattened or general token signed over `protectedHeader` (undefined: none) and the payload. */
function signed(protectedHeader: object | undefined, header?: object) {
  const p = protectedHeader === undefined ? undefined : b64(JSON.stringify(protectedHeader))
  return { protected: p, header, signature: mac(`${p ?? ''}.${payload}`) }
}

describe('auth/validator: the JWS JSON serialization', () => {
  test('flattened and single-signature general tokens verify, their claims propagated', async () => {
    const flat = await call({ payload, ...signed({ alg: 'HS256', kid: 'k1' }) })
    assert.equal(flat.status, 200)
    assert.equal((JSON.parse(flat.text) as { headers: Record<string, string> }).headers['x-sub'], 'alice')
    assert.equal(await status({ payload, signatures: [signed({ alg: 'HS256', kid: 'k1' })] }), 200)
  })

  test('flattened: the unprotected header fills what the protected one lacks, never overrides it', async () => {
    assert.equal(await status({ payload, ...signed(undefined, { alg: 'HS256', kid: 'k1' }) }), 200)
    assert.equal(await status({ payload, ...signed({ alg: 'HS256', kid: '' }, { kid: 'k1' }) }), 200)
    assert.equal(await status({ payload, ...signed({ alg: 'HS256', kid: 'k9' }, { kid: 'k1' }) }), 401)
  })

  test('general: alg and kid from the protected header alone; two signatures never verify', async () => {
    assert.equal(await status({ payload, signatures: [signed(undefined, { alg: 'HS256', kid: 'k1' })] }), 401)
    const one = signed({ alg: 'HS256', kid: 'k1' })
    assert.equal(await status({ payload, signatures: [one, one] }), 401)
  })

  test('an unprotected nonce or crit, a wrong signature or no payload is refused', async () => {
    assert.equal(await status({ payload, ...signed({ alg: 'HS256', kid: 'k1' }, { nonce: 'n' }) }), 401)
    assert.equal(await status({ payload, ...signed({ alg: 'HS256', kid: 'k1' }, { crit: ['exp'] }) }), 401)
    assert.equal(await status({ payload, ...signed({ alg: 'HS256', kid: 'k1' }), signature: mac('x') }), 401)
    assert.equal(await status({ ...signed({ alg: 'HS256', kid: 'k1' }) }), 401)
  })
})
