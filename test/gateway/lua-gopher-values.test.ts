// Values a Lua guard compares, as gopher-lua (KrakenD's Lua 5.1) makes them: tonumber is Go's
// strconv ("1e2" is nil, "-0x10" is nil, a number comes back whatever the base, a base outside
// 2..36 gives nil), a string operand of arithmetic is read by Go's ParseInt with prefixes then
// ParseFloat ("0b101" is 5, "012" is 10, "inf" is +Inf), the string functions truncate a
// fractional index (Go's int(x)), string.char wraps, math.huge is Go's MaxFloat64 and math.max
// converts '5'. Fengari (Lua 5.3) answered otherwise, flipping `if tonumber(x) then` guards.
// Found by the differential probe of the Lua modifiers against KrakenD CE.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { mustConfig, startGateway } from './helpers.ts'
import { describeLuaValues } from './lua-expressions.ts'

const values: Array<[string, string]> = [
  ["tonumber('1e2')", 'nil'],
  ["tonumber('1E2')", 'nil'],
  ["tonumber('-0x10')", 'nil'],
  ["tonumber('0x10')", '16'],
  ["tonumber('0x1p4')", 'nil'],
  ["tonumber('0x1.8')", 'nil'],
  ["tonumber('1e400')", 'nil'],
  ["tonumber('1.5e400')", 'nil'],
  ["tonumber('7.5', 10)", '7.5'],
  ["tonumber('10', 1)", 'nil'],
  ["tonumber('10', 37)", 'nil'],
  ['tonumber(10, 16)', '10'],
  ["tonumber('ffffffffffffffffffff', 16)", 'nil'],
  ["tonumber(' 11 ', 2)", '3'],
  ["tonumber('0b11', 0)", '3'],
  ["tonumber('\\r5')", 'nil'],
  ["'0b101' + 0", '5'],
  ["'012' + 0", '10'],
  ["'1_000' + 0", '1000'],
  ["'0o17' + 0", '15'],
  ["'inf' + 0", '+Inf'],
  ["'1e2' + 0", '100'],
  ["pcall(function() return '5\\r' + 1 end)", 'false'],
  ["string.sub('hello', 2.5, 3.9)", 'el'],
  ["string.sub('hello', -2.5)", 'lo'],
  ["string.sub('hello', 1e20)", ''],
  ["string.sub('hello', 0/0)", ''],
  ["('hello'):sub(2.9)", 'ello'],
  ["pcall(string.sub, 'hello', '2')", 'false'],
  ["string.byte('hello', 1.5)", '104'],
  ["select('#', string.byte('hello'))", '5'],
  ['string.char(72, 105.7)', 'Hi'],
  ['string.byte(string.char(-1))', '255'],
  ['string.byte(string.char(256))', '0'],
  ["string.rep('ab', 2.7)", 'abab'],
  ["string.rep('ab', 3, ',')", 'ababab'],
  ["string.rep('ab', -1)", ''],
  ['math.huge', '1.7976931348623157e+308'],
  ['math.huge == 1/0', 'false'],
  ["math.max(1, '5')", '5'],
  ["math.min(3, '-2', 7)", '-2'],
]

describeLuaValues(
  "gopher-lua's values where a guard compares them",
  'each expression gives what gopher-lua gives',
  values,
  {
    tests: ({ raw }) => {
      test('a guard on tonumber refuses what KrakenD refuses', async () => {
        const guarded = await startGateway(
          mustConfig({
            version: 3,
            endpoints: [
              {
                endpoint: '/g',
                input_headers: ['X-N'],
                extra_config: {
                  'modifier/lua-proxy': {
                    pre: "local n = tonumber(request.load():headers('X-N'))\nif n == nil or n > 100 then custom_error('no', 403) end",
                  },
                },
                backend: [{ host: [raw().origin], url_pattern: '/b' }],
              },
            ],
          }),
        )
        try {
          for (const [value, status] of [
            ['1e2', 403],
            ['-0x10', 403],
            ['0x10', 200],
            ['50', 200],
          ] as const) {
            const res = await fetch(`${guarded.url}/g`, { headers: { 'X-N': value } })
            await res.arrayBuffer()
            assert.equal(res.status, status, value)
          }
        } finally {
          await guarded.close()
        }
      })
    },
  },
)
