import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from './helpers.ts'

// krakend-ce decodes router.error_body with encoding/json into two interface{} fields and sets a
// body only where the field is not nil. KrakenD CE 2.13.8, by hand: {"404": null, "405": {"b": 2}}
// answered gin's own "404 page not found" and {"b":2} on a 405; this runtime answered a 404 of
// "null".

describe('router.error_body with a null body', () => {
  let backend: TestBackend
  let gateway: Running
  before(async () => {
    backend = await startBackend('api', { '/x': { body: { ok: true } } })
    gateway = await startGateway(
      mustConfig({
        version: 3,
        name: 'error-body-null',
        extra_config: { router: { error_body: { '404': null, '405': { b: 2 } } } },
        endpoints: [{ endpoint: '/a', backend: [{ host: [backend.origin], url_pattern: '/x' }] }],
      }),
    )
  })
  after(async () => {
    await gateway?.close()
    await backend?.close()
  })

  test("a null 404 keeps gin's own answer; the 405 body is served", async () => {
    const notFound = await send(gateway.url, { path: '/nope' })
    assert.equal(notFound.status, 404)
    assert.equal(notFound.text, '404 page not found')
    const notAllowed = await send(gateway.url, { path: '/a', method: 'POST' })
    assert.equal(notAllowed.status, 405)
    assert.equal(notAllowed.text, '{"b":2}')
  })
})

// Two spellings are decoded one after the other into the same struct: KrakenD CE 2.13.8 answered a
// 405 with {"b":2} from "ERROR_BODY": {"405": {"b": 2}} beside "error_body": {"404": {"c": 3}}.
describe('router.error_body under two spellings', () => {
  const refused = (router: Record<string, unknown>) =>
    validateGatewayConfig({ version: 3, name: 'x', extra_config: { router }, endpoints: [] }).errors.map(
      (e) => e.location?.path,
    )

  test('a dropped spelling that sets other bodies is refused, at that key', () => {
    assert.deepEqual(refused({ ERROR_BODY: { '405': { b: 2 } }, error_body: { '404': { c: 3 } } }), [
      'extra_config.router.ERROR_BODY',
    ])
    assert.deepEqual(refused({ Error_Body: {}, error_body: { '404': { c: 3 } } }), [])
    assert.deepEqual(refused({ Error_Body: null, error_body: { '404': { c: 3 } } }), [])
    assert.deepEqual(refused({ Error_Body: { '404': { c: 3 } }, error_body: { '404': { c: 3 } } }), [])
  })
})
