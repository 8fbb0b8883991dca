// string.format of a string argument that is not UTF-8: Go's fmt reads each byte that starts no
// valid UTF-8 sequence as one rune and writes it back as it was (a width or precision counts it
// once; %#v and %q escape it as \xff). Lua 5.3's format fails ("number expected") for a float
// verb or a verb Go alone has, and this runtime did too. Each answer (its bytes, in hex) is KrakenD
// CE 2.13.8's, run by hand.
import { describeLuaValues } from './lua-expressions.ts'

const hexOf = (format: string, arg: string): string =>
  `string.format('%x', string.format('${format}', '${arg}'))`

const values: Array<[string, string]> = [
  // %!G(string=\xff)
  [hexOf('%G', '\\255'), '25214728737472696e673dff29'],
  // %!f(string=   é\xff)|
  [hexOf('%5.2f|', '\\195\\169\\255x'), '25216628737472696e673d202020c3a9ff297c'],
  // %!e(string=\xff\xff    )|
  [hexOf('%-6e|', '\\255\\255'), '25216528737472696e673dffff20202020297c'],
  // an incomplete sequence: each of its bytes is a rune (%!g(string=00\xe2\x82\xff)|)
  [hexOf('%05.3g|', '\\226\\130\\255'), '25216728737472696e673d3030e282ff297c'],
  [hexOf('%c', '\\255'), '25216328737472696e673dff29'],
  [hexOf('%-05u', '\\255a'), '25217528737472696e673dff6120202029'],
  [hexOf('%5v|', '\\195\\169\\255'), '202020c3a9ff7c'],
  [hexOf('%-7.2v|', '\\240\\159\\152\\128\\255z'), 'f09f9880ff20202020207c'],
  [hexOf('%5s|', '\\195\\169\\255'), '202020c3a9ff7c'],
  [hexOf('%.1s|', '\\255\\195\\169'), 'ff7c'],
  [hexOf('%#5s|', '\\255'), '20202020ff7c'],
  // "\xff": %#v quotes as %q does, and %#q cannot backquote a byte that is not UTF-8
  [hexOf('%#v|', '\\255'), '225c786666227c'],
  [hexOf('%#4q|', '\\255'), '225c786666227c'],
]

describeLuaValues(
  "gopher-lua's string.format of strings that are not UTF-8",
  'each format gives the bytes gopher-lua gives',
  values,
)
