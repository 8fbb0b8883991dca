// Go's query values are bytes: a key or value that is not UTF-8 once unescaped (`?debug=%FF`) is a
// key like any other for krakend-cel's req_querystring, krakend-lua's r:query and martian's query
// filter, as it is for the query the backend receives. A guard that looked it up in a parse that
// dropped such pieces let the request through to a backend that got `debug=%FF`.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseGoQuery } from '../../../src/gateway/go-url.ts'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'

const gw = gatewayWith((backend) => {
  const host = [backend.origin]
  return {
    version: 3,
    endpoints: [
      {
        endpoint: '/cel',
        input_query_strings: ['*'],
        extra_config: { 'validation/cel': [{ check_expr: "!('debug' in req_querystring)" }] },
        backend: [{ host, url_pattern: '/echo' }],
      },
      {
        endpoint: '/lua',
        input_query_strings: ['*'],
        extra_config: {
          'modifier/lua-endpoint': {
            pre: "local c = ctx.load()\nif c:query('debug') ~= '' then custom_error('debug is refused', 403) end",
          },
        },
        backend: [{ host, url_pattern: '/echo' }],
      },
    ],
  }
})

for (const path of ['/cel', '/lua'])
  test(`${path}: a guard on a query key sees it whatever bytes its value holds`, async () => {
    for (const query of ['debug=1', 'debug=%FF', 'debug=%C3%A9%FF', '%FF=1&debug=%e9']) {
      const seen = gw.backend.seen.length
      const res = await send(gw.url, { path: `${path}?${query}` })
      assert.notEqual(res.status, 200, `${path}?${query} passed the guard`)
      assert.equal(gw.backend.seen.length, seen, `${path}?${query} reached the backend`)
    }
    const res = await send(gw.url, { path: `${path}?other=%FF` })
    assert.equal(res.status, 200, 'without the key the guard lets the request through')
  })

test('url.ParseQuery keeps pieces whose escapes are not UTF-8 and drops malformed escapes', () => {
  assert.deepEqual(
    [...parseGoQuery('a=%FF&b=%zz&c=%C3%A9&d=%C3%A9%FF+x&%e9=k&e=%').entries()],
    [
      ['a', ['\uFFFD']],
      ['c', ['é']],
      ['d', ['é\uFFFD x']],
      ['\uFFFD', ['k']],
    ],
  )
})
