// string.format's %d and %i in KrakenD's Lua (gopher-lua: Go's fmt.Sprintf, a number written as
// int64(n)): a number without an integer representation is truncated toward zero, one outside int64
// (or NaN, ±Inf) gives -9223372036854775808, and integers beyond 32 bits print whole. Ours (Lua 5.3,
// 32-bit integers) failed the script, so the call answered 500 where KrakenD called the backend (found
// by the differential fuzz of the Lua modifiers against KrakenD CE, seed 306).
import { describeLuaHeaderValues } from './lua-expressions.ts'

const formats: Array<[string, string]> = [
  ["string.format('%d', 100000000000000000000)", '-9223372036854775808'],
  ["string.format('%d', 3e9)", '3000000000'],
  ["string.format('%d', 1.5)", '1'],
  ["string.format('%i', -2.7)", '-2'],
  ["string.format('%d %i', 0/0, -1/0)", '-9223372036854775808 -9223372036854775808'],
  [
    "string.format('[%+08d|%-8d|%08.3d|%%|%s|%.0d]', 3e9, -3e9, 5e9, 'z', -0.5)",
    '[+3000000000|-3000000000|5000000000|%|z|]',
  ],
  ["string.format('%.12d|%5d|%3d', -3e9, 2^62, 7)", '-003000000000|4611686018427387904|  7'],
  // %x, %X and %o as Go writes int64(n) (fengari: 32-bit two's complement, no precision or sign),
  // and the ' ' and '#' flags, which fengari's format failed on.
  ["string.format('%#x|% d|%#o|%#08x', 255, 5, 8, 255)", '0xff| 5|010|0x000000ff'],
  ["string.format('%x|%X|%.4x|%+x|%x', -1, -255, 10, 7, 3.5)", '-1|-FF|000a|+7|3'],
  ["string.format('%x|%o', 2^63, 2^40)", '-8000000000000000|20000000000000'],
]

describeLuaHeaderValues("string.format's %d and %i as gopher-lua writes a number", formats)
