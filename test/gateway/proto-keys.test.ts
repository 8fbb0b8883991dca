// Keys that are Object.prototype's names (`__proto__`, `constructor`, `toString`) in backend data,
// headers, query strings and config paths: in Go every one is just a map key. Each case runs a real
// gateway and real backends on 127.0.0.1. Configs and bodies holding `__proto__` are written as
// JSON text: a JavaScript object literal would set the prototype instead of a key.
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { after, describe, test } from 'node:test'
import {
  listenTestBackend,
  mustConfig,
  rawRequest,
  type SeenRequest,
  send,
  sendRaw,
  startBackend,
  startGateway,
  type TestBackend,
} from './helpers.ts'

const JSON_HEADERS = { 'content-type': 'application/json' }
const closers: Array<() => Promise<void>> = []
after(async () => {
  for (const close of closers.reverse()) await close()
})

async function backend(routes: Record<string, string>): Promise<TestBackend> {
  const specs = Object.fromEntries(
    Object.entries(routes).map(([path, raw]) => [path, { raw, headers: JSON_HEADERS }]),
  )
  const b = await startBackend('b', specs)
  closers.push(() => b.close())
  return b
}

/** A gateway for a config given as JSON text (`$b` stands for the backend's origin). */
async function gateway(configText: string, b?: TestBackend): Promise<string> {
  const text = b ? configText.replaceAll('"$b"', JSON.stringify(b.origin)) : configText
  const raw = JSON.parse(text) as Record<string, unknown>
  const g = await startGateway(mustConfig({ version: 3, name: 'proto-keys', ...raw }))
  closers.push(() => g.close())
  return g.url
}

const endpoint = (path: string, backends: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ endpoint: path, ...extra, backend: backends })

describe('prototype-named keys in backend data', () => {
  test('a merged backend answer keeps its `__proto__` key (Go map assignment), inheriting nothing', async () => {
    const b = await backend({
      '/one': '{"A":1}',
      '/two': '{"__proto__":{"x":1},"b":2}',
    })
    const url = await gateway(
      `{"endpoints":[${endpoint('/merged', [
        { host: ['$b'], url_pattern: '/one' },
        { host: ['$b'], url_pattern: '/two' },
      ])}]}`,
      b,
    )
    const res = await send(url, { path: '/merged' })
    assert.equal(res.status, 200)
    assert.equal(res.text, '{"A":1,"__proto__":{"x":1},"b":2}')
  })

  test('proxy/static data merges a `__proto__` key as a key', async () => {
    const b = await backend({ '/one': '{"A":1}' })
    const url = await gateway(
      `{"endpoints":[${endpoint('/static', [{ host: ['$b'], url_pattern: '/one' }], {
        extra_config: { proxy: { static: { strategy: 'always', data: { z: 1 } } } },
      }).replace('{"z":1}', '{"__proto__":{"s":1}}')}]}`,
      b,
    )
    const res = await send(url, { path: '/static' })
    assert.equal(res.text, '{"A":1,"__proto__":{"s":1}}')
  })

  test('allow and deny name `__proto__` like any key', async () => {
    const b = await backend({ '/p': '{"__proto__":{"x":1},"b":2}' })
    const url = await gateway(
      `{"endpoints":[${endpoint('/allow', [{ host: ['$b'], url_pattern: '/p', allow: ['__proto__'] }])},${endpoint(
        '/deny',
        [{ host: ['$b'], url_pattern: '/p', deny: ['__proto__'] }],
      )},${endpoint('/allow-nested', [{ host: ['$b'], url_pattern: '/p', allow: ['__proto__.x', 'b'] }])}]}`,
      b,
    )
    assert.equal((await send(url, { path: '/allow' })).text, '{"__proto__":{"x":1}}')
    assert.equal((await send(url, { path: '/deny' })).text, '{"b":2}')
    assert.equal((await send(url, { path: '/allow-nested' })).text, '{"__proto__":{"x":1},"b":2}')
    assert.equal(({} as Record<string, unknown>).x, undefined, 'Object.prototype untouched')
  })

  test('deny paths under `constructor` / `toString` remove the field (a deny list that hid nothing leaked it)', async () => {
    const b = await backend({
      '/c': '{"constructor":{"secret":"s","name":"n"},"toString":{"secret":"t","k":1},"a":1}',
    })
    const url = await gateway(
      `{"endpoints":[${endpoint('/deny', [
        { host: ['$b'], url_pattern: '/c', deny: ['constructor.secret', 'toString.secret'] },
      ])},${endpoint('/allow', [{ host: ['$b'], url_pattern: '/c', allow: ['constructor.name', 'a'] }])}]}`,
      b,
    )
    assert.equal(
      (await send(url, { path: '/deny' })).text,
      '{"a":1,"constructor":{"name":"n"},"toString":{"k":1}}',
    )
    assert.equal((await send(url, { path: '/allow' })).text, '{"a":1,"constructor":{"name":"n"}}')
    assert.equal((Object as unknown as Record<string, unknown>).secret, undefined, 'Object untouched')
    assert.equal((Object.prototype.toString as unknown as Record<string, unknown>).secret, undefined)
  })
})

