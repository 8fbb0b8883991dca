// lura's merge of a parallel endpoint's answers (mergeResults): the answer that arrived last wins
// on a shared key, nil maps and failures make it incomplete. Combinations of answer shapes that
// recur are merged into a new object with its keys in Go's order (go-json-merge.ts); this checks
// that merge against a plain Object.assign over many seeded recurring combinations, and the cases
// it leaves to lura's merge as written.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { BackendResult } from '../../src/gateway/compiled-endpoint.ts'
import { goJson, goNilMap, goStruct } from '../../src/gateway/go-json.ts'
import { mergeResults } from '../../src/gateway/serve-endpoint.ts'
import { seededRandom } from './fuzz-helpers.ts'

type Data = Record<string, unknown>
const ok = (data: Data): BackendResult => ({ ok: true, data, complete: true })
const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))
/** lura's merge, written the plain way: later answers' keys over the earlier ones'. */
const reference = (parts: Data[]): Data => Object.assign({}, ...parts.map((p) => structuredClone(p)))

const KEYS = [
  'a',
  'b',
  'id',
  'name',
  'z1',
  'z10',
  'z9',
  'é',
  '\uE000',
  '😀',
  'a"b',
  '<k>',
  'tags',
  'x_1',
  'x_10',
]

test('recurring combinations of answer shapes merge as lura merges them, keys in Go order', () => {
  const random = seededRandom(37)
  const shapes = Array.from({ length: 12 }, () =>
    KEYS.filter(() => random.next() < 0.4).sort(() => random.next() - 0.5),
  ).filter((keys) => keys.length > 0)
  let generatedSeen = 0
  for (let round = 0; round < 600; round += 1) {
    const count = 2 + Math.floor(random.next() * 3)
    // few combinations, so that each recurs past the point where its merge is generated
    const seed = Math.floor(random.next() * 6)
    const pick = seededRandom(seed + count * 100)
    const parts = Array.from({ length: count }, (_, i) =>
      Object.fromEntries(
        pick.pick(shapes).map((key) => [key, random.next() < 0.3 ? { n: i, round } : `${i}:${round}`]),
      ),
    )
    const first = { ...(parts[0] as Data) }
    const expected = reference(parts)
    const merged = mergeResults(parts.map(ok), count)
    assert.deepEqual(merged.data, expected, `round ${round}`)
    assert.equal(merged.complete, true)
    assert.equal(goJson(merged.data), goJson(expected))
    const keys = Object.keys(merged.data as Data)
    if (merged.data !== parts[0]) {
      // made as a new object: the first answer is left as it came, the keys are in Go's order
      generatedSeen += 1
      assert.deepEqual(parts[0], first)
      assert.deepEqual(keys, [...keys].sort(utf8Order))
    }
  }
  assert.ok(generatedSeen > 300, `${generatedSeen} merges generated`)
})

test("answers a generated merge does not take are merged as lura's merge writes them", () => {
  const cases: Array<{ name: string; parts: () => BackendResult[]; complete: boolean; json: string }> = [
    {
      name: 'a nil map',
      parts: () => [ok({ a: 1 }), ok(goNilMap()), ok({ b: 2 })],
      complete: false,
      json: '{"a":1,"b":2}',
    },
    {
      name: 'an empty answer',
      parts: () => [ok({ a: 1 }), ok({}), ok({ b: 2 })],
      complete: true,
      json: '{"a":1,"b":2}',
    },
    {
      name: 'an own __proto__',
      parts: () => [ok(JSON.parse('{"__proto__":{"x":1},"a":1}')), ok({ b: 2 })],
      complete: true,
      json: '{"__proto__":{"x":1},"a":1,"b":2}',
    },
    {
      name: 'array-index keys',
      parts: () => [ok({ 10: 'x', b: 1 }), ok({ 9: 'y' })],
      complete: true,
      json: '{"10":"x","9":"y","b":1}',
    },
    {
      name: 'a struct',
      parts: () => [ok(goStruct({ z: 1, a: 2 })), ok({ m: 3 })],
      complete: true,
      json: '{"z":1,"a":2,"m":3}',
    },
    {
      name: 'a failure between answers',
      parts: () => [ok({ a: 1 }), { ok: false, code: undefined, message: 'x' }, ok({ a: 2 })],
      complete: false,
      json: '{"a":2}',
    },
  ]
  for (const c of cases)
    for (let i = 0; i < 20; i += 1) {
      const parts = c.parts()
      const merged = mergeResults(parts, parts.length)
      assert.equal(goJson(merged.data), c.json, c.name)
      assert.equal(merged.complete, c.complete, c.name)
    }
})

test('answers whose keys never recur (ids as keys) merge as lura merges them, past every cache bound', () => {
  let id = 0
  const nextId = () => {
    id += 1
    return id
  }
  const part = () => Object.fromEntries(Array.from({ length: 4 }, nextId).map((n) => [`id${n}`, n]))
  for (let round = 0; round < 6000; round += 1) {
    const parts = [part(), part(), { shared: round }, { shared: -round, ...part() }]
    const merged = mergeResults(parts.map(ok), parts.length)
    assert.deepEqual(merged.data, reference(parts), `round ${round}`)
  }
  // a recurring combination still merges right once the bounds are reached
  for (let i = 0; i < 20; i += 1) {
    const parts = [
      { a: 1, b: i },
      { b: 'x', c: i },
    ]
    assert.equal(goJson(mergeResults(parts.map(ok), 2).data), `{"a":1,"b":"x","c":${i}}`)
  }
})
