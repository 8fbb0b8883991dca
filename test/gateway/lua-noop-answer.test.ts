// Lua on a no-op endpoint, as KrakenD CE 2.13.8 runs it (checked with krakend-diff lua-noop): a
// script sees the backend's status, header map and body (lura's no-op response), and what it sets
// is what the client gets; data it sets makes lura's handler add the backend's headers once more.
// This runtime refused these configs before. Also over h2c: a no-op answer over 4 KB (it crashed
// writing the held part) and a repeated single-value header (node:http2 threw on it).
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

let backend: Server
let gw: Running
const called: string[] = []
const BIG = 'x'.repeat(5000)

before(async () => {
  backend = createServer((req, res) => {
    called.push(req.url ?? '')
    if (req.url === '/teapot') res.writeHead(418, { 'content-type': 'text/plain', 'x-be': ['a', 'b'] })
    else res.writeHead(200, { 'content-type': 'application/json', 'x-be': 'obj' })
    res.end(req.url === '/big' ? BIG : req.url === '/teapot' ? 'short and stout' : '{"a":1}')
  })
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
  const host = [`http://127.0.0.1:${(backend.address() as AddressInfo).port}`]
  const post = (code: string) => `local r = response.load(); ${code}`
  const noop = (endpoint: string, path: string, backendLua?: object, proxyLua?: object) => ({
    endpoint,
    output_encoding: 'no-op',
    backend: [
      {
        host,
        url_pattern: path,
        encoding: 'no-op',
        ...(backendLua ? { extra_config: { 'modifier/lua-backend': backendLua } } : {}),
      },
    ],
    ...(proxyLua ? { extra_config: { 'modifier/lua-proxy': proxyLua } } : {}),
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        noop('/read', '/teapot', {
          post: post(
            "r:headers('X-Len', tostring(#r:body())); r:headers('X-Status', tostring(r:statusCode())); r:headers('X-N', tostring(r:headerList('X-Be'):len()))",
          ),
        }),
        noop('/body', '/obj', { post: post("r:body('replaced'); r:statusCode(201)") }),
        noop('/status-big', '/teapot', { post: post('r:statusCode(1000)') }),
        noop('/data', '/obj', { post: post("r:data():set('x', 1)") }),
        noop('/error', '/obj', { post: "custom_error('nope', 418)" }),
        noop('/proxy', '/obj', undefined, { post: post("r:body(r:body() .. '!'); r:headers('X-P', 'on')") }),
        noop('/skip', '/skipped', undefined, { skip_next: true, post: post("r:body('skipped')") }),
        noop('/big', '/big'),
        noop('/built-name', '/obj', {
          post: post("local f = 'bo' .. 'dy'; r:headers('X-L', tostring(#r[f](r)))"),
        }),
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
  const get = (path: string) => send(gw.url, { path, http2 })

  test(`${over}: a backend script reads the no-op answer's status, headers and body`, async () => {
    const res = await get('/read')
    assert.equal(res.status, 418)
    assert.equal(res.text, 'short and stout')
    assert.equal(res.headers['x-len'], '15')
    assert.equal(res.headers['x-status'], '418')
    assert.equal(res.headers['x-n'], '2')
  })

  test(`${over}: the body and status a script sets are the answer's, with the body's length`, async () => {
    const res = await get('/body')
    assert.equal(res.status, 201)
    assert.equal(res.text, 'replaced')
    assert.equal(res.headers['content-length'], '8')
    assert.equal(res.headers['content-type'], 'application/json')
  })

  test(`${over}: a status Go cannot write leaves an empty 200`, async () => {
    const res = await get('/status-big')
    assert.equal(res.status, 200)
    assert.equal(res.text, '')
    assert.equal(res.headers['content-type'], 'text/plain')
  })

  test(`${over}: data a script sets completes the answer and repeats the backend's headers`, async () => {
    const res = await get('/data')
    assert.equal(res.status, 200)
    assert.equal(res.text, '{"a":1}')
    assert.equal(res.headers['x-krakend-completed'], 'true')
    assert.deepEqual([res.headers['x-be']].flat().join(', '), 'obj, obj')
  })

  test(`${over}: a script's custom_error is the answer`, async () => {
    const res = await get('/error')
    assert.equal(res.status, 418)
    assert.equal(res.text, 'nope')
  })

  test(`${over}: modifier/lua-proxy post on a no-op endpoint reads and sets the body`, async () => {
    const res = await get('/proxy')
    assert.equal(res.text, '{"a":1}!')
    assert.equal(res.headers['x-p'], 'on')
  })

  test(`${over}: modifier/lua-proxy skip_next answers the script's body without calling the backend`, async () => {
    const res = await get('/skip')
    assert.equal(res.status, 200)
    assert.equal(res.text, 'skipped')
    assert.ok(!called.includes('/skipped'))
  })

  test(`${over}: a script reaching the unread body by a name built at run time fails`, async () => {
    const res = await get('/built-name')
    assert.equal(res.status, 500)
    assert.match(res.text, /^gwdeploy: body\(\) called by a name the script builds at run time/)
  })

  test(`${over}: a no-op answer over 4 KB is passed whole`, async () => {
    const res = await get('/big')
    assert.equal(res.status, 200)
    assert.equal(res.text, BIG)
  })
}
