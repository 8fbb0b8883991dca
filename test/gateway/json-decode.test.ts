// How a backend's JSON answer is decoded, checked against Go's encoding/json (go1.26.8, the v1
// decoder KrakenD's Go 1.25 also runs): lura's JSONDecoder / JSONCollectionDecoder are
// json.NewDecoder(body).UseNumber().Decode(&target) into map[string]interface{} / []interface{}.
// The table below is what a throwaway Go program printed for each body: the decoded value as
// json.Marshal writes it, or "ERR " + the error's text.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { FlatmapOp } from '../../src/gateway/flatmap.ts'
import { goJson, goNilMap, isGoNilMap } from '../../src/gateway/go-json.ts'
import { goQuoteChar, scanFirstValue } from '../../src/gateway/go-json-decoder.ts'
import { combineData, compileDecoder, goFlatmap } from '../../src/gateway/transform.ts'

/** [body, into map[string]interface{}, into []interface{} (wrapped in lura's {"collection": ...})] */
const GO_TABLE: Array<[string, string, string]> = [
  ['null', 'null', '{"collection":null}'],
  ['null x', 'null', '{"collection":null}'],
  [' null ', 'null', '{"collection":null}'],
  ['{"a":1}{"b":2}', '{"a":1}', 'ERR json: cannot unmarshal object into Go value of type []interface {}'],
  [
    '{"a":1} trailing garbage',
    '{"a":1}',
    'ERR json: cannot unmarshal object into Go value of type []interface {}',
  ],
  ['{"a":1}\n', '{"a":1}', 'ERR json: cannot unmarshal object into Go value of type []interface {}'],
  [
    '[1,2] x',
    'ERR json: cannot unmarshal array into Go value of type map[string]interface {}',
    '{"collection":[1,2]}',
  ],
  [
    '[1,2]',
    'ERR json: cannot unmarshal array into Go value of type map[string]interface {}',
    '{"collection":[1,2]}',
  ],
  [
    '"text"',
    'ERR json: cannot unmarshal string into Go value of type map[string]interface {}',
    'ERR json: cannot unmarshal string into Go value of type []interface {}',
  ],
  [
    '42',
    'ERR json: cannot unmarshal number into Go value of type map[string]interface {}',
    'ERR json: cannot unmarshal number into Go value of type []interface {}',
  ],
  [
    'true',
    'ERR json: cannot unmarshal bool into Go value of type map[string]interface {}',
    'ERR json: cannot unmarshal bool into Go value of type []interface {}',
  ],
  [
    'false',
    'ERR json: cannot unmarshal bool into Go value of type map[string]interface {}',
    'ERR json: cannot unmarshal bool into Go value of type []interface {}',
  ],
  [
    '4x',
    'ERR json: cannot unmarshal number into Go value of type map[string]interface {}',
    'ERR json: cannot unmarshal number into Go value of type []interface {}',
  ],
  ['-', 'ERR unexpected EOF', 'ERR unexpected EOF'],
  ['-x', "ERR invalid character 'x' in numeric literal", "ERR invalid character 'x' in numeric literal"],
  ['1.', 'ERR unexpected EOF', 'ERR unexpected EOF'],
  [
    '1.x',
    "ERR invalid character 'x' after decimal point in numeric literal",
    "ERR invalid character 'x' after decimal point in numeric literal",
  ],
  ['1e', 'ERR unexpected EOF', 'ERR unexpected EOF'],
  ['1e+', 'ERR unexpected EOF', 'ERR unexpected EOF'],
  [
    '01',
    'ERR json: cannot unmarshal number into Go value of type map[string]interface {}',
    'ERR json: cannot unmarshal number into Go value of type []interface {}',
  ],
  ['tru', 'ERR unexpected EOF', 'ERR unexpected EOF'],
  [
    'trux',
    "ERR invalid character 'x' in literal true (expecting 'e')",
    "ERR invalid character 'x' in literal true (expecting 'e')",
  ],
  ['nul', 'ERR unexpected EOF', 'ERR unexpected EOF'],
  [
    'nulx',
    "ERR invalid character 'x' in literal null (expecting 'l')",
    "ERR invalid character 'x' in literal null (expecting 'l')",
  ],
  ['{', 'ERR unexpected EOF', 'ERR unexpected EOF'],
  ['{"a"', 'ERR unexpected EOF', 'ERR unexpected EOF'],
  ['{"a"}', "ERR invalid character '}' after object key", "ERR invalid character '}' after object key"],
  [
    '{"a":}',
    "ERR invalid character '}' looking for beginning of value",
    "ERR invalid character '}' looking for beginning of value",
  ],
  [
    '{"a":1,}',
    "ERR invalid character '}' looking for beginning of object key string",
    "ERR invalid character '}' looking for beginning of object key string",
  ],
  [
    '{"a":1 "b":2}',
    "ERR invalid character '\"' after object key:value pair",
    "ERR invalid character '\"' after object key:value pair",
  ],
  [
    '[1,]',
    "ERR invalid character ']' looking for beginning of value",
    "ERR invalid character ']' looking for beginning of value",
  ],
  ['[1 2]', "ERR invalid character '2' after array element", "ERR invalid character '2' after array element"],
  [
    ']',
    "ERR invalid character ']' looking for beginning of value",
    "ERR invalid character ']' looking for beginning of value",
  ],
  [
    '}',
    "ERR invalid character '}' looking for beginning of value",
    "ERR invalid character '}' looking for beginning of value",
  ],
  [
    'x',
    "ERR invalid character 'x' looking for beginning of value",
    "ERR invalid character 'x' looking for beginning of value",
  ],
  ['', 'ERR EOF', 'ERR EOF'],
  ['   ', 'ERR EOF', 'ERR EOF'],
  ['"abc', 'ERR unexpected EOF', 'ERR unexpected EOF'],
  [
    '"a\nb"',
    "ERR invalid character '\\n' in string literal",
    "ERR invalid character '\\n' in string literal",
  ],
  [
    '"\\x"',
    "ERR invalid character 'x' in string escape code",
    "ERR invalid character 'x' in string escape code",
  ],
  [
    '"\\u12g4"',
    "ERR invalid character 'g' in \\u hexadecimal character escape",
    "ERR invalid character 'g' in \\u hexadecimal character escape",
  ],
  [
    '{1:2}',
    "ERR invalid character '1' looking for beginning of object key string",
    "ERR invalid character '1' looking for beginning of object key string",
  ],
  [
    '\ufeff{}',
    "ERR invalid character 'ï' looking for beginning of value",
    "ERR invalid character 'ï' looking for beginning of value",
  ],
  [
    'é',
    "ERR invalid character 'Ã' looking for beginning of value",
    "ERR invalid character 'Ã' looking for beginning of value",
  ],
  ['{"a":1}}', '{"a":1}', 'ERR json: cannot unmarshal object into Go value of type []interface {}'],
  [
    '[1]]',
    'ERR json: cannot unmarshal array into Go value of type map[string]interface {}',
    '{"collection":[1]}',
  ],
  [
    "'a'",
    "ERR invalid character '\\'' looking for beginning of value",
    "ERR invalid character '\\'' looking for beginning of value",
  ],
  [
    '{"a":[1,2}',
    "ERR invalid character '}' after array element",
    "ERR invalid character '}' after array element",
  ],
  [
    '\u0000',
    "ERR invalid character '\\x00' looking for beginning of value",
    "ERR invalid character '\\x00' looking for beginning of value",
  ],
  [
    '{"a":tx}',
    "ERR invalid character 'x' in literal true (expecting 'r')",
    "ERR invalid character 'x' in literal true (expecting 'r')",
  ],
  [
    '-0',
    'ERR json: cannot unmarshal number into Go value of type map[string]interface {}',
    'ERR json: cannot unmarshal number into Go value of type []interface {}',
  ],
  [
    '1.5e3x',
    'ERR json: cannot unmarshal number into Go value of type map[string]interface {}',
    'ERR json: cannot unmarshal number into Go value of type []interface {}',
  ],
  ['[', 'ERR unexpected EOF', 'ERR unexpected EOF'],
  ['[1,', 'ERR unexpected EOF', 'ERR unexpected EOF'],
  ['{"a":1,', 'ERR unexpected EOF', 'ERR unexpected EOF'],
  ['{"a":1', 'ERR unexpected EOF', 'ERR unexpected EOF'],
  ['"\\', 'ERR unexpected EOF', 'ERR unexpected EOF'],
  ['"\\u12', 'ERR unexpected EOF', 'ERR unexpected EOF'],
  ['{} {', '{}', 'ERR json: cannot unmarshal object into Go value of type []interface {}'],
  [
    '{"a":"\u007f"}',
    '{"a":"\u007f"}',
    'ERR json: cannot unmarshal object into Go value of type []interface {}',
  ],
  [
    '{"a":"\u001f"}',
    "ERR invalid character '\\x1f' in string literal",
    "ERR invalid character '\\x1f' in string literal",
  ],
  ['\t\r\n{}', '{}', 'ERR json: cannot unmarshal object into Go value of type []interface {}'],
  [
    '\u00a0{}',
    "ERR invalid character 'Â' looking for beginning of value",
    "ERR invalid character 'Â' looking for beginning of value",
  ],
  ['{"a" :1}', '{"a":1}', 'ERR json: cannot unmarshal object into Go value of type []interface {}'],
  ['[-]', "ERR invalid character ']' in numeric literal", "ERR invalid character ']' in numeric literal"],
  ['[01]', "ERR invalid character '1' after array element", "ERR invalid character '1' after array element"],
  [
    '[1.e5]',
    "ERR invalid character 'e' after decimal point in numeric literal",
    "ERR invalid character 'e' after decimal point in numeric literal",
  ],
  [
    '[.5]',
    "ERR invalid character '.' looking for beginning of value",
    "ERR invalid character '.' looking for beginning of value",
  ],
  [
    '[+1]',
    "ERR invalid character '+' looking for beginning of value",
    "ERR invalid character '+' looking for beginning of value",
  ],
  [
    '[1E5]',
    'ERR json: cannot unmarshal array into Go value of type map[string]interface {}',
    '{"collection":[1E5]}',
  ],
  [
    '[NaN]',
    "ERR invalid character 'N' looking for beginning of value",
    "ERR invalid character 'N' looking for beginning of value",
  ],
  [
    '{"a":1]',
    "ERR invalid character ']' after object key:value pair",
    "ERR invalid character ']' after object key:value pair",
  ],
  ['[1}', "ERR invalid character '}' after array element", "ERR invalid character '}' after array element"],
  [
    '{,}',
    "ERR invalid character ',' looking for beginning of object key string",
    "ERR invalid character ',' looking for beginning of object key string",
  ],
  [
    '[,]',
    "ERR invalid character ',' looking for beginning of value",
    "ERR invalid character ',' looking for beginning of value",
  ],
  ['{"a":1}x', '{"a":1}', 'ERR json: cannot unmarshal object into Go value of type []interface {}'],
  [
    '{"n":1.50,"big":12345678901234567890} x',
    '{"big":12345678901234567890,"n":1.50}',
    'ERR json: cannot unmarshal object into Go value of type []interface {}',
  ],
  [
    '[1.50] tail',
    'ERR json: cannot unmarshal array into Go value of type map[string]interface {}',
    '{"collection":[1.50]}',
  ],
  [
    '"\\ud800" x',
    'ERR json: cannot unmarshal string into Go value of type map[string]interface {}',
    'ERR json: cannot unmarshal string into Go value of type []interface {}',
  ],
  ['{"a":"\\u00e9"}{', '{"a":"é"}', 'ERR json: cannot unmarshal object into Go value of type []interface {}'],
  ['{"a":"é"} é', '{"a":"é"}', 'ERR json: cannot unmarshal object into Go value of type []interface {}'],
  ['{"a":[]}]', '{"a":[]}', 'ERR json: cannot unmarshal object into Go value of type []interface {}'],
  ['{"a":{}}}', '{"a":{}}', 'ERR json: cannot unmarshal object into Go value of type []interface {}'],
  [
    '0x10',
    'ERR json: cannot unmarshal number into Go value of type map[string]interface {}',
    'ERR json: cannot unmarshal number into Go value of type []interface {}',
  ],
  [
    '-01',
    'ERR json: cannot unmarshal number into Go value of type map[string]interface {}',
    'ERR json: cannot unmarshal number into Go value of type []interface {}',
  ],
  [
    '1e5e5',
    'ERR json: cannot unmarshal number into Go value of type map[string]interface {}',
    'ERR json: cannot unmarshal number into Go value of type []interface {}',
  ],
  [
    '[1e5e5]',
    "ERR invalid character 'e' after array element",
    "ERR invalid character 'e' after array element",
  ],
  [
    '{"a":nul}',
    "ERR invalid character '}' in literal null (expecting 'l')",
    "ERR invalid character '}' in literal null (expecting 'l')",
  ],
  [
    '{"a":fals}',
    "ERR invalid character '}' in literal false (expecting 'e')",
    "ERR invalid character '}' in literal false (expecting 'e')",
  ],
  [
    '{"a":falsy}',
    "ERR invalid character 'y' in literal false (expecting 'e')",
    "ERR invalid character 'y' in literal false (expecting 'e')",
  ],
  [
    '{"a":t}',
    "ERR invalid character '}' in literal true (expecting 'r')",
    "ERR invalid character '}' in literal true (expecting 'r')",
  ],
  ['{"a":1}\u0000', '{"a":1}', 'ERR json: cannot unmarshal object into Go value of type []interface {}'],
  [
    '\n\n[]\n\n',
    'ERR json: cannot unmarshal array into Go value of type map[string]interface {}',
    '{"collection":[]}',
  ],
  ['{"":1}', '{"":1}', 'ERR json: cannot unmarshal object into Go value of type []interface {}'],
  [
    '{"a":"b","a":"c"}',
    '{"a":"c"}',
    'ERR json: cannot unmarshal object into Go value of type []interface {}',
  ],
  [
    '[true,false,null]x',
    'ERR json: cannot unmarshal array into Go value of type map[string]interface {}',
    '{"collection":[true,false,null]}',
  ],
  ['{"a":-}', "ERR invalid character '}' in numeric literal", "ERR invalid character '}' in numeric literal"],
  [
    '{"a":1.}',
    "ERR invalid character '}' after decimal point in numeric literal",
    "ERR invalid character '}' after decimal point in numeric literal",
  ],
  [
    '{"a":1e}',
    "ERR invalid character '}' in exponent of numeric literal",
    "ERR invalid character '}' in exponent of numeric literal",
  ],
  [
    '{"a":1e+}',
    "ERR invalid character '}' in exponent of numeric literal",
    "ERR invalid character '}' in exponent of numeric literal",
  ],
  [
    '{"a":1ex}',
    "ERR invalid character 'x' in exponent of numeric literal",
    "ERR invalid character 'x' in exponent of numeric literal",
  ],
  ['{"a" 1}', "ERR invalid character '1' after object key", "ERR invalid character '1' after object key"],
  [
    '{"a":1 , }',
    "ERR invalid character '}' looking for beginning of object key string",
    "ERR invalid character '}' looking for beginning of object key string",
  ],
  [
    '[1 ,]',
    "ERR invalid character ']' looking for beginning of value",
    "ERR invalid character ']' looking for beginning of value",
  ],
  ['  ', 'ERR EOF', 'ERR EOF'],
  [
    '"\\u00"',
    "ERR invalid character '\"' in \\u hexadecimal character escape",
    "ERR invalid character '\"' in \\u hexadecimal character escape",
  ],
  ['{"a":"\\/"}', '{"a":"/"}', 'ERR json: cannot unmarshal object into Go value of type []interface {}'],
]

