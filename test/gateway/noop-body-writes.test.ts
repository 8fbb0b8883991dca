// How a no-op answer's body goes out (output_encoding no-op), as KrakenD CE 2.13.8 writes it:
// - a body whose length fits in Go's 2 KB response buffer goes out with its head in one write,
//   the backend's Content-Length kept, and the connection stays open for the next request;
// - a longer one is streamed as it comes, its head held (as Go holds it) until more than 2 KB of
//   the body came;
// - a body cut short of its Content-Length (the backend closed early): the head with the
//   backend's length, the bytes that came, then the connection closes (curl: exit 18, as there);
// - a body without a length that breaks past Go's buffer (a chunked one whose backend closes before
//   its last chunk): the answer ends after what came, with its own last chunk, and the connection
//   serves the next request (lura ignores io.Copy's error; Go's server finishes the answer);
// - over h2c a body cut short of its Content-Length ends the stream (END_STREAM) after what came:
//   the client finds the length unmet (an error, not a shorter answer taken as whole);
// - an encoded answer without Content-Type gets none (Go sniffs only bodies that are not encoded);
// - a client that goes away mid-body closes the backend's connection.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import type { Socket } from 'node:net'
import { connect } from 'node:net'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, sendH2, startGateway } from './helpers.ts'
import { type AnsweringBackend, NOT_FOUND, startAnsweringBackend } from './raw-answer-backend.ts'
import { exchange, statusLines } from './raw-exchange.ts'

const json = (body: string, length: number | string = body.length) =>
  `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n${body}`
const LONG = 'x'.repeat(5000)

let backend: AnsweringBackend
let gw: Running
let heldOpen: Socket | undefined
/** The /held-head backend's release of the rest of its body, once it is called. */
const heldHead: { release?: () => void } = {}

before(async () => {
  backend = await startAnsweringBackend((path, socket) => {
    if (path === '/small') return json('{"a":1}')
    if (path === '/zero-led') return json('{"a":1}', '007')
    if (path === '/long') return json(`"${LONG}"`)
    if (path === '/cut') return json('{"a":1', 100)
    if (path === '/chunked-cut')
      return `HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\nbb8\r\n${'y'.repeat(2500)}`
    if (path === '/encoded-untyped')
      return 'HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: 6\r\n\r\n<html>'
    if (path === '/cut-untyped') return 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"a":1'
    if (path === '/long-cut') return json(`"${LONG}`.slice(0, 3000), 5002)
    if (path === '/held-head') {
      socket.write(json('z'.repeat(1024), 5000))
      heldHead.release = () => socket.end('z'.repeat(3976))
      return undefined
    }
    if (path === '/held') {
      heldOpen = socket
      socket.write(json('x'.repeat(3000), 9000))
      return undefined
    }
    return NOT_FOUND
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      timeout: '3s',
      endpoints: [
        ...[
          '/small',
          '/long',
          '/cut',
          '/cut-untyped',
          '/long-cut',
          '/held',
          '/chunked-cut',
          '/encoded-untyped',
          '/held-head',
          '/zero-led',
        ].map((path) => ({
          endpoint: path,
          output_encoding: 'no-op',
          backend: [{ host: [backend.origin], url_pattern: path, encoding: 'no-op' }],
        })),
        // a script that reads the body (krakend-lua's io.ReadAll)
        {
          endpoint: '/lua-cut',
          output_encoding: 'no-op',
          extra_config: {
            'modifier/lua-proxy': {
              post: "local r = response.load(); r:headers('X-Len', tostring(#r:body()))",
            },
          },
          backend: [{ host: [backend.origin], url_pattern: '/cut', encoding: 'no-op' }],
        },
      ],
    }),
  )
})

after(async () => {
  await gw.close()
  backend.close()
})

/** `promise`, or a failure saying `what` after 3 s of waiting. */
function within<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(what)), 3000).unref()),
  ])
}

