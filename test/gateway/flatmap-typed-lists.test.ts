// krakend/flatmap's append asserts []interface{} on its source and destination: an rss answer's
// typed lists (items is a []*gofeed.Item, categories a []string) stop it, so nothing is appended
// or deleted. This runtime appended them as any list, and deleted the source (`append ["*","items"]`
// emptied the whole answer). Found by krakend-diff's encgen generator, SEED=6068.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { applyFlatmap, type FlatmapOp } from '../../src/gateway/flatmap.ts'
import { compileDecoder } from '../../src/gateway/transform.ts'

const FEED =
  '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><category>c1</category>' +
  '<item><title>I</title></item></channel></rss>'

const feed = () => compileDecoder('rss', false)(FEED, Buffer.from(FEED))
const append = (from: string, to: string): FlatmapOp[] => [
  { type: 'append', args: [from.split('.'), to.split('.')] },
]

describe('flatmap append and an rss answer', () => {
  test('a typed list as source or destination: the answer is left as it was', () => {
    for (const [from, to] of [
      ['*', 'items'],
      ['categories', 'categories'],
      ['items', 'items'],
      ['items', 'extra'],
    ] as const) {
      const data: Record<string, unknown> = { ...feed(), extra: ['x'] }
      const out = applyFlatmap(data, append(from, to))
      assert.deepEqual(Object.keys(out).sort(), Object.keys(data).sort(), `${from} -> ${to}`)
      assert.deepEqual(out.items, data.items, `${from} -> ${to}`)
      assert.deepEqual(out.categories, ['c1'], `${from} -> ${to}`)
    }
  })

  test('plain lists still append', () => {
    const out = applyFlatmap({ a: [1], b: [2] }, append('a', 'b'))
    assert.deepEqual(out, { b: [2, 1] })
  })
})
