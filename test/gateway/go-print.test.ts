// Go's %v of a decoded value, as the sequential proxy puts a map or list of a backend's answer into the
// next URL (checked against KrakenD CE 2.13.8: /echo/{resp0_o} of {"\uE000":1,"😀":2,"a":3}).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { GoNumber } from '../../src/gateway/go-json.ts'
import { goPrint } from '../../src/gateway/go-print.ts'

test('map keys in Go’s order (UTF-8 bytes): U+E000 before a character beyond U+FFFF', () => {
  assert.equal(goPrint({ '\u{1F600}': 2, '\uE000': 1, a: 3 }), 'map[a:3 \uE000:1 \u{1F600}:2]')
})

test('nested values: json.Number texts, lists, nil', () => {
  assert.equal(goPrint({ n: new GoNumber('1.50'), l: [1, 'x', null] }), 'map[l:[1 x <nil>] n:1.50]')
})
