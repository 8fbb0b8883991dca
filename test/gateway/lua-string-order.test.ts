// Strings compare byte by byte in gopher-lua (KrakenD's Lua): "a" < "\t" is false. fengari ordered
// them by a hash that wrote a byte below 16 with one hex digit, so any comparison (or table.sort) of
// strings holding a control character could flip a guard. Expected values from gopher-lua 1.1.1 with
// krakend-lua 2.9.1's binder, found by the seeded grammar differential (luagen-grammar.ts).
import { describeLuaValues } from './lua-expressions.ts'

const values: Array<[string, string]> = [
  ['"1e" < "\\t7\\n"', 'false'],
  ['"a" < "\\t"', 'false'],
  ['"\\t" < "a"', 'true'],
  ['"1" < "\\t"', 'false'],
  ['"\\n" <= "1"', 'true'],
  ['"x\\0" > "x"', 'true'],
  ['"a\\0b" < "a\\0c"', 'true'],
  ['"\\255" < "a"', 'false'],
  ['"10" < "9"', 'true'],
  [
    '(function() local t = {"b", "\\t", "a", "\\n", "A"} table.sort(t) return (table.concat(t, ","):gsub("%c", "^")) end)()',
    '^,^,A,a,b',
  ],
  ['(function() local t = {} t["\\t"] = 1 t["a"] = 2 return t["\\t"] + t.a end)()', '3'],
]

describeLuaValues('lua string order', 'strings compare byte by byte as gopher-lua compares them', values)
