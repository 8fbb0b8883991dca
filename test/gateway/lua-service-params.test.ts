// Service-level modifier/lua-endpoint with gin's params, as KrakenD CE 2.13.8 runs it (checked with
// krakend-diff lua-service): the middleware runs after gin's routing, so ctx:params() holds the
// route's params (on a 404, those gin's lookup collected before it missed; on a 405, none), and
// lura's handler builds the backend URL from what the script leaves. Refused here before.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from './helpers.ts'

let backend: TestBackend
let gw: Running

before(async () => {
  backend = await startBackend('b')
  const host = [backend.origin]
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: {
        'modifier/lua-endpoint': {
          pre: "local c = ctx.load(); local id = c:params('id'); c:headers('X-Id', id); if id == 'deny' then error('denied') end; if id == 'swap' then c:params('id', 'swapped') end; if id == 'upper' then c:params('Id', 'upper-set') end",
        },
      },
      endpoints: [
        { endpoint: '/s/{id}', input_headers: ['X-Id'], backend: [{ host, url_pattern: '/echo/{id}' }] },
        { endpoint: '/deep/{id}/x', backend: [{ host, url_pattern: '/echo/deep/{id}' }] },
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  await backend?.close()
})

test("the script reads the route's params", async () => {
  const res = await send(gw.url, { path: '/s/7' })
  assert.equal(res.status, 200)
  assert.equal(backend.seen.at(-1)?.headers['x-id'], '7')
})

test('params the script sets build the backend URL (a later lura name winning)', async () => {
  await send(gw.url, { path: '/s/swap' })
  assert.equal(backend.seen.at(-1)?.url, '/echo/swapped')
  await send(gw.url, { path: '/s/upper' })
  assert.equal(backend.seen.at(-1)?.url, '/echo/upper-set')
})

test("on a 404 the script sees the params gin's lookup collected; on a 405 none", async () => {
  assert.equal((await send(gw.url, { path: '/s/deny' })).status, 500)
  assert.equal((await send(gw.url, { path: '/deep/deny/y' })).status, 500)
  assert.equal((await send(gw.url, { path: '/s/deny', method: 'POST' })).status, 405)
})
