// A client that shuts down its sending side after its requests (shutdown(SHUT_WR), `nc -N`) reads
// the answers: Go's server cancels the connection's context at that end of stream, so KrakenD CE
// 2.13.8 answers each request still to be answered with lura's 500 ("context canceled"), then closes.
// The gateway wrote nothing and closed at once (crash2, session 53).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { gatewayWith } from './gateway-fixture.ts'
import { readUntilClosed, statusLines } from './raw-exchange.ts'

const gateway = gatewayWith(
  (backend) => ({
    version: 3,
    timeout: '5s',
    endpoints: [
      { endpoint: '/a', backend: [{ host: [backend.origin], url_pattern: '/a' }] },
      { endpoint: '/slow', backend: [{ host: [backend.origin], url_pattern: '/slow' }] },
    ],
  }),
  { backends: { api: { '/a': { body: { a: true } }, '/slow': { body: { slow: true }, delay_ms: 1500 } } } },
)

/** Writes `bytes`, ends the sending side after `endAfterMs` (at once by default) and reads until the gateway closes. */
const halfClosed = (bytes: string, endAfterMs = 0) =>
  readUntilClosed(
    gateway.url,
    (socket) => {
      socket.write(bytes)
      setTimeout(() => socket.end(), endAfterMs)
    },
    5000,
  )

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`

describe('a client that half-closes its connection', { timeout: 30_000, concurrency: true }, () => {
  test("gets lura's 500 for the request it sent, then the connection closes", async () => {
    const { answer, closed } = await halfClosed(get('/a'))
    assert.deepEqual(statusLines(answer), ['HTTP/1.1 500 Internal Server Error'], answer)
    assert.match(answer, /\r\nX-Krakend-Completed: false\r\n/)
    assert.match(answer, /\r\nContent-Length: 0\r\n/)
    assert.equal(closed, true)
  })

  test('gets an answer to each request pipelined before its end', async () => {
    const { answer, closed } = await halfClosed(get('/a').repeat(3))
    assert.equal(statusLines(answer).filter((line) => line.includes(' 500 ')).length, 3, answer)
    assert.equal(closed, true)
  })

  test('cancels the backend call under way when it ends its side', async () => {
    const { answer, closed } = await halfClosed(get('/slow'), 200)
    assert.deepEqual(statusLines(answer), ['HTTP/1.1 500 Internal Server Error'], answer)
    assert.doesNotMatch(answer, /slow/)
    assert.equal(closed, true)
  })

  test('what needs no backend is answered as usual: the health endpoint, an unknown route', async () => {
    const { answer } = await halfClosed(`${get('/__health')}${get('/nowhere')}`)
    assert.deepEqual(statusLines(answer), ['HTTP/1.1 200 OK', 'HTTP/1.1 404 Not Found'], answer)
  })

  test('after its answers are read, its end closes the connection', async () => {
    const { answer, closed } = await halfClosed(get('/a'), 300)
    assert.deepEqual(statusLines(answer), ['HTTP/1.1 200 OK'], answer)
    assert.equal(closed, true)
  })

  test('with nothing sent, its end closes the connection', async () => {
    const { answer, closed } = await halfClosed('')
    assert.equal(answer, '')
    assert.equal(closed, true)
  })
})
