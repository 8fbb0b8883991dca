// A script's writes into a library table are seen by the rest of its own call and by nothing after
// it, as in KrakenD's new gopher-lua state per request: `string.format = nil` then a call of
// string.format fails the script (500). Here the libraries were empty stand-ins reading through to
// the shared tables, so a nil written over a function still read the library's function (the call
// went on, 200 from the backend), rawget(string, 'upper') was nil, getmetatable(string) a table and
// package.loaded.string another table than string. Answers checked on KrakenD CE, three calls each.
import { describe, test } from 'node:test'
import { luaPreGatewayWith } from './gateway-fixture.ts'
import { assertLuaPreAnswers, type LuaPreAnswer } from './lua-pre-answers.ts'

/** [pre script, KrakenD's status and body to every call] */
const cases: LuaPreAnswer[] = [
  [
    "local before = tostring(string.format ~= nil) string.format = nil local ok = pcall(string.format, '%d', 1) custom_error(before .. '|' .. tostring(string.format) .. '|' .. tostring(ok), 418)",
    418,
    'true|nil|false',
  ],
  [
    "string.format = nil string.format('%d', 1)",
    500,
    'attempt to call a non-function object (pre-script:L1)',
  ],
  [
    "string.format = nil custom_error(('%d'):format(1), 418)",
    500,
    'attempt to call a non-function object (pre-script:L1)',
  ],
  [
    "local before = tostring(math.floor ~= nil) math.floor = nil table.insert = nil custom_error(before .. '|' .. tostring(math.floor) .. '|' .. tostring(table.insert), 418)",
    418,
    'true|nil|nil',
  ],
  [
    "string.format = nil local ks = {} for k in pairs(string) do ks[#ks + 1] = k end table.sort(ks) custom_error(table.concat(ks, ','), 418)",
    418,
    '__index,byte,char,dump,find,gfind,gmatch,gsub,len,lower,match,rep,reverse,sub,upper',
  ],
  [
    "function string.trim(s) return (s:gsub('^%s+', '')) end string.upper = nil custom_error(string.trim('  a') .. '|' .. tostring(string.upper) .. '|' .. tostring(('b').upper) .. '|' .. tostring(rawget(string, 'trim') ~= nil), 418)",
    418,
    'a|nil|nil|true',
  ],
  [
    "custom_error(tostring(rawget(string, 'upper') ~= nil) .. '|' .. tostring(getmetatable(string)) .. '|' .. tostring(getmetatable('').__index == string) .. '|' .. tostring(package.loaded.string == string) .. '|' .. tostring(require('math') == math), 418)",
    418,
    'true|nil|true|true|true',
  ],
  ["rawset(string, 'format', nil) custom_error(tostring(string.format), 418)", 418, 'nil'],
]

describe('Lua library writes within a call', () => {
  const gateway = luaPreGatewayWith(cases.map(([pre], i) => [`/w${i}`, pre]))

  test('a write into a library is seen by the rest of the call, and not by the next call', async () => {
    await assertLuaPreAnswers(gateway.url, '/w', cases, 3)
  })
})
