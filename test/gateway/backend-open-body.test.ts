// A backend that keeps its answer's body open: lura answers as soon as it has read what it reads
// (Go's json.Decoder stops at the first whole value; the default status handler reads nothing of a
// status other than 200/201) and closes the backend's connection, as KrakenD does (checked against
// lura's own gateway): the rest of the body never holds the client's answer.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { type AddressInfo, createServer, type Socket } from 'node:net'
import { after, before, test } from 'node:test'
import { constants, deflateRawSync, gzipSync } from 'node:zlib'
import {
  FAILED_AT,
  FirstValueScanner,
  NEEDS_MORE,
  scanFirstValue,
} from '../../src/gateway/go-json-scanner.ts'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`
const CHUNKED = 'Transfer-Encoding: chunked\r\n\r\n'
const json = (status = '200 OK') => `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\n`
/** A gzip member's header, then `text` deflated and sync-flushed (what a gzip writer's Flush sends). */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff])
const flushed = (text: string) =>
  Buffer.concat([GZIP_HEADER, deflateRawSync(text, { finishFlush: constants.Z_SYNC_FLUSH })])
const gzipChunk = (bytes: Buffer) =>
  Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')])
/** A body that compresses poorly: its gzip takes several reads. */
const PIECES = { a: Array.from({ length: 20_000 }, (_, i) => (i * 7919) % 100_003) }
const GZIP = `${json()}Content-Encoding: gzip\r\n${CHUNKED}`

/** What each backend path writes; the body is never ended. */
const SCRIPTS: Record<string, (socket: Socket) => void> = {
  '/object': (s) => s.write(json() + CHUNKED + chunk('{"a":1}')),
  '/object-then-more': (s) => s.write(json() + CHUNKED + chunk('{"a":1} {"b"')),
  '/split': (s) => {
    s.write(json() + CHUNKED + chunk('{"a":[1,'))
    setImmediate(() => s.write(chunk('"é"]}\n')))
  },
  '/array': (s) => s.write(json() + CHUNKED + chunk('[1,2]')),
  '/number-then-space': (s) => s.write(json() + CHUNKED + chunk('123 ')),
  '/short-content-length': (s) => s.write(`${json()}Content-Length: 100\r\n\r\n{"a":1}`),
  '/invalid': (s) => s.write(json() + CHUNKED + chunk('{"a":x')),
  '/failed-status': (s) => s.write(json('500 Internal Server Error') + CHUNKED + chunk('{"a":1}')),
  // lura decodes a gzip answer through gzip.NewReader: its decoder stops at the first value too.
  '/gzip-object': (s) => s.write(Buffer.concat([Buffer.from(GZIP), gzipChunk(flushed('{"a":1}'))])),
  '/gzip-split': (s) => {
    const bytes = flushed('{"a":[1,"é"]}')
    s.write(Buffer.concat([Buffer.from(GZIP), gzipChunk(bytes.subarray(0, 12))]))
    setImmediate(() => s.write(gzipChunk(bytes.subarray(12))))
  },
  '/gzip-array': (s) => s.write(Buffer.concat([Buffer.from(GZIP), gzipChunk(flushed('[1,2]'))])),
  '/gzip-number-then-space': (s) => s.write(Buffer.concat([Buffer.from(GZIP), gzipChunk(flushed('123 '))])),
  '/gzip-invalid': (s) => s.write(Buffer.concat([Buffer.from(GZIP), gzipChunk(flushed('{"a":x'))])),
  // gzip.NewReader fails on a header that is not gzip's.
  '/gzip-not-gzip': (s) => s.write(GZIP + chunk('not gzip at all')),
  // A whole gzip body in pieces, then its end: decompressed once, all of it.
  '/gzip-pieces-ended': (s) => {
    const bytes = gzipSync(JSON.stringify(PIECES))
    s.write(Buffer.concat([Buffer.from(GZIP), gzipChunk(bytes.subarray(0, 100))]))
    setTimeout(() => s.write(gzipChunk(bytes.subarray(100, 200))), 5)
    setTimeout(() => s.end(Buffer.concat([gzipChunk(bytes.subarray(200)), Buffer.from('0\r\n\r\n')])), 10)
  },
}

let backend: ReturnType<typeof createServer>
let gw: Running
const closed: string[] = []

before(async () => {
  backend = createServer((socket) => {
    socket.on('error', () => {})
    let target = ''
    socket.once('data', (head: Buffer) => {
      target = head.toString('latin1').split(' ')[1] ?? ''
      SCRIPTS[target]?.(socket)
    })
    socket.on('close', () => closed.push(target))
  })
  backend.listen(0, '127.0.0.1')
  await once(backend, 'listening')
  const host = [`http://127.0.0.1:${(backend.address() as AddressInfo).port}`]
  const endpoint = (path: string, extra: Record<string, unknown> = {}) => ({
    endpoint: path,
    backend: [{ host, url_pattern: path, ...extra }],
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      // Far longer than the test's bound: an answer held by the open body would fail the test.
      timeout: '60s',
      endpoints: [
        endpoint('/object'),
        endpoint('/object-then-more'),
        endpoint('/split'),
        endpoint('/array', { is_collection: true }),
        endpoint('/number-then-space', { encoding: 'safejson' }),
        endpoint('/short-content-length', { encoding: 'safejson' }),
        endpoint('/invalid'),
        endpoint('/failed-status'),
        endpoint('/gzip-object'),
        endpoint('/gzip-split'),
        endpoint('/gzip-array', { is_collection: true }),
        endpoint('/gzip-number-then-space', { encoding: 'safejson' }),
        endpoint('/gzip-invalid'),
        endpoint('/gzip-not-gzip'),
        endpoint('/gzip-pieces-ended'),
      ],
    }),
  )
})

