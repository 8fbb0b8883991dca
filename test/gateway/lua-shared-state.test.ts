// KrakenD runs each Lua call in a new gopher-lua state: whatever a script changes beyond its globals
// (a rawset into a library, the strings' metatable, package.loaded, the type metatables) is gone on
// the next request. Here those changes stayed in the state the modifier's calls share, so one
// request could switch a later request's guard (string.x, ('a'):upper(), math.pi) on or off.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { rawGatewayWith } from './gateway-fixture.ts'

/** [the change a first request's body makes, what a later request reads, its value in a new state] */
const cases: Array<[string, string, string]> = [
  ["rawset(string, 'x', 'LEAK')", 'string.x', 'nil'],
  ["rawset(math, 'z', 5)", 'math.z', 'nil'],
  ["rawset(table, 'z', 5)", 'table.z', 'nil'],
  ["getmetatable('').__index = { upper = function() return 'HACK' end }", "('a'):upper()", 'A'],
  ["getmetatable('').__index.w = 'W'", 'string.w', 'nil'],
  ["getmetatable('').__add = function() return 'ADD' end", "pcall(function() return 'a' + {} end)", 'false'],
  ["setmetatable(string, { __index = function() return 'MT' end })", 'string.zzz', 'nil'],
  ["package.loaded.string.y = 'LEAK'", 'string.y', 'nil'],
  ["require('string').r = 'LEAK'", 'string.r', 'nil'],
  ['package.loaded.math.pi = 3', 'math.pi', '3.141592653589793'],
  ["package.preload.bar = function() return 'BAR' end", "(pcall(require, 'bar'))", 'false'],
  ["package.loaded.foo = 'FOO'", "(pcall(require, 'foo'))", 'false'],
  [
    "debug.setmetatable(nil, { __index = function() return 'NIL' end })",
    'pcall(function() local a = nil return a.b end)',
    'false',
  ],
  [
    "debug.setmetatable(1, { __index = function() return 'NUM' end })",
    'pcall(function() local a = 1 return a.b end)',
    'false',
  ],
  ['string.format = nil', 'type(string.format)', 'function'],
  ["rawset(request, 'load', nil)", 'type(request.load)', 'function'],
]

// Each case has its endpoint (its own modifier, so its own state): a body is run as a chunk, then
// the probe is answered.
const endpoints = (origin: string) =>
  cases.map(([, probe], i) => ({
    endpoint: `/s${i}`,
    method: 'POST',
    extra_config: {
      'modifier/lua-proxy': {
        pre: `local body = request.load():body()
if body ~= '' then assert(loadstring(body))() end
custom_error('[' .. tostring(${probe}) .. ']', 418)`,
        allow_open_libs: true,
      },
    },
    backend: [{ host: [origin], url_pattern: '/b' }],
  }))

describe('Lua state per request', () => {
  const gateway = rawGatewayWith((raw) => ({
    version: 3,
    extra_config: { router: { return_error_msg: true } },
    endpoints: endpoints(raw.origin),
  }))

  test("a change to the libraries or metatables does not reach the next request's script", async () => {
    for (const [i, [change, probe, fresh]] of cases.entries()) {
      const first = await fetch(`${gateway.url}/s${i}`, { method: 'POST', body: change })
      assert.equal(first.status, 418, change)
      await first.text()
      for (let call = 0; call < 2; call += 1) {
        const res = await fetch(`${gateway.url}/s${i}`, { method: 'POST', body: '' })
        assert.equal(res.status, 418, `${change} then ${probe}`)
        assert.equal(await res.text(), `[${fresh}]`, `${change} then ${probe} (call ${call})`)
      }
    }
  })
})
