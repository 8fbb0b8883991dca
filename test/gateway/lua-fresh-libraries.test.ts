// What a script sets in the libraries (`string.mark = 1`, `string.upper = string.lower`, `math.pi = 3`)
// stays in its own call, as KrakenD's Lua gives every request a new gopher-lua state. Here the
// libraries were shared by every call of the modifier, so one request's writes changed what the
// next request's script saw (a guard could be switched off by an earlier request).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { rawGatewayWith } from './gateway-fixture.ts'

const script = `local seen = tostring(string.mark) .. tostring(('x').mark) .. tostring(math.mark) .. tostring(table.mark)
local upper = ('a'):upper() .. string.upper('b') .. tostring(math.pi)
string.mark = 1
math.mark = 1
table.mark = 1
string.upper = string.lower
math.pi = 3
custom_error(seen .. '|' .. upper .. '|' .. tostring(('x').mark) .. ('c'):upper() .. tostring(math.pi), 418)`

describe('library tables per call', () => {
  const gateway = rawGatewayWith((raw) => ({
    version: 3,
    extra_config: { router: { return_error_msg: true } },
    endpoints: [
      {
        endpoint: '/l',
        extra_config: { 'modifier/lua-proxy': { pre: script, allow_open_libs: true } },
        backend: [{ host: [raw.origin], url_pattern: '/b' }],
      },
    ],
  }))

  test('every call sees the libraries as they were opened', async () => {
    for (let call = 0; call < 3; call += 1) {
      const res = await fetch(`${gateway.url}/l`)
      assert.equal(res.status, 418)
      assert.equal(await res.text(), 'nilnilnilnil|AB3.141592653589793|1c3', `call ${call}`)
    }
  })
})
