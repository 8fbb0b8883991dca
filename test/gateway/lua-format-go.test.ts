// string.format as gopher-lua writes it: Go's fmt.Sprintf over the arguments there are. A spec
// without an argument is Go's `%!d(MISSING)` (Lua 5.3 failed the call: a 500 where KrakenD
// answers); floats are rounded half to even on their exact value (`%.0f` of 0.5 is 0), `%e` has two
// exponent digits, `%g` is Go's shortest form, `%q` of a number quotes its text (of a string, strconv.Quote), a string under a
// float verb is Go's bad verb, `%d` of a string writes it (or 0 if it reads as no number), `%x` of a
// string is its bytes in hex, and widths count runes. Values from KrakenD CE.
import { describeLuaValues } from './lua-expressions.ts'

const values: Array<[string, string]> = [
  ["string.format('%d')", '%!d(MISSING)'],
  ["string.format('%d %s', 1)", '1 %!s(MISSING)'],
  ["string.format('%5.2f', '3.14159')", '%!f(string=   3.)'],
  ["string.format('%g', 1e20)", '1e+20'],
  ["string.format('%e', 12345.678)", '1.234568e+04'],
  ["string.format('%q', 1/3)", '"0.3333333333333333"'],
  ["string.format('%.0f', 0.5)", '0'],
  ["string.format('%.0f', 1.5)", '2'],
  ["string.format('%.0f', 2.5)", '2'],
  ["string.format('%.1f', 0.25)", '0.2'],
  ["string.format('%.2f', 2.675)", '2.67'],
  ["string.format('%g', 1000000)", '1e+06'],
  ["string.format('%g', 100000)", '100000'],
  ["string.format('%f|%f|%f', 1/0, -1/0, 0/0)", '+Inf|-Inf|NaN'],
  ["string.format('%.3f', 1e21)", '1000000000000000000000.000'],
  ["string.format('%05.1f', -2.25)", '-02.2'],
  ["string.format('%+.2e|%-8.3g|', 3.5, 1/3)", '+3.50e+00|0.333   |'],
  ["string.format('%.3g', 2.5e-5)", '2.5e-05'],
  ["string.format('%G', 1e-10)", '1E-10'],
  ["string.format('%d', 'abc')", '0'],
  ["string.format('%d', '0x10')", '0x10'],
  ["string.format('%5d|', ' 7 ')", '   7 |'],
  ["string.format('%x', '12')", '3132'],
  ["string.format('% X', 'ab')", '61 62'],
  ["string.format('%5.1s|', 'éab')", '    é|'],
  ["string.format('%5.s|', 1e-7)", '     |'],
  ["string.format('%+012.3i', 1)", '        +001'],
  ["string.format('%.0e', 2.5)", '2e+00'],
  ["string.format('%%|%f', 1)", '%|1.000000'],
  ["string.format('%#x', 255)", '0xff'],
  ["string.format('%q', 'a\\nb')", '"a\\nb"'],
  ["string.format('%q', 'say \"hi\"\\\\')", '"say \\"hi\\"\\\\"'],
  ["string.format('%q', '\\0\\1\\127')", '"\\x00\\x01\\x7f"'],
  ["string.format('%q', 'é')", '"é"'],
  ["string.format('%+q', 'é')", '"\\u00e9"'],
  ["string.format('%-8.1q|', 'ab')", '"a"     |'],
  ["string.format('%q', 'a\\255\\194b')", '"a\\xff\\xc2b"'],
  ["string.format('%q', '\\226\\128\\168')", '"\\u2028"'],
]

describeLuaValues(
  "gopher-lua's string.format (Go's Sprintf)",
  'each format gives what gopher-lua gives',
  values,
)
