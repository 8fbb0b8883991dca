// Malformed patterns as gopher-lua refuses them: its pm package compiles the WHOLE pattern before
// matching, so find, match, gmatch and gsub fail on "a)", "(", "[a", "%0", ... whatever the subject
// (a plain find excepted), with its error text at the caller's place; gmatch finds every match when
// called (a bad capture index fails that call); an empty match right after a match counts in
// gmatch; a gsub count of 0 ends at a first try finding nothing; `%b` without both
// delimiters matches nothing.
// Fengari (Lua 5.3) matched lazily: string.gsub('abc', '(', 'x') succeeded and a guard on
// string.find(path, 'admin)') let the request through where KrakenD answers 500. Values from
// gopher-lua 1.1.1 with krakend-lua v2.9.1's binder.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { describeLuaValues } from './lua-expressions.ts'

const failure = (call: string) => `select(2, pcall(function() return ${call} end))`

const values: Array<[string, string]> = [
  [failure("string.find('abc', 'a)')"), "<string>:1: invalid ')' at 0"],
  [failure("string.match('abc', '(')"), '<string>:1: unfinished capture at EOS'],
  [failure("string.gsub('abc', '(', 'x')"), '<string>:1: unfinished capture at EOS'],
  [failure("string.gmatch('abc', '[a')"), '<string>:1: unexpected EOS at 1'],
  [failure("string.find('abc', 'x%0')"), '<string>:1: invalid capture index at 1'],
  [failure("string.find('abc', '[%')"), '<string>:1: unexpected EOS at EOS'],
  [failure("string.match('abc', '((a)')"), '<string>:1: unfinished capture at EOS'],
  [failure("string.gsub('abc', '[]', 'x', 0)"), '<string>:1: unexpected EOS at 1'],
  [failure("string.find('', ')')"), "<string>:1: invalid ')' at 0"],
  [failure("string.find('abc', 'b)', 10)"), "<string>:1: invalid ')' at 0"],
  ["string.find('a)', 'a)', 1, true)", '1'],
  // The argument checks come first, as gopher-lua's.
  [
    failure("string.gsub('abc', '(', 1)"),
    '<string>:1: bad argument #3 to gsub (string or table or function expected, got number)',
  ],
  [
    failure("string.find('abc', '(', 'x')"),
    '<string>:1: bad argument #3 to find (number expected, got string)',
  ],
  ["(string.find('abc', '%b'))", 'nil'],
  ["(string.gsub('xbx', '%bx', '#'))", 'xbx'],
  ["string.match('a]', '[]]')", ']'],
  [failure("string.gmatch('abc', '(a)%2')"), '<string>:1: invalid capture index'],
  [failure("string.gmatch('abc', '^(a)%2')"), '<string>:1: invalid capture index'],
  [
    "(function() local t = {} for k, v in string.gmatch('a=1, b=2', '(%w+)=(%w+)') do t[#t + 1] = k .. v end return table.concat(t, '|') end)()",
    'a1|b2',
  ],
  // gopher-lua's Find: an empty match right after a match counts (Lua 5.1's gmatch; 5.3 skips it).
  [
    "(function() local t = {} for w in string.gmatch('a b', '%a*') do t[#t + 1] = '<' .. w .. '>' end return table.concat(t) end)()",
    '<a><><b><>',
  ],
  // A count of 0: gopher-lua's Find stops after its first try when that finds nothing, else takes all.
  ["table.concat({string.gsub('ba', 'a', 'x', 0)}, ',')", 'ba,0'],
  ["table.concat({string.gsub('ab', 'a', 'x', 0)}, ',')", 'xb,1'],
]

describeLuaValues("gopher-lua's pattern compiler", 'each expression gives what gopher-lua gives', values, {
  endpoints: (origin) => [
    {
      endpoint: '/guard/{rest}',
      extra_config: {
        'modifier/lua-proxy': {
          pre: "if string.find(request.load():path(), 'admin)') then custom_error('no', 403) end",
          allow_open_libs: true,
        },
      },
      backend: [{ host: [origin], url_pattern: '/b/{rest}' }],
    },
  ],
  tests: ({ gateway, raw }) => {
    test('a guard with a malformed pattern fails the call as KrakenD does', async () => {
      const res = await fetch(`${gateway().url}/guard/user`)
      await res.arrayBuffer()
      assert.equal(res.status, 500)
      assert.equal(raw().requests.length, 0)
    })
  },
})
