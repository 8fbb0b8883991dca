// Service-level modifier/lua-endpoint reading and setting the request body, as KrakenD CE 2.13.8
// runs it (checked with krakend-diff lua-service-body, over HTTP/1.1 and h2c): krakend-lua's
// ctx:body() reads it whole before gin routes, and what the script leaves is the body every
// endpoint (its own scripts, its backends) gets. This runtime refused these configs before.
import assert from 'node:assert/strict'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

interface Seen {
  url: string
  headers: IncomingHttpHeaders
  body: string
}

let backend: Server
let gw: Running
const seen: Seen[] = []

before(async () => {
  backend = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() })
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"ok":true}')
    })
  })
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
  const host = [`http://127.0.0.1:${(backend.address() as AddressInfo).port}`]
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: {
        router: { max_payload: 64 },
        'modifier/lua-endpoint': {
          allow_open_libs: true,
          pre: "local c = ctx.load(); local u = c:url(); if u:find('untouched') then return end; local b = c:body(); c:headers('X-Len', tostring(#b)); if u:find('replace') then c:body('replaced:' .. b) end; if u:find('deny') then error('denied') end",
        },
      },
      endpoints: [
        {
          endpoint: '/s/{id}',
          method: 'POST',
          input_headers: ['X-Len'],
          backend: [{ host, url_pattern: '/be/{id}', method: 'POST' }],
        },
        {
          endpoint: '/ep/{id}',
          method: 'POST',
          input_headers: ['X-Ep'],
          extra_config: {
            'modifier/lua-endpoint': { pre: "local c = ctx.load(); c:headers('X-Ep', c:body())" },
          },
          backend: [{ host, url_pattern: '/ep/{id}', method: 'POST' }],
        },
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  backend?.close()
})

const lastSeen = (url: string) => [...seen].reverse().find((s) => s.url === url)

for (const http2 of [false, true]) {
  const over = http2 ? 'h2c' : 'HTTP/1.1'
  const post = (path: string, body: string) =>
    send(gw.url, { path, method: 'POST', body, headers: { 'content-type': 'text/plain' }, http2 })

  test(`${over}: the script reads the body; the backend gets it whole`, async () => {
    assert.equal((await post('/s/plain', 'hello')).status, 200)
    const call = lastSeen('/be/plain')
    assert.equal(call?.headers['x-len'], '5')
    assert.equal(call?.body, 'hello')
  })

  test(`${over}: the body the script sets is the one the backend and the endpoint's script get`, async () => {
    assert.equal((await post('/s/replace', 'hello')).status, 200)
    assert.equal(lastSeen('/be/replace')?.body, 'replaced:hello')
    assert.equal((await post('/ep/replace', 'abc')).status, 200)
    const call = lastSeen('/ep/replace')
    assert.equal(call?.headers['x-ep'], 'replaced:abc')
    assert.equal(call?.body, 'replaced:abc')
  })

  test(`${over}: a script that returns before reading leaves the body to stream on`, async () => {
    assert.equal((await post('/s/untouched', 'as sent')).status, 200)
    assert.equal(lastSeen('/be/untouched')?.body, 'as sent')
  })

  test(`${over}: a script error is a 500 with no body; a body over max_payload is a 413`, async () => {
    const denied = await post('/s/deny', 'hello')
    assert.equal(denied.status, 500)
    assert.equal(denied.text, '')
    assert.equal((await post('/s/plain', 'x'.repeat(100))).status, 413)
  })
}
