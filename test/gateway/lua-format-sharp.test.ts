// string.format's '#' flag as gopher-lua's Go fmt.Sprintf writes it: on %e/%f/%g the decimal point is
// always written and %g/%G keep their trailing zeros (Go's fmtFloat sharp), on %d/%i it means nothing.
// Ours handed those specs to fengari's format, which failed the call: a script formatting with
// `%#.2f` answered 500 where KrakenD called the backend (found by the krakend-diff suite luagen,
// SEED=3004 N=40, session 43's regression sweep; expected values are KrakenD CE 2.13.8's answers).
import { describeLuaHeaderValues } from './lua-expressions.ts'

const formats: Array<[string, string]> = [
  ["string.format('%#G|%#g|%#g', 1e-5, 1.5, 100000)", '1.00000E-05|1.50000|100000.'],
  ["string.format('%#g|%#g|%#.3g|%#.1g', 1e6, 0, 1, 123456)", '1.00000e+06|0.00000|1.00|1.e+05'],
  ["string.format('%#.0e|%#.0f|%#e|%#F', 5, 5, 1.5, 2)", '5.e+00|5.|1.500000e+00|2.000000'],
  ["string.format('[%#10.2f|%#-8g|%#+08.1f]', -3, 2, 2)", '[     -3.00|2.00000 |+00002.0]'],
  ["string.format('%#g|%#e|%#f', 1/0, -1/0, 0/0)", '+Inf|-Inf|NaN'],
  ["string.format('%#5G %b', 1e-5)", '1.00000E-05 %!b(MISSING)'],
  ["string.format('%#G', 'x')", '%!G(string=x)'],
  ["string.format('%#d|%#i|%#5d|%#-5i|', 5, -3, 5, -3)", '5|-3|    5|-3   |'],
  ["string.format('%#d|%#d', 2^63, 2.7)", '-9223372036854775808|2'],
  ["string.format('%#.2v|%#x', 2.25, 255)", '2.2|0xff'],
]

describeLuaHeaderValues("string.format's '#' flag as gopher-lua writes it", formats)
