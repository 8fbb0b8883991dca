// A backend answering `101 Switching Protocols` behind a no-op endpoint, as KrakenD answers it
// (checked against KrakenD CE 2.13.8): Go's client takes the 101 as the final answer, lura's
// no-op passes its status and headers on, and Go's server writes them as a final head (Date last,
// no length) without a body, so the client's connection stays HTTP/1.1. No connection is
// switched: the backend's bytes after its head never reach the client.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect as h2connect } from 'node:http2'
import { type AddressInfo, connect, createServer, type Socket } from 'node:net'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, startGateway } from './helpers.ts'

const SWITCH =
  'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nX-B: 1\r\n\r\n'
const SCRIPTS: Record<string, (socket: Socket) => void> = {
  // A protocol switch: Go's body is the connection; lura's copy stops at its first bytes.
  '/switch': (s) => {
    s.write(SWITCH)
    setTimeout(() => s.write('bytes of the new protocol'), 20)
  },
  // Without Upgrade headers nothing switches: Go reads no body (and ignores a length).
  '/no-switch': (s) =>
    s.write('HTTP/1.1 101 Switching Protocols\r\nX-B: 1\r\nContent-Length: 5\r\n\r\nhello'),
  '/ok': (s) =>
    s.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n{"a":10}'),
}

let backend: ReturnType<typeof createServer>
let gw: Running

before(async () => {
  backend = createServer((socket) => {
    socket.on('error', () => {})
    // One request per read (they are small): a pooled connection may carry the next one.
    socket.on('data', (head: Buffer) => SCRIPTS[head.toString('latin1').split(' ')[1] ?? '']?.(socket))
  })
  backend.listen(0, '127.0.0.1')
  await once(backend, 'listening')
  const host = [`http://127.0.0.1:${(backend.address() as AddressInfo).port}`]
  const noop = (path: string) => ({
    endpoint: path,
    output_encoding: 'no-op',
    backend: [{ host, url_pattern: path, encoding: 'no-op' }],
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      timeout: '5s',
      endpoints: [
        noop('/switch'),
        noop('/no-switch'),
        { endpoint: '/ok', backend: [{ host, url_pattern: '/ok' }] },
        { endpoint: '/rendered', backend: [{ host, url_pattern: '/switch' }] },
      ],
    }),
  )
})

after(async () => {
  await gw.close()
  backend.close()
})

/** Two pipelined requests on one connection; what the client reads until it has both answers. */
async function pipelined(first: string): Promise<string> {
  const socket = connect(Number(new URL(gw.url).port), '127.0.0.1')
  socket.write(
    `GET ${first} HTTP/1.1\r\nHost: gw\r\n\r\nGET /ok HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n`,
  )
  const chunks: Buffer[] = []
  for await (const chunk of socket) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('latin1')
}

const SECOND =
  /^HTTP\/1\.1 200 OK\r\nX-Krakend: Version 2\.13\.8\r\nContent-Type: application\/json; charset=utf-8\r\nX-Krakend-Completed: true\r\nContent-Length: 8\r\nDate: [^\r]+\r\nConnection: close\r\n\r\n\{"a":10\}$/

test('a switch: the 101 head with the backend headers and no body; the connection answers its next request', async () => {
  const text = await pipelined('/switch')
  const head =
    /^HTTP\/1\.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nX-B: 1\r\nX-Krakend: Version 2\.13\.8\r\nX-Krakend-Completed: false\r\nDate: [^\r]+ GMT\r\n\r\n/
  assert.match(text, head)
  assert.match(text.replace(head, ''), SECOND)
})

test('a 101 that switches nothing: its head, without the length it carried', async () => {
  const text = await pipelined('/no-switch')
  const head =
    /^HTTP\/1\.1 101 Switching Protocols\r\nX-B: 1\r\nX-Krakend: Version 2\.13\.8\r\nX-Krakend-Completed: false\r\nDate: [^\r]+ GMT\r\n\r\n/
  assert.match(text, head)
  assert.match(text.replace(head, ''), SECOND)
})

test('a switch answering a client that closes keeps the backend Connection header, and the connection ends', {
  timeout: 10_000,
}, async () => {
  const socket = connect(Number(new URL(gw.url).port), '127.0.0.1')
  socket.write('GET /switch HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n')
  const chunks: Buffer[] = []
  for await (const chunk of socket) chunks.push(chunk as Buffer)
  assert.match(
    Buffer.concat(chunks).toString('latin1'),
    /^HTTP\/1\.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nX-B: 1\r\nX-Krakend: Version 2\.13\.8\r\nX-Krakend-Completed: false\r\nDate: [^\r]+ GMT\r\n\r\n$/,
  )
})

test('a rendering endpoint fails the 101 like any status but 200/201', async () => {
  const text = await pipelined('/rendered')
  assert.match(text, /^HTTP\/1\.1 500 Internal Server Error\r\n/)
  assert.match(text, /\r\n\r\nHTTP\/1\.1 200 OK\r\n/)
})

test('over HTTP/2 the client gets no answer: its stream ends in PROTOCOL_ERROR (it refuses the 101 Go sends)', async () => {
  const session = h2connect(gw.url)
  try {
    const stream = session.request({ ':path': '/switch', ':method': 'GET' })
    let status: unknown
    stream.on('response', (headers) => (status = headers[':status']))
    stream.on('error', () => {})
    stream.resume()
    await new Promise((resolve) => stream.on('close', resolve))
    assert.equal(status, undefined)
    assert.equal(stream.rstCode, 1)
  } finally {
    session.destroy()
  }
})
