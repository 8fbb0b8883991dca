// `dependencies` in draft 2019-09 and 2020-12: santhosh-tekuri/jsonschema v6 (KrakenD's) compiles it
// in every draft, and the schema walk that decides for schemas with unevaluatedProperties skipped it
// from 2019-09 on, so a body missing a dependent property passed where KrakenD answers 400 (found
// by the differential fuzz of validation/json-schema against KrakenD CE).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'

const D2020 = 'https://json-schema.org/draft/2020-12/schema'
const D2019 = 'https://json-schema.org/draft/2019-09/schema'

describe('json-schema dependencies from draft 2019-09 on', () => {
  const gateway = gatewayWith((backend) => {
    const endpoint = (path: string, schema: unknown) => ({
      endpoint: path,
      method: 'POST',
      extra_config: { 'validation/json-schema': schema },
      backend: [{ host: [backend.origin], url_pattern: '/echo' }],
    })
    return {
      version: 3,
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        endpoint('/unevaluated', {
          $schema: D2020,
          properties: { a: {}, b: {} },
          dependencies: { b: ['a'] },
          unevaluatedProperties: false,
        }),
        endpoint('/schema-form', {
          properties: { b: {} },
          dependencies: { b: { required: ['c'] } },
          unevaluatedProperties: false,
        }),
        endpoint('/plain', { $schema: D2019, dependencies: { b: ['a'] } }),
      ],
    }
  })

  const post = (path: string, body: unknown) => send(gateway.url, { method: 'POST', path, body })

  test('with unevaluatedProperties, a body missing the dependent property is refused', async () => {
    const calls = gateway.backend.seen.length
    const refused = await post('/unevaluated', { b: 1 })
    assert.equal(refused.status, 400)
    assert.equal(refused.text, "- at '': properties 'a' required, if 'b' exists")
    const schemaForm = await post('/schema-form', { b: 1 })
    assert.equal(schemaForm.status, 400)
    assert.equal(schemaForm.text, "- at '': missing property 'c'")
    assert.equal(gateway.backend.seen.length, calls)
    assert.equal((await post('/unevaluated', { a: 1, b: 1 })).status, 200)
  })

  test("the refusal is worded as santhosh-tekuri's", async () => {
    const refused = await post('/plain', { b: 1 })
    assert.equal(refused.status, 400)
    assert.equal(refused.text, "- at '': properties 'a' required, if 'b' exists")
  })
})
