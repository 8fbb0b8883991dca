// What clients get for odd backend bodies, as KrakenD CE answers them (learned from lura's decoders
// and Go's encoding/json): each case is one endpoint over a backend answering fixed bytes.
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, rawRequest, send, sendRaw, startGateway } from './helpers.ts'

const BODIES: Record<string, { status?: number; type: string; bytes: Buffer; chunked?: boolean }> = {
  // Not UTF-8 (é in Latin-1, a truncated 3-byte sequence), then a valid é: lura's string decoder
  // keeps the bytes.
  '/latin1-text': { type: 'text/plain', bytes: Buffer.from('caf\xe9 \xe2\x82 ok \xc3\xa9', 'latin1') },
  '/latin1-404': { status: 404, type: 'application/json', bytes: Buffer.from('{"msg":"caf\xe9"}', 'latin1') },
  // No Content-Type from the backend: Go's server sniffs one for lura's no-op answer.
  '/untyped-html': { type: '', bytes: Buffer.from('  <html><p>x') },
  '/untyped-png': { type: '', bytes: Buffer.from('\x89PNG\x0D\x0A\x1A\x0Axxxx', 'latin1') },
  '/untyped-binary': { status: 404, type: '', bytes: Buffer.from('bin\x00ary') },
  '/untyped-empty': { type: '', bytes: Buffer.alloc(0) },
  '/untyped-chunked': { type: '', bytes: Buffer.from('<?xml version="1.0"?><a/>'), chunked: true },
  // \u escapes of lone surrogates: Go's decoder reads each as U+FFFD (a valid pair stays one rune).
  '/surrogates': {
    type: 'application/json',
    bytes: Buffer.from('{"s":"\\ud800","t":"\\udc00\\ud800","p":"\\ud83d\\ude00","\\udfff":1}'),
  },
}

let backend: Server
let gw: Running

before(async () => {
  backend = createServer((req, res) => {
    const body = BODIES[req.url ?? ''] ?? { type: 'text/plain', bytes: Buffer.from('no') }
    if (req.url === '/own-headers')
      res.setHeader('x-krakend', 'fake').setHeader('x-krakend-completed', 'maybe')
    res.writeHead(body.status ?? 200, body.type === '' ? {} : { 'content-type': body.type })
    if (!body.chunked) return res.end(body.bytes)
    res.write(body.bytes.subarray(0, 3))
    setTimeout(() => res.end(body.bytes.subarray(3)), 20)
  })
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
  const host = [`http://127.0.0.1:${(backend.address() as AddressInfo).port}`]
  gw = await startGateway(
    mustConfig({
      version: 3,
      name: 'hostile-bodies',
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        { endpoint: '/surrogates', backend: [{ host, url_pattern: '/surrogates' }] },
        {
          endpoint: '/latin1-code',
          backend: [
            {
              host,
              url_pattern: '/latin1-404',
              extra_config: { 'backend/http': { return_error_code: true } },
            },
          ],
        },
        {
          endpoint: '/latin1-details',
          backend: [
            {
              host,
              url_pattern: '/latin1-404',
              extra_config: { 'backend/http': { return_error_details: 'b' } },
            },
          ],
        },
        ...['string', 'json', 'yaml'].map((output) => ({
          endpoint: `/latin1-${output}`,
          output_encoding: output,
          backend: [{ host, url_pattern: '/latin1-text', encoding: 'string' }],
        })),
        {
          endpoint: '/own-headers',
          output_encoding: 'no-op',
          backend: [{ host, url_pattern: '/own-headers', encoding: 'no-op' }],
        },
        ...['html', 'png', 'binary', 'empty', 'chunked'].map((name) => ({
          endpoint: `/untyped-${name}`,
          output_encoding: 'no-op',
          backend: [{ host, url_pattern: `/untyped-${name}`, encoding: 'no-op' }],
        })),
        {
          endpoint: '/surrogates-safe',
          backend: [{ host, url_pattern: '/surrogates', encoding: 'safejson' }],
        },
      ],
    }),
  )
})
after(async () => {
  await gw?.close()
  await new Promise((resolve) => backend?.close(resolve))
})

test('a lone surrogate escape in a backend string or key reaches the client as U+FFFD, not as the escape', async () => {
  for (const path of ['/surrogates', '/surrogates-safe']) {
    const res = await send(gw.url, { path })
    assert.equal(res.status, 200, path)
    assert.equal(res.text, '{"p":"\u{1F600}","s":"\uFFFD","t":"\uFFFD\uFFFD","\uFFFD":1}', path)
  }
})

test('a no-op answer without Content-Type gets the one Go sniffs from its first bytes', async () => {
  const expected: Array<[string, number, string | undefined]> = [
    ['/untyped-html', 200, 'text/html; charset=utf-8'],
    ['/untyped-png', 200, 'image/png'],
    ['/untyped-binary', 404, 'application/octet-stream'],
    ['/untyped-empty', 200, undefined],
    ['/untyped-chunked', 200, 'text/xml; charset=utf-8'],
  ]
  for (const [path, status, type] of expected) {
    const res = await send(gw.url, { path })
    assert.equal(res.status, status, path)
    assert.equal(res.headers['content-type'], type, path)
  }
})

test('a short no-op answer without a length gets one for an HTTP/1.0 client too (Go holds 2 KB)', async () => {
  const { head } = await sendRaw(gw.url, rawRequest(['GET /untyped-chunked HTTP/1.0', 'Host: gw']))
  assert.match(head, /\r\nContent-Length: 25(\r\n|$)/i)
  assert.match(head, /\r\nContent-Type: text\/xml; charset=utf-8(\r\n|$)/i)
})

test('bytes of a string-encoded backend that are not UTF-8: back as they came, \\ufffd in JSON', async () => {
  const asString = await send(gw.url, { path: '/latin1-string' })
  assert.equal(asString.headers['content-type'], 'text/plain; charset=utf-8')
  assert.deepEqual(asString.bytes, Buffer.from('caf\xe9 \xe2\x82 ok \xc3\xa9', 'latin1'))
  const asJson = await send(gw.url, { path: '/latin1-json' })
  assert.equal(asJson.text, '{"content":"caf\\ufffd \\ufffd\\ufffd ok \u00e9"}')
  const asYaml = await send(gw.url, { path: '/latin1-yaml' })
  assert.deepEqual(asYaml.bytes, Buffer.from('content: caf\xe9 \xe2\x82 ok \xc3\xa9\n', 'latin1'))
})

test("return_error_details: bytes of the backend's body that are not UTF-8 are \\ufffd in http_body", async () => {
  const res = await send(gw.url, { path: '/latin1-details' })
  assert.equal(
    res.text,
    '{"error_b":{"http_status_code":404,"http_body":"{\\"msg\\":\\"caf\\ufffd\\"}","http_body_encoding":"application/json"}}',
  )
})

test("return_error_code with return_error_msg: the backend's error body comes back with its own bytes", async () => {
  const res = await send(gw.url, { path: '/latin1-code' })
  assert.equal(res.status, 404)
  assert.deepEqual(res.bytes, Buffer.from('{"msg":"caf\xe9"}', 'latin1'))
})

test("a no-op backend's own X-Krakend and X-Krakend-Completed lines follow the gateway's", async () => {
  const res = await send(gw.url, { path: '/own-headers' })
  const krakend = res.headers['x-krakend']
  assert.ok(Array.isArray(krakend) && krakend.length === 2, String(krakend))
  assert.match(krakend[0] as string, /^Version /)
  assert.equal(krakend[1], 'fake')
  assert.deepEqual(res.headers['x-krakend-completed'], ['false', 'maybe'])
})
