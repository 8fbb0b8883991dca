import assert from 'node:assert/strict'
import { test } from 'node:test'
import { resolveGoYamlScalar } from '../../src/core/go-yaml-scalars.ts'

// What go.yaml.in/yaml/v3 v3.0.4 (KrakenD 2.13.8's YAML reader) decodes each plain scalar into, as
// a Go program calling yaml.Unmarshal into map[string]interface{} printed it (type and value).
const plain: Array<[string, unknown]> = [
  ['017', 15],
  ['0017', 15],
  ['-017', -15],
  ['+017', 15],
  ['00', 0],
  ['09', 9],
  ['08.5', 8.5],
  ['0o17', 15],
  ['0O17', 15],
  ['-0o17', -15],
  ['0x1F', 31],
  ['0X1F', 31],
  ['0x_1F', 31],
  ['-0x1F', -31],
  ['0b101', 5],
  ['0B101', 5],
  ['-0b101', -5],
  ['+0b101', 5],
  ['0b1_0_1', 5],
  ['0o_17', 15],
  ['-0_17', -15],
  ['1_000', 1000],
  ['1__0', 10],
  ['1_', 1],
  ['-1_000', -1000],
  ['_1', '_1'],
  ['0x', '0x'],
  ['0b', '0b'],
  ['9007199254740991', 9007199254740991],
  ['18446744073709551616', 1.8446744073709552e19],
  ['-9223372036854775809', -9.223372036854776e18],
  ['1.', 1],
  ['.5', 0.5],
  ['-.5', -0.5],
  ['+.5e1', 5],
  ['1e3', 1000],
  ['1E3', 1000],
  ['1.5e-3', 0.0015],
  ['1_0.5', 10.5],
  ['1_0e1_0', 1e11],
  ['.1_0', 0.1],
  ['.5_', '.5_'],
  ['._5', '._5'],
  ['.5e_3', '.5e_3'],
  ['1e400', '1e400'],
  ['.1e400', '.1e400'],
  ['4.9e-325', 0],
  ['0x1p-2', '0x1p-2'],
  ['1e', '1e'],
  ['.inf', Number.POSITIVE_INFINITY],
  ['+.Inf', Number.POSITIVE_INFINITY],
  ['-.INF', Number.NEGATIVE_INFINITY],
  ['.NaN', Number.NaN],
  ['.iNf', '.iNf'],
  ['inf', 'inf'],
  ['nan', 'nan'],
  ['Infinity', 'Infinity'],
  ['true', true],
  ['True', true],
  ['TRUE', true],
  ['tRue', 'tRue'],
  ['False', false],
  ['yes', 'yes'],
  ['Yes', 'Yes'],
  ['no', 'no'],
  ['on', 'on'],
  ['off', 'off'],
  ['y', 'y'],
  ['', null],
  ['~', null],
  ['null', null],
  ['Null', null],
  ['NULL', null],
  ['nUll', 'nUll'],
  ['2001-12-14x', '2001-12-14x'],
  ['2001-13-14', '2001-13-14'],
  ['2001-02-29', '2001-02-29'],
  ['2001-12-14 21:59:43.10 -5', '2001-12-14 21:59:43.10 -5'],
  ['2001-12-14T24:00:00Z', '2001-12-14T24:00:00Z'],
  ['2001-12-14T01:02:03+25:00', '2001-12-14T01:02:03+25:00'],
  ['2001-012-14', '2001-012-14'],
  ['1:20:30', '1:20:30'],
  ['1.2.3', '1.2.3'],
  ['<<', '<<'],
  ['--', '--'],
  ['+', '+'],
  ['.', '.'],
]
// Go reads these as a time.Time: refused here (KrakenD's components see no text there).
const timestamps = [
  '2001-12-14',
  '2001-1-2',
  '2000-02-29',
  '2001-12-14t21:59:43.10-05:00',
  '2001-12-14T21:59:43.10Z',
  '2001-12-14 21:59:43.10',
  '2001-12-14   01:02:03',
  '2001-12-14T1:2:3Z',
  '2001-12-14T01:02:03+24:60',
  '2001-12-14T01:02:03,5Z',
  '0000-01-01',
]

const readAs = (text: string, tag?: string, isPlain = true) => {
  const resolved = resolveGoYamlScalar({ text, tag, plain: isPlain })
  return 'refused' in resolved ? `refused: ${resolved.refused}` : resolved.value
}

test('plain scalars resolve as go-yaml v3 resolves them', () => {
  for (const [text, expected] of plain) assert.deepEqual(readAs(text), expected, text)
})

test('plain timestamps and integers beyond 2^53 are refused; quoted, they are text', () => {
  for (const text of timestamps) {
    assert.match(String(readAs(text)), /^refused: .* is a timestamp/, text)
    assert.equal(readAs(text, undefined, false), text)
  }
  for (const text of ['9007199254740993', '9223372036854775808', '0xFFFFFFFFFFFFFFFF'])
    assert.match(String(readAs(text)), /^refused: .*beyond 2\^53/, text)
})

test('quoted scalars are text; explicit tags resolve or fail as in go-yaml', () => {
  const yamlTag = (name: string) => `tag:yaml.org,2002:${name}`
  for (const text of ['017', '1_000', '0b101', 'true', '~', '1e3', 'yes'])
    assert.equal(readAs(text, undefined, false), text)
  assert.equal(readAs('017', yamlTag('int'), false), 15)
  assert.equal(readAs('1_000', yamlTag('int'), false), 1000)
  assert.equal(readAs('1', yamlTag('float')), 1)
  assert.equal(readAs('017', yamlTag('float')), 15)
  assert.equal(readAs('017', yamlTag('str')), '017')
  assert.equal(readAs('true', yamlTag('bool'), false), true)
  assert.equal(readAs('~', yamlTag('null'), false), null)
  assert.equal(readAs('017', '!foo'), '017')
  assert.equal(readAs('017', '!'), 15)
  assert.equal(readAs('017', '!', false), '017')
  assert.equal(readAs('aGVsbG8=', yamlTag('binary')), 'hello')
  assert.match(String(readAs('yes', yamlTag('bool'))), /^refused: cannot decode !!str `yes` as a !!bool/)
  assert.match(String(readAs('1.5', yamlTag('int'))), /^refused: cannot decode !!float `1.5` as a !!int/)
  assert.match(String(readAs('', yamlTag('int'))), /^refused: cannot decode !!null `` as a !!int/)
  assert.match(
    String(readAs('x', yamlTag('timestamp'))),
    /^refused: cannot decode !!str `x` as a !!timestamp/,
  )
  assert.match(String(readAs('2001-12-14', yamlTag('timestamp'), false)), /^refused: .* is a timestamp/)
  assert.match(
    String(readAs('aGVsbG8', yamlTag('binary'))),
    /^refused: !!binary value contains invalid base64/,
  )
})
