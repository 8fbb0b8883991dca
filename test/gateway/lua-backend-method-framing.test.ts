// A lua-backend script that changes the backend call's method frames an empty body as Go's
// transport frames it for that method, as KrakenD CE 2.13.8 does (krakend-diff lua-stack /be/method
// over h2c): a bodiless h2c GET made a POST sends an empty chunked body (x/net/http2 hands lura a
// body that is no http.NoBody), not `Content-Length: 0`; over HTTP/1.1 (http.NoBody) it is
// `Content-Length: 0`. Before, the configured method (GET) decided, and h2c sent `Content-Length: 0`.
import assert from 'node:assert/strict'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

let backend: Server
let gw: Running
let last: { method: string; headers: IncomingHttpHeaders; body: string } | undefined

before(async () => {
  backend = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      last = { method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{}')
    })
  })
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
  const host = [`http://127.0.0.1:${(backend.address() as AddressInfo).port}`]
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/method',
          backend: [
            {
              host,
              url_pattern: '/be',
              extra_config: { 'modifier/lua-backend': { pre: "request.load():method('POST')" } },
            },
          ],
        },
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  backend?.close()
})

test('h2c: a bodiless GET made a POST by the script sends an empty chunked body', async () => {
  assert.equal((await send(gw.url, { path: '/method', http2: true })).status, 200)
  assert.equal(last?.method, 'POST')
  assert.equal(last?.headers['transfer-encoding'], 'chunked')
  assert.equal(last?.headers['content-length'], undefined)
  assert.equal(last?.body, '')
})

test('HTTP/1.1: the same POST has no body at all: Content-Length: 0', async () => {
  assert.equal((await send(gw.url, { path: '/method' })).status, 200)
  assert.equal(last?.method, 'POST')
  assert.equal(last?.headers['content-length'], '0')
  assert.equal(last?.headers['transfer-encoding'], undefined)
})
