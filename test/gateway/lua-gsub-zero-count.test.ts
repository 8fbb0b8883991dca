// gsub with a count of 0: gopher-lua's Find tries the subject's first byte only, so a back reference
// past the pattern's captures (`%2` with none) that only a later start would reach fails nothing
// there: gsub('12ab', '%a%2%2', '', 0) is '12ab', 0 in KrakenD. Each value is gopher-lua v1.1.1's
// and KrakenD CE 2.13.8's (krakend-diff luapatterns SEED=2001, 2004, 2005, 2008; luaedge).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { luaPreGatewayWith } from './gateway-fixture.ts'

const values: Array<[string, string]> = [
  ['select(2, string.gsub("12ab", "%a%2%2", "", 0))', '0'],
  ['string.gsub("12ab", "%a%2%2", "", 0)', '12ab'],
  ['string.gsub("abc", "]*b.%2", "", 0)', 'abc'],
  ['string.gsub("abc", "b%1", function() return "z" end, 0)', 'abc'],
  ['string.gsub("abc", "a", "z", 0)', 'zbc'],
  ['string.gsub("abc", "x%2", "", 1)', 'abc'],
  // Reached at the first byte, the back reference fails the call as in gopher-lua.
  [
    'select(2, pcall(function() return string.gsub("abc", "a%1", "", 0) end))',
    '<string>:1: invalid capture index',
  ],
]

describe('string.gsub with a count of 0', () => {
  const gateway = luaPreGatewayWith(
    values.map(([expression], i): [string, string] => [
      `/v${i}`,
      `local v = tostring((${expression}))\ncustom_error('[' .. v .. ']', 418)`,
    ]),
  )

  test('tries the first byte only, as gopher-lua', async () => {
    for (const [i, [expression, expected]] of values.entries()) {
      const res = await fetch(`${gateway.url}/v${i}`)
      assert.equal(res.status, 418, expression)
      assert.equal(await res.text(), `[${expected}]`, expression)
    }
  })
})
