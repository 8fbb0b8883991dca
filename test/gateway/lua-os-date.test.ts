// os.date is gopher-lua's (oslib.go, utils.go's strftime), not C's: %a is the literal 'mon' (Go's
// layout "mon"), %c "02 Jan 06 15:04 MST", %x the time ("15/04/05"), letters outside its table
// (%j, %e, %D) written as they are, '*t' with yday 0 and isdst false, a time that is a string
// refused; os.time of a table without day, month or year is no error. Values from gopher-lua v1.1.1 itself; KrakenD CE 2.13.8 answers the same (krakend-diff
// luaedge under TZ=UTC and America/New_York).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { luaPreGatewayWith } from './gateway-fixture.ts'

const values: Array<[string, string]> = [
  [
    'os.date("!%a|%A|%b|%B|%d|%j|%e|%D|%w|%%|%y|%I|%P|%F|%T|%c|%x|%X|%p|%z|%Z|%", 1700000000)',
    'mon|Tuesday|Nov|November|14|%j|%e|%D|2|%|23|10|pm|2023-11-14|%T|14 Nov 23 22:13 UTC|22/13/20|22:13:20|PM|+0000|UTC|%',
  ],
  ['os.date("!*t", 1700000000).yday', '0'],
  ['tostring(os.date("!*t", 1700000000).isdst)', 'false'],
  ['os.date("!*t", 1700000000).wday', '3'],
  [
    'select(2, pcall(os.date, "!%Y", "10"))',
    '<string>:1: bad argument #2 to (anonymous) (number expected, got string)',
  ],
  ['os.date("!!%H", 3600)', '01'],
  // os.time under TZ=UTC: missing fields default (day, month, year -1), strings read as numbers.
  ['os.time({year = 2026})', '1761825600'],
  ['os.time({year = "2026", month = "1", day = "02"})', '1767355200'],
  ['os.time({year = 2026, month = 14, day = 40, hour = 25, min = 61, sec = -1})', '1804903259'],
  [
    'select(2, pcall(function() return os.time(5) end))',
    '<string>:1: bad argument #1 to time (table expected, got number)',
  ],
  // os.difftime of Go's int64s; os.getenv of a variable set empty is nil.
  ['os.difftime(10.9, 1.5)', '9'],
  [
    'select(2, pcall(function() return os.difftime("7", 1) end))',
    '<string>:1: bad argument #1 to difftime (number expected, got string)',
  ],
  ['tostring(os.getenv("GW_EMPTY_VAR"))', 'nil'],
]

describe('os.date, os.time, os.difftime and os.getenv', () => {
  const zoneBefore = process.env.TZ
  before(() => {
    process.env.TZ = 'UTC'
    process.env.GW_EMPTY_VAR = ''
  })
  after(() => {
    if (zoneBefore === undefined) delete process.env.TZ
    else process.env.TZ = zoneBefore
    delete process.env.GW_EMPTY_VAR
  })
  const gateway = luaPreGatewayWith(
    values.map(([expression], i): [string, string] => [
      `/v${i}`,
      `local v = tostring((${expression}))\ncustom_error('[' .. v .. ']', 418)`,
    ]),
  )

  test("formats as gopher-lua's strftime", async () => {
    for (const [i, [expression, expected]] of values.entries()) {
      const res = await fetch(`${gateway.url}/v${i}`)
      assert.equal(res.status, 418, expression)
      assert.equal(await res.text(), `[${expected}]`, expression)
    }
  })
})
