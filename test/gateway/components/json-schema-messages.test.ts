// The text of a refused body with router.return_error_msg, as KrakenD CE 2.13.8 words it:
// krakend-jsonschema returns santhosh-tekuri/jsonschema v6.0.2's ValidationError without its first
// line, and a body Go's json.Decoder cannot read with the decoder's error. Each expected text was
// printed by a Go program built against v6.0.2 and golang.org/x/text v0.37.0 (with Go 1.25.12:
// KrakenD CE 2.13.8's toolchain and modules) doing what krakend-jsonschema does with the same
// schema and body.
// biome-ignore-all lint/suspicious/noThenProperty: `then` is a JSON-schema keyword here
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { hasInexactNumber } from '../../../src/gateway/components/exact-decimal.ts'
import { compileJsonSchema } from '../../../src/gateway/components/json-schema.ts'
import { printFloat, printInt } from '../../../src/gateway/components/json-schema-wording.ts'
import type { GuardContext, IncomingLike } from '../../../src/gateway/components/types.ts'
import { GoPanic } from '../../../src/gateway/go-panic.ts'

// null: KrakenD lets the body through (draft-04/06 schemas assert only what their draft has).
const KRAKEND: Array<[schema: unknown, body: string, text: string | null]> = [
  [
    {
      $schema: 'http://json-schema.org/draft-04/schema#',
      type: 'number',
      minimum: 5,
      exclusiveMinimum: true,
      maximum: 9,
      exclusiveMaximum: false,
    },
    '5',
    "- at '': exclusiveMinimum: got 5, want 5",
  ],
  [
    {
      $schema: 'http://json-schema.org/draft-04/schema#',
      type: 'number',
      minimum: 5,
      exclusiveMinimum: true,
      maximum: 9,
      exclusiveMaximum: false,
    },
    '10',
    "- at '': maximum: got 10, want 9",
  ],
  [
    {
      $schema: 'http://json-schema.org/draft-04/schema#',
      type: 'number',
      minimum: 5,
      exclusiveMinimum: true,
      maximum: 9,
      exclusiveMaximum: false,
    },
    '9',
    null,
  ],
  [
    {
      $schema: 'http://json-schema.org/draft-04/schema#',
      type: 'number',
      minimum: 5,
      exclusiveMinimum: true,
      maximum: 9,
      exclusiveMaximum: false,
    },
    '6',
    null,
  ],
  [
    { $schema: 'http://json-schema.org/draft-04/schema#', exclusiveMaximum: true, maximum: 3 },
    '3',
    "- at '': exclusiveMaximum: got 3, want 3",
  ],
  [{ $schema: 'http://json-schema.org/draft-04/schema#', exclusiveMaximum: true, maximum: 3 }, '2', null],
  [
    {
      $schema: 'http://json-schema.org/draft-04/schema#',
      const: 'x',
      contains: { type: 'string' },
      propertyNames: { maxLength: 1 },
      if: { type: 'string' },
      then: { minLength: 3 },
    },
    '"y"',
    null,
  ],
  [
    {
      $schema: 'http://json-schema.org/draft-04/schema#',
      const: 'x',
      contains: { type: 'string' },
      propertyNames: { maxLength: 1 },
      if: { type: 'string' },
      then: { minLength: 3 },
    },
    '[1]',
    null,
  ],
  [
    {
      $schema: 'http://json-schema.org/draft-04/schema#',
      const: 'x',
      contains: { type: 'string' },
      propertyNames: { maxLength: 1 },
      if: { type: 'string' },
      then: { minLength: 3 },
    },
    '{"abc":1}',
    null,
  ],
  [
    {
      $schema: 'http://json-schema.org/draft-04/schema#',
      const: 'x',
      contains: { type: 'string' },
      propertyNames: { maxLength: 1 },
      if: { type: 'string' },
      then: { minLength: 3 },
    },
    '"ab"',
    null,
  ],
  [
    {
      $schema: 'http://json-schema.org/draft-04/schema#',
      properties: { a: { const: 1, type: 'integer' } },
      items: { const: 2 },
      definitions: { x: { const: 3 } },
    },
    '{"a":2}',
    null,
  ],
  [
    {
      $schema: 'http://json-schema.org/draft-04/schema#',
      properties: { a: { const: 1, type: 'integer' } },
      items: { const: 2 },
      definitions: { x: { const: 3 } },
    },
    '{"a":"s"}',
    "- at '/a': got string, want integer",
  ],
  [
    {
      $schema: 'http://json-schema.org/draft-04/schema#',
      properties: { a: { const: 1, type: 'integer' } },
      items: { const: 2 },
      definitions: { x: { const: 3 } },
    },
    '[1]',
    null,
  ],
  [{ $schema: 'http://json-schema.org/draft-06/schema#', const: 'x' }, '"y"', "- at '': value must be 'x'"],
  [
    {
      $schema: 'http://json-schema.org/draft-06/schema#',
      if: { type: 'string' },
      then: { minLength: 3 },
      contains: { const: 1 },
    },
    '"ab"',
    null,
  ],
  [
    {
      $schema: 'http://json-schema.org/draft-06/schema#',
      if: { type: 'string' },
      then: { minLength: 3 },
      contains: { const: 1 },
    },
    '[2]',
    "- at '': no items match contains schema\n  - at '/0': value must be 1",
  ],
  [
    {
      $schema: 'http://json-schema.org/draft-06/schema#',
      if: { type: 'string' },
      then: { minLength: 3 },
      contains: { const: 1 },
    },
    '[1]',
    null,
  ],
  [
    {
      $schema: 'http://json-schema.org/draft-04/schema#',
      required: ['a'],
      properties: { a: { type: 'string', format: 'email' } },
    },
    '{}',
    "- at '': missing property 'a'",
  ],
  [
    {
      $schema: 'http://json-schema.org/draft-04/schema#',
      required: ['a'],
      properties: { a: { type: 'string', format: 'email' } },
    },
    '{"a":"x"}',
    "- at '/a': 'x' is not valid email: missing @",
  ],
  [
    {
      $schema: 'http://json-schema.org/draft-04/schema#',
      properties: { r: { $ref: '#/definitions/pos' } },
      definitions: { pos: { type: 'number', minimum: 0, exclusiveMinimum: true } },
    },
    '{"r":0}',
    "- at '/r': exclusiveMinimum: got 0, want 0",
  ],
  [
    {
      $schema: 'http://json-schema.org/draft-04/schema#',
      properties: { r: { $ref: '#/definitions/pos' } },
      definitions: { pos: { type: 'number', minimum: 0, exclusiveMinimum: true } },
    },
    '{"r":1}',
    null,
  ],
  [
    {
      type: 'object',
      required: ['name', 'b'],
      properties: {
        age: { type: 'integer', minimum: 1000.5 },
        n: { type: 'string', minLength: 3, pattern: '^a' },
      },
    },
    '{"age":-12345,"n":"b"}',
    "- at '': missing properties 'name', 'b'\n- at '/age': minimum: got -12,345, want 1,000.5\n- at '/n': validation failed\n  - at '/n': minLength: got 1, want 3\n  - at '/n': 'b' does not match pattern '^a'",
  ],
  [
    {
      type: 'object',
      required: ['name', 'b'],
      properties: {
        age: { type: 'integer', minimum: 1000.5 },
        n: { type: 'string', minLength: 3, pattern: '^a' },
      },
    },
    '{"name":1,"b":2,"age":1.5}',
    "- at '/age': got number, want integer",
  ],
  [
    {
      type: 'object',
      required: ['name', 'b'],
      properties: {
        age: { type: 'integer', minimum: 1000.5 },
        n: { type: 'string', minLength: 3, pattern: '^a' },
      },
    },
    'nul',
    'unexpected EOF',
  ],
  [
    {
      type: 'object',
      required: ['name', 'b'],
      properties: {
        age: { type: 'integer', minimum: 1000.5 },
        n: { type: 'string', minLength: 3, pattern: '^a' },
      },
    },
    '{"a":',
    'unexpected EOF',
  ],
  [
    {
      type: 'object',
      required: ['name', 'b'],
      properties: {
        age: { type: 'integer', minimum: 1000.5 },
        n: { type: 'string', minLength: 3, pattern: '^a' },
      },
    },
    '{} x',
    'invalid character after top-level value',
  ],
  [
    {
      type: 'object',
      required: ['name', 'b'],
      properties: {
        age: { type: 'integer', minimum: 1000.5 },
        n: { type: 'string', minLength: 3, pattern: '^a' },
      },
    },
    '{}{}',
    'invalid character after top-level value',
  ],
  [
    {
      type: 'object',
      required: ['name', 'b'],
      properties: {
        age: { type: 'integer', minimum: 1000.5 },
        n: { type: 'string', minLength: 3, pattern: '^a' },
      },
    },
    '  ',
    'EOF',
  ],
  [
    {
      type: 'object',
      required: ['name', 'b'],
      properties: {
        age: { type: 'integer', minimum: 1000.5 },
        n: { type: 'string', minLength: 3, pattern: '^a' },
      },
    },
    '{"a":1,}',
    "invalid character '}' looking for beginning of object key string",
  ],
  [
    {
      type: 'object',
      required: ['name', 'b'],
      properties: {
        age: { type: 'integer', minimum: 1000.5 },
        n: { type: 'string', minLength: 3, pattern: '^a' },
      },
    },
    '{"name":1,"b":2,"age":0.00001}',
    "- at '/age': got number, want integer",
  ],
  [{ type: ['string', 'null'] }, '1', "- at '': got number, want null or string"],
  [
    { enum: ['a', 'b', 1, null, true] },
    '"c"',
    "- at '': value must be one of 'a', 'b', 1, \u003cnil\u003e, true",
  ],
  [{ enum: ['a'] }, '"c"', "- at '': value must be 'a'"],
  [{ enum: [[1], 'a'] }, '"c"', "- at '': 'enum' failed"],
  [{ const: { a: 1 } }, '{}', "- at '': 'const' failed"],
  [
    { type: 'object', additionalProperties: { type: 'string' } },
    '{"a":1,"b":"x"}',
    "- at '/a': got number, want string",
  ],
  [
    { patternProperties: { '^x-': { type: 'integer' } } },
    '{"x-a":"s","y":1}',
    "- at '/x-a': got string, want integer",
  ],
  [
    { type: 'array', minItems: 2, maxItems: 3, uniqueItems: true, items: { type: 'integer', maximum: 10 } },
    '[1,2,2,1]',
    "- at '': maxItems: got 4, want 3\n- at '': items at 1 and 2 are equal",
  ],
  [
    { type: 'array', minItems: 2, maxItems: 3, uniqueItems: true, items: { type: 'integer', maximum: 10 } },
    '[{"a":1},{"a":1.0}]',
    "- at '': items at 0 and 1 are equal\n- at '/0': got object, want integer\n- at '/1': got object, want integer",
  ],
  [
    { prefixItems: [{ type: 'string' }, { type: 'integer' }], items: { type: 'boolean' } },
    '[1,"a",3,4]',
    "- at '/0': got number, want string\n- at '/1': got string, want integer\n- at '/0': got number, want boolean\n- at '/1': got number, want boolean",
  ],
  [
    {
      $schema: 'http://json-schema.org/draft-07/schema#',
      items: [{ type: 'string' }],
      additionalItems: false,
    },
    '["a",1,2]',
    "- at '': last 2 additionalItem(s) not allowed",
  ],
  [
    {
      $schema: 'http://json-schema.org/draft-07/schema#',
      items: [{ type: 'string' }],
      additionalItems: false,
    },
    '[1]',
    "- at '/0': got number, want string",
  ],
  [
    { contains: { type: 'string' }, minContains: 2, maxContains: 3 },
    '[1,"a"]',
    "- at '': min 2 items required to match contains schema, but matched 1 items at 1\n  - at '/0': got number, want string",
  ],
  [
    { contains: { type: 'string' }, minContains: 2, maxContains: 3 },
    '[1,2]',
    "- at '': min 2 items required to match contains schema, but none matched\n  - at '/0': got number, want string\n  - at '/1': got number, want string",
  ],
  [
    { type: 'string', minLength: 2, maxLength: 4, pattern: '^[a-z]+$' },
    '"it\'s \\"q\\""',
    "- at '': maxLength: got 8, want 4\n- at '': 'it\\'s \"q\"' does not match pattern '^[a-z]+$'",
  ],
  [
    { type: 'string', minLength: 2, maxLength: 4, pattern: '^[a-z]+$' },
    '"\\u0001x"',
    "- at '': '\\x01x' does not match pattern '^[a-z]+$'",
  ],
  [
    { type: 'number', minimum: 0, maximum: 100, exclusiveMaximum: 50, multipleOf: 0.5 },
    '1234567.25',
    "- at '': maximum: got 1.23456725×10⁰⁶, want 100\n- at '': exclusiveMaximum: got 1.23456725×10⁰⁶, want 50\n- at '': multipleOf: got 1.23456725×10⁰⁶, want 0.5",
  ],
  [
    { type: 'number', minimum: 0, maximum: 100, exclusiveMaximum: 50, multipleOf: 0.5 },
    '0.0001',
    "- at '': multipleOf: got 0.0001, want 0.5",
  ],
  [
    {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: {
        e: { format: 'email' },
        i: { format: 'ipv4' },
        d: { format: 'date-time' },
        u: { format: 'uri' },
      },
    },
    '{"e":"nope","i":"1.2.3","d":"2020-13-01T00:00:00Z","u":"x y"}',
    "- at '/e': 'nope' is not valid email: missing @\n- at '/i': '1.2.3' is not valid ipv4: expected four decimals\n- at '/d': '2020-13-01T00:00:00Z' is not valid date-time: invalid date element: parsing time \"2020-13-01\": month out of range\n- at '/u': 'x y' is not valid uri: relative url",
  ],
  [
    { allOf: [{ type: 'object' }, { required: ['a'] }, { required: ['b'] }] },
    '{}',
    "- at '': 'allOf' failed\n  - at '': missing property 'a'\n  - at '': missing property 'b'",
  ],
  [
    { anyOf: [{ type: 'string' }, { type: 'integer', minimum: 5 }] },
    '1',
    "- at '': 'anyOf' failed\n  - at '': got number, want string\n  - at '': minimum: got 1, want 5",
  ],
  [
    { oneOf: [{ type: 'integer' }, { minimum: 2 }] },
    '1.5',
    "- at '': 'oneOf' failed, none matched\n  - at '': got number, want integer\n  - at '': minimum: got 1.5, want 2",
  ],
  [{ not: { type: 'string' } }, '"x"', "- at '': 'not' failed"],
  [
    { if: { properties: { k: { const: 'a' } } }, then: { required: ['x'] }, else: { required: ['y'] } },
    '{"k":"b"}',
    "- at '': missing property 'y'",
  ],
  [
    {
      $schema: 'http://json-schema.org/draft-07/schema#',
      dependencies: { a: ['b'], c: { required: ['d'] } },
    },
    '{"a":1,"c":1}',
    "- at '': properties 'b' required, if 'a' exists\n- at '': missing property 'd'",
  ],
  [
    { propertyNames: { maxLength: 3, pattern: '^a' } },
    '{"abcd":1,"b":2}',
    "- at '': invalid propertyName 'abcd'\n  - at '': maxLength: got 4, want 3\n- at '': invalid propertyName 'b'\n  - at '': 'b' does not match pattern '^a'",
  ],
  [
    {
      $defs: { s: { type: 'string', minLength: 2, pattern: '^x' } },
      properties: { a: { $ref: '#/$defs/s' }, b: { $ref: '#/$defs/s' } },
    },
    '{"a":"y","b":1}',
    "- at '/a': validation failed\n  - at '/a': minLength: got 1, want 2\n  - at '/a': 'y' does not match pattern '^x'\n- at '/b': got number, want string",
  ],
  [
    {
      $schema: 'http://json-schema.org/draft-07/schema#',
      definitions: { s: { type: 'string', minLength: 2, pattern: '^x' } },
      properties: { a: { $ref: '#/definitions/s', type: 'integer' } },
    },
    '{"a":"y"}',
    "- at '/a': validation failed\n  - at '/a': minLength: got 1, want 2\n  - at '/a': 'y' does not match pattern '^x'",
  ],
  [
    { $ref: '#/$defs/o', $defs: { o: { type: 'object', required: ['q'] } }, required: ['r'] },
    '{}',
    "- at '': missing property 'q'\n- at '': missing property 'r'",
  ],
  [
    {
      type: 'object',
      properties: {
        a: {
          type: 'object',
          properties: { b: { type: 'object', properties: { c: { type: 'integer' } }, required: ['d'] } },
        },
      },
    },
    '{"a":{"b":{"c":"x"}}}',
    "- at '/a/b': missing property 'd'\n- at '/a/b/c': got string, want integer",
  ],
  [
    { properties: { 'a/b': { type: 'integer' }, 'c~d': { type: 'integer' }, "q'": { type: 'integer' } } },
    '{"a/b":"x","c~d":"y","q\'":"z"}',
    "- at '/a~1b': got string, want integer\n- at '/c~0d': got string, want integer\n- at '/q\\'': got string, want integer",
  ],
  [false, '{}', "- at '': false schema"],
  [{ minLength: 1000 }, '"x"', "- at '': minLength: got 1, want 1,000"],
  // Numbers a double cannot hold: compared as decimals, as Go's big.Rat does.
  [
    { maximum: 9007199254740992 },
    '9007199254740993',
    "- at '': maximum: got 9.007199254740992×10¹⁵, want 9.007199254740992×10¹⁵",
  ],
  [{ maximum: 9007199254740992 }, '9007199254740992', null],
  [
    { maximum: 9007199254740992 },
    '9007199254740992.5',
    "- at '': maximum: got 9.007199254740992×10¹⁵, want 9.007199254740992×10¹⁵",
  ],
  [{ type: 'integer' }, '1.0000000000000001', "- at '': got number, want integer"],
  [{ type: 'integer' }, '1.000000000000000000', null],
  [{ type: 'integer' }, '12345678901234567890123', null],
  [{ type: 'integer' }, '1e400', null],
  [{ type: 'integer' }, '-0', null],
  [{ type: 'integer' }, '1E2', null],
  [{ type: 'integer' }, '1.5e1', null],
  [{ const: 9007199254740992 }, '9007199254740993', "- at '': value must be 9007199254740992"],
  [{ const: 9007199254740992 }, '9007199254740992.0', null],
  [{ enum: [0.1, 2] }, '0.10000000000000001', "- at '': value must be one of 0.1, 2"],
  [{ enum: [0.1, 2] }, '0.1000', null],
  [{ enum: [0.1, 2] }, '2.0000000000000000001', "- at '': value must be one of 0.1, 2"],
  [{ uniqueItems: true }, '[9007199254740993, 9007199254740992]', null],
  [{ uniqueItems: true }, '[1.0, 1]', "- at '': items at 0 and 1 are equal"],
  [{ uniqueItems: true }, '[0.1, 0.10000000000000001]', null],
  [{ multipleOf: 0.01 }, '0.0700000000000000001', "- at '': multipleOf: got 0.07, want 0.01"],
  [{ multipleOf: 0.01 }, '0.07000', null],
  [{ multipleOf: 0.01 }, '1e-2', null],
  [{ multipleOf: 0.01 }, '1e-3', "- at '': multipleOf: got 0.001, want 0.01"],
  [{ exclusiveMinimum: 0 }, '0.0000000000000000000000001', null],
  [
    { exclusiveMinimum: 0 },
    '-0.0000000000000000000000001',
    "- at '': exclusiveMinimum: got -1×10⁻²⁵, want 0",
  ],
  [{ exclusiveMinimum: 0 }, '0.000', "- at '': exclusiveMinimum: got 0, want 0"],
  [
    { properties: { a: { minimum: 1 } } },
    '{"a": 0.99999999999999999999}',
    "- at '/a': minimum: got 1, want 1",
  ],
  [{ properties: { a: { minimum: 1 } } }, '{"a": 1.00000000000000000001, "b": 0.1000}', null],
  // Exact however far the exponent, up to big.Rat's 1e6 (was: doubles past 1e4, so 1e-20000 was 0
  // and passed `type: integer`, `maximum: 0` and `const: 0` KrakenD refuses it on)
  [{ type: 'integer' }, '1e-20000', "- at '': got number, want integer"],
  [{ maximum: 0 }, '1e-20000', "- at '': maximum: got 0, want 0"],
  [{ const: 0 }, '1e-20000', "- at '': value must be 0"],
  [{ enum: [0, 'x'] }, '1e-20000', "- at '': value must be one of 0, 'x'"],
  [{ multipleOf: 7 }, '1e20000', "- at '': multipleOf: got ∞, want 7"],
  [{ type: 'integer' }, `1.${'0'.repeat(10001)}1`, "- at '': got number, want integer"],
  [{ type: 'integer' }, '1e20000', null],
  [{ exclusiveMinimum: 0 }, '1e-20000', null],
  [{ uniqueItems: true }, '[0, 1e-20000]', null],
  [{ not: { const: 0 } }, '1e-20000', null],
  // past it big.Rat has no value: no integer, equal to nothing; a zero mantissa is 0 whatever its exponent
  [{ type: 'integer' }, '1e1000001', "- at '': got number, want integer"],
  [{ const: 0 }, '1e-1000001', "- at '': value must be 0"],
  [{ uniqueItems: true }, '[1e-1000001, 0]', null],
  [{ type: 'integer', maximum: 0 }, '0e-2000000', null],
  [{ maximum: 100 }, '1e1000', "- at '': maximum: got ∞, want 100"],
  [{ maximum: 100 }, '1e400', "- at '': maximum: got ∞, want 100"],
  [
    { maximum: 100 },
    '123456789012345678901234567890',
    "- at '': maximum: got 1.2345678901234568×10²⁹, want 100",
  ],
  // format reasons with the value or the rest of the input quoted, as Go's errors carry them
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'email' },
    '"a@b_c.d"',
    "- at '': 'a@b_c.d' is not valid email: invalid domain: invalid character '_'",
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'email' },
    '"é@b.c"',
    "- at '': 'é@b.c' is not valid email: invalid character 'é'",
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'email' },
    '"a@@b.c"',
    "- at '': 'a@@b.c' is not valid email: invalid character '@'",
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'email' },
    '"a@[IPv6:1::2::3]"',
    '- at \'\': \'a@[IPv6:1::2::3]\' is not valid email: invalid ipv6 address: ParseAddr("1::2::3"): multiple :: in address (at ":3")',
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'email' },
    '"a@[1.2.3.04]"',
    "- at '': 'a@[1.2.3.04]' is not valid email: invalid ipv4 address: leading zeros",
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'hostname' },
    '"a_b"',
    "- at '': 'a_b' is not valid hostname: invalid character '_'",
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'hostname' },
    '"é.b"',
    "- at '': 'é.b' is not valid hostname: invalid character 'é'",
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'hostname' },
    '"-a.b"',
    "- at '': '-a.b' is not valid hostname: label starts with hyphen",
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'ipv4' },
    '" 1.2.3.4"',
    "- at '': ' 1.2.3.4' is not valid ipv4: strconv.Atoi: parsing \" 1\": invalid syntax",
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'ipv4' },
    '"1.2.3.999999999999999999999"',
    "- at '': '1.2.3.999999999999999999999' is not valid ipv4: strconv.Atoi: parsing \"999999999999999999999\": value out of range",
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'ipv4' },
    '"1.2.3"',
    "- at '': '1.2.3' is not valid ipv4: expected four decimals",
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'ipv6' },
    '"1:2:3:4:5:6:7:8:9"',
    '- at \'\': \'1:2:3:4:5:6:7:8:9\' is not valid ipv6: ParseAddr("1:2:3:4:5:6:7:8:9"): trailing garbage after address (at "9")',
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'ipv6' },
    '"12345::"',
    '- at \'\': \'12345::\' is not valid ipv6: ParseAddr("12345::"): each group must have 4 or less digits (at "12345::")',
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'ipv6' },
    '"::1.2.3.04"',
    "- at '': '::1.2.3.04' is not valid ipv6: ParseAddr(\"::1.2.3.04\"): IPv4 field has octet with leading zero",
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'ipv6' },
    '"::1.2.3"',
    "- at '': '::1.2.3' is not valid ipv6: ParseAddr(\"::1.2.3\"): IPv4 address too short",
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'ipv6' },
    '"1:2"',
    "- at '': '1:2' is not valid ipv6: ParseAddr(\"1:2\"): address string too short",
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'ipv6' },
    '"a::b::c"',
    '- at \'\': \'a::b::c\' is not valid ipv6: ParseAddr("a::b::c"): multiple :: in address (at ":c")',
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'ipv6' },
    '"::1.2.3.4.5"',
    "- at '': '::1.2.3.4.5' is not valid ipv6: ParseAddr(\"::1.2.3.4.5\"): IPv4 address too long",
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'ipv6' },
    '"::1..2.3"',
    '- at \'\': \'::1..2.3\' is not valid ipv6: ParseAddr("::1..2.3"): IPv4 field must have at least one digit (at ".2.3")',
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'ipv6' },
    '":"',
    '- at \'\': \':\' is not valid ipv6: ParseAddr(":"): each colon-separated field must have at least one digit (at ":")',
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'ipv6' },
    '"1:"',
    '- at \'\': \'1:\' is not valid ipv6: ParseAddr("1:"): colon must be followed by more characters (at ":")',
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'ipv6' },
    '"::x"',
    '- at \'\': \'::x\' is not valid ipv6: ParseAddr("::x"): each colon-separated field must have at least one digit (at "x")',
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'uuid' },
    '"0000000g-0000-0000-0000-000000000000"',
    "- at '': '0000000g-0000-0000-0000-000000000000' is not valid uuid: non-hex character 'g'",
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'uuid' },
    '"00000000-0000-0000-0000-00000000000é"',
    "- at '': '00000000-0000-0000-0000-00000000000é' is not valid uuid: element 5 must be 12 characters long",
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'duration' },
    '"P1X"',
    "- at '': 'P1X' is not valid duration: invalid unit 'X'",
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'duration' },
    '"PT1D"',
    "- at '': 'PT1D' is not valid duration: invalid unit 'D'",
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'duration' },
    '"P1D1Y"',
    "- at '': 'P1D1Y' is not valid duration: unit 'Y' out of order",
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'date' },
    '"2024-1-2"',
    '- at \'\': \'2024-1-2\' is not valid date: parsing time "2024-1-2" as "2006-01-02": cannot parse "1-2" as "01"',
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'date' },
    '"20240102"',
    '- at \'\': \'20240102\' is not valid date: parsing time "20240102" as "2006-01-02": cannot parse "0102" as "-"',
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'date' },
    '"2024-01-02x"',
    '- at \'\': \'2024-01-02x\' is not valid date: parsing time "2024-01-02x": extra text: "x"',
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'date' },
    '"+2024-01-02"',
    '- at \'\': \'+2024-01-02\' is not valid date: parsing time "+2024-01-02" as "2006-01-02": cannot parse "+2024-01-02" as "2006"',
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'date' },
    '"2024-13-01"',
    "- at '': '2024-13-01' is not valid date: parsing time \"2024-13-01\": month out of range",
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'date' },
    '"2024-02-30"',
    "- at '': '2024-02-30' is not valid date: parsing time \"2024-02-30\": day out of range",
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'date' },
    '"2024-01-32"',
    "- at '': '2024-01-32' is not valid date: parsing time \"2024-01-32\": day out of range",
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'date' },
    '"2024-01-0é"',
    '- at \'\': \'2024-01-0é\' is not valid date: parsing time "2024-01-0\\xc3\\xa9" as "2006-01-02": cannot parse "0\\xc3\\xa9" as "02"',
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'date' },
    '"2024-01-\\"2"',
    '- at \'\': \'2024-01-"2\' is not valid date: parsing time "2024-01-\\"2" as "2006-01-02": cannot parse "\\"2" as "02"',
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'semver' },
    '"1.2.3+a_b"',
    "- at '': '1.2.3+a_b' is not valid semver: invalid character '_' in build identifier",
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'semver' },
    '"1.2.3-é"',
    "- at '': '1.2.3-é' is not valid semver: invalid character 'é' in pre-release identifier",
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'date-time' },
    '"2024-01-02T25:00:00Z"',
    "- at '': '2024-01-02T25:00:00Z' is not valid date-time: invalid time element: hour/min/sec out of range",
  ],
  [
    { $schema: 'http://json-schema.org/draft-07/schema#', format: 'date-time' },
    '"2024-1-02T00:00:00Z"',
    "- at '': '2024-1-02T00:00:00Z' is not valid date-time: less than 20 characters long",
  ],
  // unevaluatedProperties / unevaluatedItems after what in-place subschemas evaluated (v6's uneval)
  [{ unevaluatedProperties: false, properties: { a: {} } }, '{"b":1}', "- at '/b': false schema"],
  [{ unevaluatedProperties: false, properties: { a: {} } }, '{"a":1}', null],
  [
    { unevaluatedProperties: false, properties: { a: {} } },
    '{"a":1,"b":2,"c":3}',
    "- at '/b': false schema\n- at '/c': false schema",
  ],
  [
    { unevaluatedProperties: { type: 'string' }, allOf: [{ properties: { a: { type: 'integer' } } }] },
    '{"a":1,"b":"x"}',
    null,
  ],
  [
    { unevaluatedProperties: { type: 'string' }, allOf: [{ properties: { a: { type: 'integer' } } }] },
    '{"a":1,"b":2}',
    "- at '/b': got number, want string",
  ],
  [
    { unevaluatedProperties: { type: 'string' }, allOf: [{ properties: { a: { type: 'integer' } } }] },
    '{"a":"s","b":2}',
    "- at '': 'allOf' failed\n  - at '/a': got string, want integer\n- at '/b': got number, want string",
  ],
  [
    {
      anyOf: [
        { properties: { a: {} }, required: ['a'] },
        { properties: { b: {} }, required: ['b'] },
      ],
      unevaluatedProperties: false,
    },
    '{"a":1,"b":2}',
    null,
  ],
  [
    {
      anyOf: [
        { properties: { a: {} }, required: ['a'] },
        { properties: { b: {} }, required: ['b'] },
      ],
      unevaluatedProperties: false,
    },
    '{"a":1,"c":2}',
    "- at '/c': false schema",
  ],
  [
    {
      anyOf: [
        { properties: { a: {} }, required: ['a'] },
        { properties: { b: {} }, required: ['b'] },
      ],
      unevaluatedProperties: false,
    },
    '{"c":1}',
    "- at '': 'anyOf' failed\n  - at '': missing property 'a'\n  - at '': missing property 'b'\n- at '/c': false schema",
  ],
  [
    {
      oneOf: [{ properties: { a: {} } }, { properties: { b: {} }, required: ['b'] }],
      unevaluatedProperties: false,
    },
    '{"a":1}',
    null,
  ],
  [
    {
      oneOf: [{ properties: { a: {} } }, { properties: { b: {} }, required: ['b'] }],
      unevaluatedProperties: false,
    },
    '{"b":1,"x":1}',
    "- at '': 'oneOf' failed, subschemas 0, 1 matched\n- at '/x': false schema",
  ],
  [
    {
      if: { properties: { k: { const: 1 } } },
      then: { properties: { t: {} } },
      else: { properties: { e: {} } },
      unevaluatedProperties: false,
    },
    '{"k":1,"t":1}',
    null,
  ],
  [
    {
      if: { properties: { k: { const: 1 } } },
      then: { properties: { t: {} } },
      else: { properties: { e: {} } },
      unevaluatedProperties: false,
    },
    '{"k":1,"e":1}',
    "- at '/e': false schema",
  ],
  [
    {
      if: { properties: { k: { const: 1 } } },
      then: { properties: { t: {} } },
      else: { properties: { e: {} } },
      unevaluatedProperties: false,
    },
    '{"k":2,"e":1}',
    "- at '/k': false schema",
  ],
  [
    {
      $defs: { base: { properties: { id: {} } } },
      $ref: '#/$defs/base',
      properties: { n: {} },
      unevaluatedProperties: false,
    },
    '{"id":1,"n":2}',
    null,
  ],
  [
    {
      $defs: { base: { properties: { id: {} } } },
      $ref: '#/$defs/base',
      properties: { n: {} },
      unevaluatedProperties: false,
    },
    '{"id":1,"z":2}',
    "- at '/z': false schema",
  ],
  [{ prefixItems: [{ type: 'integer' }], unevaluatedItems: false }, '[1]', null],
  [
    { prefixItems: [{ type: 'integer' }], unevaluatedItems: false },
    '[1,2,3]',
    "- at '/1': false schema\n- at '/2': false schema",
  ],
  [{ prefixItems: [{ type: 'integer' }], unevaluatedItems: false }, '[]', null],
  [
    { prefixItems: [{}], contains: { type: 'string' }, unevaluatedItems: { type: 'boolean' } },
    '[1,"a",true,3]',
    "- at '/3': got number, want boolean",
  ],
  [
    { prefixItems: [{}], contains: { type: 'string' }, unevaluatedItems: { type: 'boolean' } },
    '[1,"a",true]',
    null,
  ],
  [{ allOf: [{ prefixItems: [{}, {}] }], unevaluatedItems: false }, '[1,2,3]', "- at '/2': false schema"],
  [{ allOf: [{ prefixItems: [{}, {}] }], unevaluatedItems: false }, '[1,2]', null],
  [
    { $schema: 'https://json-schema.org/draft/2019-09/schema', items: [{}, {}], unevaluatedItems: false },
    '[1,2,3]',
    "- at '/2': false schema",
  ],
  [
    {
      $schema: 'https://json-schema.org/draft/2019-09/schema',
      items: { type: 'integer' },
      unevaluatedItems: false,
    },
    '[1,"x"]',
    "- at '/1': got string, want integer",
  ],
  [
    { properties: { o: { unevaluatedProperties: false, properties: { a: {} } } } },
    '{"o":{"a":1,"b":2}}',
    "- at '/o/b': false schema",
  ],
  [
    { not: { properties: { a: { const: 1 } }, required: ['a'] }, unevaluatedProperties: false },
    '{"a":2}',
    "- at '/a': false schema",
  ],
  [{ not: { properties: { a: { const: 1 } }, required: ['a'] }, unevaluatedProperties: false }, '{}', null],
  [
    {
      dependentSchemas: { a: { properties: { b: {} } } },
      properties: { a: {} },
      unevaluatedProperties: false,
    },
    '{"a":1,"b":2}',
    null,
  ],
  [
    {
      dependentSchemas: { a: { properties: { b: {} } } },
      properties: { a: {} },
      unevaluatedProperties: false,
    },
    '{"b":2}',
    "- at '/b': false schema",
  ],
]