describe('prototype-named headers', () => {
  test('a no-op backend header named `__proto__` reaches the client', async () => {
    const seen: SeenRequest[] = []
    const server = createServer((_req, res) => {
      res.setHeader('__proto__', 'from-backend')
      res.setHeader('content-type', 'text/plain')
      res.end('ok')
    })
    const b = await listenTestBackend(server, 'b', seen)
    closers.push(() => b.close())
    const url = await gateway(
      `{"endpoints":[${endpoint('/noop', [{ host: ['$b'], url_pattern: '/', encoding: 'no-op' }], {
        output_encoding: 'no-op',
      })}]}`,
      b,
    )
    const { status, head } = await sendRaw(url, rawRequest(['GET /noop HTTP/1.1', 'Host: x']))
    assert.equal(status, 200)
    assert.match(head, /\r\n__proto__: from-backend\r\n/)
  })

  test('a `__proto__` header of an answer qos/http-cache stored reaches the client from the cache too', async () => {
    let calls = 0
    const seen: SeenRequest[] = []
    const server = createServer((_req, res) => {
      calls += 1
      // Two lines: a list value would become the stored headers' prototype and vanish.
      res.setHeader('__proto__', ['p1', 'p2'])
      res.setHeader('cache-control', 'max-age=60')
      res.setHeader('content-type', 'text/plain')
      res.end('ok')
    })
    const b = await listenTestBackend(server, 'b', seen)
    closers.push(() => b.close())
    const cached = {
      host: ['$b'],
      url_pattern: '/',
      encoding: 'no-op',
      extra_config: { 'qos/http-cache': {} },
    }
    const url = await gateway(
      `{"endpoints":[${endpoint('/cached', [cached], { output_encoding: 'no-op' })}]}`,
      b,
    )
    for (let i = 0; i < 2; i += 1) {
      const { status, head } = await sendRaw(url, rawRequest(['GET /cached HTTP/1.1', 'Host: x']))
      assert.equal(status, 200)
      assert.match(head, /\r\n__proto__: p1\r\n__proto__: p2\r\n/, `answer ${i + 1}: ${head}`)
    }
    assert.equal(calls, 1, 'the second answer came from the cache')
  })

  test('the echo endpoint lists a `__proto__` request header (it failed the request)', async () => {
    const url = await gateway('{"echo_endpoint":true,"endpoints":[]}')
    const res = await sendRaw(
      url,
      `${['GET /__echo/a HTTP/1.1', 'Host: x', 'Connection: close', '__proto__: p1', '__proto__: p2'].join('\r\n')}\r\n\r\n`,
    )
    assert.equal(res.status, 200)
    const full = await rawAnswer(url, [
      'GET /__echo/a HTTP/1.1',
      'Host: x',
      'Connection: close',
      '__proto__: p1',
      '__proto__: p2',
    ])
    assert.match(full, /"req_headers":\{"Connection":\["close"\],"__proto__":\["p1","p2"\]\}/)
  })

  test('input_headers ["*"] forwards a `__proto__` header; a listed header the client did not send is not made up', async () => {
    const raws: string[][] = []
    const server = createServer((req, res) => {
      raws.push(req.rawHeaders)
      res.writeHead(200, JSON_HEADERS).end('{}')
    })
    const b = await listenTestBackend(server, 'b', [])
    closers.push(() => b.close())
    const url = await gateway(
      `{"endpoints":[${endpoint('/all', [{ host: ['$b'], url_pattern: '/' }], { input_headers: ['*'] })},${endpoint(
        '/listed',
        [{ host: ['$b'], url_pattern: '/' }],
        { input_headers: ['Constructor', '__proto__', 'X-A'] },
      )},${endpoint(
        '/narrowed',
        [{ host: ['$b'], url_pattern: '/', input_headers: ['Constructor', '__proto__', 'X-A'] }],
        { input_headers: ['*'] },
      )}]}`,
      b,
    )
    const lines = ['Host: x', 'X-A: a', '__proto__: p']
    assert.equal((await sendRaw(url, rawRequest(['GET /all HTTP/1.1', ...lines]))).status, 200)
    assert.equal((await sendRaw(url, rawRequest(['GET /listed HTTP/1.1', ...lines]))).status, 200)
    assert.equal((await sendRaw(url, rawRequest(['GET /narrowed HTTP/1.1', ...lines]))).status, 200)
    const sent = raws.map((r) => r.map((v, i) => (i % 2 === 0 ? v.toLowerCase() : v)).join('|'))
    assert.equal(sent.length, 3)
    for (const [i, line] of sent.entries()) {
      assert.match(line, /\|__proto__\|p(\||$)/, `request ${i} forwards __proto__: ${line}`)
      assert.match(line, /\|x-a\|a(\||$)/)
      assert.doesNotMatch(line, /constructor/, `request ${i}: no made-up constructor header`)
    }
  })
})

/** The whole answer of a raw HTTP/1.1 request (head and body). */
async function rawAnswer(url: string, lines: string[]): Promise<string> {
  const { hostname, port } = new URL(url)
  const { connect } = await import('node:net')
  const socket = connect(Number(port), hostname)
  socket.write(`${lines.join('\r\n')}\r\n\r\n`)
  const chunks: Buffer[] = []
  for await (const chunk of socket) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
