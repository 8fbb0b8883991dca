// gopher-lua stores an arithmetic result of two numbers through its allocator, which hands back +0 for a -0: with
// z = 0, `1 / (z * -1)` is +Inf and `string.format('%g', z * -1)` is "0" in KrakenD, while a
// negation, a folded constant expression and a library's result keep their -0. Each value here is
// KrakenD CE 2.13.8's (krakend-diff suite luaedge) and gopher-lua v1.1.1's.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { luaPreGatewayWith } from './gateway-fixture.ts'

const values: Array<[string, string]> = [
  ['1 / (z * -1)', '+Inf'],
  ["string.format('%g %d', z * -1, z * -1)", '0 0'],
  ['1 / ((-z) * 1)', '+Inf'],
  ['1 / ((-z) / 1)', '+Inf'],
  ['1 / (-z - 0)', '+Inf'],
  ['1 / ((-z) ^ 1)', '+Inf'],
  ['1 / (-1 * z)', '+Inf'],
  ['1 / (y % 1)', '+Inf'],
  ['1 / (-1e-320 * (y + 1e-10 + 1))', '+Inf'],
  // What keeps its sign: a negation, constants gopher-lua's compiler folds, a library's result.
  ['1 / -z', '-Inf'],
  ['1 / (0 * -1)', '-Inf'],
  ['1 / math.ceil(-0.5)', '-Inf'],
  ['1 / -(z * 1)', '-Inf'],
  // A string operand takes gopher-lua's slow path, which stores the -0 as it is ("-0" reads as 0).
  ['1 / ("-0" / -math.huge)', '-Inf'],
  ['1 / (z * "-1")', '-Inf'],
  ['1 / ("0" * -1)', '-Inf'],
  ['1 / ("-0" * 1)', '+Inf'],
]

describe('Lua arithmetic giving -0', () => {
  const gateway = luaPreGatewayWith(
    values.map(([expression], i): [string, string] => [
      `/v${i}`,
      `local z, y = 0, -1\ncustom_error('[' .. tostring(${expression}) .. ']', 418)`,
    ]),
  )

  test("gives gopher-lua's +0, but where it keeps -0", async () => {
    for (const [i, [expression, expected]] of values.entries()) {
      const res = await fetch(`${gateway.url}/v${i}`)
      assert.equal(res.status, 418, expression)
      assert.equal(await res.text(), `[${expected}]`, expression)
    }
  })
})
