// string.gsub with a function or table replacement counts an empty match right after a match, as
// gopher-lua's Find (Lua 5.1) does: ('abc'):gsub('%a*', f) calls f with 'abc' and '' and counts 2;
// Fengari (Lua 5.3) skipped the empty one (1). The count and the limit include those matches, and
// their captures are the anchored match's at that place. Anchored and consuming patterns are as
// before. Values from gopher-lua 1.1.1 (the library krakend-lua 2.9.1 runs).
import { describeLuaValues } from './lua-expressions.ts'

const gsub = (args: string) => `table.concat({string.gsub(${args})}, ',')`
const tag = "function(m) return '<' .. m .. '>' end"

const values: Array<[string, string]> = [
  [gsub(`'abc', '%a*', ${tag}`), '<abc><>,2'],
  [gsub("'a b', '%s*', function() return '' end"), 'ab,4'],
  [gsub(`'a b', '%s*', ${tag}`), '<>a< ><>b<>,4'],
  [gsub("'abc d', '(%a*)', function(a) return '[' .. a .. ']' end"), '[abc][] [d][],4'],
  [gsub("'abc d', '()%a*()', function(a, b) return a .. '-' .. b end"), '1-44-4 5-66-6,4'],
  [gsub("'abc', '%a*', {abc = 'X', [''] = 'E'}"), 'XE,2'],
  [gsub("'abc', '%a*', function() return nil end"), 'abc,2'],
  [gsub("'abc', '%a*', function() return true end"), ',2'],
  [gsub(`'abc de', '%a*', ${tag}, 2`), '<abc><> de,2'],
  [gsub(`'abc de', '%a*', ${tag}, 3`), '<abc><> <de>,3'],
  [gsub("'  x  ', '%s*$', function() return '|' end"), '  x||,2'],
  [gsub("'aab', 'a?', function(s) return '(' .. s .. ')' end"), '(a)(a)()b(),4'],
  [gsub(`'abc', '^%a*', ${tag}`), '<abc>,1'],
  [gsub(`'abc', '%a+', ${tag}`), '<abc>,1'],
]

describeLuaValues(
  "gopher-lua's gsub: an empty match after a match",
  'each call gives what gopher-lua gives',
  values,
)
