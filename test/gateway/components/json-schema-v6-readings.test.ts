// biome-ignore-all lint/suspicious/noThenProperty: `then` is a JSON-schema keyword here
// Bodies where ajv's reading of a schema is not santhosh-tekuri/jsonschema v6.0.2's (KrakenD CE
// 2.13.8's): found by the seeded schemagen differential (scripts/krakend-diff/suites/schemagen.*).
// Each expected verdict and text was printed by a Go program doing what krakend-jsonschema does
// (config value re-encoded, jsonschema.UnmarshalJSON, Compile, Validate), built with Go 1.25.12
// against v6.0.2 and golang.org/x/text v0.37.0, run in this repository's directory. null: KrakenD
// lets the body through.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { compileJsonSchema, parseJsonSchema } from '../../../src/gateway/components/json-schema.ts'
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
  // ajv 8.20 checks required names where it collects no errors as `(data[n] === undefined) && (missing = n)`:
  // falsy for "", so a missing "" was present (sweep53, session 53: KrakenD 400, this runtime 200).
  [
    '`if` requiring "": missing',
    { if: { required: [''] }, then: true, else: false },
    '{"é":10}',
    "- at '': false schema",
  ],
  ['... present', { if: { required: ['a', ''] }, then: true, else: false }, '{"a":1,"":2}', null],
  [
    '... beside another name',
    { if: { required: ['a', ''] }, then: true, else: false },
    '{"a":1}',
    "- at '': false schema",
  ],
  ['`not` requiring "": missing', { not: { required: [''] } }, '{"a":1}', null],
  ['... present', { not: { required: [''] } }, '{"":1}', "- at '': 'not' failed"],
  ['`not` with dependentRequired ""', { not: { dependentRequired: { a: [''] } } }, '{"a":1}', null],
  [
    'draft-07 `not` with dependencies ""',
    { $schema: draft07, not: { dependencies: { a: [''] } } },
    '{"a":1}',
    null,
  ],
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
  [
    "ajv's deep-equal took two objects with a `constructor` member for different: uniqueItems let them through",
    { uniqueItems: true },
    '[{"b":{},"constructor":[]},{"b":{},"constructor":[]}]',
    "- at '': items at 0 and 1 are equal",
  ],
  [
    'v6 takes a number for equal to an earlier string of the same number',
    { uniqueItems: true },
    '["1",1]',
    "- at '': items at 0 and 1 are equal",
  ],
  ['... but not a string to an earlier number', { uniqueItems: true }, '[1,"1"]', null],
  ['... nor does a const string refuse that number', { const: '1' }, '1.0', null],
  ['... and an enum only where it lists a number too', { enum: ['10', 3] }, '1e1', null],
  ['... else not', { enum: ['10'] }, '10', "- at '': value must be '10'"],
  [
    "ajv 8.20's `contains` in an item loop kept an earlier item's match",
    { type: 'array', items: { type: 'array', contains: { type: 'string' } } },
    '[["a"],[]]',
    "- at '/1': no items match contains schema",
  ],
  [
    'where ajv throws (patternProperties beside a failing anyOf) the walk decides: 400, not 500',
    { patternProperties: { '^b$': {} }, anyOf: [{ const: 1, properties: { x: true } }] },
    '{"b":1}',
    "- at '': 'anyOf' failed\n  - at '': value must be 1",
  ],
  [
    "draft-04: a pattern beside a $ref is never compiled (and draft-04's meta-schema does not check names)",
    {
      $schema: 'http://json-schema.org/draft-04/schema#',
      $ref: '#/definitions/a',
      patternProperties: { '\\Z': {} },
      definitions: { a: { type: 'integer' } },
    },
    '1.5',
    "- at '': got number, want integer",
  ],
  [
    'draft-07: a $ref to a keyword beside it resolves, and a broken reference beside it is never compiled',
    {
      $schema: draft07,
      $ref: '#/properties/a',
      properties: { a: { type: 'integer' } },
      oneOf: [{ $ref: '#/definitions/missing' }],
    },
    '"x"',
    "- at '': got string, want integer",
  ],
  [
    "v6's quote() drops the escape of a backslash before the closing quote",
    { $schema: draft07, format: 'json-pointer' },
    '"1.0\\\\"',
    "- at '': '1.0\\' is not valid json-pointer: not starting with /",
  ],
  [
    "Go's regexp errors end in the offending text, empty after a trailing backslash",
    { $schema: draft07, format: 'regex' },
    '"\\\\"',
    "- at '': '\\' is not valid regex: error parsing regexp: trailing backslash at end of expression: ``",
  ],
  [
    '... and an unknown class is a parse error too',
    { $schema: draft07, format: 'regex' },
    '"\\\\p{Foo}"',
    "- at '': '\\\\p{Foo}' is not valid regex: error parsing regexp: invalid character class range: `\\p{Foo}`",
  ],
  [
    'a broken reference in the branch a boolean `if` never takes is never compiled',
    { if: true, else: { $ref: '#/definitions/missing' }, then: { type: 'string' } },
    '1',
    "- at '': got number, want string",
  ],
  [
    'draft-04: a reference in a keyword draft-04 does not have is never compiled, nor its target checked',
    {
      $schema: 'http://json-schema.org/draft-04/schema#',
      type: 'integer',
      contains: { $ref: '#/$defs/x' },
      $defs: { x: { properties: { a: true } } },
    },
    '1.5',
    "- at '': got number, want integer",
  ],
  [
    "an $anchor reference is followed by the walk (ajv's contains let this through)",
    { $defs: { a: { $anchor: 'x', items: { contains: { type: 'string' } } } }, $ref: '#x' },
    '[["a"],[]]',
    "- at '/1': no items match contains schema",
  ],
]

