// A no-op answer's fields from a backend head Go reads its own way (sweep-core F6, F10), as KrakenD
// CE 2.13.8 answers (krakend-diff, tmp-core-hdr and tmp-core-raw over HTTP/1.1 and h2c):
// - a `Trailer` line on an answer with a length is kept by Go's transport and written by its server
//   (node:http refuses it there: it was dropped); on a chunked answer Go's transport takes it off;
// - over h2c, a backend's `TE: trailers` goes on (Go's HTTP/2 server writes it);
// - over h2c, `Content-Length:  7 ` (spaces around the value) is Go's 7: the stream was reset.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'
import { type AnsweringBackend, fromTable, startAnsweringBackend } from './raw-answer-backend.ts'

const ANSWERS: Record<string, string> = {
  '/trailer-length':
    'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTrailer: X-T\r\nContent-Length: 7\r\n\r\n{"a":1}',
  '/trailer-chunked':
    'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n7\r\n{"a":1}\r\n0\r\nX-T: t\r\n\r\n',
  '/te':
    'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTe: trailers\r\nContent-Length: 7\r\n\r\n{"a":1}',
  '/spaced-length': 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length:  7 \r\n\r\n{"a":1}',
}

let backend: AnsweringBackend
let gw: Running

before(async () => {
  backend = await startAnsweringBackend(fromTable(ANSWERS))
  const host = [backend.origin]
  gw = await startGateway(
    mustConfig({
      version: 3,
      timeout: '2s',
      endpoints: Object.keys(ANSWERS).map((path) => ({
        endpoint: path,
        output_encoding: 'no-op',
        backend: [{ host, url_pattern: path, encoding: 'no-op' }],
      })),
    }),
  )
})

after(async () => {
  await gw.close()
  backend.close()
})

for (const http2 of [false, true]) {
  const over = http2 ? 'h2c' : 'HTTP/1.1'
  test(`a Trailer line on an answer with a length goes on (${over})`, async () => {
    const res = await send(gw.url, { path: '/trailer-length', http2 })
    assert.equal(res.status, 200)
    assert.equal(res.headers.trailer, 'X-T')
    assert.equal(res.text, '{"a":1}')
  })

  test(`a chunked answer's Trailer line does not (${over})`, async () => {
    const res = await send(gw.url, { path: '/trailer-chunked', http2 })
    assert.equal(res.status, 200)
    assert.equal(res.headers.trailer, undefined)
    assert.equal(res.text, '{"a":1}')
  })

  test(`TE: trailers goes on (${over})`, async () => {
    const res = await send(gw.url, { path: '/te', http2 })
    assert.equal(res.status, 200)
    assert.equal(res.headers.te, 'trailers')
  })

  test(`a Content-Length with spaces around it is read as Go reads it (${over})`, async () => {
    const res = await send(gw.url, { path: '/spaced-length', http2 })
    assert.equal(res.status, 200)
    assert.equal(res.headers['content-length'], '7')
    assert.equal(res.text, '{"a":1}')
  })
}
