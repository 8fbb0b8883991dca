// A no-op endpoint's gzip answer that Go's transport decompresses (the client sent no
// Accept-Encoding): lura copies Go's gzip.Reader (multistream) into the answer with io.Copy and
// ignores the copy's error, so KrakenD CE 2.13.8 sends every byte inflated before the first error
// (bytes after a member that are no gzip header, a bad checksum or size, a cut member, corrupt
// deflate data), then ends the answer cleanly (with a length when it fits in Go's 2 KB buffer,
// else chunked with its last chunk) and keeps the connection. zlib's streaming gunzip lost the
// output of the write that failed: such answers came out empty, or cut with the connection closed.
// Each case checked against KrakenD over HTTP/1.1 and h2c, the backend framing with a length, chunked
// and in 7-byte writes with pauses, and a backend closing short of its length.
import assert from 'node:assert/strict'
import type { Socket } from 'node:net'
import { after, before, test } from 'node:test'
import { constants, gzipSync, inflateRawSync } from 'node:zlib'
import { mustConfig, type Running, sendH2, startGateway } from './helpers.ts'
import { type AnsweringBackend, NOT_FOUND, startAnsweringBackend } from './raw-answer-backend.ts'
import { exchange } from './raw-exchange.ts'

const TEXT = 'hello '.repeat(3)
const first = gzipSync(TEXT)
const second = gzipSync('world')
const bytes = (...parts: Array<Buffer | string | number[]>) =>
  Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p as string, 'latin1'))))
const flipped = (member: Buffer, fromEnd: number) => {
  const copy = Buffer.from(member)
  copy[copy.length - fromEnd] = (copy[copy.length - fromEnd] as number) ^ 1
  return copy
}
/** A member whose deflate data is a stored block of `text` and then a block of the reserved type 3. */
const corrupt = (text: string) => {
  const stored = gzipSync(text, { level: 0 })
  const data = Buffer.from(stored.subarray(10, stored.length - 8))
  data[0] = (data[0] as number) & ~1 // not the final block
  return bytes(stored.subarray(0, 10), data, [0x07, 0, 0, 0, 0, 0, 0, 0, 0])
}
const BIG = Buffer.alloc(1 << 20, 0)
for (let i = 0; i < BIG.length; i += 1) BIG[i] = (i * 7 + (i >> 9)) & 0x7f
const BIG_GZ = gzipSync(BIG, { level: 1 })
const LONG = 'x'.repeat(3000)
const CUT = first.subarray(0, 14)
/** What zlib inflates of CUT's deflate data (Go's flate hands up the same). */
const CUT_TEXT = inflateRawSync(CUT.subarray(10), { finishFlush: constants.Z_SYNC_FLUSH }).toString('latin1')

const BODIES: Record<string, Buffer> = {
  one: first,
  two: bytes(first, second),
  garbage: bytes(first, 'xyz'),
  'long-garbage': bytes(first, 'trailing-garbage!'),
  magic: bytes(first, [0x1f, 0x8b]),
  method9: bytes(first, [0x1f, 0x8b, 9, 0, 0, 0, 0, 0, 0, 3, 1, 2]),
  zeros: bytes(first, Buffer.alloc(20)),
  'bad-crc': bytes(flipped(first, 8), second),
  'bad-size': flipped(first, 4),
  'second-bad-crc': bytes(first, flipped(first, 8)),
  'cut-deflate': CUT,
  'cut-trailer': first.subarray(0, first.length - 3),
  corrupt: corrupt('abcdefgh'.repeat(500)),
  'long-garbage-2k': bytes(gzipSync(LONG), 'garbage!'),
  'big-garbage': bytes(BIG_GZ, 'garbage!'),
}

/** Writes `body` in 7-byte pieces, 10 ms apart for its first 200 bytes. */
async function slowly(socket: Socket, head: string, body: Buffer) {
  socket.write(head)
  for (let at = 0; at < body.length; ) {
    const size = at < 200 ? 7 : 8192
    if (socket.destroyed) return
    socket.write(body.subarray(at, at + size))
    at += size
    await new Promise((resolve) => setTimeout(resolve, at < 200 ? 10 : 0))
  }
  socket.end()
}

let backend: AnsweringBackend
let gw: Running

before(async () => {
  backend = await startAnsweringBackend((path, socket) => {
    const [, framing, name] = path.split('/')
    const body = BODIES[name ?? '']
    if (!body) return NOT_FOUND
    const head = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\n'
    if (framing === 'length') return bytes(`${head}Content-Length: ${body.length}\r\n\r\n`, body)
    // the backend's connection closes 10 bytes short of its length: Go's transport hands up the
    // bytes that came, then its error
    if (framing === 'short') return bytes(`${head}Content-Length: ${body.length + 10}\r\n\r\n`, body)
    if (framing === 'chunked')
      return bytes(
        `${head}Transfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n`,
        body,
        '\r\n0\r\n\r\n',
      )
    void slowly(socket, `${head}Content-Length: ${body.length}\r\n\r\n`, body)
    return undefined
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      timeout: '5s',
      endpoints: [
        {
          endpoint: '/{framing}/{name}',
          output_encoding: 'no-op',
          backend: [{ host: [backend.origin], url_pattern: '/{framing}/{name}', encoding: 'no-op' }],
        },
      ],
    }),
  )
})

