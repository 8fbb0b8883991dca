// A Lua script's Content-Length, Transfer-Encoding or Trailer on a rendered answer: Go's server frames
// the answer by them (chunkWriter.writeHeader, ErrContentLength, shouldReuseConnection), as KrakenD
// CE 2.13.8 answered in the http10 sweep. Written as they were, node:http framed the body its own
// way beside them: `Transfer-Encoding: chunked` with a `Content-Length` (an HTTP/1.0 client read the
// chunk lines as the body and the rest as its next answer), and a script's Trailer threw (no answer).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, startGateway } from './helpers.ts'
import { type AnsweringBackend, startAnsweringBackend } from './raw-answer-backend.ts'
import { exchange } from './raw-exchange.ts'

const BODY = '{"a":1,"b":"two"}'
let backend: AnsweringBackend
let gw: Running

before(async () => {
  backend = await startAnsweringBackend(
    () =>
      `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`,
  )
  const scripted = (name: string, line: string) => ({
    endpoint: `/${name}`,
    backend: [
      {
        host: [backend.origin],
        url_pattern: '/data',
        extra_config: {
          'modifier/lua-backend': { post: `local r = response.load(); r:headers(${line})` },
        },
      },
    ],
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        scripted('te-chunked', '"Transfer-Encoding", "chunked"'),
        scripted('te-identity', '"Transfer-Encoding", "identity"'),
        scripted('te-gzip', '"Transfer-Encoding", "gzip"'),
        scripted('trailer', '"Trailer", "X-T"'),
        scripted('length-3', '"Content-Length", "3"'),
        scripted('length-99', '"Content-Length", "99"'),
        scripted('connection-close', '"Connection", "close"'),
      ],
    }),
  )
})

after(async () => {
  await gw.close()
  backend.close()
})

/** The first answer on a connection: head lines (Date aside), the bytes after the head, closed or not. */
async function firstAnswer(path: string, version: '1.0' | '1.1', keepAlive = false) {
  // a second request after the first: answered only where the connection stays open
  const ask = (p: string) =>
    `GET ${p} HTTP/${version}\r\nHost: x\r\n${keepAlive ? 'Connection: keep-alive\r\n' : ''}\r\n`
  const all = await exchange(
    gw.url,
    `${ask(path)}${ask('/te-chunked')}GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
  )
  const end = all.indexOf('\r\n\r\n')
  const lines = all
    .slice(0, end)
    .split('\r\n')
    .filter((line) => !line.startsWith('Date:'))
  return { lines, rest: all.slice(end + 4) }
}

const named = (lines: string[], name: string) => lines.filter((line) => line.startsWith(`${name}:`))

test('Transfer-Encoding: chunked, HTTP/1.1: one chunked line, no Content-Length, a chunked body', async () => {
  const { lines, rest } = await firstAnswer('/te-chunked', '1.1')
  assert.deepEqual(named(lines, 'Transfer-Encoding'), ['Transfer-Encoding: chunked'])
  assert.deepEqual(named(lines, 'Content-Length'), [])
  assert.ok(rest.startsWith(`11\r\n${BODY}\r\n0\r\n\r\nHTTP/1.1 200 OK`), rest)
})

test('Transfer-Encoding: gzip, HTTP/1.1: the line kept, chunked added and the body chunked', async () => {
  const { lines, rest } = await firstAnswer('/te-gzip', '1.1')
  assert.deepEqual(named(lines, 'Transfer-Encoding'), [
    'Transfer-Encoding: gzip',
    'Transfer-Encoding: chunked',
  ])
  assert.ok(rest.startsWith(`11\r\n${BODY}\r\n0\r\n\r\n`), rest)
})

for (const path of ['/te-chunked', '/te-identity'])
  test(`${path.slice(1)}, HTTP/1.0 keep-alive: no framing line, the body until the connection closes`, async () => {
    const { lines, rest } = await firstAnswer(path, '1.0', true)
    assert.deepEqual(named(lines, 'Transfer-Encoding'), [])
    assert.deepEqual(named(lines, 'Content-Length'), [])
    assert.deepEqual(named(lines, 'Connection'), [])
    assert.equal(rest, BODY)
  })

test('Transfer-Encoding: identity, HTTP/1.1: Connection: close and the body until the close', async () => {
  const { lines, rest } = await firstAnswer('/te-identity', '1.1')
  assert.deepEqual(named(lines, 'Connection'), ['Connection: close'])
  assert.deepEqual(named(lines, 'Transfer-Encoding'), [])
  assert.equal(rest, BODY)
})

test("a script's Trailer: the answer is chunked with the Trailer line (HTTP/1.0: until close)", async () => {
  const h11 = await firstAnswer('/trailer', '1.1')
  assert.deepEqual(named(h11.lines, 'Trailer'), ['Trailer: X-T'])
  assert.ok(h11.rest.startsWith(`11\r\n${BODY}\r\n0\r\n\r\nHTTP/1.1 200 OK`), h11.rest)
  const h10 = await firstAnswer('/trailer', '1.0', true)
  assert.deepEqual(named(h10.lines, 'Trailer'), ['Trailer: X-T'])
  assert.equal(h10.rest, BODY)
})

test('a declared length below the body: nothing of it goes out and the connection closes', async () => {
  for (const version of ['1.0', '1.1'] as const) {
    const { lines, rest } = await firstAnswer('/length-3', version, true)
    assert.deepEqual(named(lines, 'Content-Length'), ['Content-Length: 3'])
    assert.equal(rest, '', version)
  }
})

test('a declared length above the body: the body, then the connection closes', async () => {
  const { lines, rest } = await firstAnswer('/length-99', '1.1')
  assert.deepEqual(named(lines, 'Content-Length'), ['Content-Length: 99'])
  assert.equal(rest, BODY)
})

test("a script's Connection: close to HTTP/1.0 goes out as it is (Go keeps a line that says close)", async () => {
  const { lines, rest } = await firstAnswer('/connection-close', '1.0')
  assert.deepEqual(named(lines, 'Connection'), ['Connection: close'])
  assert.equal(rest, BODY)
})
