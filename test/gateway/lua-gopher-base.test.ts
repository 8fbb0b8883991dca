// gopher-lua's base functions where Lua 5.3's answered otherwise: select truncates a fractional
// index as Go's int(x) (5.3 refused select(2.5, ...)) and refuses a string other than '#' (5.3 read
// '2' as 2); table.getn/maxn/sort take a table only (getn('abc') was 3 where KrakenD fails the call),
// sort checks a comparator passed for any size (sort({3}, 2.5) ran), loadstring's name is no number;
// setmetatable without a metatable sets none on a number instead of failing; load takes a function;
// ipairs, pairs and unpack take a table only (unpack('') gave nothing where KrakenD fails the call);
// math.pow/ldexp are Go's (pow(1, NaN) is 1) with Go's argument checks, and argument errors of
// string.format/find/upper/gsub name the function (fengari named them '?'); the globals iterate in a
// gopher-lua state's order (package, _G, ...), so a loop clearing them stops where KrakenD's stops.
import { describeLuaValues } from './lua-expressions.ts'

const values: Array<[string, string]> = [
  // The globals iterate as a gopher-lua state's: package, _G, ... so the loop stops at _G (nil).
  [
    '(function() pcall(function() for k in pairs(_G) do _G[k] = nil end end) return type(tostring) .. type(package) end)()',
    'functionnil',
  ],
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
  // table.sort checks a passed comparator even for one element, and refuses nil; loadstring's name is a string.
  [
    'select(2, pcall(function() local t = {3} table.sort(t, 2.5) end))',
    '<string>:1: bad argument #2 to sort (function expected, got number)',
  ],
  [
    'select(2, pcall(function() table.sort({3, 1}, nil) end))',
    '<string>:1: bad argument #2 to sort (function expected, got nil)',
  ],
  ['(function() local t = {3, 1, 2} table.sort(t) return t[1] .. t[3] end)()', '13'],
  [
    "select(2, pcall(function() return loadstring('return 1', 5) end))",
    '<string>:1: bad argument #2 to loadstring (string expected, got number)',
  ],
  ["loadstring('return 7', nil)()", '7'],
  // A missing argument is nil, as gopher-lua's Get(n) reads it.
  [
    'select(2, pcall(function() return string.sub() end))',
    '<string>:1: bad argument #1 to sub (string expected, got nil)',
  ],
  [
    'select(2, pcall(function() return loadstring() end))',
    '<string>:1: bad argument #1 to loadstring (string expected, got nil)',
  ],
  ["pcall(load, 'return 1')", 'false'],
  ["pcall(ipairs, 'abc')", 'false'],
  // gopher-lua's string library holds __index (itself), so a string indexes it too.
  ["type(('abc').__index)", 'table'],
  ['(function() local n = 0 for _ in pairs(string) do n = n + 1 end return n end)()', '16'],
  ['math.pow(1, 0/0)', '1'],
  ['math.pow(-1, math.huge * 2)', '1'],
  ["math.pow('2', '3')", '8'],
  ['math.ldexp(3, 2.9)', '12'],
  // math.frexp is Go's (found by the luagen differential: the 5.1 stand-in gave 1.5625 6 for 100).
  ["table.concat({math.frexp(100)}, ' ')", '0.78125 7'],
  ["table.concat({math.frexp(1e-310)}, ' ')", '0.5752618031559393 -1029'],
  ["table.concat({math.frexp('inf')}, ' ')", '+Inf 0'],
  ["table.concat({math.frexp(0/0)}, ' ')", 'NaN 0'],
  ['math.ldexp(2^1000, -1100)', '7.888609052210118e-31'],
  [
    "select(2, pcall(function() return math.ldexp(0.5, '4') end))",
    '<string>:1: bad argument #2 to ldexp (number expected, got string)',
  ],
  [
    'select(2, pcall(function() return math.pow({}) end))',
    '<string>:1: bad argument #1 to pow (number expected, got table)',
  ],
  [
    'select(2, pcall(function() return string.format({}) end))',
    '<string>:1: bad argument #1 to format (string expected, got table)',
  ],
  [
    "select(2, pcall(function() return string.find('a', 'a', {}) end))",
    '<string>:1: bad argument #3 to find (number expected, got table)',
  ],
  [
    "select(2, pcall(function() return string.find(nil, 'a') end))",
    '<string>:1: bad argument #1 to find (string expected, got nil)',
  ],
  [
    'select(2, pcall(function() return string.upper(true) end))',
    '<string>:1: bad argument #1 to upper (string expected, got boolean)',
  ],
  [
    "select(2, pcall(function() return string.gsub('7', '7') end))",
    '<string>:1: bad argument #3 to gsub (string or table or function expected, got nil)',
  ],
  ["pcall(unpack, '')", 'false'],
  ['pcall(pairs, false)', 'false'],
  [
    "select(2, pcall(function() return unpack('') end))",
    '<string>:1: bad argument #1 to unpack (table expected, got string)',
  ],
  ['select(2, unpack({1, 2, 3}))', '2'],
  // `%` and math.mod are gopher-lua's luaModulo, math.modf Go's, a one-item concat the item, an empty find pattern first (luagen differential).
  ['type(table.concat({5}))', 'number'],
  ["type(table.concat({5, 6}, ',', 2))", 'number'],
  ["table.concat({math.modf(-1/0)}, ' ')", '-Inf NaN'],
  ['math.mod(-0.5, 7)', '6.5'],
  ['math.mod(math.huge, -1/0)', '-Inf'],
  ['3e-2 % (-12 / math.huge)', '-4.301821558070776e-308'],
  ["(function() local a, b = string.find('abc', '', true) return a .. ',' .. b end)()", '1,0'],
  // Bounds and indexes are gopher-lua's OptInt: a number only, truncated (luagen differential).
  [
    "select(2, pcall(string.find, 'abc', 'b', '2'))",
    '<string>:1: bad argument #3 to (anonymous) (number expected, got string)',
  ],
  [
    "select(2, pcall(function() return string.find('abc', 'b', '2') end))",
    '<string>:1: bad argument #3 to find (number expected, got string)',
  ],
  [
    "select(2, pcall(function() return string.gsub('abc', 'b', 'x', '1') end))",
    '<string>:1: bad argument #4 to gsub (number expected, got string)',
  ],
  [
    "select(2, pcall(function() return unpack({1, 2, 3}, '2') end))",
    '<string>:1: bad argument #2 to unpack (number expected, got string)',
  ],
  ['select(2, unpack({1, 2, 3}, 1.5, 2.5))', '2'],
  ["select('#', unpack({1, 2, 3}, -1, 1))", '3'],
  ["select('#', unpack({}, 1e10, 1e10))", '1'],
  // An argument error pcall catches is worded as gopher-lua words it (luagen differential).
  [
    "select(2, pcall(function() return math.floor('x') end))",
    '<string>:1: bad argument #1 to floor (number expected, got string)',
  ],
  [
    'select(2, pcall(function() return math.fmod(1) end))',
    '<string>:1: bad argument #2 to fmod (number expected, got nil)',
  ],
  [
    'select(2, pcall(function() return math.sqrt() end))',
    '<string>:1: bad argument #1 to sqrt (number expected, got nil)',
  ],
  [
    'select(2, pcall(function() return string.len(nil) end))',
    '<string>:1: bad argument #1 to len (string expected, got nil)',
  ],
  [
    "select(2, pcall(function() return math.max(1, 'a') end))",
    '<string>:1: bad argument #2 to max (number expected, got string)',
  ],
  // error(msg, level) places the message as gopher-lua's where(level - 1) does, Go functions skipped (luagen differential).
  ["select(2, pcall(error, 'm'))", '<string>:1: m'],
  ["select(2, pcall(function() error('m', 2) end))", '<string>:1: m'],
  ["select(2, pcall(function() error('m', 0) end))", 'm'],
  ["select(2, pcall(function() error('m', 1.5) end))", '<string>:1: m'],
  ['select(2, pcall(function() error(42, 2) end))', '42'],
  ['(function() local n = 0 for _ in pairs(string) do n = n + 1 end return n > 10 end)()', 'true'],
]

describeLuaValues(
  'Lua base functions as gopher-lua',
  'select, getn, maxn, setmetatable, load and ipairs answer as in KrakenD',
  values,
)
