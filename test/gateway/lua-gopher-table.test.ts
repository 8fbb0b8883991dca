// Tables as gopher-lua (KrakenD's Lua) keeps them: every positive integer key in its array part, so
// `#t` is the largest such key holding a value (`#{nil, nil, 3}` is 3 where Lua 5.3 said 0: a guard
// on a list's size flipped), `pairs` walks the array keys in order first (5.3 walked a constructor's
// items last to first), and table.insert/remove/concat are gopher-lua's (no bounds errors, a
// separator must be a string). Expected values from gopher-lua 1.1.1 with krakend-lua 2.9.1's binder,
// found by the seeded grammar differential (scripts/krakend-diff/suites/luagen-grammar.ts).
import { describeLuaValues } from './lua-expressions.ts'

const values: Array<[string, string]> = [
  ['#{nil, nil, 3}', '3'],
  ['table.getn({1, nil, 3, nil})', '3'],
  ['(function() local t = {} t[1], t[2], t[4] = 1, 2, 4 return #t end)()', '4'],
  ["(function() local t = {} t[5] = 'x' return #t end)()", '5'],
  // the length kept as items come and go (lua-gopher-table.ts ArrayKeyEntries)
  ['(function() local t = {} for i = 1, 5 do t[#t + 1] = i end t[5] = nil t[4] = nil return #t end)()', '3'],
  ['(function() local t = {1, 2} t[100] = 3 local n = #t t[100] = nil return n .. ":" .. #t end)()', '100:2'],
  ['(function() local t = {1} t[5000] = 2 t[5000] = nil return #t end)()', '1'],
  ['(function() local t = {} t[0] = 1 t[0] = nil t[-1] = 2 t[1.5] = 3 return #t end)()', '0'],
  [
    '(function() local t = {} for i = 1, 3000 do t[#t + 1] = i end while #t > 10 do t[#t] = nil end return #t end)()',
    '10',
  ],
  ['(function() local t = {1, 2, 3} t[2] = nil t[3] = nil return #t end)()', '1'],
  ['(function() local t = {1, 2, 3} t[3] = nil return #t end)()', '2'],
  [
    "(function() local o = {} for k in pairs({10, 20, 30}) do o[#o + 1] = k end return table.concat(o, ',') end)()",
    '1,2,3',
  ],
  [
    "(function() local o = {} local t = {z = 1, 5, 6} t.a = 2 t[3] = 7 for k in pairs(t) do o[#o + 1] = k end return table.concat(o, ',') end)()",
    '1,2,3,z,a',
  ],
  ["(next({'a', 'b'}))", '1'],
  ["select('#', unpack({nil, nil, 3}))", '3'],
  [
    "(function() local t = {1, 2, 3} table.insert(t, 10, 'z') return #t .. ':' .. tostring(t[10]) end)()",
    '10:z',
  ],
  [
    "(function() local t = {1, 2, 3} table.insert(t, 0, 'z') return #t .. ':' .. tostring(t[0]) end)()",
    '3:z',
  ],
  ["(function() local t = {1, 2, 3} table.insert(t, 2.7, 'z') return table.concat(t, ',') end)()", '1,z,2,3'],
  [
    "(function() local t = {1, 2, 3} local r = table.remove(t, 10) return tostring(r) .. ':' .. #t end)()",
    'nil:3',
  ],
  [
    "(function() local t = {1, 2, 3} local r = table.remove(t, 0) return tostring(r) .. ':' .. #t end)()",
    '3:2',
  ],
  [
    "(function() local t = {1, 2, 3} local r = table.remove(t, -1) return tostring(r) .. ':' .. #t end)()",
    '3:2',
  ],
  [
    "(function() local t = {1, 2, 3} local r = table.remove(t, 1) return tostring(r) .. ':' .. table.concat(t, ',') end)()",
    '1:2,3',
  ],
  ['table.remove({})', 'nil'],
  [
    'select(2, pcall(table.concat, {1, 2}, 1))',
    '<string>:1: bad argument #2 to (anonymous) (string expected, got number)',
  ],
  ["table.concat({1, 2, 3}, ',', 2)", '2,3'],
  ["table.concat({1, 2, 3}, ',', 5)", ''],
  ["table.concat({1, 2, 3}, ',', 0, 10)", '1,2,3'],
  [
    'select(2, pcall(table.concat, {1, nil, 3}))',
    '<string>:1: invalid value (nil) at index 2 in table for concat',
  ],
  ['select(2, pcall(table.insert, {}))', '<string>:1: wrong number of arguments'],
]

describeLuaValues(
  'lua tables as gopher-lua keeps them',
  'lengths, traversal order and the table library',
  values,
)
