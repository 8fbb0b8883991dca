import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { describe, test } from 'node:test'
import { gatewayWith } from './gateway-fixture.ts'
import { exchange, statusLines } from './raw-exchange.ts'

// A request asking to switch protocols (Upgrade + Connection: upgrade) is served like any other, as
// Go's server does when no handler takes the connection over, and the connection reads on: what the
// same packet held after it is the next request (node:http's parser stopped there and dropped it).
const gateway = gatewayWith(
  (backend) => ({
    version: 3,
    endpoints: [
      ...['/a', '/b', '/c'].map((endpoint) => ({
        endpoint,
        method: endpoint === '/c' ? 'POST' : 'GET',
        backend: [{ host: [backend.origin], url_pattern: `/echo${endpoint}` }],
      })),
      { endpoint: '/slow', backend: [{ host: [backend.origin], url_pattern: '/slow' }] },
    ],
  }),
  { backends: { api: { '/slow': { body: { slow: true }, delay_ms: 400 } } } },
)

const upgradeTo = (path: string, extra = '') =>
  `GET ${path} HTTP/1.1\r\nHost: gw.example\r\nConnection: upgrade\r\nUpgrade: websocket\r\n${extra}\r\n`
const last = (path: string) => `GET ${path} HTTP/1.1\r\nHost: gw.example\r\nConnection: close\r\n\r\n`

/** Writes `parts` one by one, 100 ms apart (separate packets), and reads until the server closes. */
async function exchangeInParts(url: string, parts: string[]): Promise<string> {
  const socket = connect(Number(new URL(url).port), '127.0.0.1')
  const chunks: Buffer[] = []
  socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  const closed = new Promise((resolve) => socket.on('close', resolve))
  for (const part of parts) {
    socket.write(part)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await closed
  return Buffer.concat(chunks).toString('latin1')
}

const seenPaths = () => gateway.backend.seen.map((request) => request.url)

describe('a request pipelined after one asking to switch protocols', { timeout: 20_000 }, () => {
  test('in the same packet: both are answered, in order', async () => {
    const before = seenPaths().length
    const answer = await exchange(gateway.url, `${upgradeTo('/a')}${last('/b')}`)
    assert.deepEqual(statusLines(answer), ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK'])
    assert.deepEqual(seenPaths().slice(before), ['/echo/a', '/echo/b'])
  })

  test('three in one packet, two of them asking to switch', async () => {
    const before = seenPaths().length
    const answer = await exchange(gateway.url, `${upgradeTo('/a')}${upgradeTo('/b')}${last('/a')}`)
    assert.deepEqual(statusLines(answer), ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK', 'HTTP/1.1 200 OK'])
    assert.deepEqual(seenPaths().slice(before), ['/echo/a', '/echo/b', '/echo/a'])
  })

  test('the next request cut across packets: its head is read whole', async () => {
    const before = seenPaths().length
    const next = last('/b')
    const answer = await exchangeInParts(gateway.url, [
      `${upgradeTo('/a')}${next.slice(0, 9)}`,
      next.slice(9),
    ])
    assert.deepEqual(statusLines(answer), ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK'])
    assert.deepEqual(seenPaths().slice(before), ['/echo/a', '/echo/b'])
  })

  test('after a body: the body goes to the backend, the next request is answered', async () => {
    const before = gateway.backend.seen.length
    const answer = await exchange(
      gateway.url,
      `POST /c HTTP/1.1\r\nHost: gw.example\r\nConnection: upgrade\r\nUpgrade: x\r\nContent-Length: 7\r\n\r\n{"n":1}${last('/b')}`,
    )
    assert.deepEqual(statusLines(answer), ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK'])
    const seen = gateway.backend.seen.slice(before)
    assert.deepEqual(
      seen.map((request) => request.url),
      ['/echo/c', '/echo/b'],
    )
    assert.equal(seen[0]?.body, '{"n":1}')
  })

  // The second parse (upgrade-leftover.ts) found no error here and cut the connection: the answer
  // under way was lost (crash2, session 53).
  test('one that closes the connection, the next request in the next packet: its answer is written', async () => {
    const answer = await exchangeInParts(gateway.url, [
      upgradeTo('/slow', 'Connection: close\r\n'),
      last('/b'),
    ])
    assert.deepEqual(statusLines(answer), ['HTTP/1.1 200 OK'])
    assert.match(answer, /\{"slow":true\}$/)
  })

  test('an HTTP/1.0 one, more bytes in the next packet: its answer is written', async () => {
    const answer = await exchangeInParts(gateway.url, [
      'GET /slow HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: x\r\n\r\n',
      last('/b'),
    ])
    assert.deepEqual(answer.match(/HTTP\/1\.[01] \d{3}/g), ['HTTP/1.0 200'])
  })

  test('then a CONNECT and a request, one packet: both answered before the CONNECT closes it', async () => {
    const answer = await exchange(
      gateway.url,
      `${upgradeTo('/a')}CONNECT x:1 HTTP/1.1\r\nHost: x:1\r\n\r\n${last('/b')}`,
    )
    assert.deepEqual(statusLines(answer), ['HTTP/1.1 200 OK', 'HTTP/1.1 404 Not Found'])
  })

  test('a malformed request after it gets its 400 after the first answer', async () => {
    const answer = await exchange(gateway.url, `${upgradeTo('/a')}GARBAGE\r\n\r\n`)
    assert.deepEqual(statusLines(answer), ['HTTP/1.1 200 OK', 'HTTP/1.1 400 Bad Request'])
  })
})

describe('a malformed request after one asking to switch protocols', { timeout: 20_000 }, () => {
  for (const [name, bytes] of [
    ['a bad Content-Length', 'GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: z\r\n\r\n'],
    ['a header name with a space', 'GET /a HTTP/1.1\r\nHo st: x\r\n\r\n'],
  ] as const) {
    test(`${name}, in the next packet: 400 after the first answer`, async () => {
      const answer = await exchangeInParts(gateway.url, [upgradeTo('/a'), bytes])
      assert.deepEqual(statusLines(answer), ['HTTP/1.1 200 OK', 'HTTP/1.1 400 Bad Request'])
    })
  }

  // llhttp reads the h2 preface to its end before it stops: with nothing after it, the connection
  // stayed open and silent (crash2, session 53). h2c is spoken from a connection's first byte only.
  test('the h2 preface, in the same packet or the next: 400 after the first answer, and the connection closes', async () => {
    const preface = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'
    for (const answer of [
      await exchange(gateway.url, `${upgradeTo('/a')}${preface}`),
      await exchangeInParts(gateway.url, [upgradeTo('/a'), preface]),
    ])
      assert.deepEqual(statusLines(answer), ['HTTP/1.1 200 OK', 'HTTP/1.1 400 Bad Request'])
  })

  test('a method llhttp does not know (`get`), in the same packet: routed as Go routes it (405)', async () => {
    const answer = await exchange(gateway.url, `${upgradeTo('/a')}get /a HTTP/1.1\r\nHost: x\r\n\r\n`)
    assert.deepEqual(statusLines(answer), ['HTTP/1.1 200 OK', 'HTTP/1.1 405 Method Not Allowed'])
  })
})
