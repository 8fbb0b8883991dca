// Draft-04 and draft-06 schemas that their own meta-schema refuses, while draft-07's (which ajv
// checks the rewritten schema against) takes them: KrakenD's santhosh-tekuri/jsonschema v6 fails to
// compile them and krakend-jsonschema skips the validation, so every body passes there. They are
// config errors here (found by the differential fuzz of validation/json-schema against KrakenD CE:
// the runtime refused bodies with 400 that KrakenD let through).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'

const errorsFor = (schema: unknown): string[] =>
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
  }).errors.map((e) => `${e.location?.path}: ${e.message}`)

const DRAFT4 = 'http://json-schema.org/draft-04/schema#'
const DRAFT6 = 'http://json-schema.org/draft-06/schema#'

describe('draft-04/06 schemas their meta-schema refuses', () => {
  const refused: Array<[string, unknown, RegExp]> = [
    [
      'a boolean schema in draft-04',
      { $schema: DRAFT4, not: { items: false } },
      /\/not\/items is a boolean schema/,
    ],
    [
      'a boolean in draft-04 anyOf',
      { $schema: DRAFT4, oneOf: [{ type: 'string' }, true] },
      /\/oneOf\/1 is a boolean/,
    ],
    [
      'a numeric exclusiveMinimum in draft-04',
      { $schema: DRAFT4, minimum: 1, exclusiveMinimum: 0 },
      /exclusiveMinimum must be a boolean/,
    ],
    [
      'exclusiveMaximum without maximum in draft-04',
      { $schema: DRAFT4, exclusiveMaximum: true },
      /exclusiveMaximum needs maximum/,
    ],
    [
      'an empty required in draft-04',
      { $schema: DRAFT4, properties: { a: { required: [] } } },
      /\/properties\/a\/required must name/,
    ],
    [
      'a repeated enum value in draft-06',
      {
        $schema: DRAFT6,
        items: {
          enum: [
            { a: 1, b: 2 },
            { b: 2, a: 1 },
          ],
        },
      },
      /\/items\/enum must list/,
    ],
    [
      'a $ref target under $defs (no draft-04 keyword) in draft-04',
      {
        $schema: DRAFT4,
        properties: { r: { $ref: '#/$defs/d' } },
        $defs: { d: { minimum: 0, exclusiveMinimum: 1 } },
      },
      /\/\$defs\/d\/exclusiveMinimum must be a boolean/,
    ],
  ]
  for (const [what, schema, message] of refused)
    test(`${what} is a config error`, () => {
      const errors = errorsFor(schema)
      assert.equal(errors.length, 1, errors.join('\n'))
      assert.match(
        errors[0] as string,
        /^endpoints\[0\]\.extra_config\.validation\/json-schema: the JSON schema does not compile/,
      )
      assert.match(errors[0] as string, message)
    })

  test('only those: what the drafts take stays valid beside a refused look-alike', () => {
    assert.equal(errorsFor({ $schema: DRAFT4, minimum: 1, exclusiveMinimum: 0 }).length, 1)
    // v6 checks a target outside its keywords only when a $ref compiles it
    assert.deepEqual(errorsFor({ $schema: DRAFT4, $defs: { d: { minimum: 0, exclusiveMinimum: 1 } } }), [])
    assert.deepEqual(
      errorsFor({ $schema: DRAFT4, additionalProperties: false, minimum: 1, exclusiveMinimum: true }),
      [],
    )
    assert.deepEqual(
      errorsFor({ $schema: DRAFT6, not: { items: false }, exclusiveMinimum: 0, enum: [1, '1'] }),
      [],
    )
  })
})
