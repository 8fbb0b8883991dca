// gopher-lua's base functions where Lua 5.3's answered otherwise: select truncates a fractional
// index as Go's int(x) (5.3 refused select(2.5, ...)) and refuses a string other than '#' (5.3 read
// '2' as 2); table.getn/maxn take a table only (getn('abc') was 3 where KrakenD fails the call);
// setmetatable without a metatable sets none on a number instead of failing; load takes a function;
// ipairs, pairs and unpack take a table only (unpack('') gave nothing where KrakenD fails the call).
import { describeLuaValues } from './lua-expressions.ts'

const values: Array<[string, string]> = [
  ["select(2.5, 'a', 'b', 'c')", 'b'],
  ["select(-1.5, 'a', 'b')", 'b'],
  ['(select(5, 1))', 'nil'],
  ["select('#', 1, nil)", '2'],
  ["pcall(select, '2', 'a', 'b')", 'false'],
  [
    "select(2, pcall(function() return select('2', 'a') end))",
    "<string>:1: bad argument #1 to select (invalid string '2')",
  ],
  ['pcall(select, 0, 1)', 'false'],
  ['pcall(select, 0/0, 1)', 'false'],
  ['setmetatable(0/0)', 'NaN'],
  ["pcall(table.getn, 'abc')", 'false'],
  ['table.getn({1, 2, 3})', '3'],
  ['table.maxn({1, 2, [10] = 1, [2.5] = 1, [-3] = 1})', '10'],
  ["pcall(table.maxn, 'x')", 'false'],
  ["pcall(load, 'return 1')", 'false'],
  ["pcall(ipairs, 'abc')", 'false'],
  ["pcall(unpack, '')", 'false'],
  ['pcall(pairs, false)', 'false'],
  [
    "select(2, pcall(function() return unpack('') end))",
    '<string>:1: bad argument #1 to unpack (table expected, got string)',
  ],
  ['select(2, unpack({1, 2, 3}))', '2'],
  ['(function() local n = 0 for _ in pairs(string) do n = n + 1 end return n > 10 end)()', 'true'],
]

describeLuaValues(
  'Lua base functions as gopher-lua',
  'select, getn, maxn, setmetatable, load and ipairs answer as in KrakenD',
  values,
)
