// math.ldexp is gopher-lua's Go math.Ldexp(x, int(e)): Go's int() of NaN, ±Inf or a number out of
// int64's range is its minimum, and Ldexp adds x's own exponent to it as an int64, so for |x| below
// 1 the sum wraps to the top and the answer is ±Inf; this runtime answered 0. Values from KrakenD
// CE 2.13.8, run by hand (found by krakend-diff luagen SEED=902 N=40, 1 of 80 cases).
import { describeLuaValues } from './lua-expressions.ts'

const values: Array<[string, string]> = [
  ['math.ldexp(-0.5, 1e100)', '-Inf'],
  ['math.ldexp(2, 1e100)', '0'],
  ['math.ldexp(0.75, 0/0)', '+Inf'],
  ['math.ldexp(1, -1/0)', '0'],
  ['math.ldexp(5e-324, 1/0)', '+Inf'],
  ['math.ldexp(-2.5e-310, -1/0)', '-Inf'],
  ['math.ldexp(0.5, -2^63)', '+Inf'],
  ['math.ldexp(-1.5, -2^63)', '0'],
  ['math.ldexp(0.99, 2^63)', '+Inf'],
  ['math.ldexp(0.5, -2^63 + 2048)', '0'],
  ['math.ldexp(1, 2^62)', '+Inf'],
  ['math.ldexp(3, -2^62)', '0'],
]

describeLuaValues("gopher-lua's math.ldexp at int64's edges", 'each call gives what gopher-lua gives', values)
