// Go keeps an HTTP/1.0 keep-alive connection after an answer whose status has no body (204, 304)
// and names it `Connection: keep-alive` (net/http chunkWriter.writeHeader: wants10KeepAlive and
// !bodyAllowedForStatus). node:http keeps HTTP/1.0 only after an answer with a Content-Length, so a
// no-op 204/304 from a backend that sent no Connection line closed the connection (noop-sweep 7;
// KrakenD CE 2.13.8 keeps it). A backend's Keep-Alive line goes out as Go passes it (http10 sweep 8).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, startGateway } from './helpers.ts'
import { type AnsweringBackend, fromTable, startAnsweringBackend } from './raw-answer-backend.ts'
import { exchange } from './raw-exchange.ts'

let backend: AnsweringBackend
let gw: Running

before(async () => {
  backend = await startAnsweringBackend(
    fromTable({
      '/204': 'HTTP/1.1 204 No Content\r\nX-B: b\r\n\r\n',
      '/304': 'HTTP/1.1 304 Not Modified\r\nX-B: b\r\n\r\n',
      '/200': 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello',
      '/keep-alive-line': 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nKeep-Alive: timeout=9\r\n\r\nhello',
    }),
  )
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/noop/{status}',
          output_encoding: 'no-op',
          backend: [{ host: [backend.origin], url_pattern: '/{status}', encoding: 'no-op' }],
        },
      ],
    }),
  )
})

after(async () => {
  await gw.close()
  backend.close()
})

/** The answers' heads (bodies dropped), in order. */
const heads = (answers: string) =>
  answers
    .split(/(?=HTTP\/1\.0 )/)
    .map((answer) => answer.split('\r\n\r\n')[0] as string)
    .filter((head) => head !== '')

const connectionLines = (head: string) => head.split('\r\n').filter((line) => /^connection:/i.test(line))

for (const status of [204, 304])
  test(`HTTP/1.0 keep-alive: a no-op ${status} keeps the connection and says so`, async () => {
    const answers = await exchange(
      gw.url,
      `GET /noop/${status} HTTP/1.0\r\nConnection: keep-alive\r\n\r\n` +
        `GET /noop/200 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n` +
        'GET /noop/200 HTTP/1.0\r\n\r\n',
    )
    const [first, second, third, ...more] = heads(answers)
    assert.match(first ?? '', new RegExp(`^HTTP/1\\.0 ${status} `))
    assert.deepEqual(connectionLines(first ?? ''), ['Connection: keep-alive'])
    assert.match(second ?? '', /^HTTP\/1\.0 200 OK\r\n/, 'the connection was kept after the first answer')
    assert.deepEqual(connectionLines(second ?? ''), ['Connection: keep-alive'])
    // without keep-alive: no Connection line, and the connection closes (exchange returned)
    assert.match(third ?? '', /^HTTP\/1\.0 200 OK\r\n/)
    assert.deepEqual(connectionLines(third ?? ''), [])
    assert.deepEqual(more, [])
  })

test('HTTP/1.0 without keep-alive: a no-op 204 closes the connection with no Connection line', async () => {
  const answers = await exchange(gw.url, 'GET /noop/204 HTTP/1.0\r\n\r\nGET /noop/200 HTTP/1.0\r\n\r\n')
  const [first, ...more] = heads(answers)
  assert.match(first ?? '', /^HTTP\/1\.0 204 /)
  assert.deepEqual(connectionLines(first ?? ''), [])
  assert.deepEqual(more, [])
})

test("HTTP/1.0 keep-alive: a backend's Keep-Alive line is passed on, the gateway adds none of its own", async () => {
  const answers = await exchange(
    gw.url,
    'GET /noop/keep-alive-line HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /noop/200 HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /noop/200 HTTP/1.0\r\n\r\n',
  )
  const [first, second] = heads(answers)
  const keepAliveLines = (head: string) => head.split('\r\n').filter((line) => /^keep-alive:/i.test(line))
  assert.deepEqual(keepAliveLines(first ?? ''), ['Keep-Alive: timeout=9'])
  assert.deepEqual(connectionLines(first ?? ''), ['Connection: keep-alive'])
  assert.deepEqual(keepAliveLines(second ?? ''), [])
  assert.deepEqual(connectionLines(second ?? ''), ['Connection: keep-alive'])
})
