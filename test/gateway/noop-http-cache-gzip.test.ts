// A no-op backend with qos/http-cache answering the gzip Go's transport asked for: the cache's
// committing body is paused until read, and the no-op gunzip (GoGunzip) only listened for its data,
// so the answer waited for the endpoint's timeout and went out empty (gzreaders sweep E). KrakenD CE
// 2.13.8 answers the decompressed body at once, the first time and from its cache.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'
import { type AnsweringBackend, startAnsweringBackend } from './raw-answer-backend.ts'

const BODY = '{"a":1,"b":"hello"}'
let backend: AnsweringBackend
let gw: Running
let calls = 0

before(async () => {
  const zipped = gzipSync(BODY)
  backend = await startAnsweringBackend(() => {
    calls++
    return Buffer.concat([
      Buffer.from(
        'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n' +
          // (without a Date the cache takes the answer for stale)
          `Date: ${new Date().toUTCString()}\r\nCache-Control: max-age=60\r\nContent-Length: ${zipped.length}\r\n\r\n`,
        'latin1',
      ),
      zipped,
    ])
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      timeout: '3s',
      endpoints: [
        {
          endpoint: '/cached',
          output_encoding: 'no-op',
          backend: [
            {
              host: [backend.origin],
              url_pattern: '/zipped',
              encoding: 'no-op',
              extra_config: { 'qos/http-cache': {} },
            },
          ],
        },
      ],
    }),
  )
})

after(async () => {
  await gw.close()
  backend.close()
})

test('a no-op gzip answer through qos/http-cache: decompressed, then from the cache', async () => {
  for (const round of ['first', 'cached']) {
    const answer = await send(gw.url, { method: 'GET', path: '/cached' })
    assert.equal(answer.status, 200, round)
    assert.equal(answer.text, BODY, round)
    assert.equal(answer.headers['content-length'], String(BODY.length), round)
  }
  assert.equal(calls, 1)
})
