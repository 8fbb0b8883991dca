// A vararg function's `arg` as gopher-lua (Lua 5.1 with CompatVarArg) gives it: a local table of the
// arguments with `n` their count when the function's own body does not use `...`, nil when it does
// (shadowing a global `arg`); the main chunk has none. fengari (Lua 5.3) has no `arg`, so a 5.1-style
// helper `function log(...) for i = 1, arg.n do ... end end` failed the call where KrakenD runs it.
import { describeLuaValues } from './lua-expressions.ts'

const values: Array<[string, string]> = [
  ['(function(...) return type(arg) end)(1, 2)', 'table'],
  ['(function(...) return arg.n end)(1, nil)', '2'],
  ["(function(a, ...) return arg[1] .. arg.n .. a end)('x', 'y')", 'y1x'],
  ['(function(...) local x = {...} return arg end)(1)', 'nil'],
  ['(function(...) if true then for i = 1, 2 do end end repeat until true return arg.n end)(1, 2, 3)', '3'],
  ['(function(...) return (function(...) return arg.n end)(1) + arg.n end)(1, 2)', '3'],
  [
    "(function() arg = 'G' return (function(...) return tostring(arg) .. select('#', ...) end)() end)()",
    'nil0',
  ],
  ["(function() local s = 'function(...) end' return (function(...) return arg.n end)(5) end)()", '1'],
  ['type(arg)', 'nil'],
]

describeLuaValues('Lua vararg arg table', "a vararg function's arg is gopher-lua's", values)
