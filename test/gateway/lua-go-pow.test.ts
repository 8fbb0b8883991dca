// `^` and math.pow are Go's math.Pow in gopher-lua (KrakenD's Lua): an integral exponent by
// repeated squaring of the mantissa, so 5 ^ 100 is 7.88860905221012e+69 where JavaScript's
// Math.pow gives 7.888609052210118e+69, and Go's special cases (1 ^ inf is 1, not NaN). Found by
// the luagen differential (540 pow values: 84 differed, 12 after: Go's amd64 Exp/Log in the last
// digit of a fractional exponent); values from gopher-lua 1.1.1 with krakend-lua 2.9.1's binder.
import { describeLuaValues } from './lua-expressions.ts'

const values: Array<[string, string]> = [
  ['5 ^ 100', '7.88860905221012e+69'],
  ['(2^53+1) ^ 1.5', '8.548396450010089e+23'],
  ['1 ^ (1/0)', '1'],
  ['(-1) ^ (-1/0)', '1'],
  ['(function() local x, y = 5, 100 return x ^ y end)()', '7.88860905221012e+69'],
  ['2 ^ 0.5', '1.4142135623730951'],
  ['(-8) ^ (1/3)', 'NaN'],
  ['(0xff) ^ 3', '16581375'],
  ['math.pow(1e15, 5)', '1.0000000000000001e+75'],
  ['(-0) ^ (-1)', '-Inf'],
  ["loadstring('return 5 ^ 100')()", '7.88860905221012e+69'],
]

describeLuaValues("lua's ^ as Go's math.Pow", '^ and math.pow give what gopher-lua gives', values)
