// Audit of validation/json-schema against krakend-jsonschema v2.2.1 (KrakenD CE 2.13.8), which
// compiles with santhosh-tekuri/jsonschema v6: draft 2020-12 when "$schema" is absent, the schema
// checked against its meta-schema, "format" asserted only by draft-04/06/07.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'

const schemaEndpoint = (path: string, schema: unknown, host: string[]) => ({
  endpoint: path,
  method: 'POST',
  extra_config: { 'validation/json-schema': schema },
  backend: [{ host, url_pattern: '/echo' }],
})

const gw = gatewayWith((backend) => {
  const host = [backend.origin]
  return {
    version: 3,
    name: 'schema-audit',
    endpoints: [
      schemaEndpoint(
        '/unevaluated',
        { type: 'object', properties: { a: { type: 'integer' } }, unevaluatedProperties: false },
        host,
      ),
      schemaEndpoint('/dependent', { type: 'object', dependentRequired: { card: ['cvv'] } }, host),
      schemaEndpoint('/format-2020', { type: 'string', format: 'email' }, host),
      schemaEndpoint(
        '/format-07',
        { $schema: 'http://json-schema.org/draft-07/schema#', type: 'string', format: 'email' },
        host,
      ),
    ],
  }
})

// Always JSON: a string body is sent as a JSON string.
const post = async (path: string, body: unknown) =>
  (await send(gw.url, { method: 'POST', path, body: JSON.stringify(body) })).status

describe('validation/json-schema audit (santhosh-tekuri/jsonschema v6 semantics)', () => {
  test('without "$schema" the schema is draft 2020-12: its keywords are enforced', async () => {
    assert.equal(await post('/unevaluated', { a: 1 }), 200)
    assert.equal(await post('/unevaluated', { a: 1, admin: true }), 400, 'unevaluatedProperties: false')
    assert.equal(await post('/dependent', { card: '4111' }), 400, 'dependentRequired')
    assert.equal(await post('/dependent', { card: '4111', cvv: '123' }), 200)
  })

  test('"format" is an annotation in 2020-12 and an assertion in draft-07', async () => {
    assert.equal(await post('/format-2020', 'not-an-email'), 200)
    assert.equal(await post('/format-07', 'not-an-email'), 400)
    assert.equal(await post('/format-07', 'a@example.com'), 200)
  })

  test('schemas KrakenD cannot compile (it would skip the validation) are config errors', () => {
    const errors = (schema: unknown) =>
      validateGatewayConfig({
        version: 3,
        endpoints: [
          {
            endpoint: '/a',
            method: 'POST',
            extra_config: { 'validation/json-schema': schema },
            backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/a' }],
          },
        ],
      }).errors.map((e) => e.message)
    // Not valid against the 2020-12 meta-schema: "items" must be a schema there.
    assert.match(errors({ items: [{ type: 'string' }] }).join('\n'), /does not compile/)
    assert.match(errors({ type: 'strin' }).join('\n'), /does not compile/)
    // A meta-schema santhosh-tekuri/jsonschema does not know is loaded from the URL, and fails.
    assert.match(
      errors({ $schema: 'http://example.com/my-draft', type: 'string' }).join('\n'),
      /unsupported "\$schema"/,
    )
    assert.deepEqual(errors({ $schema: 'https://json-schema.org/draft/2019-09/schema', type: 'string' }), [])
  })
})
