// The request target a backend gets, as lura builds it with Go's url.Parse: characters Go
// re-escapes in a path (a backslash some backends read as "/") and the placeholder lura leaves
// for a sequential value the earlier answer lacks.
import assert from 'node:assert/strict'
import { type AddressInfo, createServer, type Server } from 'node:net'
import { after, before, test } from 'node:test'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'
import {
  mustConfig,
  type Running,
  rawRequest,
  send,
  sendRaw,
  startBackend,
  startGateway,
  type TestBackend,
} from './helpers.ts'

let backend: TestBackend
let gw: Running
/** Request lines a raw backend read; it answers 400 as Go's, Node's and nginx's servers do to a space. */
const rawLines: string[] = []
let rawOrigin = ''
let raw: Server

before(async () => {
  backend = await startBackend('api', {
    '/first': { body: { id: 7 } },
    '/utf8-first': { body: { name: 'ünï' } },
  })
  raw = createServer((socket) => {
    socket.once('data', (head: Buffer) => {
      rawLines.push(head.toString('latin1').split('\r\n')[0] as string)
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
    })
  })
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve))
  rawOrigin = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`
  const host = [backend.origin]
  gw = await startGateway(
    mustConfig({
      version: 3,
      name: 'targets',
      endpoints: [
        { endpoint: '/u/{id}', backend: [{ host, url_pattern: '/echo/users/{id}' }] },
        { endpoint: '/q/{v}', backend: [{ host, url_pattern: '/missing?v={v}' }] },
        { endpoint: '/in-path/{v}', backend: [{ host, url_pattern: '/echo/in-path/{v}' }] },
        {
          endpoint: '/search/{term}',
          output_encoding: 'no-op',
          backend: [{ host: [rawOrigin], url_pattern: '/search?q={term}', encoding: 'no-op' }],
        },
        {
          endpoint: '/chain',
          extra_config: { proxy: { sequential: true } },
          backend: [
            { host, url_pattern: '/first', group: 'first' },
            { host, url_pattern: '/echo/accounts/{resp0_account}', group: 'second' },
          ],
        },
        {
          endpoint: '/chain-query',
          extra_config: { proxy: { sequential: true } },
          backend: [
            { host, url_pattern: '/first', group: 'first' },
            { host, url_pattern: '/echo/accounts?id={resp0_account}&n={resp0_first.id}', group: 'second' },
          ],
        },
        {
          endpoint: '/chain-utf8',
          extra_config: { proxy: { sequential: true } },
          backend: [
            { host, url_pattern: '/utf8-first' },
            { host, url_pattern: "/echo/a%2Cb/it's/{resp0_name}", group: 'second' },
          ],
        },
        {
          endpoint: '/chain-merged',
          extra_config: { proxy: { sequential: true } },
          backend: [
            { host, url_pattern: '/first' },
            { host, url_pattern: '/echo/one' },
            { host, url_pattern: '/echo/two?m={resp0_method}&id={resp0_id}' },
          ],
        },
      ],
      extra_config: { router: { return_error_msg: true } },
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
  raw?.close()
})

test('a backslash in a parameter reaches the backend escaped, as Go writes the path', async () => {
  const res = await sendRaw(gw.url, rawRequest(['GET /u/..\\admin HTTP/1.1', 'Host: a']))
  assert.equal(res.status, 200)
  assert.equal(backend.seen.at(-1)?.url, '/echo/users/..%5Cadmin')
})

test("a sequential value the earlier answer lacks stays lura's placeholder instead of an empty segment", async () => {
  const res = await send(gw.url, { path: '/chain' })
  assert.equal(res.status, 200, res.text)
  assert.equal(backend.seen.at(-1)?.url, '/echo/accounts/%7B%7B.Resp0_account%7D%7D')
})

test('a sequential value Go cannot send raw makes it re-escape the whole path, the url_pattern too', async () => {
  const res = await send(gw.url, { path: '/chain-utf8' })
  assert.equal(res.status, 200, res.text)
  assert.equal(backend.seen.at(-1)?.url, '/echo/a,b/it%27s/%C3%BCn%C3%AF')
})

test('in the query the placeholder and the values go as Go sends them, unescaped', async () => {
  const res = await send(gw.url, { path: '/chain-query' })
  assert.equal(res.status, 200, res.text)
  assert.equal(backend.seen.at(-1)?.url, '/echo/accounts?id={{.Resp0_account}}&n=7')
})

test("a failed call's message shows the target's UTF-8 text once, as Go's error does", async () => {
  const res = await send(gw.url, { path: '/q/caf%C3%A9' })
  assert.equal(res.status, 500)
  assert.match(
    res.text,
    /^invalid status code 40\d \[GET \/missing\?v=\{\{\.V\}\}\]: http:\/\/127\.0\.0\.1:\d+\/missing\?v=café$/,
  )
})

test("a failed call's message keeps a target byte that is not UTF-8 as that byte, as Go's URL.String does", async () => {
  const res = await send(gw.url, { path: '/q/caf%C3%A9%FF' })
  assert.equal(res.status, 500)
  const tail = Buffer.from('/missing?v=caf\xc3\xa9\xff', 'latin1')
  assert.deepEqual(res.bytes.subarray(res.bytes.length - tail.length), tail, res.text)
})

test('a space a parameter puts in the query goes out raw, as Go writes it; the backend answers it', async () => {
  const res = await send(gw.url, { path: '/search/new%20york' })
  assert.equal(res.status, 400, res.text)
  assert.equal(rawLines.at(-1), 'GET /search?q=new york HTTP/1.1')
})

test("a control character in a parameter fails the call at Go's url.Parse: no backend sees it", async () => {
  for (const [path, shown] of [
    ['/in-path/a%0Ab', '/echo/in-path/a\\nb'],
    ['/in-path/a%7Fb', '/echo/in-path/a\\x7fb'],
    ['/q/a%09b', '/missing?v=a\\tb'],
  ] as const) {
    const before = backend.seen.length
    const res = await send(gw.url, { path })
    assert.equal(res.status, 500, path)
    assert.equal(res.text, `parse "${backend.origin}${shown}": net/url: invalid control character in URL`)
    assert.equal(backend.seen.length, before, `${path} reached the backend`)
  }
})

test("resp0_* read after the second backend see its fields: lura merges every answer into the first one's map", async () => {
  const res = await send(gw.url, { path: '/chain-merged' })
  assert.equal(res.status, 200, res.text)
  assert.equal(backend.seen.at(-1)?.url, '/echo/two?m=GET&id=7')
})

test('a control character written into a url_pattern is refused at its path (every call would fail)', () => {
  const errors = validateGatewayConfig({
    version: 3,
    endpoints: [{ endpoint: '/a', backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/b\u0001' }] }],
  }).errors
  assert.equal(errors[0]?.location?.path, 'endpoints[0].backend[0].url_pattern')
  assert.match(errors[0]?.message ?? '', /control character/)
})
