// table.sort as gopher-lua sorts: Go's sort.Sort (pdqsort) over the array part, so items a
// comparator ties, and an inconsistent comparator, leave the order KrakenD leaves (5.3's quicksort
// ordered ties otherwise and failed 'invalid order function for sorting'), and a nil among the items
// fails with the caller's place. Values from gopher-lua 1.1.1 with krakend-lua 2.9.1's binder (the
// luagen differential: 45 sorts of 3 to 200 items, 31 differed, none after).
import { describeLuaValues } from './lua-expressions.ts'

const values: Array<[string, string]> = [
  [
    '(function() local t = {4,3,5,2,2} table.sort(t, function(a, b) return a % 3 < b % 3 end) return table.concat(t, ",") end)()',
    '3,4,5,2,2',
  ],
  [
    '(function() local t = {5,4,5,3,5,5,4,5,2,3,1,3,5} table.sort(t, function(a, b) return a % 3 < b % 3 end) return table.concat(t, ",") end)()',
    '3,3,3,4,4,1,5,5,5,5,2,5,5',
  ],
  [
    '(function() local t = {51,50,49,48,47,46,45,44,43,42,41,40,39,38,37,36,35,34,33,32,31,30,29,28,27,26,25,24,23,22,21,20,19,18,17,16,15,14,13,12,11,10,9,8,7,6,5,4,3,2,1} table.sort(t, function(a, b) return math.floor(a / 4) < math.floor(b / 4) end) return table.concat(t, ",") end)()',
    '1,2,3,7,4,5,6,10,11,9,8,14,12,13,15,16,17,18,19,23,20,21,22,26,27,25,24,28,29,30,31,35,32,33,34,36,39,37,38,42,40,41,43,44,45,46,47,51,48,49,50',
  ],
  [
    '(function() local t = {6,4,9,2,8,9,1,6,6,6,6,3,2,1,2,6,4,2,4,7,4,8,6,2,1,7,2,4,3,7,8,8,2,9,7,4,8,5,1,8,8,7,8,3,8,1,5,6,6,8,9,6,7,4,1,4,5,6,3,8,9,4,3,4,1,3,7,9,3,1,3,2,3,8,8,3,1,1,7,8} table.sort(t, function(a, b) return true end) return table.concat(t, ",") end)()',
    '4,1,3,1,4,2,9,6,8,7,3,6,3,8,6,8,7,3,2,6,8,8,3,4,1,4,5,8,9,6,3,4,3,9,2,4,8,6,8,4,8,6,5,6,6,6,9,9,7,8,1,1,5,2,6,3,7,1,3,1,2,7,2,8,1,1,3,4,9,1,7,8,7,8,2,4,8,2,7,4',
  ],
  [
    '(function() local t = {9,7,6,9,3,5,3,2,3,9,2,7,6,8,8,5,5,8,5,9,3,6,3,9,1,7,8,4,8,5,1,6,9,2,8,3,5,5,2,7,2,6,1,9,8,8,4,5,6,3,7,7,6,1,5,4,1,6,6,7,9,5,1,3,7,5,7,2,8,4,4,2,9,2,2,1,5,2,7,5,8,8,5,5,9,9,1,3,4,8,3,3,3,3,8,7,1,3,7,1,3,3,5,4,3,3,1,9,3,9,4,7,2,7,7,3,1,5,2,3,2,3,5,3,7,6,2,4,1,6,3,8,4,2,6,9,8,2,6,8,1,6,9,8,7,8,9,9,5,8,3,9,8,7,4,5,3,5,3,6,5,4,3,1,1,7,3,2,1,3,2,7,6,9,5,2,8,9,8,6,3,4,6,8,9,6,6,6,6,6,5,5,5,3,2,9,4,6,4,5} table.sort(t, function(a, b) return true end) return table.concat(t, ",") end)()',
    '9,5,3,6,8,2,5,7,4,8,1,9,2,2,8,1,3,3,1,3,1,9,1,5,4,9,8,7,6,3,8,1,5,6,8,3,3,5,6,3,3,3,9,9,3,3,1,6,5,8,7,6,2,3,4,3,1,7,2,6,2,5,5,7,5,4,2,1,4,5,7,8,6,9,4,1,3,3,1,5,2,8,5,2,9,3,7,6,6,8,8,5,2,3,6,8,2,3,8,9,7,5,2,8,6,5,9,2,1,1,2,2,9,2,8,4,4,3,6,6,2,4,4,6,7,6,6,2,4,3,6,5,7,3,3,8,5,3,8,5,9,5,6,9,7,3,5,7,3,7,2,6,5,7,5,9,4,9,7,7,8,9,6,8,9,3,8,4,5,4,8,9,7,3,9,3,2,1,5,5,9,4,7,6,9,3,9,8,5,1,7,3,1,5,1,6,8,6,3,7',
  ],
  [
    '(function() local t = {3,4,1,1,2,4,1,4,4,1,2,2,1,4,4,2,2,3,5,1,3,1,5,1,3,3,4,3,4,2,5,3,1,3,3,3,1,1,4,1,5,5,1,1,1,1,1,2,5,1,4,1,2,5,3,2,4,3,4,3,1,4,3,5,4,1,3,2,4,1,5,4,5,3,5,4,2,4,5,3,2,3,4,4,2,4,4,3,3,2,5,5,4,4,1,2,2,1,4,1,1,3,2,5,1,5,1,4,4,3,3,1,1,2,4,1,3,5,3,1,4,1,2,2,1,2,2,5,1,1,2,3,2,2,5,5,4,5,5,3,5,2,4,2,5,1,1,1,5,1,1,2,3,1,1,4,4,2,5,1,4,3,4,5,4,1,3,5,4,4,2,1,5,1,4,3,1,3,3,2,4,1,5,3,4,1,5,5,2,2,3,1,3,2,4,4,1,3,2,3} table.sort(t, function(a, b) return a % 3 < b % 3 end) return table.concat(t, ",") end)()',
    '3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,1,4,4,1,1,1,1,1,1,1,4,1,4,1,4,1,4,1,4,1,4,1,1,4,1,1,4,1,4,4,4,1,1,4,4,1,4,4,1,4,4,4,4,4,4,4,1,4,4,1,1,4,4,1,4,4,1,1,4,1,4,1,1,1,4,1,1,1,1,4,4,4,4,1,1,1,4,1,1,1,4,1,4,1,1,1,1,1,1,4,1,1,1,4,4,2,5,5,2,5,5,2,5,2,5,2,5,2,2,2,5,2,5,2,2,2,2,2,5,2,5,5,5,2,2,5,2,5,2,5,5,2,2,5,5,2,2,5,2,5,2,2,5,5,5,2,5,5,5,5,2,2,2,2,5,2,2,5,2,5,2,5',
  ],
  ['(function() local t = {"b", "a", "c", "a"} table.sort(t) return table.concat(t, ",") end)()', 'a,a,b,c'],
  [
    'select(2, pcall(function() local t = {1, nil, 3} table.sort(t) end))',
    '<string>:1: attempt to compare nil with number',
  ],
  [
    'select(2, pcall(function() local t = {nil, nil, 3} table.sort(t) end))',
    '<string>:1: attempt to compare nil with nil',
  ],
  [
    'select(2, pcall(function() local t = {1, "x"} table.sort(t) end))',
    '<string>:1: attempt to compare string with number',
  ],
  [
    'select(2, pcall(table.sort, {2, 1}, nil))',
    '<string>:1: bad argument #2 to (anonymous) (function expected, got nil)',
  ],
]

describeLuaValues(
  'table.sort as gopher-lua',
  'Go sort.Sort order, comparator errors and nils as gopher-lua',
  values,
)
