// string.gsub's replacement as gopher-lua takes it: `%` before anything but a digit or `%` is
// written as is (`%x` -> `%x`), so is a trailing `%`; `%%` is `%` and `%0`..`%9` a capture. Lua 5.3
// fails the call on the first two ("invalid use of '%' in replacement string"), so a script KrakenD
// serves answered 500. A number replacement is refused by gopher-lua (its CheckTypes is exact) where
// 5.3 wrote it as a string. Values from KrakenD CE.
import { describeLuaValues } from './lua-expressions.ts'

const values: Array<[string, string]> = [
  ["(string.gsub('hello', 'l', '%x'))", 'he%x%xo'],
  ["(string.gsub('hello', 'l', 'a%'))", 'hea%a%o'],
  ["(string.gsub('hello', 'l', '%'))", 'he%%o'],
  ["(string.gsub('hello', 'l', '%%%'))", 'he%%%%o'],
  ["(string.gsub('hello', 'l', '%%%x'))", 'he%%x%%xo'],
  ["(string.gsub('hello', 'l', '%x%'))", 'he%x%%x%o'],
  ["(string.gsub('hello', 'l', '%%'))", 'he%%o'],
  ["(string.gsub('hello', '(l)', '[%1%0]'))", 'he[ll][ll]o'],
  ["(string.gsub('a b', '%s', '%.'))", 'a%.b'],
  ["(string.gsub('hello', 'z', '%x'))", 'hello'],
  ["pcall(string.gsub, 'hello', 'l', 5)", 'false'],
]

describeLuaValues("gopher-lua's gsub replacement", 'each replacement gives what gopher-lua gives', values)
