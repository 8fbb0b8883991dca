// Bodies where ajv's reading of a schema is not santhosh-tekuri/jsonschema v6.0.2's (KrakenD CE
// 2.13.8's): found by the seeded schemagen differential (scripts/krakend-diff/suites/schemagen.*).
// Each expected verdict and text was printed by a Go program doing what krakend-jsonschema does
// (config value re-encoded, jsonschema.UnmarshalJSON, Compile, Validate), built with Go 1.25.12
// against v6.0.2 and golang.org/x/text v0.37.0, run in this repository's directory. null: KrakenD
// lets the body through.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { compileJsonSchema } from '../../../src/gateway/components/json-schema.ts'
import type { GuardContext, IncomingLike } from '../../../src/gateway/components/types.ts'

const verdict = (schema: unknown, body: string) => {
  const guard = compileJsonSchema(
    { schema: schema as Record<string, unknown> },
    true,
    () => ({}),
    () => {},
  )
  const reply = guard({} as IncomingLike, { body: Buffer.from(body) } as GuardContext)
  if (reply === undefined) return null
  assert.equal(reply.status, 400)
  return String(reply.body)
}
const url = (pointer: string) => JSON.stringify(`file://${process.cwd()}/schema.json#${pointer}`)
const draft07 = 'http://json-schema.org/draft-07/schema#'

const CASES: Array<[title: string, schema: unknown, body: string, text: string | null]> = [
  [
    'a required name Object.prototype has is still missing',
    { required: ['constructor'] },
    '{}',
    "- at '': missing property 'constructor'",
  ],
  ['... and present when sent', { required: ['constructor'] }, '{"constructor":1}', null],
  [
    'a property named as an Object.prototype member applies only when sent',
    { properties: { toString: { type: 'string' } }, dependentRequired: { valueOf: ['a'] } },
    '{}',
    null,
  ],
  [
    'a `__proto__` property schema applies',
    JSON.parse('{"properties":{"__proto__":{"type":"number"}}}'),
    '{"__proto__":"x"}',
    "- at '/__proto__': got string, want number",
  ],
  [
    'draft-07: the keywords beside a $ref are not applied (a oneOf branch matches through its $ref)',
    {
      $schema: draft07,
      items: { oneOf: [{ type: 'object' }, { $ref: '#/definitions/n', type: 'string' }] },
      definitions: { n: { type: 'object' } },
    },
    '[{}]',
    "- at '/0': 'oneOf' failed, subschemas 0, 1 matched",
  ],
  [
    "draft-07: but `const` beside a $ref is (v6 compiles draft-06's keywords after the $ref's early return)",
    {
      $schema: draft07,
      $ref: '#/definitions/n',
      const: 1,
      type: 'string',
      definitions: { n: { type: 'number' } },
    },
    '2',
    "- at '': value must be 1",
  ],
  [
    'draft-07: and the type beside it is not',
    {
      $schema: draft07,
      $ref: '#/definitions/n',
      const: 1,
      type: 'string',
      definitions: { n: { type: 'number' } },
    },
    '1',
    null,
  ],
  [
    'a schema referring to itself is refused as a reference cycle (ajv recursed to a stack overflow)',
    { $ref: '#' },
    '{}',
    `- at '': both /$ref and  resolve to ${url('')} causing reference cycle`,
  ],
  [
    'a cycle inside a oneOf branch fails that branch',
    { oneOf: [{ type: 'string' }, { $ref: '#' }] },
    '1',
    `- at '': 'oneOf' failed, none matched\n  - at '': got number, want string\n  - at '': both /oneOf/1/$ref and  resolve to ${url('')} causing reference cycle`,
  ],
  [
    'a cycle through two definitions, reached through a property (its name path-escaped)',
    {
      $defs: { a: { allOf: [{ $ref: '#/$defs/b' }] }, b: { anyOf: [{ $ref: '#/$defs/a' }] } },
      properties: { 'é x': { $ref: '#/$defs/a' } },
    },
    '{"é x":1}',
    `- at '/é x': 'allOf' failed\n  - at '/é x': 'anyOf' failed\n    - at '/é x': both /properties/%C3%A9%20x/$ref/allOf/0/$ref/anyOf/0/$ref and /properties/%C3%A9%20x/$ref resolve to ${url('/$defs/a')} causing reference cycle`,
  ],
  ['a cycle under `not` fails the inner schema, so `not` holds', { not: { $ref: '#' } }, '1', null],
  [
    'a lone surrogate escape is U+FFFD, as Go decodes it',
    { pattern: '^a$', maxLength: 1 },
    '"a\\udc00"',
    "- at '': maxLength: got 2, want 1\n- at '': 'a\uFFFD' does not match pattern '^a$'",
  ],
  ['... in names too', { propertyNames: { const: '\uFFFD' } }, '{"\\udfff":1,"\\ud800":2}', null],
  [
    '... and a pair is one character',
    { pattern: '^a$', maxLength: 1 },
    '"\\ud83d\\ude00"',
    "- at '': '😀' does not match pattern '^a$'",
  ],
]

describe('validation/json-schema: where ajv reads a schema otherwise than KrakenD', () => {
  for (const [title, schema, body, text] of CASES)
    test(title, () => {
      assert.equal(verdict(schema, body), text)
    })
})