const entity = compileDecoder('json', false)
const collection = compileDecoder('json', true)

function decoded(decoder: typeof entity, body: string): string {
  const bytes = Buffer.from(body, 'utf8')
  try {
    return goJson(decoder(bytes.toString('utf8'), bytes))
  } catch (error) {
    return `ERR ${(error as Error).message}`
  }
}

describe("lura's JSON decoders answer as Go's json.Decoder", () => {
  test('each body of the table decodes to what Go decodes, or fails with its message', () => {
    for (const [body, asMap, asSlice] of GO_TABLE) {
      assert.equal(decoded(entity, body), asMap, `map: ${JSON.stringify(body)}`)
      assert.equal(decoded(collection, body), asSlice, `slice: ${JSON.stringify(body)}`)
    }
  })

  test('a byte in an error is named as Go quotes it (the byte taken as a Latin-1 rune)', () => {
    // Go: json.NewDecoder(strings.NewReader("t" + string([]byte{b}))).Decode(&m)
    const expected: Array<[number, string]> = [
      [0x00, "'\\x00'"],
      [0x07, "'\\a'"],
      [0x09, "'\\t'"],
      [0x0b, "'\\v'"],
      [0x1f, "'\\x1f'"],
      [0x20, "' '"],
      [0x22, `'"'`],
      [0x27, "'\\''"],
      [0x5c, "'\\\\'"],
      [0x7f, "'\\x7f'"],
      [0x80, "'\\u0080'"],
      [0x9f, "'\\u009f'"],
      [0xa0, "'\\u00a0'"],
      [0xa1, "'¡'"],
      [0xad, "'\\u00ad'"],
      [0xc3, "'Ã'"],
      [0xff, "'ÿ'"],
    ]
    for (const [byte, quoted] of expected) {
      assert.equal(goQuoteChar(byte), quoted)
      assert.equal(
        scanFirstValue(Uint8Array.of(0x74, byte)).error,
        `invalid character ${quoted} in literal true (expecting 'r')`,
      )
    }
  })

  test('nesting deeper than 10000 fails in the first value only', () => {
    const deep = `${'['.repeat(10001)}${']'.repeat(10001)}`
    assert.equal(decoded(collection, deep), "ERR invalid character '[' exceeded max depth")
    const fine = `${'['.repeat(10000)}${']'.repeat(10000)}`
    assert.equal(decoded(collection, `[1] ${deep}`), '{"collection":[1]}')
    assert.equal(scanFirstValue(Buffer.from(`${fine}x`)).end, 20000)
  })

  test('the value of a body with invalid UTF-8 after its first value is read as Go reads it', () => {
    const bytes = Buffer.concat([Buffer.from('{"a":"\xff"}', 'latin1'), Buffer.from([0xc3])])
    assert.equal(goJson(entity(bytes.toString('utf8'), bytes)), '{"a":"\ufffd"}')
    const bad = Buffer.from([0xc3, 0xa9])
    assert.equal(
      decoded(entity, bad.toString('utf8')),
      "ERR invalid character 'Ã' looking for beginning of value",
    )
  })
})

