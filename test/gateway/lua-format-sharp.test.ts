// string.format's '#' flag as gopher-lua's Go fmt.Sprintf writes it: on %e/%f/%g the decimal point is
// always written and %g/%G keep their trailing zeros (Go's fmtFloat sharp), on %d/%i it means nothing.
// Ours handed those specs to fengari's format, which failed the call: a script formatting with
// `%#.2f` answered 500 where KrakenD called the backend (found by the krakend-diff suite luagen,
// SEED=3004 N=40, session 43's regression sweep; expected values are KrakenD CE 2.13.8's answers).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { rawGatewayWith } from './gateway-fixture.ts'

const formats: Array<[string, string]> = [
  ["string.format('%#G|%#g|%#g', 1e-5, 1.5, 100000)", '1.00000E-05|1.50000|100000.'],
  ["string.format('%#g|%#g|%#.3g|%#.1g', 1e6, 0, 1, 123456)", '1.00000e+06|0.00000|1.00|1.e+05'],
  ["string.format('%#.0e|%#.0f|%#e|%#F', 5, 5, 1.5, 2)", '5.e+00|5.|1.500000e+00|2.000000'],
  ["string.format('[%#10.2f|%#-8g|%#+08.1f]', -3, 2, 2)", '[     -3.00|2.00000 |+00002.0]'],
  ["string.format('%#g|%#e|%#f', 1/0, -1/0, 0/0)", '+Inf|-Inf|NaN'],
  ["string.format('%#5G %b', 1e-5)", '1.00000E-05 %!b(MISSING)'],
  ["string.format('%#G', 'x')", '%!G(string=x)'],
  ["string.format('%#d|%#i|%#5d|%#-5i|', 5, -3, 5, -3)", '5|-3|    5|-3   |'],
  ["string.format('%#d|%#d', 2^63, 2.7)", '-9223372036854775808|2'],
  ["string.format('%#.2v|%#x', 2.25, 255)", '2.2|0xff'],
]

describe("string.format's '#' flag as gopher-lua writes it", () => {
  const gateway = rawGatewayWith((raw) => ({
    version: 3,
    endpoints: formats.map(([expression], i) => ({
      endpoint: `/f${i}`,
      extra_config: {
        'modifier/lua-proxy': {
          pre: `local r = request.load()\nr:headers('X-F', ${expression})`,
          allow_open_libs: true,
        },
      },
      backend: [{ host: [raw.origin], url_pattern: '/b' }],
    })),
  }))

  test('the backend is called with the value Go writes', async () => {
    for (const [i, [expression, expected]] of formats.entries()) {
      const res = await fetch(`${gateway.url}/f${i}`)
      assert.equal(res.status, 200, expression)
      await res.arrayBuffer()
      assert.deepEqual(gateway.raw.lines('x-f'), [`X-F: ${expected}`], expression)
    }
  })
})
