// modifier/lua-backend on a no-op backend of an endpoint that renders, as KrakenD CE 2.13.8 runs it
// (checked with krakend-diff lua-noop, /r/ cases): the script sees lura's no-op response (the
// backend's status, header map and body, empty data); data it sets is rendered, and lura's handler
// then adds the backend's headers to the answer. This runtime refused the config before. The
// backend's `Connection: keep-alive` among them becomes Go's `Connection: close` on a connection
// that ends with the answer (this runtime sent keep-alive).
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, rawRequest, send, sendRaw, startGateway } from './helpers.ts'

let backend: Server
let gw: Running

before(async () => {
  backend = createServer((_req, res) => {
    res.writeHead(418, { 'content-type': 'text/plain', 'x-be': 'tea' }).end('short and stout')
  })
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
  const host = [`http://127.0.0.1:${(backend.address() as AddressInfo).port}`]
  const rendering = (endpoint: string, post: string) => ({
    endpoint,
    backend: [
      {
        host,
        url_pattern: '/teapot',
        encoding: 'no-op',
        extra_config: { 'modifier/lua-backend': { post: `local r = response.load(); ${post}` } },
      },
    ],
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        rendering(
          '/data',
          "local d = r:data(); d:set('body', r:body()); d:set('status', r:statusCode()); d:set('type', r:headers('Content-Type'))",
        ),
        rendering('/empty', "r:headers('X-Lua', 'on')"),
        rendering('/built-name', "local f = 'bo' .. 'dy'; r:data():set('n', #r[f](r))"),
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  backend?.close()
})

for (const http2 of [false, true]) {
  const over = http2 ? 'h2c' : 'HTTP/1.1'

  test(`${over}: the script reads the answer; its data is rendered with the backend's headers`, async () => {
    const res = await send(gw.url, { path: '/data', http2 })
    assert.equal(res.status, 200)
    assert.deepEqual(JSON.parse(res.text), { body: 'short and stout', status: 418, type: 'text/plain' })
    assert.equal(res.headers['x-be'], 'tea')
    // gin's JSON render keeps a Content-Type already set: the backend's.
    assert.equal(res.headers['content-type'], 'text/plain')
    assert.equal(res.headers['x-krakend-completed'], 'true')
  })

  test(`${over}: without data the answer is the empty object, without the script's headers`, async () => {
    const res = await send(gw.url, { path: '/empty', http2 })
    assert.equal(res.status, 200)
    assert.equal(res.text, '{}')
    assert.equal(res.headers['x-lua'], undefined)
  })
}

test('a script reaching the unread body by a name built at run time fails the call', async () => {
  const res = await send(gw.url, { path: '/built-name' })
  assert.equal(res.status, 500)
})

test("HTTP/1.1: the backend's Connection line is Go's close on a connection that ends", async () => {
  const { status, head } = await sendRaw(
    gw.url,
    rawRequest(['GET /data HTTP/1.1', 'Host: gw', 'Connection: close']),
  )
  assert.equal(status, 200)
  assert.match(head, /\r\nConnection: close\r\n/i)
  assert.doesNotMatch(head, /Connection: keep-alive/i)
})
