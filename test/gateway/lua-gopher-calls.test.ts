// Base and library functions give back what gopher-lua's give (KrakenD CE), not Lua 5.3's: pairs
// ignores __pairs and ipairs reads raw, xpcall passes no arguments, collectgarbage returns nothing
// (fengari failed the script: 'lua_gc not implemented'), coroutine.running() is nil in the main
// chunk, math.log does not read a base and is Go's amd64 Log, os.date('!...') drops the '!', debug has no debug.debug,
// _GOPHER_LUA_VERSION and _printregs exist; pcall of a library function reports its error at the Lua
// caller's place without the function's name ('<string>:1: bad argument #1 to (anonymous) (...)';
// here 'bad argument #1 to rep (...)') and pcall of a non-function is 'attempt to call a nil value'.
// Each answer below is KrakenD CE's to the same script.
import { describe, test } from 'node:test'
import { luaPreGatewayWith } from './gateway-fixture.ts'
import { assertLuaPreAnswers, type LuaPreAnswer } from './lua-pre-answers.ts'

/** [pre script, KrakenD's 418 body] */
const bodies: Array<[string, string]> = [
  [
    'local t = setmetatable({}, {__pairs = function() return function() return nil end, nil, nil end}) t.a = 1 local n = 0 for k in pairs(t) do n = n + 1 end custom_error(tostring(n), 418)',
    '1',
  ],
  [
    "local t = setmetatable({}, {__index = function(_, i) if i < 4 then return i * 10 end end}) local s = '' for i, v in ipairs(t) do s = s .. v end custom_error('[' .. s .. ']', 418)",
    '[]',
  ],
  [
    "local t = setmetatable({1, 2}, {__ipairs = function() return function() return nil end, nil, nil end}) local s = '' for i, v in ipairs(t) do s = s .. v end custom_error('[' .. s .. ']', 418)",
    '[12]',
  ],
  [
    'local f, t, z = ipairs({}) local g = ipairs({1}) custom_error(tostring(f == g) .. tostring(z), 418)',
    'true0',
  ],
  ['local f, t, z = pairs({}) custom_error(tostring(f == next) .. tostring(z), 418)', 'falsenil'],
  ['local it = ipairs({}) custom_error(tostring(it({5, 6}, 1)), 418)', '2'],
  [
    "local ok, e = xpcall(function(...) return select('#', ...) end, print, 5, 6) custom_error(tostring(ok) .. tostring(e), 418)",
    'true0',
  ],
  [
    "custom_error(tostring(select('#', collectgarbage())) .. tostring(select('#', collectgarbage('count'))) .. tostring(select('#', collectgarbage('bogus', 1))), 418)",
    '000',
  ],
  [
    "local co = coroutine.create(function() return coroutine.running() end) local ok, r = coroutine.resume(co) custom_error(tostring(coroutine.running()) .. '|' .. type(r) .. tostring(r == co), 418)",
    'nil|threadtrue',
  ],
  [
    "custom_error(tostring(math.log(8, 2)) .. '|' .. tostring(math.log('8')) .. '|' .. tostring(math.log(100, 10)) .. '|' .. tostring(math.log10(1000)) .. '|' .. tostring(math.log(0)), 418)",
    '2.0794415416798357|2.0794415416798357|4.605170185988092|3|-Inf',
  ],
  // Go's amd64 Log: a subnormal's exponent read from its bits, and its last digit (luagen differential).
  [
    "custom_error(tostring(math.log(1e-320)) .. '|' .. tostring(math.log10(1e-320)) .. '|' .. tostring(math.log10(0.1)) .. '|' .. tostring(math.log10(3)) .. '|' .. tostring(math.log(2.863105947281947)) .. '|' .. tostring(math.log(5e-324, 2)), 418)",
    '-709.0895657128236|-307.95368556425257|-0.9999999999999999|0.4771212547196624|1.0519070311183074|-709.0895657128241',
  ],
  [
    "custom_error(os.date('!%Y-%m-%d %H:%M:%S', 3600) .. '|' .. os.date('!!%Y', 0) .. '|' .. tostring(os.date('!*t', 7200).hour), 418)",
    '1970-01-01 01:00:00|1970|2',
  ],
  ['custom_error(tostring(debug.debug), 418)', 'nil'],
  ['custom_error(type(_GOPHER_LUA_VERSION) .. type(_printregs), 418)', 'stringfunction'],
]

/** pcall of a library function: its error at the Lua caller's place, the function unnamed (gopher-lua's). */
const pcalled: LuaPreAnswer[] = [
  [
    'local ok, e = pcall(string.rep) custom_error(tostring(e), 418)',
    418,
    '<string>:1: bad argument #1 to (anonymous) (string expected, got nil)',
  ],
  [
    "local ok, e = pcall(math.floor, 'x') custom_error(tostring(e), 418)",
    418,
    '<string>:1: bad argument #1 to (anonymous) (number expected, got string)',
  ],
  ["local ok, e = pcall(error, 'x') custom_error(tostring(e), 418)", 418, '<string>:1: x'],
  ["local ok, e = pcall(error, 'x', 0) custom_error(tostring(e), 418)", 418, 'x'],
  [
    'local ok, e = pcall(error) custom_error(tostring(e), 418)',
    418,
    '<string>:1: bad argument #1 to (anonymous) (value expected)',
  ],
  [
    "local t = setmetatable({}, {__metatable = 'locked'}) local ok, e = pcall(setmetatable, t, {}) custom_error(tostring(e), 418)",
    418,
    '<string>:1: cannot change a protected metatable',
  ],
  [
    '\n\nlocal ok, e = pcall(string.rep) custom_error(tostring(e), 418)',
    418,
    '<string>:3: bad argument #1 to (anonymous) (string expected, got nil)',
  ],
  [
    'local ok, e = pcall(function() string.rep() end) custom_error(tostring(e), 418)',
    418,
    '<string>:1: bad argument #1 to rep (string expected, got nil)',
  ],
  [
    "local f = loadstring('local ok, e = pcall(string.rep) return e', 'named') custom_error(tostring(f()), 418)",
    418,
    'named:1: bad argument #1 to (anonymous) (string expected, got nil)',
  ],
  [
    'local ok, e = pcall(nil) custom_error(tostring(ok) .. tostring(e), 418)',
    418,
    'falseattempt to call a nil value',
  ],
  [
    'local ok, e = pcall(5) custom_error(tostring(ok) .. tostring(e), 418)',
    418,
    'falseattempt to call a number value',
  ],
  [
    'local ok, e = pcall(setmetatable({}, {__call = function(self, a) return a end}), 7) custom_error(tostring(ok) .. tostring(e), 418)',
    418,
    'true7',
  ],
  [
    'local ok, e = pcall() custom_error(tostring(ok) .. tostring(e), 418)',
    500,
    'bad argument #1 to pcall (value expected) (pre-script:L1)',
  ],
]

describe("gopher-lua's base and library calls", () => {
  const gateway = luaPreGatewayWith([
    ...bodies.map(([pre], i): [string, string] => [`/g${i}`, pre]),
    ...pcalled.map(([pre], i): [string, string] => [`/p${i}`, pre]),
  ])

  test('each script gets back what it gets in KrakenD', async () => {
    await assertLuaPreAnswers(
      gateway.url,
      '/g',
      bodies.map(([pre, body]): LuaPreAnswer => [pre, 418, body]),
    )
  })

  test("an error caught by pcall reads as gopher-lua's", async () => {
    await assertLuaPreAnswers(gateway.url, '/p', pcalled)
  })
})
