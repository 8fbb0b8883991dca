// Lua scripts (krakend-lua) and CEL over headers and data keys named `__proto__`: in Go they are keys of
// an http.Header or a map[string]interface{} like any other. Real gateway, real backend, 127.0.0.1.
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { after, test } from 'node:test'
import {
  listenTestBackend,
  mustConfig,
  rawRequest,
  send,
  sendRaw,
  startGateway,
  type TestBackend,
} from '../helpers.ts'

const closers: Array<() => Promise<void>> = []
after(async () => {
  for (const close of closers.reverse()) await close()
})

/** A backend that records each request's raw header lines and answers `{"x":{"y":1}}`. */
async function recordingBackend(): Promise<{ b: TestBackend; raws: string[][] }> {
  const raws: string[][] = []
  const server = createServer((req, res) => {
    raws.push(req.rawHeaders)
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"x":{"y":1}}')
  })
  const b = await listenTestBackend(server, 'b', [])
  closers.push(() => b.close())
  return { b, raws }
}

async function gateway(config: unknown): Promise<string> {
  const g = await startGateway(mustConfig(config))
  closers.push(() => g.close())
  return g.url
}

const headerLine = (raw: string[] | undefined, name: string): string | undefined => {
  const i = (raw ?? []).findIndex((v, j) => j % 2 === 0 && v.toLowerCase() === name)
  return i === -1 ? undefined : raw?.[i + 1]
}

const SEEN = 'c:headers("X-Seen", c:headers("__proto__"))'

test('Lua on the router and on the proxy reads and keeps a `__proto__` request header', async () => {
  const { b, raws } = await recordingBackend()
  const url = await gateway({
    version: 3,
    extra_config: { 'modifier/lua-endpoint': { pre: `local c = ctx.load()\n${SEEN}` } },
    endpoints: [
      {
        endpoint: '/router',
        input_headers: ['*'],
        backend: [{ host: [b.origin], url_pattern: '/' }],
      },
      {
        endpoint: '/proxy',
        input_headers: ['*'],
        extra_config: {
          'modifier/lua-proxy': {
            pre: `local c = request.load()\n${SEEN.replace('X-Seen', 'X-Proxy-Seen')}`,
          },
        },
        backend: [{ host: [b.origin], url_pattern: '/' }],
      },
    ],
  })
  for (const path of ['/router', '/proxy']) {
    const { status } = await sendRaw(url, rawRequest([`GET ${path} HTTP/1.1`, 'Host: x', '__proto__: p']))
    assert.equal(status, 200, path)
  }
  assert.equal(raws.length, 2)
  assert.equal(headerLine(raws[0], 'x-seen'), 'p')
  assert.equal(headerLine(raws[0], '__proto__'), 'p')
  assert.equal(headerLine(raws[1], 'x-proxy-seen'), 'p')
  assert.equal(headerLine(raws[1], '__proto__'), 'p', 'the proxy script handed the header on')
})

test('Lua sets a data key `__proto__` as a key, also inside a table it builds', async () => {
  const { b } = await recordingBackend()
  const url = await gateway({
    version: 3,
    endpoints: [
      {
        endpoint: '/set',
        backend: [
          {
            host: [b.origin],
            url_pattern: '/',
            extra_config: {
              'modifier/lua-backend': {
                post: [
                  'local d = response.load():data()',
                  'd:set("__proto__", d:get("x"))',
                  'd:del("x")',
                ].join('\n'),
              },
            },
          },
        ],
      },
      {
        endpoint: '/table',
        backend: [
          {
            host: [b.origin],
            url_pattern: '/',
            extra_config: {
              'modifier/lua-backend': {
                post: ['local d = response.load():data()', 'd:set("x", {["__proto__"] = "v"})'].join('\n'),
              },
            },
          },
        ],
      },
    ],
  })
  assert.equal((await send(url, { path: '/set' })).text, '{"__proto__":{"y":1}}')
  assert.equal((await send(url, { path: '/table' })).text, '{"x":{"__proto__":"v"}}')
})

test('validation/cel sees a forwarded `__proto__` header in req_headers', async () => {
  const { b, raws } = await recordingBackend()
  const url = await gateway({
    version: 3,
    endpoints: [
      {
        endpoint: '/cel',
        input_headers: ['*'],
        extra_config: {
          'validation/cel': [
            { check_expr: "'__proto__' in req_headers && req_headers['__proto__'][0] == 'p'" },
          ],
        },
        backend: [{ host: [b.origin], url_pattern: '/' }],
      },
    ],
  })
  const { status } = await sendRaw(url, rawRequest(['GET /cel HTTP/1.1', 'Host: x', '__proto__: p']))
  assert.equal(status, 200)
  assert.equal(raws.length, 1)
})
