// lura's proxy layer pieces that the conformance cases cannot reach yet or only partly: the request
// target Go's url.URL makes of a generated path, the placeholder lura leaves for a sequential
// value it has no value for, and the krakend/flatmap tree rules. Expected values were produced by
// lura's and krakend/flatmap's own code (Go 1.2x net/url) on the same inputs.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { applyFlatmap, type FlatmapOp } from '../../src/gateway/flatmap.ts'
import { goJson, isGoNilSlice } from '../../src/gateway/go-json.ts'
import { parseJsonKeepingNumbers } from '../../src/gateway/go-json-decoder.ts'
import { propagatedField, SequentialValues } from '../../src/gateway/sequential-params.ts'
import { compileDecoder } from '../../src/gateway/transform.ts'
import {
  compilePattern,
  goRequestTarget,
  type SequentialRef,
  sequentialSlot,
} from '../../src/gateway/url-pattern.ts'

describe('goRequestTarget: the path Go sends for host + generated path', () => {
  test('bytes Go never sends raw make it re-escape the whole path', () => {
    assert.equal(goRequestTarget('/echo/xy/a"', ''), '/echo/xy/a%22')
    assert.equal(goRequestTarget('/a/..\\admin', ''), '/a/..%5Cadmin')
    assert.equal(goRequestTarget('/echo/x y/{id}', ''), '/echo/x%20y/%7Bid%7D')
    assert.equal(goRequestTarget('/a/ü', ''), '/a/%C3%BC')
    assert.equal(goRequestTarget('/echo/<nil>/map[a:1 b:x y]', ''), '/echo/%3Cnil%3E/map%5Ba:1%20b:x%20y%5D')
  })
  test('a path Go may send as written stays as written', () => {
    assert.equal(goRequestTarget('/a/b!c[d]', ''), '/a/b!c[d]')
    assert.equal(goRequestTarget('/a%41b', ''), '/a%41b')
    assert.equal(goRequestTarget('/users/42', ''), '/users/42')
  })
  test("the url_pattern's query stays, the forwarded one follows; a fragment is dropped", () => {
    assert.equal(goRequestTarget('/a?x=1', 'y=2'), '/a?x=1&y=2')
    assert.equal(goRequestTarget('/a', 'y=2'), '/a?y=2')
    assert.equal(goRequestTarget('/a?', ''), '/a?')
    assert.equal(goRequestTarget('/a?', 'y=2'), '/a?y=2')
    assert.equal(goRequestTarget('/a?x=1#frag', ''), '/a?x=1')
    assert.equal(goRequestTarget('/a#f?x=1', 'y=2'), '/a?y=2')
  })
  test('an encoded slash is a slash once the path is re-escaped, as Go sends it; kept encoded beside sequential values', () => {
    assert.equal(goRequestTarget('/a/x%2Fy/ z', ''), '/a/x/y/%20z')
    assert.equal(goRequestTarget('/a/x%2Fy/z', ''), '/a/x%2Fy/z')
    assert.equal(goRequestTarget('/a/x%2Fy/ z', '', true), '/a/x%2Fy/%20z')
  })
})

