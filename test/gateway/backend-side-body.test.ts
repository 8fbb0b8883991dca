// The body a backend receives and its framing, byte for byte, compared with what lura's Go client
// writes for the same client request (expected requests produced by lura's router/gin and proxy
// packages with Go 1.26's net/http on the same inputs).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, sendRaw, startGateway } from './helpers.ts'
import { type RawBackend, startRawBackend } from './raw-backend.ts'

let backend: RawBackend
let gw: Running

before(async () => {
  backend = await startRawBackend()
  const host = [backend.origin]
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        { endpoint: '/get', method: 'POST', backend: [{ host, url_pattern: '/get', method: 'GET' }] },
        { endpoint: '/delete', method: 'PUT', backend: [{ host, url_pattern: '/delete', method: 'DELETE' }] },
        { endpoint: '/post', method: 'POST', backend: [{ host, url_pattern: '/post' }] },
      ],
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

const bodyOf = async (method: string, path: string, body: string) => {
  const res = await sendRaw(
    gw.url,
    `${method} ${path} HTTP/1.1\r\nHost: gw\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
  )
  assert.equal(res.status, 200, path)
  const request = backend.requests.at(-1) ?? ''
  return request.slice(request.indexOf('\r\n\r\n') + 4)
}

test("a GET or DELETE backend's chunked body starts with Go's one-byte probe chunk", async () => {
  assert.equal(await bodyOf('POST', '/get', 'hello'), '1\r\nh\r\n4\r\nello\r\n0\r\n\r\n')
  assert.equal(await bodyOf('PUT', '/delete', 'xy'), '1\r\nx\r\n1\r\ny\r\n0\r\n\r\n')
  // One byte is the probe alone; a POST is not probed.
  assert.equal(await bodyOf('POST', '/get', 'h'), '1\r\nh\r\n0\r\n\r\n')
  assert.equal(await bodyOf('POST', '/post', 'hello'), '5\r\nhello\r\n0\r\n\r\n')
})
