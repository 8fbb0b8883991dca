// getfenv, setfenv and newproxy, which gopher-lua (KrakenD) has from Lua 5.1 and Lua 5.3 dropped:
// a script calling them failed here ('attempt to call a non-function object', 500). setfenv gives
// one function its environment (the script's other functions keep theirs), level 1 is the calling
// function, a Go function's (here: a library function) cannot be changed. Each answer below is
// KrakenD CE's to the same script, two calls each.
import { describe, test } from 'node:test'
import { luaPreGatewayWith } from './gateway-fixture.ts'
import { assertLuaPreAnswers, type LuaPreAnswer } from './lua-pre-answers.ts'

/** [pre script, KrakenD's status and body] */
const cases: LuaPreAnswer[] = [
  [
    'custom_error(tostring(getfenv(1) == _G) .. tostring(getfenv() == _G) .. tostring(getfenv(0) == _G) .. tostring(getfenv(print) == _G) .. tostring(getfenv(function() return x end) == _G), 418)',
    418,
    'truetruetruetruetrue',
  ],
  [
    "local f = function() return x end setfenv(f, {x = 'E'}) custom_error(f() .. tostring(x), 418)",
    418,
    'Enil',
  ],
  [
    "local f = function() return x end local g = function() return x end x = 'G' setfenv(f, {x = 'E'}) custom_error(f() .. g() .. tostring(getfenv(f).x), 418)",
    418,
    'EGE',
  ],
  [
    'local env = {custom_error = custom_error, tostring = tostring} setfenv(1, env) y = 5 custom_error(tostring(y) .. tostring(env.y) .. tostring(print), 418)',
    418,
    '55nil',
  ],
  [
    'local function inner() setfenv(2, {custom_error = custom_error}) end inner() custom_error(tostring(print), 418)',
    500,
    'attempt to call a non-function object (pre-script:L1)',
  ],
  [
    "local r = setfenv(function() end, {}) custom_error(type(r) .. tostring(select('#', setfenv(0, {}))), 418)",
    418,
    'function0',
  ],
  ["local f = loadstring('return x') setfenv(f, {x = 7}) custom_error(tostring(f()), 418)", 418, '7'],
  ['custom_error(tostring(getfenv(math.cosh) == _G), 418)', 418, 'true'],
  [
    'setfenv(math.cosh, {math = {exp = function() return 1 end}}) custom_error(tostring(math.cosh(5)), 418)',
    500,
    'cannot change the environment of given object (pre-script:L1)',
  ],
  ['setfenv(print, {})', 500, 'cannot change the environment of given object (pre-script:L1)'],
  ['setfenv(1)', 500, 'bad argument #2 to setfenv (table expected, got nil) (pre-script:L1)'],
  [
    "local p = newproxy(true) getmetatable(p).__tostring = function() return 'P' end custom_error(tostring(p), 418)",
    418,
    'P',
  ],
  [
    'local p = newproxy(true) local q = newproxy(p) custom_error(type(newproxy()) .. tostring(getmetatable(newproxy())) .. tostring(getmetatable(q) == getmetatable(p)) .. tostring(getmetatable(newproxy(false))), 418)',
    418,
    'userdataniltruenil',
  ],
]

describe('Lua getfenv, setfenv and newproxy', () => {
  const gateway = luaPreGatewayWith(cases.map(([pre], i) => [`/e${i}`, pre]))

  test('each script gets what it gets in KrakenD, and nothing reaches the next call', async () => {
    await assertLuaPreAnswers(gateway.url, '/e', cases, 2)
  })
})
