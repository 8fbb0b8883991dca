// custom_error with a status Go cannot write (below 100 or above 999) from a modifier/lua-proxy pre,
// under router.return_error_msg: gin sets the error's own Content-Type, then the write of the status
// fails, so KrakenD CE answers 200 with that Content-Type and no body (found by the differential fuzz
// of the Lua modifiers against KrakenD CE; this runtime dropped the Content-Type).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { luaPreGatewayWith } from './gateway-fixture.ts'

describe('custom_error with a status Go cannot write', () => {
  const gateway = luaPreGatewayWith(
    [
      ['/typed-high', "custom_error('e', 1000, 'application/json')"],
      ['/typed-low', "custom_error('e', 50, 'application/json')"],
      ['/untyped', "custom_error('e', 1000)"],
    ],
    { openLibs: false },
  )

  test('200, no body, the Content-Type the script named (none without one)', async () => {
    for (const [path, type] of [
      ['/typed-high', 'application/json'],
      ['/typed-low', 'application/json'],
      ['/untyped', null],
    ] as const) {
      const res = await fetch(`${gateway.url}${path}`)
      assert.deepEqual(
        { status: res.status, type: res.headers.get('content-type'), body: await res.text() },
        { status: 200, type, body: '' },
        path,
      )
    }
    assert.equal(gateway.raw.requests.length, 0)
  })
})