/** Schemas v6 does not compile (KrakenD logs them and skips the validation): a config error here. */
const REFUSED: Array<[title: string, schema: unknown, problem: string]> = [
  [
    'a pattern Go refuses in $defs nothing refers to (the 2020-12 meta-schema checks it)',
    { $defs: { x: { pattern: '^\\cA$' } } },
    '/$defs/x/pattern: "^\\\\cA$" is not a Go regular expression',
  ],
  [
    'draft-07: a patternProperties name Go refuses where ajv skips an always-valid entry',
    { $schema: draft07, if: { patternProperties: { '\\Z': true } } },
    '/if/patternProperties: "\\\\Z" is not a Go regular expression',
  ],
  [
    'a reference to nothing after an always-valid anyOf branch (ajv compiles no further)',
    { anyOf: [{}, { $ref: '#/definitions/missing' }] },
    '/anyOf/1/$ref: "#/definitions/missing" points to nothing in the schema',
  ],
]

REFUSED.push(
  [
    "draft-04: an enum repeating a value by v6's equality (its meta-schema's uniqueItems)",
    { $schema: 'http://json-schema.org/draft-04/schema#', enum: ['1', 1] },
    '/enum must list at least one value, none twice',
  ],
  [
    'draft-06: a $ref target under $defs (no keyword there) checked against the meta-schema',
    {
      $schema: 'http://json-schema.org/draft-06/schema#',
      $ref: '#/$defs/x',
      $defs: { x: { type: ['number', 'number'] } },
    },
    '/$defs/x: data/type must',
  ],
)

describe('validation/json-schema: schemas KrakenD cannot compile', () => {
  for (const [title, schema, problem] of REFUSED)
    test(title, () => {
      const errors: string[] = []
      const parsed = parseJsonSchema(schema, ['extra_config'], {
        error: (_path, message) => errors.push(message),
        warn: () => {},
      })
      assert.equal(parsed, undefined)
      assert.match(errors.join('\n'), new RegExp(problem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    })
})

describe('validation/json-schema: where ajv reads a schema otherwise than KrakenD', () => {
  for (const [title, schema, body, text] of CASES)
    test(title, () => {
      assert.equal(verdict(schema, body), text)
    })
})
