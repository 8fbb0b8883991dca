import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'
import { type Hs256Issuer, hs256Issuer } from './hs256-issuer.ts'

// krakend-jose sets a propagated claim on the request as a Go string, and Go writes its UTF-8 bytes
// on the backend's header line: "ü" is C3 BC there, "日本" its six bytes, in a list too.
let issuer: Hs256Issuer
let backend: TestBackend
let gateway: Running

before(async () => {
  issuer = await hs256Issuer()
  backend = await startBackend('api')
  const endpoint = (path: string, arrays: boolean) => ({
    endpoint: path,
    input_headers: ['X-Name'],
    extra_config: {
      'auth/validator': issuer.validator({
        propagate_claims: [['name', 'X-Name']],
        propagate_claims_preserve_array: arrays,
      }),
    },
    backend: [{ host: [backend.origin], url_pattern: '/echo' }],
  })
  gateway = await startGateway(
    mustConfig({ version: 3, endpoints: [endpoint('/one', false), endpoint('/list', true)] }),
  )
})

after(async () => {
  await gateway?.close()
  await backend?.close()
  await issuer?.remove()
})

/** The X-Name lines the backend got, each read as the UTF-8 bytes it carried. */
async function backendLines(path: string, name: unknown): Promise<string[]> {
  const token = await issuer.token({ name })
  const res = await send(gateway.url, { path, headers: { authorization: `Bearer ${token}` } })
  assert.equal(res.status, 200)
  const { headers } = JSON.parse(res.text) as { headers: Record<string, string> }
  return (headers['x-name'] ?? '').split(', ').map((v) => Buffer.from(v, 'latin1').toString('utf8'))
}

describe('auth/validator: propagate_claims with non-ASCII claims', () => {
  test('a string claim reaches the backend as its UTF-8 bytes', async () => {
    assert.deepEqual(await backendLines('/one', 'Zoë'), ['Zoë'])
    assert.deepEqual(await backendLines('/one', '日本'), ['日本'])
  })

  test('a list claim: each value as its UTF-8 bytes (joined by "," or one line each)', async () => {
    assert.deepEqual(await backendLines('/one', ['ü', '日本']), ['ü,日本'])
    assert.deepEqual(await backendLines('/list', ['ü', '日本']), ['ü', '日本'])
  })
})
