// Backend answers with a Content-Encoding that gzip does not fully describe, as KrakenD CE reads
// them (Go's transport decompresses the gzip it asked for when the answer has a body and its
// encoding is `gzip` in any case; lura's own parser then decompresses a 200/201 still marked
// exactly `gzip`): found by the response-side differential fuzz.
import assert from 'node:assert/strict'
import { createServer, type Server, type Socket } from 'node:net'
import { after, before, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { mustConfig, type Running, rawRequest, startGateway } from './helpers.ts'

const JSON_GZ = gzipSync('{"a":1}')

/** Each path's answer: status, Content-Encoding, body bytes (with their Content-Length). */
const ANSWERS: Record<string, { status: number; encoding: string; bytes: Buffer }> = {
  '/upper': { status: 200, encoding: 'GZIP', bytes: JSON_GZ },
  '/x-gzip': { status: 200, encoding: 'x-gzip', bytes: JSON_GZ },
  '/no-content': { status: 204, encoding: 'gzip', bytes: JSON_GZ },
  '/empty-200': { status: 200, encoding: 'gzip', bytes: Buffer.alloc(0) },
  '/empty-404': { status: 404, encoding: 'gzip', bytes: Buffer.alloc(0) },
  '/not-gzip-404': { status: 404, encoding: 'gzip', bytes: Buffer.from('not gzip at all') },
  '/short-200': { status: 200, encoding: 'gzip', bytes: Buffer.from('nogzip') },
  '/cut-200': { status: 200, encoding: 'gzip', bytes: JSON_GZ.subarray(0, 15) },
  '/bad-header-200': { status: 200, encoding: 'gzip', bytes: Buffer.from('this is not gzip') },
}

let backend: Server
let gw: Running

before(async () => {
  backend = createServer((socket: Socket) => {
    socket.on('error', () => {})
    socket.once('data', (chunk: Buffer) => {
      const path = chunk.toString('latin1').split(' ')[1] ?? ''
      const a = ANSWERS[path] ?? { status: 404, encoding: 'identity', bytes: Buffer.alloc(0) }
      socket.end(
        Buffer.concat([
          Buffer.from(
            `HTTP/1.1 ${a.status} X\r\nContent-Type: application/json\r\nContent-Encoding: ${a.encoding}\r\n` +
              `Content-Length: ${a.bytes.length}\r\nConnection: close\r\n\r\n`,
          ),
          a.bytes,
        ]),
      )
    })
  })
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
  const host = [`http://127.0.0.1:${(backend.address() as { port: number }).port}`]
  const rendered = (path: string, extra: object = {}) => ({
    endpoint: path,
    backend: [{ host, url_pattern: path, ...extra }],
  })
  const details = { extra_config: { 'backend/http': { return_error_details: 'e' } } }
  const noop = (path: string) => ({
    endpoint: `/noop${path}`,
    output_encoding: 'no-op',
    backend: [{ host, url_pattern: path, encoding: 'no-op' }],
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        rendered('/upper'),
        rendered('/x-gzip'),
        rendered('/empty-200'),
        rendered('/empty-404', details),
        rendered('/not-gzip-404', details),
        rendered('/no-content', details),
        rendered('/short-200'),
        rendered('/cut-200'),
        rendered('/bad-header-200'),
        {
          endpoint: '/xml/bad-header-200',
          backend: [{ host, url_pattern: '/bad-header-200', encoding: 'xml' }],
        },
        {
          endpoint: '/rss/bad-header-200',
          backend: [{ host, url_pattern: '/bad-header-200', encoding: 'rss' }],
        },
        noop('/upper'),
        noop('/x-gzip'),
        noop('/no-content'),
        noop('/empty-200'),
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  backend?.close()
})

/** The answer to a GET, as raw text: status, the header lines by name, the body. */
async function get(path: string): Promise<{ status: number; headers: Map<string, string>; body: string }> {
  const { createConnection } = await import('node:net')
  const { port } = new URL(gw.url)
  const socket = createConnection(Number(port), '127.0.0.1')
  socket.write(rawRequest([`GET ${path} HTTP/1.1`, 'Host: gw']))
  const chunks: Buffer[] = []
  for await (const chunk of socket) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('latin1')
  const [head = '', body = ''] = text.split(/\r\n\r\n(.*)/s)
  const [line = '', ...lines] = head.split('\r\n')
  const headers = new Map(
    lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 2)]),
  )
  return { status: Number(line.split(' ')[1]), headers, body }
}

test('Go decompresses Content-Encoding: GZIP (any case); x-gzip is not gzip to Go nor lura', async () => {
  assert.deepEqual(await get('/upper').then((r) => [r.status, r.body]), [200, '{"a":1}'])
  const x = await get('/x-gzip')
  assert.equal(x.status, 500)
  assert.equal(x.body, "invalid character '\\x1f' looking for beginning of value")
})

test('a no-op answer is decompressed only where Go did: GZIP yes, x-gzip no, no body no', async () => {
  const upper = await get('/noop/upper')
  assert.equal(upper.body, '{"a":1}')
  assert.equal(upper.headers.get('content-encoding'), undefined)
  const x = await get('/noop/x-gzip')
  assert.equal(x.headers.get('content-encoding'), 'x-gzip')
  assert.deepEqual(Buffer.from(x.body, 'latin1'), JSON_GZ)
  // A 204 has no body for Go: its head passes with the encoding (the client got nothing at all).
  const none = await get('/noop/no-content')
  assert.equal(none.status, 204)
  assert.equal(none.headers.get('content-encoding'), 'gzip')
  const empty = await get('/noop/empty-200')
  assert.equal(empty.status, 200)
  assert.equal(empty.headers.get('content-encoding'), 'gzip')
  assert.equal(empty.body, '')
})

test('an error answer without a readable gzip body gives its details with no http_body', async () => {
  for (const [path, code] of [
    ['/empty-404', 404],
    ['/not-gzip-404', 404],
    ['/no-content', 204],
  ] as const) {
    const r = await get(path)
    assert.equal(r.status, 200, path)
    assert.equal(
      r.body,
      `{"error_e":{"http_status_code":${code},"http_body_encoding":"application/json"}}`,
      path,
    )
  }
})

test("a 200 whose gzip cannot be read fails with Go's gzip reader's words", async () => {
  for (const [path, message] of [
    ['/empty-200', 'EOF'],
    ['/short-200', 'unexpected EOF'],
    ['/cut-200', 'unexpected EOF'],
    ['/bad-header-200', 'gzip: invalid header'],
  ] as const) {
    const r = await get(path)
    assert.equal(r.status, 500, path)
    assert.equal(r.body, message, path)
  }
})

test("a gzip the transport cannot read is reported as the backend's decoder reports a read error", async () => {
  assert.equal((await get('/xml/bad-header-200')).body, 'xml.Decoder.Token() - gzip: invalid header')
  // gofeed's detector drops the read error and finds no feed
  assert.equal((await get('/rss/bad-header-200')).body, 'Failed to detect feed type')
})
