import assert from 'node:assert/strict'
import { test } from 'node:test'
import { goJson } from '../../src/gateway/go-json.ts'
import { parseJsonKeepingNumbers } from '../../src/gateway/go-json-decoder.ts'
import { goUtf8 } from '../../src/gateway/go-utf8.ts'
import { parseXml } from '../../src/gateway/xml-encoding.ts'

// krakend-xml sets mxj.XmlCharsetReader = charset.NewReaderLabel: a declared encoding is decoded
// (WHATWG labels); without one the bytes must be UTF-8, as Go's xml decoder checks every rune.
test('xml: a declared charset is decoded, invalid UTF-8 fails where Go reads it', () => {
  const latin1 = Buffer.concat([
    Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a>caf'),
    Buffer.from([0xe9]),
    Buffer.from('</a>'),
  ])
  assert.deepEqual(parseXml(latin1), { a: 'café' })
  const sjis = Buffer.concat([
    Buffer.from('<?xml version="1.0" encoding="Shift_JIS"?><a>'),
    Buffer.from([0x82, 0xa0]),
    Buffer.from('</a>'),
  ])
  assert.deepEqual(parseXml(sjis), { a: 'あ' })
  assert.throws(
    () => parseXml(Buffer.concat([Buffer.from('<a>caf'), Buffer.from([0xe9]), Buffer.from('</a>')])),
    /invalid UTF-8/,
  )
  assert.throws(
    () => parseXml(Buffer.from('<?xml version="1.0" encoding="nope"?><a>1</a>')),
    /unsupported charset/,
  )
  // Go never reads a comment's runes nor anything after the root element.
  assert.deepEqual(
    parseXml(Buffer.concat([Buffer.from('<a>x<!--'), Buffer.from([0xe9]), Buffer.from('--></a>')])),
    { a: 'x' },
  )
  assert.deepEqual(parseXml(Buffer.concat([Buffer.from('<a>x</a>'), Buffer.from([0xff])])), { a: 'x' })
})

test('xml: deep nesting is read without the call stack (mxj has no depth limit)', () => {
  const depth = 200_000
  let node: unknown = parseXml(`${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}`)
  for (let i = 0; i < depth; i += 1) node = (node as Record<string, unknown>).a
  assert.equal(node, 'x')
})

test('xml: an element called __proto__ is an own key', () => {
  const doc = parseXml('<r><__proto__>1</__proto__></r>') as { r: Record<string, unknown> }
  assert.equal(Object.hasOwn(doc.r, '__proto__'), true)
  assert.equal(goJson(doc), '{"r":{"__proto__":"1"}}')
})

test("goUtf8 replaces bytes as Go's utf8.DecodeRune does: one U+FFFD per byte of a bad sequence", () => {
  const bytes = Buffer.from([0x61, 0xe2, 0x82, 0x61, 0xf0, 0x9f, 0x98, 0x80, 0xed, 0xa0, 0x80, 0xc0, 0xaf])
  assert.equal(goUtf8(bytes), 'a\uFFFD\uFFFDa😀\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD')
  // A WHATWG decoder (Buffer, TextDecoder) gives one U+FFFD for the truncated E2 82.
  assert.equal(bytes.subarray(0, 4).toString('utf8'), 'a\uFFFDa')
})

test("json: Go's 10000-level nesting limit, and bodies up to it written back whole", () => {
  const nested = (depth: number) => `{"n":1.5,"d":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`
  assert.throws(() => parseJsonKeepingNumbers(nested(10_001)), /exceeded max depth/)
  const text = goJson(parseJsonKeepingNumbers(nested(10_000)))
  assert.equal(text, `{"d":${'['.repeat(9_999)}${']'.repeat(9_999)},"n":1.5}`)
  // Brackets inside strings do not count.
  assert.doesNotThrow(() => parseJsonKeepingNumbers(`{"s":"${'['.repeat(30_000)}\\""}`))
})