describe('sequential values in url_pattern', () => {
  const ref = (pattern: string): SequentialRef => {
    const part = compilePattern(pattern).find((p) => typeof p !== 'string')
    assert.ok(part && typeof part !== 'string' && part.sequential)
    return part.sequential
  }
  /** What lura puts in the slot of `ref` with backend 0's answer `data`. */
  const sequentialParam = (data: Record<string, unknown>, seq: SequentialRef) => {
    const values = new SequentialValues()
    values.answered(0, data)
    return sequentialSlot(seq.replaced ? values.text('x', seq.index, seq.path) : undefined, seq)
  }
  test("a missing value leaves lura's {{.RespN_path}} placeholder: escaped in a path, raw in a query (Go)", () => {
    const target = (pattern: string, data: Record<string, unknown>) =>
      goRequestTarget(pattern.replace(/\{[^}]+\}/, sequentialParam(data, ref(pattern))), '')
    assert.equal(target('/x/{resp0_id}', { a: 1 }), '/x/%7B%7B.Resp0_id%7D%7D')
    assert.equal(target('/x/{resp0_a.b}', { a: 1 }), '/x/%7B%7B.Resp0_a.b%7D%7D')
    assert.equal(target('/x?id={resp0_id}', { a: 1 }), '/x?id={{.Resp0_id}}')
  })
  test('a value in the query goes as Go sends it, unescaped', () => {
    assert.equal(sequentialParam({ id: 'a/b?c' }, ref('/x?id={resp0_id}')), 'a/b?c')
    assert.equal(sequentialParam({ id: 'a/b?c' }, ref('/x/{resp0_id}')), 'a%2Fb%3Fc')
  })
  test('prototype names are not values', () => {
    assert.equal(sequentialParam({}, ref('/x/{resp0_constructor}')), '{{.Resp0_constructor}}')
    assert.equal(propagatedField({}, ['toString']), undefined)
  })
  test('the walk stops where a step is missing or not an object and reads the last key there', () => {
    const data = parseJsonKeepingNumbers('{"id":"top","list":[{"id":7}],"a":{"b":{"c":1.50}}}') as Record<
      string,
      unknown
    >
    assert.equal(sequentialParam(data, ref('/x/{resp0_list.id}')), 'top')
    assert.equal(sequentialParam(data, ref('/x/{resp0_nope.id}')), 'top')
    assert.equal(sequentialParam(data, ref('/x/{resp0_a.b.c}')), '1.50')
  })
  test("later answers are merged into the first one's map, and a value once found is kept (lura's registry)", () => {
    const values = new SequentialValues()
    const first = { g0: { a: 'x' } }
    values.answered(0, first)
    assert.equal(values.text('resp0_a', 0, ['a']), undefined)
    values.answered(1, { a: 'from 1', b: 'b1' })
    assert.equal(values.text('resp0_a', 0, ['a']), 'from 1', 'backend 1 merged into backend 0 (combineData)')
    assert.equal(values.text('resp1_b', 1, ['b']), 'b1')
    values.answered(2, { a: 'from 2', b: 'b2' })
    assert.equal(values.text('resp0_a', 0, ['a']), 'from 1', 'the registry keeps the first value found')
    assert.equal(values.text('resp0_b', 0, ['b']), 'b2')
    assert.deepEqual(first, { g0: { a: 'x' } }, 'the answers themselves are not changed')
  })
  test('a slash, query or fragment mark in a value stays inside its segment (deliberate deviation)', () => {
    assert.equal(sequentialParam({ id: '../admin?x#y' }, ref('/x/{resp0_id}')), '..%2Fadmin%3Fx%23y')
    assert.equal(sequentialParam({ id: '50%' }, ref('/x/{resp0_id}')), '50%25')
  })
})

describe('decoders', () => {
  test('is_collection: null is a nil collection, an object is an error', () => {
    const json = compileDecoder('json', true)
    const decode = (text: string) => json(text, Buffer.from(text))
    const { collection } = decode('null')
    assert.ok(Array.isArray(collection) && isGoNilSlice(collection))
    assert.equal(goJson({ collection }), '{"collection":null}')
    assert.throws(() => decode('{"a":1}'))
  })
})

describe('krakend/flatmap tree rules', () => {
  const ops = (...list: Array<[FlatmapOp['type'], ...string[]]>): FlatmapOp[] =>
    list.map(([type, ...args]) => ({ type, args: args.map((a) => a.split('.')) }))
  test('array items keep their labels: a later delete names an original index', () => {
    assert.deepEqual(applyFlatmap({ a: [1, 2, 3] }, ops(['del', 'a.0', 'a.1'])), { a: [3] })
    assert.deepEqual(applyFlatmap({ a: [1, 2, 3] }, ops(['del', 'a.1'], ['del', 'a.2'])), { a: [1] })
  })
  test('appending to an array with a deleted item merges by label, as the tree does', () => {
    assert.deepEqual(applyFlatmap({ a: [1, 2, 3], b: [9] }, ops(['del', 'a.0'], ['append', 'b', 'a'])), {
      a: [3, 9, 2],
    })
  })
  test('a relabelled array item is found under its new label', () => {
    assert.deepEqual(applyFlatmap({ a: [1, 2, 3] }, ops(['move', 'a.0', 'a.5'], ['move', 'a.5', 'z'])), {
      a: [2, 3],
      z: 1,
    })
  })
  test('promoting onto a scalar turns it into an object', () => {
    assert.deepEqual(applyFlatmap({ a: { x: { k: 1 } }, s: 5 }, ops(['move', 'a.x.k', 's.k'])), {
      a: { x: null },
      s: { k: 1 },
    })
  })
  test('append to a wildcard destination adds a "*" key (Get expands it, Add takes it literally)', () => {
    assert.deepEqual(applyFlatmap({ a: [1], b: [2] }, ops(['append', 'a', 'b.*'])), { b: [2, [2, 1]] })
  })
  test('untouched parts are handed back as decoded', () => {
    const keep = { deep: [1, { x: 2 }] }
    const out = applyFlatmap({ keep, other: { y: 1 } }, ops(['del', 'other.y']))
    assert.equal(out.keep, keep)
    assert.deepEqual(out, { keep, other: null })
  })
})
