import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { gatewayWith } from './gateway-fixture.ts'
import { exchange, statusLines } from './raw-exchange.ts'

// Go's server reads a connection's next request only once it has answered the one before: a
// malformed request pipelined after whole ones gets its 400 after their answers. Node's parser
// meets it at once; the gateway holds the 400 until the earlier answers are written.
const gateway = gatewayWith(
  (backend) => ({
    version: 3,
    endpoints: [{ endpoint: '/a', backend: [{ host: [backend.origin], url_pattern: '/slow' }] }],
  }),
  { backends: { api: { '/slow': { delay_ms: 50, body: { ok: true } } } } },
)

const good = 'GET /a HTTP/1.1\r\nHost: gw.example\r\n\r\n'

describe('a malformed request pipelined after whole ones', () => {
  test('the whole one is answered first, then 400 and the connection closes', async () => {
    const answer = await exchange(gateway.url, `${good}GARBAGE\r\n\r\n`)
    assert.deepEqual(statusLines(answer), ['HTTP/1.1 200 OK', 'HTTP/1.1 400 Bad Request'])
    assert.match(answer, /\{"ok":true\}HTTP\/1\.1 400/)
  })

  test('two whole ones, then a bad Content-Length: two answers, then 400', async () => {
    const answer = await exchange(
      gateway.url,
      `${good}${good}GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: z\r\n\r\n`,
    )
    assert.deepEqual(statusLines(answer), ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK', 'HTTP/1.1 400 Bad Request'])
  })

  test('an h2c preface after a request is such a malformed request (Go would switch to h2c there)', async () => {
    const answer = await exchange(gateway.url, `${good}PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`)
    assert.deepEqual(statusLines(answer), ['HTTP/1.1 200 OK', 'HTTP/1.1 400 Bad Request'])
  })
})
