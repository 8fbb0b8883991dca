// string.upper/lower and the pattern functions as gopher-lua runs them: upper/lower are Go's
// strings.ToUpper/ToLower (é -> É, the Kelvin sign -> k, ß kept), its patterns have no %f frontier
// and no %g class (the letter itself), find with an empty pattern answers 1 wherever it starts,
// a fractional start or count is truncated, a find start beyond int64 finds nothing, a gsub
// count of 0 or below replaces every match, a set's range with a class or escape at an end
// ([%a-z]) matches nothing, a pattern ending in % finds nothing, and match without a match
// answers no value (so tostring(string.match(...)) fails the call). Fengari (Lua 5.3) answered otherwise, so a guard on
// string.find(x, '%f[%w]admin') refused calls KrakenD lets through. Values from KrakenD CE.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { describeLuaValues } from './lua-expressions.ts'

const values: Array<[string, string]> = [
  ["string.upper('é')", 'É'],
  ["string.lower('ÉÀ')", 'éà'],
  ["string.lower('\\226\\132\\170')", 'k'],
  ["string.upper('straße')", 'STRAßE'],
  ["string.lower('İ')", 'i'],
  ["('Abc'):upper()", 'ABC'],
  ["string.find('xfy', '%f')", '2'],
  ["(string.gsub('hello world', '%f[%w]', 'X'))", 'hello world'],
  ["string.match('gg', '[%g]+')", 'gg'],
  ["string.find('a%fb', '%%f')", '2'],
  ["string.find('abc', '', 10)", '1'],
  ["string.find('abc', 'c', 2.9)", '3'],
  ["string.match('abc', '.', -1.5)", 'c'],
  ["string.find('abc', 'b', 1e20)", 'nil'],
  ["string.find('abc', 'b', 0/0)", 'nil'],
  ["string.match('abc', 'b', 1e20)", 'b'],
  ["(string.gsub('aaa', 'a', 'b', 1.9))", 'baa'],
  ["(string.gsub('aaa', 'a', 'b', 0))", 'bbb'],
  ["(string.gsub('aaa', 'a', 'b', -1e20))", 'bbb'],
  ["(string.match('a.b-c', '[%a-z]'))", 'nil'],
  ["(string.match('x5', '[a-%d]'))", 'nil'],
  ["(string.match('.', '[%.-z]'))", 'nil'],
  ["(string.match('g', '[%g-z]'))", 'nil'],
  ["string.match('9', '[^%a-z]')", '9'],
  ["string.match('+', '[+-/]')", '+'],
  ["string.match('-', '[a-]')", '-'],
  ["string.match('a]', '[^]]')", 'a'],
  ["string.match('[x]', '%b[]')", '[x]'],
  ["(string.match('a%', 'a%'))", 'nil'],
  ["(string.gsub('abc', '%', '#'))", 'abc'],
  ["select('#', string.match('abc', 'x'))", '0'],
  ["pcall(function() return tostring(string.match('abc', 'x')) end)", 'false'],
  // A bad capture index is worded as gopher-lua's matcher words it, at the caller's place (luagen differential).
  [
    "select(2, pcall(function() return string.gsub('abc', '(a)', '%2') end))",
    '<string>:1: invalid capture index',
  ],
  ["select(2, pcall(function() return string.find('abc', '%1') end))", '<string>:1: invalid capture index'],
  // A gsub function's or table's value that is no string or number replaces with '' (gopher-lua's LVAsString; luagen differential).
  ["(string.gsub('Bearer abc.def', '%S+', function() return {} end))", ' '],
  ["(string.gsub('a b', '%w', function() return true end))", ' '],
  ["(string.gsub('a b', '%w', {a = {}, b = 'B'}))", ' B'],
  ["(string.gsub('a b', '%w', function() return false end))", 'a b'],
  // gmatch anchors a pattern starting with '^' (gopher-lua's matcher; 5.3 read it as a character), luagen differential.
  [
    "(function() local t = {} for w in string.gmatch('Bearer abc', '^Bearer (.+)') do t[#t + 1] = w end return table.concat(t, '|') end)()",
    'abc',
  ],
  ["(function() local n = 0 for w in string.gmatch('aaa', '^a') do n = n + 1 end return n end)()", '1'],
  [
    "(function() local n = 0 for w in string.gmatch('xx Bearer abc', '^Bearer (.+)') do n = n + 1 end return n end)()",
    '0',
  ],
  [
    "(function() local t = {} for k, v in string.gmatch('a=1, b=2', '^(%w+)=(%w+)') do t[#t + 1] = k .. v end return table.concat(t, '|') end)()",
    'a1',
  ],
]

describeLuaValues(
  "gopher-lua's string case and patterns",
  'each expression gives what gopher-lua gives',
  values,
  {
    endpoints: (origin) => [
      {
        endpoint: '/guard/{rest}',
        extra_config: {
          'modifier/lua-proxy': {
            pre: "if string.find(request.load():path(), '%f[%w]admin') then custom_error('no', 403) end",
            allow_open_libs: true,
          },
        },
        backend: [{ host: [origin], url_pattern: '/b/{rest}' }],
      },
    ],
    tests: ({ gateway, raw }) => {
      test('a %f guard lets through what KrakenD lets through', async () => {
        const res = await fetch(`${gateway().url}/guard/admin`)
        await res.arrayBuffer()
        assert.equal(res.status, 200)
        assert.equal(raw().requests.length, 1)
      })
    },
  },
)
