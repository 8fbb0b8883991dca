// krakend-lua's router context reads the request body only when a script calls body(). A router
// script that never names it runs before the body is read: a request it refuses is answered
// without reading it, as KrakenD CE 2.13.8 answers it — over `Expect: 100-continue`, no
// `100 Continue`, and the connection closes (Go's server closes after an answer that left an
// expected body unread). The gateway read the body first, sent `100 Continue`, kept the connection
// and served the request pipelined behind it.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { exchange, statusLines } from '../raw-exchange.ts'

const gateway = gatewayWith((backend) => ({
  version: 3,
  endpoints: [
    {
      endpoint: '/guarded',
      method: 'POST',
      extra_config: {
        'modifier/lua-endpoint': {
          pre: "local c = ctx.load()\nif c:headers('X-Deny') ~= '' then custom_error('denied', 403) end",
        },
      },
      backend: [{ host: [backend.origin], url_pattern: '/echo' }],
    },
    {
      endpoint: '/built-name',
      method: 'POST',
      extra_config: {
        'modifier/lua-endpoint': {
          pre: "local c = ctx.load()\nlocal name = 'bo' .. 'dy'\nif c[name](c) == 'evil' then custom_error('denied', 403) end",
        },
      },
      backend: [{ host: [backend.origin], url_pattern: '/echo/built' }],
    },
    { endpoint: '/after', backend: [{ host: [backend.origin], url_pattern: '/echo/after' }] },
  ],
}))

test('a router Lua script that never reads the body refuses an Expect: 100-continue request without it', async () => {
  const after = 'GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
  const refused = await exchange(
    gateway.url,
    `POST /guarded HTTP/1.1\r\nHost: x\r\nX-Deny: 1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello${after}`,
  )
  assert.deepEqual(statusLines(refused), ['HTTP/1.1 403 Forbidden'])
  assert.match(refused, /\r\nConnection: close\r\n/)
  assert.equal(gateway.backend.seen.length, 0)
  // A request the script lets through still takes its body to the backend (read after the script).
  const passed = await exchange(
    gateway.url,
    'POST /guarded HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello',
  )
  assert.deepEqual(statusLines(passed), ['HTTP/1.1 100 Continue', 'HTTP/1.1 200 OK'])
  assert.deepEqual(
    gateway.backend.seen.map((r) => [r.url, r.body]),
    [['/echo', 'hello']],
  )
})

test('a script that reaches body() by a name built at run time fails (500) instead of reading an empty body', async () => {
  const answer = await exchange(
    gateway.url,
    'POST /built-name HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nConnection: close\r\n\r\nevil',
  )
  assert.deepEqual(statusLines(answer), ['HTTP/1.1 500 Internal Server Error'])
  assert.equal(
    gateway.backend.seen.some((r) => r.url === '/echo/built'),
    false,
  )
})
