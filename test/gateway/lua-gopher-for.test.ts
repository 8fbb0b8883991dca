// gopher-lua's numeric for takes numbers only: a string (or nil) init, limit or step fails the call
// ("for statement limit must be a number"), checked init, step, limit in that order. Lua 5.3
// converted a string, so a script looping up to a number read from the path ran and the backend was called
// where KrakenD answers 500 and calls nothing. Loops over numbers run as before. Values from KrakenD CE.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { describeLuaValues } from './lua-expressions.ts'

const loop = (header: string) => `(function() local n = 0 ${header} n = n + i end return n end)`
const values: Array<[string, string]> = [
  [`${loop('for i = 1, 3 do')}()`, '6'],
  [`${loop('for i = 1, 10, 2 do')}()`, '25'],
  [`${loop('for i = 3, 1, -1 do')}()`, '6'],
  [`${loop('for i = 1, 3, 0.5 do')}()`, '10'],
  [`${loop('for i = 1, 0/0 do')}()`, '0'],
  [`select(2, pcall(${loop("for i = '1', '3' do")}))`, '<string>:1: for statement init must be a number'],
  [`select(2, pcall(${loop("for i = 1, '3' do")}))`, '<string>:1: for statement limit must be a number'],
  [`select(2, pcall(${loop("for i = 1, 3, '1' do")}))`, '<string>:1: for statement step must be a number'],
  [`select(2, pcall(${loop("for i = 1, 'x', '1' do")}))`, '<string>:1: for statement step must be a number'],
  [`select(2, pcall(${loop('for i = nil, 3 do')}))`, '<string>:1: for statement init must be a number'],
  [
    'select(2, pcall(loadstring(\'for i = 1, "2" do end\')))',
    '<string>:1: for statement limit must be a number',
  ],
  ["pcall(function() local a = '1' return a < 0 end)", 'false'],
]

describeLuaValues("gopher-lua's numeric for", 'each loop gives what gopher-lua gives', values, {
  endpoints: (origin) => [
    {
      endpoint: '/guard/{n}',
      extra_config: {
        'modifier/lua-proxy': {
          pre: "local n = string.match(request.load():path(), '%d+')\nfor i = 1, n do end",
          allow_open_libs: true,
        },
      },
      backend: [{ host: [origin], url_pattern: '/b/{n}' }],
    },
  ],
  tests: ({ gateway, raw }) => {
    test('a loop bound read from the path fails the call as KrakenD does; the backend is not called', async () => {
      const res = await fetch(`${gateway().url}/guard/3`)
      assert.equal(res.status, 500)
      assert.equal(await res.text(), 'for statement limit must be a number (pre-script:L2)')
      assert.equal(raw().requests.length, 0)
    })
  },
})