/** The /held-head backend's release, once the gateway has called it (3 s at most). */
async function calledBack(): Promise<() => void> {
  for (let i = 0; i < 300; i += 1) {
    if (heldHead.release) return heldHead.release
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error('the backend was never called')
}

/** What the gateway writes back until it closes the connection. */
const closedAnswer = (bytes: string) =>
  within(exchange(gw.url, bytes), 'the gateway kept the connection open')

const get = (path: string, close = false) =>
  `GET ${path} HTTP/1.1\r\nHost: gw\r\n${close ? 'Connection: close\r\n' : ''}\r\n`

test('a short body goes out whole with the backend length, and the connection serves the next request', async () => {
  const answer = await closedAnswer(get('/small') + get('/small', true))
  assert.deepEqual(statusLines(answer), ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK'])
  const first = answer.slice(0, answer.indexOf('HTTP/1.1 200 OK', 1))
  assert.match(first, /\r\nContent-Length: 7\r\n/)
  assert.ok(first.endsWith('\r\n\r\n{"a":1}'), first)
})

test('a length with leading zeros goes out as the backend wrote it', async () => {
  const answer = await closedAnswer(get('/zero-led', true))
  assert.match(answer, /\r\nContent-Length: 007\r\n/)
  assert.ok(answer.endsWith('\r\n\r\n{"a":1}'))
})

test('a body longer than Go’s buffer is streamed whole with its length', async () => {
  const answer = await closedAnswer(get('/long', true))
  assert.match(answer, /\r\nContent-Length: 5002\r\n/)
  assert.ok(answer.endsWith(`\r\n\r\n"${LONG}"`))
})

test('a long body’s head waits for more than 2 KB of it, as Go’s server holds it', async () => {
  delete heldHead.release
  const client = connect(Number(new URL(gw.url).port), '127.0.0.1')
  client.write(get('/held-head', true))
  const chunks: Buffer[] = []
  client.on('data', (chunk: Buffer) => chunks.push(chunk))
  const release = await calledBack()
  // the backend holds its body at 1 KB: nothing reaches the client meanwhile
  await new Promise((resolve) => setTimeout(resolve, 300))
  assert.equal(Buffer.concat(chunks).length, 0)
  release()
  await within(once(client, 'end'), 'the answer never ended')
  const answer = Buffer.concat(chunks).toString('latin1')
  assert.match(answer, /\r\nContent-Length: 5000\r\n/)
  assert.ok(answer.endsWith(`\r\n\r\n${'z'.repeat(5000)}`))
})

for (const [path, length, sent] of [
  ['/cut', 100, '{"a":1'],
  // no Content-Type: the type is sniffed from what came
  ['/cut-untyped', 100, '{"a":1'],
  ['/long-cut', 5002, `"${LONG}`.slice(0, 3000)],
] as const)
  test(`a body cut short of its length (${path}: ${sent.length} of ${length} bytes): the head, those bytes, then the connection closes`, async () => {
    // a keep-alive request: only the gateway's close ends the exchange
    const answer = await closedAnswer(get(path))
    assert.deepEqual(statusLines(answer), ['HTTP/1.1 200 OK'])
    assert.match(answer, new RegExp(`\\r\\nContent-Length: ${length}\\r\\n`))
    assert.ok(answer.endsWith(`\r\n\r\n${sent}`), answer.slice(-40))
  })

test('a body a Lua script read, cut short of its length: the connection closes after it', async () => {
  const answer = await closedAnswer(get('/lua-cut'))
  assert.match(answer, /\r\nContent-Length: 100\r\n/)
  assert.ok(answer.endsWith('\r\n\r\n{"a":1'), answer.slice(-40))
})

test('a chunked body that breaks past Go’s buffer: the answer ends with its last chunk and the connection serves the next request', async () => {
  const answer = await closedAnswer(get('/chunked-cut') + get('/small', true))
  assert.deepEqual(statusLines(answer), ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK'])
  const first = answer.slice(0, answer.indexOf('HTTP/1.1 200 OK', 1))
  assert.match(first, /\r\nTransfer-Encoding: chunked\r\n/)
  // what came (in any chunking), then the last chunk
  const body = first.slice(first.indexOf('\r\n\r\n') + 4)
  assert.ok(body.endsWith('\r\n0\r\n\r\n'), body.slice(-20))
  assert.equal(body.replace(/(^|\r\n)[0-9a-f]+\r\n/g, '').replace(/\r\n$/, ''), 'y'.repeat(2500))
})

test('over h2c a body cut short of its length ends the stream: the client finds the length unmet', async () => {
  await assert.rejects(sendH2(gw.url, { path: '/cut' }), /PROTOCOL_ERROR|STREAM_ERROR/)
})

test('an encoded answer without Content-Type gets no sniffed type', async () => {
  const answer = await closedAnswer(get('/encoded-untyped', true))
  assert.match(answer, /\r\nContent-Encoding: br\r\n/)
  assert.doesNotMatch(answer, /Content-Type/i)
  assert.ok(answer.endsWith('\r\n\r\n<html>'))
})

test('a client that goes away mid-body closes the backend connection', async () => {
  heldOpen = undefined
  const client = connect(Number(new URL(gw.url).port), '127.0.0.1')
  client.write(get('/held'))
  let received = 0
  for await (const chunk of client) {
    received += (chunk as Buffer).length
    if (received > 3000) break
  }
  client.destroy()
  assert.ok(heldOpen, 'the backend was called')
  const backendSide = heldOpen as Socket
  if (!backendSide.destroyed) await within(once(backendSide, 'close'), 'the backend connection stayed open')
  assert.equal(backendSide.destroyed, true)
})
