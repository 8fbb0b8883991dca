import assert from 'node:assert/strict'
import { test } from 'node:test'
import { goJson } from '../../src/gateway/go-json.ts'
import { mayLoseNumberText, parseJsonKeepingNumbers } from '../../src/gateway/go-json-decoder.ts'

// What Go's encoding/json writes for a map[string]interface{} decoded with UseNumber (KrakenD).
const reencoded = (text: string) => goJson(parseJsonKeepingNumbers(text))

test('keys are sorted bytewise at every depth, integer-like keys included', () => {
  assert.equal(
    reencoded('{"b":1,"a":[1,{"z":2,"y":3}],"10":3,"9":4}'),
    '{"10":3,"9":4,"a":[1,{"y":3,"z":2}],"b":1}',
  )
  assert.equal(reencoded('{"x":{"2":1,"b":2,"10":3}}'), '{"x":{"10":3,"2":1,"b":2}}')
  assert.equal(reencoded('{"4294967295":1,"4294967294":2,"a":3}'), '{"4294967294":2,"4294967295":1,"a":3}')
  assert.equal(reencoded('{"é":1,"z":2,"e":3}'), '{"e":3,"z":2,"é":1}')
  assert.equal(reencoded('[{"b":{"d":1,"c":2}},[{"y":1,"x":2}]]'), '[{"b":{"c":2,"d":1}},[{"x":2,"y":1}]]')
})

test('keys sort by their UTF-8 bytes: U+E000..U+FFFF before the characters beyond U+FFFF', () => {
  // KrakenD CE 2.13.8's answer for this backend body (UTF-16 order would put the emoji before U+E000).
  assert.equal(
    reencoded('{"a":1,"\uFFFD":2,"\uD83D\uDE00":3,"\uE000":4,"\u00e9":5,"z":6,"\uD7FF":7}'),
    '{"a":1,"z":6,"\u00e9":5,"\uD7FF":7,"\uE000":4,"\uFFFD":2,"\uD83D\uDE00":3}',
  )
  assert.equal(goJson({ 'x\uD83D\uDE00': 1, 'x\uFF01': 2, x: 3 }), '{"x":3,"x\uFF01":2,"x\uD83D\uDE00":1}')
})

test('number texts JavaScript would print differently are written as the backend wrote them', () => {
  const cases = [
    '1.50',
    '1e3',
    '1E+3',
    '-0',
    '-0.0',
    '12345678901234567890',
    '0.0000001',
    '1234567890.1234567',
    '0.10',
  ]
  for (const literal of cases) {
    assert.equal(mayLoseNumberText(`{"n":${literal}}`), true, literal)
    assert.equal(reencoded(`{"n":${literal},"a":[${literal}]}`), `{"a":[${literal}],"n":${literal}}`)
  }
  for (const plain of ['{"n":1.5}', '{"n":-0.5}', '[10,200,3000000]', '{"n":0.000001}', '{"s":"abc"}'])
    assert.equal(mayLoseNumberText(plain), false, plain)
})

test('number texts inside strings are not numbers: the scan jumps over strings (escaped quotes too)', () => {
  for (const text of [
    '{"s":"12345678901234567","t":"1e5","u":"-0","v":"2.50"}',
    '["a\\"1e5\\"b",1]',
    '{"1e5":"0.0000001","k":"\\\\"}',
  ])
    assert.equal(mayLoseNumberText(text), false, text)
  assert.equal(mayLoseNumberText('["x\\"",1.50]'), true)
  // A string that never ends (no valid JSON): what follows its quote is scanned, as before.
  assert.equal(mayLoseNumberText('{"s":"abc 1e5'), true)
  assert.equal(reencoded('{"s":"1e5 and 0.10","n":0.10}'), '{"n":0.10,"s":"1e5 and 0.10"}')
})

test('HTML characters and line separators are escaped as Go escapes them', () => {
  assert.equal(
    reencoded('{"a":"<&>","b":"\u2028\u2029"}'),
    '{"a":"\\u003c\\u0026\\u003e","b":"\\u2028\\u2029"}',
  )
})

test('values built in JavaScript: -0, undefined and sorted objects reused', () => {
  assert.equal(goJson({ b: -0, a: 1 }), '{"a":1,"b":-0}')
  assert.equal(goJson([0, -0]), '[0,-0]')
  assert.equal(goJson(undefined), 'null')
  assert.equal(goJson({ a: undefined, b: [undefined] }), '{"b":[null]}')
  const shared = { d: 1, c: 2 }
  assert.equal(goJson({ y: shared, x: shared }), '{"x":{"c":2,"d":1},"y":{"c":2,"d":1}}')
})

test('objects of different shapes sharing a first key are each ordered right, seen once or many times', () => {
  const shapes = ['{"m":1,"b":2}', '{"m":1,"b":2,"a":3}', '{"m":1,"z":2,"c":3}', '{"m":1,"c":3,"z":2,"a":0}']
  const expected = [
    '{"b":2,"m":1}',
    '{"a":3,"b":2,"m":1}',
    '{"c":3,"m":1,"z":2}',
    '{"a":0,"c":3,"m":1,"z":2}',
  ]
  for (let round = 0; round < 3; round += 1)
    for (const [i, text] of shapes.entries()) assert.equal(reencoded(text), expected[i])
  const many = Array.from({ length: 20 }, (_, i) => `{"q":0,"k${i}":1,"a${i}":2}`)
  for (let round = 0; round < 2; round += 1)
    for (const [i, text] of many.entries()) assert.equal(reencoded(text), `{"a${i}":2,"k${i}":1,"q":0}`)
})

test('a shape seen many times (a generated copier) writes what the first sight wrote', () => {
  // Keys that are awkward as source text, a "__proto__" key (an own key after JSON.parse, as in
  // Go's map), nested -0 and integer-like keys that need the string-building encoder.
  const cases: Array<[string, string]> = [
    ['{"z":1,"a\\"b":2,"c\\\\d":3,"\\u2028":4,"é":5}', '{"a\\"b":2,"c\\\\d":3,"z":1,"é":5,"\\u2028":4}'],
    ['{"b":1,"__proto__":{"y":1,"x":2},"a":2}', '{"__proto__":{"x":2,"y":1},"a":2,"b":1}'],
    ['{"n":{"q":1,"p":2},"m":[{"s":1,"r":2}]}', '{"m":[{"r":2,"s":1}],"n":{"p":2,"q":1}}'],
  ]
  for (let round = 0; round < 20; round += 1)
    for (const [text, expected] of cases) assert.equal(reencoded(text), expected, `round ${round}`)
  for (let round = 0; round < 20; round += 1) {
    assert.equal(goJson({ y: { b: -0, a: 1 }, x: 1 }), '{"x":1,"y":{"a":1,"b":-0}}', `round ${round}`)
    assert.equal(goJson({ y: { 10: 1, 9: 2 }, x: 1 }), '{"x":1,"y":{"10":1,"9":2}}', `round ${round}`)
    assert.equal(goJson({ y: undefined, x: 1 }), '{"x":1}', `round ${round}`)
  }
  const parsed = JSON.parse('{"b":1,"__proto__":{"polluted":true}}')
  for (let round = 0; round < 20; round += 1) goJson(parsed)
  assert.equal(({} as Record<string, unknown>).polluted, undefined)
})
