// Lua's http_response, as KrakenD CE 2.13.8 runs it (checked with krakend-diff lua-http, over HTTP/1.1
// and h2c): a script's own HTTP call in lua-backend, lua-proxy, lua-endpoint and service-level
// scripts; what it sends (method, body, headers, KrakenD's User-Agent) and what the script reads
// (status, headers, header lists, body, gzip undone); errors raised into the script; concurrent
// calls each waiting for their own answer. This runtime refused these configs before.
import assert from 'node:assert/strict'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

interface Seen {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: string
}

let side: Server
let gw: Running
let service: Running
const seen: Seen[] = []

before(async () => {
  side = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = req.url ?? '/'
      seen.push({
        method: req.method ?? '',
        url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      })
      if (url === '/gz') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
        return res.end(gzipSync('{"zipped":true}'))
      }
      if (url === '/gz-garbage' || url === '/gz-bad-crc') {
        const zipped = gzipSync('{"zipped":true}')
        // the CRC-32 is the trailer's first 4 bytes
        if (url === '/gz-bad-crc')
          zipped.writeUInt32LE((zipped.readUInt32LE(zipped.length - 8) + 1) >>> 0, zipped.length - 8)
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
        return res.end(url === '/gz-garbage' ? Buffer.concat([zipped, Buffer.from('garbage!')]) : zipped)
      }
      if (url.startsWith('/wait')) {
        // Later requests answer first: each script must get its own answer.
        const n = Number(new URL(url, 'http://x').searchParams.get('n'))
        setTimeout(() => res.end(`n=${n}`), 200 - n * 30)
        return
      }
      if (url === '/sleep') {
        setTimeout(() => res.end('late'), 1500)
        return
      }
      if (url === '/obj' || url.endsWith('-backend')) {
        res.writeHead(200, { 'content-type': 'application/json', 'x-multi': ['1', '2'] })
        return res.end('{}')
      }
      res.writeHead(url === '/missing' ? 404 : 200, { 'content-type': 'text/plain', 'x-side': 'yes' })
      res.end(`side ${req.method} ${url}`)
    })
  })
  await new Promise<void>((resolve) => side.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(side.address() as AddressInfo).port}`
  const host = [origin]
  const backendPost = (name: string, code: string) => ({
    endpoint: `/b/${name}`,
    backend: [
      {
        host,
        url_pattern: '/obj',
        extra_config: {
          'modifier/lua-backend': {
            allow_open_libs: true,
            post: `local d = response.load():data(); ${code}`,
          },
        },
      },
    ],
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        backendPost(
          'get',
          `local r = http_response.new('${origin}/side?x=1'); d:set('status', r:statusCode()); d:set('body', r:body()); d:set('side', r:headers('x-side')); d:set('list', r:headerList('X-Side'))`,
        ),
        backendPost(
          'post',
          `local r = http_response.new('${origin}/post', 'POST', 'payload', {['X-One'] = '1', ['x-list'] = {'a', 'b'}, ['X-Num'] = 5}); d:set('body', r:body())`,
        ),
        backendPost(
          'gz',
          `local r = http_response.new('${origin}/gz'); d:set('body', r:body()); d:set('ce', r:headers('Content-Encoding'))`,
        ),
        ...['gz-garbage', 'gz-bad-crc'].map((name) =>
          backendPost(name, `local r = http_response.new('${origin}/${name}'); d:set('body', r:body())`),
        ),
        backendPost(
          'framing',
          `http_response.new('${origin.replace('//', '//us%20er:pw@')}/framing', 'POST', 'abc', {Host = 'other.example', ['Content-Length'] = '10', ['Transfer-Encoding'] = 'chunked'})`,
        ),
        backendPost(
          'missing',
          `local r = http_response.new('${origin}/missing'); d:set('status', r:statusCode())`,
        ),
        backendPost('refused', "http_response.new('http://127.0.0.1:1/x')"),
        backendPost(
          'pcall',
          "local ok, err = pcall(http_response.new, 'http://127.0.0.1:1/'); d:set('ok', ok); d:set('err', err)",
        ),
        backendPost(
          'pcall-after',
          `local ok, e = pcall(function() http_response.new('${origin}/side'); return math.floor('x') end); d:set('e', e)`,
        ),
        backendPost('args', "http_response.new('http://127.0.0.1:1/', 'GET')"),
        backendPost(
          'closed',
          `local r = http_response.new('${origin}/side'); local b = r:body(); r:close(); d:set('b', r:body()); d:set('s', r:statusCode())`,
        ),
        backendPost('built', `local h = _G['http_' .. 'response']; local r = h.new('${origin}/side')`),
        {
          endpoint: '/proxy/{n}',
          extra_config: {
            'modifier/lua-proxy': {
              pre: `local q = request.load(); local r = http_response.new('${origin}/wait?n=' .. q:params('N')); q:headers('X-Got', r:body())`,
              post: `local r = http_response.new('${origin}/side?post'); response.load():data():set('post', r:body())`,
            },
          },
          backend: [{ host, url_pattern: '/obj' }],
        },
        {
          endpoint: '/proxy-deadline',
          timeout: '300ms',
          extra_config: {
            'modifier/lua-proxy': {
              post: `local r = http_response.new('${origin}/sleep'); response.load():data():set('late', r:body())`,
            },
          },
          backend: [{ host, url_pattern: '/obj' }],
        },
        {
          endpoint: '/router',
          extra_config: {
            'modifier/lua-endpoint': {
              pre: `local r = http_response.new('${origin}/side?router'); ctx.load():headers('X-Router', r:body())`,
            },
          },
          input_headers: ['X-Router'],
          backend: [{ host, url_pattern: '/router-backend' }],
        },
      ],
    }),
  )
  service = await startGateway(
    mustConfig({
      version: 3,
      extra_config: {
        'modifier/lua-endpoint': {
          pre: `local r = http_response.new('${origin}/side?service'); ctx.load():headers('X-Service', r:headers('X-Side') .. ' ' .. r:statusCode())`,
        },
      },
      endpoints: [
        {
          endpoint: '/s',
          input_headers: ['X-Service'],
          backend: [{ host, url_pattern: '/service-backend' }],
        },
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  await service?.close()
  side?.close()
})

const lastSeen = (url: string) => [...seen].reverse().find((s) => s.url === url)

for (const http2 of [false, true]) {
  const over = http2 ? 'h2c' : 'HTTP/1.1'
  const get = (g: Running, path: string) => send(g.url, { path, http2 })

  test(`${over}: a GET from a backend script: status, body, headers and header lists; KrakenD's User-Agent`, async () => {
    const res = await get(gw, '/b/get')
    assert.equal(res.status, 200)
    const data = JSON.parse(res.text)
    assert.equal(data.status, 200)
    assert.equal(data.body, 'side GET /side?x=1')
    assert.equal(data.side, 'yes')
    assert.deepEqual(data.list, ['yes'])
    const call = lastSeen('/side?x=1')
    assert.equal(call?.headers['user-agent'], 'KrakenD Version 2.13.8')
    assert.equal(call?.headers['accept-encoding'], 'gzip')
  })

  test(`${over}: a POST with a body and a header table (strings and lists; other values left out)`, async () => {
    const res = await get(gw, '/b/post')
    assert.equal(JSON.parse(res.text).body, 'side POST /post')
    const call = lastSeen('/post')
    assert.equal(call?.body, 'payload')
    assert.equal(call?.headers['content-length'], '7')
    assert.equal(call?.headers['x-one'], '1')
    assert.equal(call?.headers['x-list'], 'a, b')
    assert.equal(call?.headers['x-num'], undefined)
  })

  test(`${over}: the map's Host and framing lines are Go's own to write; the URL's user info is basic auth`, async () => {
    assert.equal((await get(gw, '/b/framing')).status, 200)
    const call = lastSeen('/framing')
    assert.equal(call?.headers.host, `127.0.0.1:${(side.address() as AddressInfo).port}`)
    assert.equal(call?.headers['content-length'], '3')
    assert.equal(call?.headers['transfer-encoding'], undefined)
    assert.equal(call?.headers.authorization, `Basic ${Buffer.from('us er:pw').toString('base64')}`)
    assert.equal(call?.body, 'abc')
  })

  test(`${over}: Go's transport undoes the gzip it asked for`, async () => {
    const data = JSON.parse((await get(gw, '/b/gz')).text)
    assert.equal(data.body, '{"zipped":true}')
    assert.equal(data.ce, '')
  })

  test(`${over}: a gzip body read as Go's gzip.Reader reads it: the member before garbage or a bad checksum`, async () => {
    // io.ReadAll(resp.Body) keeps what came before the read error, and krakend-lua drops the error.
    for (const name of ['gz-garbage', 'gz-bad-crc'])
      assert.equal(JSON.parse((await get(gw, `/b/${name}`)).text).body, '{"zipped":true}', name)
  })

  test(`${over}: an error status is the script's to read; a failed call is the script's error`, async () => {
    assert.equal(JSON.parse((await get(gw, '/b/missing')).text).status, 404)
    const refused = await get(gw, '/b/refused')
    assert.equal(refused.status, 500)
    assert.equal(
      refused.text,
      'Get "http://127.0.0.1:1/x": dial tcp 127.0.0.1:1: connect: connection refused (post-script:L1)',
    )
    const caught = JSON.parse((await get(gw, '/b/pcall')).text)
    assert.equal(caught.ok, false)
    assert.equal(
      caught.err,
      '<string>:1: Get "http://127.0.0.1:1/": dial tcp 127.0.0.1:1: connect: connection refused',
    )
    assert.equal((await get(gw, '/b/args')).text, 'need 1, 3 or 4 arguments (post-script:L1)')
    // pcall words the error as gopher-lua's after the script waited inside it too.
    assert.equal(
      JSON.parse((await get(gw, '/b/pcall-after')).text).e,
      '<string>:1: bad argument #1 to floor (number expected, got string)',
    )
  })

  test(`${over}: after close the body read before is kept, the status is a Go nil dereference`, async () => {
    const res = await get(gw, '/b/closed')
    assert.equal(res.status, 500)
    assert.match(res.text, /^invalid memory address or nil pointer dereference\n/)
  })

  test(`${over}: concurrent scripts each wait for their own answer (lua-proxy pre and post)`, async () => {
    const answers = await Promise.all([1, 2, 3, 4].map((n) => get(gw, `/proxy/${n}`)))
    for (const [i, res] of answers.entries()) {
      assert.equal(res.status, 200)
      assert.equal(JSON.parse(res.text).post, 'side GET /side?post')
      const backend = seen.filter((s) => s.url === '/obj' && s.headers['x-got'] === `n=${i + 1}`)
      assert.ok(backend.length > 0, `the backend call of /proxy/${i + 1} carries its own answer`)
    }
  })

  test(`${over}: a lua-proxy post's call ends with the endpoint's deadline`, async () => {
    const res = await get(gw, '/proxy-deadline')
    assert.equal(res.status, 500)
    assert.match(
      res.text,
      /^Get "http:\/\/127\.0\.0\.1:\d+\/sleep": context deadline exceeded \(post-script:L1\)$/,
    )
  })

  test(`${over}: lua-endpoint and service-level scripts call before the backend`, async () => {
    assert.equal((await get(gw, '/router')).status, 200)
    assert.equal(lastSeen('/router-backend')?.headers['x-router'], 'side GET /side?router')
    assert.equal((await get(service, '/s')).status, 200)
    assert.equal(lastSeen('/service-backend')?.headers['x-service'], 'yes 200')
  })

  test(`${over}: a script whose text never names http_response cannot wait for a call (deliberate, documented)`, async () => {
    const res = await get(gw, '/b/built')
    assert.equal(res.status, 500)
    assert.match(res.text, /http_response cannot wait for its answer here/)
  })
}
