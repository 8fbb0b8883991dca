// Scripts read as gopher-lua's Lua 5.1 lexer reads them. Lua 5.3's operators (`//`, `&`, `|`, `~`,
// `<<`, `>>`) do not compile there: KrakenD starts and fails every call with the lexer's or the
// parser's error, where fengari ran the script (a guard `if n // 1 ~= n` let every call through).
// Escapes 5.1 does not know are the character after the backslash ("\x41" is "x41"), a decimal
// escape wraps at 256, numerals are Go's reading (012 is 12, 0012 is octal 10, 1e400 is NaN,
// 0xffffffffffffffff is NaN) and loadstring reads the same way. Facts from KrakenD CE's answers.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { luaPreGatewayWith } from './gateway-fixture.ts'

const refused: Array<[string, string]> = [
  ['local n = 7 // 2', "'/': syntax error (pre-script:L1)"],
  ['local a = 1\nlocal n = 3 & 1', "'&': Invalid token (pre-script:L2)"],
  ['local n = 3 | 1', "'|': Invalid token (pre-script:L1)"],
  ['local n = ~3', "'~': Invalid '~' token (pre-script:L1)"],
  ['local n = 1 << 2', "'<': syntax error (pre-script:L1)"],
  ['local n = 4 >> 1 -- shift', "'>': syntax error (pre-script:L1)"],
  ['local n = 1 $ 2', "'$': Invalid token (pre-script:L1)"],
  // 5.1's break ends its block (the luagen differential): 5.3 compiled these and ran them.
  ['for i = 1, 2 do break local x = 1 end', "'local': syntax error (pre-script:L1)"],
  ['while true do break; ; end', "';': syntax error (pre-script:L1)"],
  ['for i = 1, 2 do break\n x = 1 end', "'x': syntax error (pre-script:L2)"],
  ['for i = 1, 2 do break 12 end', "'12': syntax error (pre-script:L1)"],
  // The parser's error before a token the lexer refuses comes first (luagen differential, SEED=305).
  ['local x = 1\nselect(0, )\nlocal n = 1 << 2', "')': syntax error (pre-script:L2)"],
  ['a << 1', "'<': parse error (pre-script:L1)"],
  ['local n = 1\nx = 1 ..\nlocal y = 3 & 1', "'local': syntax error (pre-script:L3)"],
  ['x = 1 y = 2 z 3 local w = 1 $ 2', "'3': parse error (pre-script:L1)"],
  // ... but not the compiler's: a `break` outside a loop is no error before the token after it.
  ['local a = 1\nbreak\nlocal n = 1', "'local': syntax error (pre-script:L3)"],
  ['if x then break end local q = 1 // 2', "'/': syntax error (pre-script:L1)"],
  // A numeral's exponent takes the newline after 'e': the lines after it still count (luagen differential).
  ['x = 3e\nlocal t = nil\nt.x = 1', "attempt to index a non-table object(nil) with key 'x' (pre-script:L3)"],
]

const values: Array<[string, string]> = [
  ["'\\x41'", 'x41'],
  ["'a\\z   b'", 'az   b'],
  ["'\\u{41}'", 'u{41}'],
  ["'\\q'", 'q'],
  ["string.byte('\\321')", '65'],
  ['012', '12'],
  ['0012', '10'],
  ['0x10 + 0XfF', '271'],
  ['0xFFFFFFFF', '4294967295'],
  ['0xffffffffffffffff', 'NaN'],
  ['1e400', 'NaN'],
  ["'a // b & c' .. [[ | ~ ]] --[==[ // & | ]==]", 'a // b & c | ~ '],
  ['goto_ok', 'nil'],
  ['(function() for i = 1, 2 do if i then break end local y = 2 end return 1 end)()', '1'],
  ['(function() repeat break -- c\n until true return 2 end)()', '2'],
  ['(function() local _ENV = {} return type(table) end)()', 'table'],
  ["(loadstring('return 7 // 2'))", 'nil'],
  ["select(2, loadstring('return 7 // 2'))", "<string> line:1(column:11) near '/':   syntax error\n"],
  ['loadstring(\'return "\\\\x41" .. 0x10\')()', 'x4116'],
  ['select(2, pcall(loadstring(\'error("e")\')))', '<string>:1: e'],
]

describe("gopher-lua's lexer", () => {
  const gateway = luaPreGatewayWith([
    ...refused.map(([script], i): [string, string] => [`/r${i}`, script]),
    ...values.map(([expression], i): [string, string] => [
      `/v${i}`,
      `custom_error('[' .. tostring(${expression}) .. ']', 418)`,
    ]),
    ['/global', "loadstring('seen = (seen or 0) + 1')()\ncustom_error(tostring(seen), 418)"],
  ])

  test('5.3 syntax fails every call with the error KrakenD gives, the backend never called', async () => {
    for (const [i, [script, message]] of refused.entries()) {
      for (let call = 0; call < 2; call += 1) {
        const res = await fetch(`${gateway.url}/r${i}`)
        assert.equal(res.status, 500, script)
        assert.equal(await res.text(), message, script)
      }
    }
    assert.equal(gateway.raw.requests.length, 0)
  })

  test('strings and numerals have the values gopher-lua gives them', async () => {
    for (const [i, [expression, expected]] of values.entries()) {
      const res = await fetch(`${gateway.url}/v${i}`)
      assert.equal(res.status, 418, expression)
      assert.equal(await res.text(), `[${expected}]`, expression)
    }
  })

  test("a loadstring chunk's globals are the request's own", async () => {
    for (let call = 0; call < 3; call += 1) {
      const res = await fetch(`${gateway.url}/global`)
      assert.equal(await res.text(), '1')
    }
  })
})
