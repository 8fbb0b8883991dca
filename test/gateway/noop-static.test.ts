// proxy/static on a no-op endpoint, as lura answers it: the static data goes to its handler, which
// then sees data (the backend's headers added once more, the answer complete) while the no-op render
// writes only the backend's answer; a failed call "answered" by static data is an empty 200. Found
// by the response-side differential fuzz (we ignored static on no-op endpoints).
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { type AddressInfo, createConnection } from 'node:net'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, rawRequest, startGateway } from './helpers.ts'

let backend: Server
let gw: Running

before(async () => {
  backend = createServer((req, res) => {
    const headers = { 'content-type': 'application/json', 'x-b': '1', 'cache-control': 'no-store' }
    if (req.url === '/slow') setTimeout(() => res.writeHead(200, headers).end('{"late":1}'), 1000).unref()
    else res.writeHead(req.url === '/missing' ? 404 : 200, headers).end('{"a":1}')
  })
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
  const host = [`http://127.0.0.1:${(backend.address() as AddressInfo).port}`]
  const noop = (endpoint: string, path: string, strategy: string, more: object = {}) => ({
    endpoint,
    output_encoding: 'no-op',
    backend: [{ host, url_pattern: path, encoding: 'no-op' }],
    extra_config: { proxy: { static: { strategy, data: { s: 1 } } } },
    ...more,
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        noop('/always', '/ok', 'always'),
        noop('/success-404', '/missing', 'success'),
        noop('/errored-ok', '/ok', 'errored'),
        noop('/errored-failed', '/slow', 'errored', { timeout: '200ms' }),
        noop('/cached', '/ok', 'complete', { cache_ttl: '60s' }),
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  backend?.close()
})

/** The answer's status line, header lines (no Date), and body, as written on the connection. */
async function get(path: string): Promise<{ status: string; lines: string[]; body: string }> {
  const socket = createConnection(Number(new URL(gw.url).port), '127.0.0.1')
  socket.write(rawRequest([`GET ${path} HTTP/1.1`, 'Host: gw']))
  const chunks: Buffer[] = []
  for await (const chunk of socket) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('latin1')
  const at = text.indexOf('\r\n\r\n')
  const [status = '', ...lines] = text.slice(0, at).split('\r\n')
  return { status, lines: lines.filter((l) => !/^(date|connection):/i.test(l)), body: text.slice(at + 4) }
}

const version = (lines: string[]) => lines.map((l) => (l.startsWith('X-Krakend: ') ? 'X-Krakend: V' : l))

test("static data on a no-op answer: the backend's headers twice (Content-Length once), complete", async () => {
  for (const [path, status] of [
    ['/always', 'HTTP/1.1 200 OK'],
    ['/success-404', 'HTTP/1.1 404 Not Found'],
  ]) {
    const r = await get(path as string)
    assert.equal(r.status, status)
    assert.equal(r.body, '{"a":1}')
    assert.deepEqual(version(r.lines).sort(), [
      'Cache-Control: no-store',
      'Cache-Control: no-store',
      'Content-Length: 7',
      'Content-Type: application/json',
      'Content-Type: application/json',
      // node:http's own keep-alive line, which Go's client keeps in the answer's headers
      'Keep-Alive: timeout=5',
      'Keep-Alive: timeout=5',
      'X-B: 1',
      'X-B: 1',
      'X-Krakend-Completed: true',
      'X-Krakend: V',
    ])
  }
  // a strategy that does not match leaves the no-op answer as it is
  const r = await get('/errored-ok')
  assert.equal(r.body, '{"a":1}')
  assert.ok(r.lines.includes('X-Krakend-Completed: false'))
  assert.equal(r.lines.filter((l) => l.startsWith('X-B:')).length, 1)
})

test('a failed no-op call with matching static data is an empty 200 (it was a 500)', async () => {
  const r = await get('/errored-failed')
  assert.equal(r.status, 'HTTP/1.1 200 OK')
  assert.equal(r.body, '')
  assert.deepEqual(version(r.lines).sort(), [
    'Content-Length: 0',
    'X-Krakend-Completed: false',
    'X-Krakend: V',
  ])
})

test("cache_ttl's Cache-Control comes first, then the backend's (twice)", async () => {
  const r = await get('/cached')
  assert.deepEqual(
    r.lines.filter((l) => l.startsWith('Cache-Control')),
    ['Cache-Control: public, max-age=60', 'Cache-Control: no-store', 'Cache-Control: no-store'],
  )
})
