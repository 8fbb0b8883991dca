// lura gives Go's request the Content-Length it forwards (input_headers): over h2c a stream whose
// body opened (a DATA frame, even an empty one) is no http.NoBody, and a length of 0 on such a body
// is one Go's client does not know: a POST/PUT/PATCH backend gets an empty chunked body, as without
// the forwarded header. Over HTTP/1.1 `Content-Length: 0` is http.NoBody: the backend gets
// `Content-Length: 0`. (Checked against KrakenD CE with the request-side fuzz, /tmp/q31.)
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'
import { type RawBackend, startRawBackend } from './raw-backend.ts'

let backend: RawBackend
let gw: Running

before(async () => {
  backend = await startRawBackend({ '/': '{"ok":true}' })
  const host = [backend.origin]
  gw = await startGateway(
    mustConfig({
      version: 3,
      use_h2c: true,
      endpoints: [
        {
          endpoint: '/json',
          method: 'POST',
          input_headers: ['Content-Length'],
          backend: [{ host, url_pattern: '/b', method: 'PUT' }],
        },
        {
          endpoint: '/noop',
          method: 'POST',
          input_headers: ['*'],
          output_encoding: 'no-op',
          backend: [{ host, url_pattern: '/n', encoding: 'no-op' }],
        },
      ],
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

const framing = () =>
  backend
    .head()
    .split('\r\n')
    .filter((line) => /^(content-length|transfer-encoding):/i.test(line))

test('an h2c body declared 0 bytes and forwarded goes chunked (an unknown length to Go), HTTP/1.1 as 0', async () => {
  for (const path of ['/json', '/noop']) {
    const res = await send(gw.url, { http2: true, method: 'POST', path, headers: { 'content-length': '0' } })
    assert.equal(res.status, 200, path)
    assert.deepEqual(framing(), ['Transfer-Encoding: chunked'], path)
    assert.equal((backend.requests.at(-1) as string).split('\r\n\r\n')[1], '0', path)
  }
  const res = await send(gw.url, { method: 'POST', path: '/json', headers: { 'content-length': '0' } })
  assert.equal(res.status, 200)
  assert.deepEqual(framing(), ['Content-Length: 0'])
})