after(async () => {
  await gw.close()
  backend.close()
})

/**
 * The first answer to `path` followed on the same connection by a second request: its head, its
 * body (a length's worth, or its chunks up to the last one) and what came after it.
 */
async function answerThenNext(path: string): Promise<{ head: string; body: string; next: string }> {
  const wire = await exchange(
    gw.url,
    `GET ${path} HTTP/1.1\r\nHost: gw\r\n\r\nGET /length/one HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n`,
  )
  const end = wire.indexOf('\r\n\r\n')
  assert.ok(end > 0, `no head: ${wire.slice(0, 200)}`)
  const head = wire.slice(0, end)
  let rest = wire.slice(end + 4)
  const length = /\r\nContent-Length: (\d+)/i.exec(head)
  if (length) {
    const size = Number(length[1])
    return { head, body: rest.slice(0, size), next: rest.slice(size) }
  }
  assert.match(head, /\r\nTransfer-Encoding: chunked/i)
  let body = ''
  for (let guard = 0; guard < 10_000; guard += 1) {
    const line = rest.indexOf('\r\n')
    assert.ok(line > 0, `a chunk line is missing after ${body.length} bytes (the answer was cut)`)
    const size = Number.parseInt(rest.slice(0, line), 16)
    if (size === 0) {
      assert.equal(rest.slice(line, line + 4), '\r\n\r\n', 'the last chunk')
      return { head, body, next: rest.slice(line + 4) }
    }
    body += rest.slice(line + 2, line + 2 + size)
    rest = rest.slice(line + 2 + size + 2)
  }
  throw new Error('too many chunks')
}

const expect = async (path: string, text: string) => {
  const { head, body, next } = await answerThenNext(path)
  assert.match(head, /^HTTP\/1\.1 200 OK\r\n/)
  assert.doesNotMatch(head, /Content-Encoding/i)
  assert.equal(body.length, text.length, `${path}: ${body.length} bytes, not ${text.length}`)
  assert.ok(body === text, `${path}: not the inflated bytes`)
  // the answer ended cleanly: the connection answers the next request
  assert.match(next, /^HTTP\/1\.1 200 OK\r\n/, `${path}: no second answer on the connection`)
  assert.ok(next.endsWith(`\r\n\r\n${TEXT}`), next.slice(-60))
  return head
}

test('whole members: each one inflated, in order', async () => {
  for (const framing of ['length', 'chunked', 'slow']) {
    await expect(`/${framing}/one`, TEXT)
    await expect(`/${framing}/two`, `${TEXT}world`)
  }
})

test('bytes after a member that are no gzip header: the member, then a clean end', async () => {
  for (const framing of ['length', 'chunked', 'slow'])
    for (const name of ['garbage', 'long-garbage', 'magic', 'method9', 'zeros'])
      await expect(`/${framing}/${name}`, TEXT)
})

test('a bad checksum or size: the member’s bytes (Go checks the trailer after handing them up), then the end', async () => {
  for (const framing of ['length', 'chunked', 'slow']) {
    await expect(`/${framing}/bad-crc`, TEXT)
    await expect(`/${framing}/bad-size`, TEXT)
    await expect(`/${framing}/second-bad-crc`, TEXT + TEXT)
  }
})

test('a cut member: what inflated before the cut', async () => {
  for (const framing of ['length', 'chunked', 'slow']) {
    await expect(`/${framing}/cut-deflate`, CUT_TEXT)
    await expect(`/${framing}/cut-trailer`, TEXT)
  }
})

test('a backend that closes short of its length: what came inflated, then a clean end', async () => {
  await expect('/short/two', `${TEXT}world`)
  await expect('/short/cut-deflate', CUT_TEXT)
  await expect('/short/long-garbage-2k', LONG)
  await expect('/short/corrupt', 'abcdefgh'.repeat(500))
})

test('corrupt deflate data: every byte decoded before the bad block, even when it came in one write', async () => {
  for (const framing of ['length', 'chunked', 'slow'])
    await expect(`/${framing}/corrupt`, 'abcdefgh'.repeat(500))
})

test('past Go’s 2 KB buffer: chunked, ended with the last chunk after the member’s bytes', async () => {
  for (const framing of ['length', 'chunked', 'slow']) {
    const head = await expect(`/${framing}/long-garbage-2k`, LONG)
    assert.match(head, /\r\nTransfer-Encoding: chunked/)
    await expect(`/${framing}/big-garbage`, BIG.toString('latin1'))
  }
})

test('over h2c: the member’s bytes, then the stream ends', async () => {
  for (const [name, text] of [
    ['garbage', TEXT],
    ['bad-crc', TEXT],
    ['corrupt', 'abcdefgh'.repeat(500)],
    ['long-garbage-2k', LONG],
  ] as const) {
    const res = await sendH2(gw.url, { path: `/length/${name}` })
    assert.equal(res.status, 200)
    assert.equal(res.bytes.toString('latin1'), text, name)
  }
})
