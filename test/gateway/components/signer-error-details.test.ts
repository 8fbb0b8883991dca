// auth/signer over lura's return_error_details: the backend's error reaches krakend-jose's signer as
// a Go struct (HTTPResponseError), not the map[string]interface{} SignFields signs, and the lone
// backend's response carries its status as Metadata.StatusCode, which the signer answers with. On
// KrakenD CE 2.13.8 a 503 backend gave 503 with the error unsigned; this runtime signed the error
// with the gateway's key and answered 200. A no-op endpoint under the signer is refused (KrakenD
// answers "{}" there, signing nothing).
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { mustConfig, type Running, send, startBackend, startGateway } from '../helpers.ts'

let dir: string
let backend: Awaited<ReturnType<typeof startBackend>>
let gateway: Running
const signer = (jwks: string) => ({
  alg: 'HS256',
  kid: 'k1',
  keys_to_sign: ['a', 'error_bk'],
  jwk_local_path: jwks,
  disable_jwk_security: true,
})

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'signer-details-'))
  const jwks = join(dir, 'jwks.json')
  const k = Buffer.from('a-symmetric-secret-of-32-bytes!!').toString('base64url')
  await writeFile(jwks, JSON.stringify({ keys: [{ kty: 'oct', k, kid: 'k1' }] }))
  backend = await startBackend('api', {
    '/fail': { status: 503, body: { a: { err: true } } },
    '/ok': { body: { a: { x: 1 } } },
  })
  const details = { 'backend/http': { return_error_details: 'bk' } }
  gateway = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/one',
          extra_config: { 'auth/signer': signer(jwks) },
          backend: [{ host: [backend.origin], url_pattern: '/fail', extra_config: details }],
        },
        {
          endpoint: '/two',
          extra_config: { 'auth/signer': signer(jwks) },
          backend: [
            { host: [backend.origin], url_pattern: '/ok' },
            { host: [backend.origin], url_pattern: '/fail', extra_config: details },
          ],
        },
      ],
    }),
  )
})
after(async () => {
  await gateway?.close()
  await backend?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('auth/signer and return_error_details', () => {
  test("a lone backend's detailed error is answered unsigned, with the backend's status", async () => {
    const res = await send(gateway.url, { path: '/one' })
    assert.equal(res.status, 503)
    assert.deepEqual(JSON.parse(res.text), {
      error_bk: {
        http_status_code: 503,
        http_body: '{"a":{"err":true}}',
        http_body_encoding: 'application/json',
      },
    })
  })

  test('merged with another answer: 200, the object signed, the error not', async () => {
    const res = await send(gateway.url, { path: '/two' })
    assert.equal(res.status, 200)
    const body = JSON.parse(res.text) as Record<string, unknown>
    assert.match(String(body.a), /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/)
    assert.equal(typeof body.error_bk, 'object')
  })

  test('a no-op endpoint with auth/signer is refused at the signer', () => {
    const { errors } = validateGatewayConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/n',
          output_encoding: 'no-op',
          extra_config: { 'auth/signer': signer('keys.json') },
          backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/n', encoding: 'no-op' }],
        },
      ],
    })
    assert.match(
      errors.map((e) => `${e.location?.path}: ${e.message}`).join('\n'),
      /endpoints\[0\]\.extra_config\.auth\/signer: auth\/signer on a no-op endpoint is not run here: KrakenD answers "\{\}"/,
    )
  })
})
