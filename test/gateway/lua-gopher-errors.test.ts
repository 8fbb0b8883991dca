// A Lua runtime error reaches the client (500; with return_error_msg, its text and the script's
// place), worded as gopher-lua words it: KrakenD answers 'attempt to index a non-table object(nil)
// with key 'b'' where fengari (Lua 5.3) wrote 'attempt to index a nil value (local 'a')', and so on
// for calls of nil, arithmetic, concatenation, '#', comparison and argument errors ('to floor', not
// 'to 'floor''). Also base functions that passed here where KrakenD fails the call: load of a
// string (5.1's load takes a function), ipairs of a string, error() without a value; and
// setmetatable of a number, which gopher-lua takes (the numbers' metatable) where 5.3 refused it.
// A script that does not compile: gopher-lua's parser error ("'=': syntax error", "syntax error at
// EOF" on line 0, "parse error" for an expression statement that is no call) where fengari's read
// "unexpected symbol near '='".
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { luaPreGatewayWith } from './gateway-fixture.ts'

/** [pre script, KrakenD's message for its error on line 1] */
const failing: Array<[string, string]> = [
  ['local a = nil return a.b', "attempt to index a non-table object(nil) with key 'b'"],
  ['local t = {} return t.a.b', "attempt to index a non-table object(nil) with key 'b'"],
  ['local a = nil a.b = 1', "attempt to index a non-table object(nil) with key 'b'"],
  ['local t = {} t[1][2] = 3', "attempt to index a non-table object(nil) with key '2'"],
  ['undefinedfn()', 'attempt to call a non-function object'],
  ['local t = {} t.x()', 'attempt to call a non-function object'],
  ['local r = request.load() r:nosuch()', 'attempt to call a non-function object'],
  ['return 1 + nil', 'cannot perform add operation between number and nil'],
  ["local s = 'abc' return s * 2", 'cannot perform mul operation between string and number'],
  ["return '5' - {}", 'cannot perform sub operation between number and table'],
  ['return -{}', '__unm undefined'],
  ["return {} .. 'x'", 'cannot perform concat operation between table and string'],
  ['return #5', '__len undefined'],
  ['return {} < {}', 'attempt to compare table with table'],
  ["return 1 < 'x'", 'attempt to compare number with string'],
  ["for _ in ipairs('abc') do end", 'bad argument #1 to ipairs (table expected, got string)'],
  ["return load('return 1')", 'bad argument #1 to load (function expected, got string)'],
  ['error()', 'bad argument #1 to error (value expected)'],
  ["return math.floor('a')", 'bad argument #1 to floor (number expected, got string)'],
  ['return string.rep()', 'bad argument #1 to rep (string expected, got nil)'],
  ['local x = 5 return x.y', "attempt to index a non-table object(number) with key 'y'"],
  ['return (nil)[true]', "attempt to index a non-table object(nil) with key 'true'"],
]

/** [pre script that does not compile, KrakenD's answer to every call] */
const syntax: Array<[string, string]> = [
  ['x = = 1', "'=': syntax error (pre-script:L1)"],
  ['local t = {', 'syntax error at EOF (pre-script:L0)'],
  ['if x then', 'syntax error at EOF (pre-script:L0)'],
  ['local function f() end end', "'end': syntax error (pre-script:L1)"],
  ['for i = 1 do end', "'do': syntax error (pre-script:L1)"],
  ["x = 'a' 'b'", "'b': syntax error (pre-script:L1)"],
  ["x = 'abc", 'unterminated string at EOF (pre-script:L0)'],
  ['x = "abc\ny = 1', "'abc': unterminated string (pre-script:L2)"],
  ['local x = 1\nlocal y = 2 +\nz = = 3', "'=': syntax error (pre-script:L3)"],
  // An expression statement that is no call: gopher-lua's parser calls it a parse error.
  ['x = 3x', 'parse error at EOF (pre-script:L0)'],
  ['a b', "'b': parse error (pre-script:L1)"],
  ["local y = 1\nx\ncustom_error('no', 418)", "'custom_error': parse error (pre-script:L3)"],
  ['a, f() = 1', "'=': syntax error (pre-script:L1)"],
]

const numberMetatable =
  "setmetatable(1, { __index = function(_, key) return 'N' .. key end }) custom_error((5).foo, 418)"

describe('Lua runtime errors as gopher-lua words them', () => {
  const gateway = luaPreGatewayWith([
    ...failing.map(([pre], i): [string, string] => [`/e${i}`, pre]),
    ...syntax.map(([pre], i): [string, string] => [`/y${i}`, pre]),
    ['/m', numberMetatable],
  ])

  test("the client gets KrakenD's status and text", async () => {
    for (const [i, [pre, message]] of failing.entries()) {
      const res = await fetch(`${gateway.url}/e${i}`)
      assert.equal(res.status, 500, pre)
      assert.equal(await res.text(), `${message} (pre-script:L1)`, pre)
    }
  })

  test("a script that does not compile is answered with gopher-lua's syntax error", async () => {
    for (const [i, [pre, answer]] of syntax.entries()) {
      const res = await fetch(`${gateway.url}/y${i}`)
      assert.equal(res.status, 500, pre)
      assert.equal(await res.text(), answer, pre)
    }
  })

  test("setmetatable sets a number's metatable, for that call only", async () => {
    for (let call = 0; call < 2; call += 1) {
      const res = await fetch(`${gateway.url}/m`)
      assert.equal(res.status, 418)
      assert.equal(await res.text(), 'Nfoo')
    }
    assert.equal(gateway.raw.requests.length, 0)
  })
})
