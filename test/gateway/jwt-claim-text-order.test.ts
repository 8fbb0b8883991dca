// A claim holding a map, written into a header or parameter by propagate_claims: krakend-jose prints it
// with Go's fmt, whose map keys go in the order of their UTF-8 bytes (U+E000 before a character beyond U+FFFF).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { claimList, claimString } from '../../src/gateway/components/jwt-claim-text.ts'

test('map keys of a list claim in Go’s order', () => {
  const claim = [{ '\u{1F600}': 1, '\uE000': 2, a: 3 }, 'x']
  assert.equal(claimString(claim), 'map[a:3 \uE000:2 \u{1F600}:1],x')
  assert.deepEqual(claimList(claim), ['map[a:3 \uE000:2 \u{1F600}:1]', 'x'])
})
