// tostring() of krakend-lua's userdata (a response, a luaTable, a luaList): gopher-lua prints
// `userdata: 0x…` (binder's metatables have no __name), where fengari printed the type's name
// (`luaList: 0x3b`). Found by krakend-diff against KrakenD CE (6 of 7 probe cases differed).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { rawGatewayWith } from './gateway-fixture.ts'

describe('tostring() of krakend-lua userdata', () => {
  const gateway = rawGatewayWith((raw) => ({
    version: 3,
    endpoints: [
      {
        endpoint: '/tostring',
        backend: [{ host: [raw.origin], url_pattern: '/b' }],
        extra_config: {
          'modifier/lua-proxy': {
            post: [
              'local r = response.load()',
              "r:headers('X-Response', tostring(r))",
              "r:headers('X-Table', tostring(r:data()))",
              "r:headers('X-List', tostring(luaList.new()))",
              "r:headers('X-Name', tostring(luaList.__name))",
            ].join('\n'),
          },
        },
      },
    ],
  }))

  test('reads userdata: 0x…, and the metatables carry no __name', async () => {
    const res = await fetch(`${gateway.url}/tostring`)
    assert.equal(res.status, 200)
    for (const name of ['x-response', 'x-table', 'x-list'])
      assert.match(res.headers.get(name) ?? '', /^userdata: 0x[0-9a-f]+$/, name)
    assert.equal(res.headers.get('x-name'), 'nil')
  })
})