after(async () => {
  await gw.close()
  backend.close()
})

const cases: Array<[string, number, unknown]> = [
  ['/object', 200, { a: 1 }],
  ['/object-then-more', 200, { a: 1 }],
  ['/split', 200, { a: [1, 'é'] }],
  ['/array', 200, { collection: [1, 2] }],
  ['/number-then-space', 200, { content: 123 }],
  ['/short-content-length', 200, { a: 1 }],
  // Go's decoder fails at the first byte that cannot be JSON, and the default status handler at
  // the status: lura's 500 comes at once.
  ['/invalid', 500, undefined],
  ['/failed-status', 500, undefined],
  ['/gzip-object', 200, { a: 1 }],
  ['/gzip-split', 200, { a: [1, 'é'] }],
  ['/gzip-array', 200, { collection: [1, 2] }],
  ['/gzip-number-then-space', 200, { content: 123 }],
  ['/gzip-invalid', 500, undefined],
  ['/gzip-not-gzip', 500, undefined],
  ['/gzip-pieces-ended', 200, PIECES],
]

for (const [path, status, body] of cases)
  test(`an open body answered at what lura reads: ${path}`, { timeout: 20_000 }, async () => {
    const res = await send(gw.url, { path })
    assert.equal(res.status, status)
    if (body !== undefined) assert.deepEqual(JSON.parse(res.text), body)
    // The rest of the body is not read: the backend's connection is closed (Go closes a
    // connection whose body is closed before its end).
    for (let i = 0; i < 200 && !closed.includes(path); i += 1) await new Promise((r) => setTimeout(r, 10))
    assert.ok(closed.includes(path), `the connection of ${path} stays open`)
  })

test('the first value found piece by piece ends where it ends in the whole body', () => {
  const bodies = [
    '{"a":[1,"x\\"y",{"b":null}]} tail',
    '123 4',
    '"s\\u00e9"x',
    'true,',
    '[1,2]]',
    ' {"a":1',
    '{"a":x}',
    '   ',
  ]
  for (const body of bodies) {
    const whole = scanFirstValue(Buffer.from(body))
    for (let cut = 0; cut <= body.length; cut += 1) {
      const scanner = new FirstValueScanner()
      let end = scanner.feed(Buffer.from(body.slice(0, cut)))
      if (end === NEEDS_MORE) end = scanner.feed(Buffer.from(body.slice(cut)))
      if (end === NEEDS_MORE) end = scanner.endsAtEof() ? body.length : NEEDS_MORE
      if (whole.error === undefined) assert.equal(end, whole.end, `${body} cut at ${cut}`)
      else if (end === FAILED_AT) assert.equal(scanner.error, whole.error, `${body} cut at ${cut}`)
      else assert.equal(end, NEEDS_MORE, `${body} cut at ${cut}: ${whole.error}`)
    }
  }
})