describe('a nil map (a backend answering null)', () => {
  test('is written as Go writes a nil map: null, also nested, through every encoder path', () => {
    assert.equal(goJson(goNilMap()), 'null')
    assert.equal(goJson({ g: goNilMap() }), '{"g":null}')
    // integer-like keys take the string-building encoder
    assert.equal(goJson({ 2: goNilMap(), 10: [goNilMap()] }), '{"10":[null],"2":null}')
    let deep: unknown = goNilMap()
    for (let i = 0; i < 20000; i += 1) deep = [deep]
    assert.equal(goJson(deep), `${'['.repeat(20000)}null${']'.repeat(20000)}`)
  })

  test('reads as an empty object and turns into an ordinary map once it has keys', () => {
    const nil = goNilMap()
    assert.deepEqual(Object.keys(nil), [])
    assert.equal(Object.hasOwn(nil, 'toJSON'), false)
    assert.equal(isGoNilMap(nil), true)
    assert.equal(isGoNilMap({}), false)
    Object.assign(nil, { b: 1, a: 2 })
    assert.equal(isGoNilMap(nil), false)
    assert.equal(goJson(nil), '{"a":2,"b":1}')
  })

  test("lura's combineData skips a part without data; two without data give an empty map", () => {
    assert.deepEqual(combineData(goNilMap(), { a: 1 }), { a: 1 })
    assert.deepEqual(combineData({ a: 1 }, goNilMap()), { a: 1 })
    const both = combineData(goNilMap(), goNilMap())
    assert.equal(isGoNilMap(both), false)
    assert.equal(goJson(both), '{}')
    assert.deepEqual(combineData({ a: 1, b: 1 }, { b: 2 }), { a: 1, b: 2 })
  })

  test('a flatmap_filter that deletes every key leaves a nil map; an empty answer stays empty', () => {
    const del = (...paths: string[]): FlatmapOp[] => [{ type: 'del', args: paths.map((p) => p.split('.')) }]
    assert.equal(isGoNilMap(goFlatmap({ a: 1, b: 2 }, del('a', 'b'))), true)
    assert.equal(isGoNilMap(goFlatmap({ a: 1, b: 2 }, del('*'))), true)
    assert.equal(goJson(goFlatmap({}, del('a'))), '{}')
    assert.equal(isGoNilMap(goFlatmap(goNilMap(), del('a'))), true)
    assert.deepEqual(goFlatmap({ a: 1, b: 2 }, del('b')), { a: 1 })
  })
})
