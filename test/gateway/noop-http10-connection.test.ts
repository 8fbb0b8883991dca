// A no-op answer passes the backend's Connection and Keep-Alive lines on (Go's client keeps them in
// the answer's headers). When the client's connection ends with that answer, Go's server deletes
// the handler's Connection line and writes `Connection: close` in its place only for HTTP/1.1 and
// later (net/http chunkWriter.writeHeader: ProtoAtLeast(1, 1)): an HTTP/1.0 answer has none, as
// KrakenD CE 2.13.8 answers (corsgen SEED=23 #36).
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, sendRaw, startGateway } from './helpers.ts'

let backend: Server
let gw: Running

before(async () => {
  // node:http answers an HTTP/1.1 keep-alive request with `Connection: keep-alive` and `Keep-Alive: timeout=5`.
  backend = createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json')
    // Past Go's 2 KB handler buffer and without a length: node:http sends it chunked.
    if (req.url === '/big') {
      res.write(`[${'1,'.repeat(2000)}`)
      res.end('1]')
    } else res.end('{"a":1}')
  })
  backend.listen(0, '127.0.0.1')
  await once(backend, 'listening')
  const origin = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/noop',
          output_encoding: 'no-op',
          backend: [{ host: [origin], url_pattern: '/x', encoding: 'no-op' }],
        },
        {
          endpoint: '/big',
          output_encoding: 'no-op',
          backend: [{ host: [origin], url_pattern: '/big', encoding: 'no-op' }],
        },
      ],
    }),
  )
})

after(async () => {
  await gw.close()
  backend.closeAllConnections()
  backend.close()
})

const headerLines = (head: string, name: string) =>
  head.split('\r\n').filter((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))

for (const asked of ['', 'Connection: close\r\n'])
  test(`HTTP/1.0 ${asked ? 'with' : 'without'} Connection: close: no Connection line, the backend's Keep-Alive kept`, async () => {
    const { status, head } = await sendRaw(gw.url, `GET /noop HTTP/1.0\r\nHost: x\r\n${asked}\r\n`)
    assert.equal(status, 200)
    assert.match(head, /^HTTP\/1\.0 200 OK\r\n/)
    assert.deepEqual(headerLines(head, 'Connection'), [])
    assert.deepEqual(headerLines(head, 'Keep-Alive'), ['Keep-Alive: timeout=5'])
  })

test('HTTP/1.1 with Connection: close: Go names the close in place of the backend line', async () => {
  const { status, head } = await sendRaw(gw.url, 'GET /noop HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  assert.equal(status, 200)
  assert.deepEqual(headerLines(head, 'Connection'), ['Connection: close'])
  assert.deepEqual(headerLines(head, 'Keep-Alive'), ['Keep-Alive: timeout=5'])
})

// The answer's length is not known before its body ends: over HTTP/1.0 it ends with the connection,
// and Go's server promises no keep-alive on it, also to a client that asked for one (sweep54: the
// gateway wrote `Connection: keep-alive`, then closed).
test('HTTP/1.0 keep-alive, an answer past 2 KB without a length: no Connection line, the connection closes', async () => {
  const { status, head } = await sendRaw(
    gw.url,
    'GET /big HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n',
  )
  assert.equal(status, 200)
  assert.deepEqual(headerLines(head, 'Connection'), [])
  assert.deepEqual(headerLines(head, 'Content-Length'), [])
})
