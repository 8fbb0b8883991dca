// An HTTP/1.0 request with `Transfer-Encoding: chunked`: Go's server deletes the header and ignores
// it (net/http transfer.go, "Issue 12785"), so lura's backend gets no body, as for an HTTP/1.0 POST
// without one (checked against lura's own gateway). The chunks that follow would be Go's next
// request: the connection closes after the answer.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, sendRaw, startGateway } from './helpers.ts'
import { type RawBackend, startRawBackend } from './raw-backend.ts'

let backend: RawBackend
let gw: Running

before(async () => {
  backend = await startRawBackend()
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/p',
          method: 'POST',
          input_headers: ['*'],
          backend: [{ host: [backend.origin], url_pattern: '/p', encoding: 'no-op' }],
          output_encoding: 'no-op',
        },
      ],
    }),
  )
})

after(async () => {
  await gw.close()
  await backend.close()
})

const CHUNKS = '5\r\nhello\r\n0\r\n\r\n'

for (const connection of ['', 'Connection: keep-alive\r\n'])
  test(`HTTP/1.0 with Transfer-Encoding: chunked reaches the backend without a body ${connection.trim()}`, {
    timeout: 20_000,
  }, async () => {
    const before = backend.requests.length
    // sendRaw reads until the gateway closes the connection: it must, even when kept alive.
    const answer = await sendRaw(
      gw.url,
      `POST /p HTTP/1.0\r\nHost: x\r\n${connection}Transfer-Encoding: chunked\r\n\r\n${CHUNKS}`,
    )
    assert.equal(answer.status, 200)
    assert.equal(backend.requests.length, before + 1)
    const request = backend.requests.at(-1) as string
    const head = request.slice(0, request.indexOf('\r\n\r\n'))
    assert.equal(request.slice(head.length + 4), '')
    assert.deepEqual(backend.lines('Transfer-Encoding'), [])
    assert.deepEqual(backend.lines('Content-Length'), ['Content-Length: 0'])
    assert.match(head, /^POST \/p HTTP\/1\.1\r\n/)
  })

test('a header holding a comma beside the ignored Transfer-Encoding is forwarded as sent (it failed the request: 500)', async () => {
  // node:http reads such a header through headersDistinct, which it built from the shortened lines.
  const answer = await sendRaw(
    gw.url,
    `POST /p HTTP/1.0\r\nHost: x\r\nRange: a,,b\r\nX-A: 1, 2\r\nTransfer-Encoding: chunked\r\n\r\n${CHUNKS}`,
  )
  assert.equal(answer.status, 200)
  assert.deepEqual(backend.lines('Range'), ['Range: a,,b'])
  assert.deepEqual(backend.lines('X-A'), ['X-A: 1, 2'])
})
