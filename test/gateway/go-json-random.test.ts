// goJson against a plain reference of Go's encoding/json on random documents: keys sorted by their
// UTF-8 bytes (a struct's in declaration order), HTML characters and U+2028/U+2029 escaped, a lone
// surrogate written as \ufffd, -0 and json.Number texts as Go writes them, a nil map as null.
// Documents repeat a few shapes many times, sorted and not, so that the cached key orders and the
// code generated for recurring shapes are checked as well as the first sight of each shape.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { GoNumber, goJson, goNilMap, goStruct, isGoNilMap, isGoStruct } from '../../src/gateway/go-json.ts'
import { seededRandom } from './fuzz-helpers.ts'

/** What Go's encoder escapes as \uXXXX and JSON.stringify writes as they are. */
const HTML_AND_SEPARATORS = new Set(['<', '>', '&', '\u2028', '\u2029'])

/**
 * Go's string encoding: JSON.stringify's escapes, plus \uXXXX for the HTML characters and
 * U+2028/U+2029, and \ufffd for a byte that is not UTF-8 (here a lone surrogate).
 */
function goString(s: string): string {
  let out = '"'
  for (const char of s) {
    const unit = char.charCodeAt(0)
    if (unit >= 0xd800 && unit <= 0xdfff && char.length === 1) out += '\\ufffd'
    else if (HTML_AND_SEPARATORS.has(char)) out += `\\u${unit.toString(16).padStart(4, '0')}`
    else out += JSON.stringify(char).slice(1, -1)
  }
  return `${out}"`
}
const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))

/** Go's Marshal of the value, written the plain way. */
function reference(value: unknown): string {
  if (value === undefined || value === null) return 'null'
  if (value instanceof GoNumber) return value.literal
  if (typeof value === 'string') return goString(value)
  if (typeof value === 'boolean') return String(value)
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value)
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`
  const obj = value as Record<string, unknown>
  if (isGoNilMap(obj)) return 'null'
  const keys = Object.keys(obj).filter((key) => obj[key] !== undefined)
  if (!isGoStruct(obj)) keys.sort(utf8Order)
  return `{${keys.map((key) => `${goString(key)}:${reference(obj[key])}`).join(',')}}`
}

const KEYS = [
  'a',
  'b',
  'id',
  'name',
  'tags',
  'price',
  'ok',
  'a"b',
  'é',
  '<k>',
  '\u2028',
  'z1',
  'z10',
  'z9',
  '\uE000',
  '\uFFFD',
  '😀',
  'a😀',
  'a\uFF01',
]
const RARE_KEYS = ['__proto__', '10', '9', '0']
const SCALARS: unknown[] = [
  0,
  -0,
  1.5,
  12,
  1e21,
  'text',
  '<b>&</b>',
  '\u2029',
  'lone \ud800 surrogate',
  true,
  false,
  null,
  new GoNumber('1.50'),
  new GoNumber('-0'),
]

function generator(seed: number) {
  const { next, pick } = seededRandom(seed)
  const keyList = () => {
    const keys = new Set<string>()
    for (let i = 1 + Math.floor(next() * 6); i > 0; i -= 1)
      keys.add(next() < 0.05 ? pick(RARE_KEYS) : pick(KEYS))
    const list = [...keys]
    return next() < 0.4 ? list.sort(utf8Order) : list
  }
  // A few shapes, each used by many objects: as backends answer.
  const shapes = Array.from({ length: 12 }, keyList)
  const value = (depth: number): unknown => {
    const r = next()
    if (depth > 3 || r < 0.35) return pick(SCALARS)
    if (r < 0.5) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1))
    const object: Record<string, unknown> = next() < 0.05 ? goNilMap() : {}
    const keys = next() < 0.1 ? [] : next() < 0.85 ? pick(shapes) : keyList()
    // Own keys, as JSON.parse makes them (`__proto__` included).
    for (const key of keys)
      Object.defineProperty(object, key, {
        value: next() < 0.03 ? undefined : value(depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    return next() < 0.05 ? goStruct(object) : object
  }
  return () => value(0)
}

test('random documents are written as the plain reference of Go writes them, shapes seen once or many times', () => {
  const nextDocument = generator(19)
  for (let i = 0; i < 3000; i += 1) {
    const document = nextDocument()
    const expected = reference(document)
    assert.equal(goJson(document), expected, `document ${i}`)
    // The same document again (ordered in place or copied by then), and its text parsed as a backend's.
    assert.equal(goJson(document), expected, `document ${i}, second time`)
    const parsed: unknown = JSON.parse(expected)
    assert.equal(goJson(parsed), reference(parsed), `document ${i} parsed`)
  }
})