const refusal = (schema: unknown, body: string) => {
  const guard = compileJsonSchema(
    { schema: schema as Record<string, unknown> },
    true,
    () => ({}),
    () => {},
  )
  return guard({} as IncomingLike, { body: Buffer.from(body) } as GuardContext)
}

describe('validation/json-schema: refusal texts as KrakenD words them', () => {
  for (const [schema, body, text] of KRAKEND)
    test(`${JSON.stringify(schema).slice(0, 70)} refuses ${JSON.stringify(body).slice(0, 40)}`, () => {
      const reply = refusal(schema, body)
      if (text === null) return assert.equal(reply, undefined)
      assert.equal(reply?.status, 400)
      assert.equal(reply?.body, text)
    })

  test("a number big.Rat refuses (past 1e6) compared with minimum or maximum: v6 panics, gin's 500", () => {
    assert.throws(() => refusal({ maximum: 0 }, '1e-1000001'), GoPanic)
    assert.throws(() => refusal({ multipleOf: 7 }, '1e-1000001'), GoPanic)
  })

  test("several additional properties are named together (Go lists them in its map order, here in the body's)", () => {
    const reply = refusal(
      { type: 'object', additionalProperties: false, properties: { a: {} } },
      '{"b":2,"a":1,"c":3}',
    )
    assert.equal(reply?.body, "- at '': additional properties 'b', 'c' not allowed")
  })

  test("a schema the walk does not follow (a $dynamicRef): ajv's reason in KrakenD's layout", () => {
    const schema = { $dynamicAnchor: 'n', type: 'object', properties: { c: { $dynamicRef: '#n' } } }
    const reply = refusal(schema, '{"c":{"c":1}}')
    assert.equal(reply?.status, 400)
    assert.equal(reply?.body, "- at '/c/c': must be object")
  })

  test('a reference to an $anchor is followed, and worded as KrakenD words it', () => {
    const schema = { $defs: { a: { $anchor: 'x', type: 'string' } }, properties: { p: { $ref: '#x' } } }
    const reply = refusal(schema, '{"p":1}')
    assert.equal(reply?.status, 400)
    assert.equal(reply?.body, "- at '/p': got number, want string")
  })

  test('the exact-decimal walk runs only for number tokens a double does not hold, not for digits in strings', () => {
    const inexact = [
      '{"a":9007199254740993}',
      '[1.0000000000000001]',
      '{"e":1e400}',
      '{"s":"\\"","n":12345678901234567}',
    ]
    const exact = [
      '{"id":"item-0","phone":"12345678901234567890"}',
      '{"a":1.50,"b":-0,"c":1e2,"d":0.000001}',
      '{"a":"\\"9007199254740993"}',
      '[123456789012345]',
    ]
    for (const text of inexact) assert.equal(hasInexactNumber(text), true, text)
    for (const text of exact) assert.equal(hasInexactNumber(text), false, text)
  })

  test("numbers as golang.org/x/text's English printer writes them", () => {
    assert.deepEqual([0, 999, 1000, -1234, 1234567].map(printInt), [
      '0',
      '999',
      '1,000',
      '-1,234',
      '1,234,567',
    ])
    assert.deepEqual(
      [1, -1.5, 0.0001, 0.00001, 123456, 999999, 1e6, -12345.678, 1.25e-7, 2e21].map(printFloat),
      [
        '1',
        '-1.5',
        '0.0001',
        '1×10⁻⁰⁵',
        '123,456',
        '999,999',
        '1×10⁰⁶',
        '-12,345.678',
        '1.25×10⁻⁰⁷',
        '2×10²¹',
      ],
    )
  })
})
