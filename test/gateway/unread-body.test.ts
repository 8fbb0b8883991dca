// The client connection after an answer given without reading the request's body (a guard's 403,
// a route miss), as Go's server (KrakenD) handles it: it reads at most 256 KB more to keep the
// connection, and otherwise answers with `Connection: close` and closes, instead of reading and
// discarding the whole body; an `Expect: 100-continue` refused gets no 100 and `Connection: close`;
// HTTP/1.0 requests get an HTTP/1.0 status line.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { mustConfig, type Running, startBackend, startGateway, type TestBackend } from './helpers.ts'

const KB = 1024
const MB = 1024 * KB
/** Go's maxPostHandlerReadBytes. */
const LIMIT = 256 * KB

/** A raw client connection: what it received, whether the server closed it, how much it could send. */
async function client(port: number) {
  const socket: Socket = connect(port, '127.0.0.1')
  socket.on('error', () => {})
  let received = ''
  const waiters: Array<() => void> = []
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1')
    for (const wake of waiters.splice(0)) wake()
  })
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()))
  // The server half-closed (FIN) rather than resetting the connection at once.
  let halfClosed = false
  socket.on('end', () => {
    halfClosed = true
  })
  let isClosed = false
  void closed.then(() => {
    isClosed = true
    for (const wake of waiters.splice(0)) wake()
  })
  await once(socket, 'connect')
  return {
    socket,
    closed,
    get received() {
      return received
    },
    get isClosed() {
      return isClosed
    },
    get halfClosed() {
      return halfClosed
    },
    /** Waits until `count` answers (status lines) have arrived or the connection closed. */
    async answers(count: number): Promise<string[]> {
      for (;;) {
        const heads = received.split(/(?=HTTP\/1\.[01] \d{3} )/).filter((s) => s.startsWith('HTTP/'))
        if (heads.length >= count || isClosed) return heads
        await new Promise<void>((resolve) => waiters.push(resolve))
      }
    },
    /**
     * Sends `total` bytes of body (raw, or as 16 KB chunks) while the connection lasts; resolves
     * with how much was written once all was or once the connection closed.
     */
    async pump(total: number, chunked = false): Promise<number> {
      const piece = Buffer.alloc(16 * KB, 0x61)
      let sent = 0
      while (sent < total && !isClosed) {
        const n = Math.min(piece.length, total - sent)
        const bytes = chunked
          ? Buffer.concat([Buffer.from(`${n.toString(16)}\r\n`), piece.subarray(0, n), Buffer.from('\r\n')])
          : piece.subarray(0, n)
        sent += n
        if (!socket.write(bytes))
          await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closed])
      }
      if (chunked && !isClosed) socket.write('0\r\n\r\n')
      return sent
    },
  }
}

const headOf = (answer: string) => answer.slice(0, answer.indexOf('\r\n\r\n') + 2)

describe('an answer given without reading the body (HTTP/1.1, Go server rules)', () => {
  let backend: TestBackend
  let running: Running
  let port: number
  before(async () => {
    backend = await startBackend('b')
    running = await startGateway(
      mustConfig({
        version: 3,
        name: 'unread-body',
        endpoints: [
          {
            endpoint: '/guarded',
            method: 'POST',
            extra_config: { 'security/bot-detector': { deny: ['evil'] } },
            backend: [{ host: [backend.origin], url_pattern: '/echo' }],
          },
        ],
      }),
    )
    port = Number(new URL(running.url).port)
  })
  after(async () => {
    await running.close()
    await backend.close()
  })

  test('a large declared body is not read: the 403 says Connection: close (last) and the connection closes', {
    timeout: 20_000,
  }, async () => {
    const c = await client(port)
    const total = 64 * MB
    c.socket.write(
      `POST /guarded HTTP/1.1\r\nHost: x\r\nUser-Agent: evil\r\nContent-Length: ${total}\r\n\r\n`,
    )
    const sent = await c.pump(total)
    await c.closed
    const [answer] = await c.answers(1)
    assert.match(headOf(answer ?? ''), /^HTTP\/1\.1 403 Forbidden\r\n/)
    assert.match(headOf(answer ?? ''), /\r\nConnection: close\r\n$/)
    assert.ok(sent < total, `the gateway read all ${total} bytes of a body it never needed`)
    assert.equal(backend.seen.length, 0)
  })

  test('a chunked body is read up to 256 KB: past that, the route miss says Connection: close and the connection closes', {
    timeout: 20_000,
  }, async () => {
    const c = await client(port)
    const total = 64 * MB
    c.socket.write('POST /nowhere HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n')
    const sent = await c.pump(total, true)
    await c.closed
    const [answer] = await c.answers(1)
    assert.match(headOf(answer ?? ''), /^HTTP\/1\.1 404 Not Found\r\n/)
    assert.match(headOf(answer ?? ''), /\r\nConnection: close\r\n$/)
    assert.ok(sent > LIMIT, 'the answer came before 256 KB of the body were read')
    assert.ok(sent < total, `the gateway read all ${total} bytes of a body it never needed`)
  })

  test('a declared body under 256 KB is read and the connection kept; from 256 KB on it closes', {
    timeout: 20_000,
  }, async () => {
    for (const [length, kept] of [
      [LIMIT - 1, true],
      [LIMIT, false],
    ] as const) {
      const c = await client(port)
      c.socket.write(
        `POST /guarded HTTP/1.1\r\nHost: x\r\nUser-Agent: evil\r\nContent-Length: ${length}\r\n\r\n`,
      )
      await c.pump(length)
      const [first] = await c.answers(1)
      assert.match(first ?? '', /^HTTP\/1\.1 403 /, `${length} bytes`)
      assert.equal(/\r\nConnection: close\r\n/i.test(headOf(first ?? '')), !kept, `${length} bytes`)
      if (kept) {
        c.socket.write('GET /__health HTTP/1.1\r\nHost: x\r\n\r\n')
        const answers = await c.answers(2)
        assert.match(answers[1] ?? '', /^HTTP\/1\.1 200 /, 'the kept connection serves the next request')
        c.socket.destroy()
      } else await c.closed
    }
  })

  test('a connection closing anyway (the client said Connection: close) is half-closed after the answer, not reset under it', {
    timeout: 20_000,
  }, async () => {
    const c = await client(port)
    const total = 64 * MB
    c.socket.write(
      'POST /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n',
    )
    const sent = await c.pump(total, true)
    await c.closed
    assert.match(c.received, /^HTTP\/1\.1 404 Not Found\r\n/)
    assert.ok(
      c.halfClosed,
      'the connection was reset without a FIN: a client still sending may lose the answer',
    )
    assert.ok(sent < total, `the gateway read all ${total} bytes of a body it never needed`)
  })

  test('OPTIONS * reads at most 4 KB of a body (as Go globalOptionsHandler): 4096 bytes kept, 4097 closed', {
    timeout: 20_000,
  }, async () => {
    for (const [length, kept] of [
      [4096, true],
      [4097, false],
    ] as const) {
      const c = await client(port)
      c.socket.write(`OPTIONS * HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n\r\n`)
      await c.pump(length)
      const [first] = await c.answers(1)
      assert.match(first ?? '', /^HTTP\/1\.1 200 OK\r\n/, `${length} bytes`)
      assert.equal(/\r\nConnection: close\r\n/i.test(headOf(first ?? '')), !kept, `${length} bytes`)
      if (kept) {
        c.socket.write('GET /__health HTTP/1.1\r\nHost: x\r\n\r\n')
        const answers = await c.answers(2)
        assert.match(answers[1] ?? '', /^HTTP\/1\.1 200 /, 'the kept connection serves the next request')
        c.socket.destroy()
      } else await c.closed
    }
  })

  test('Expect: 100-continue refused: no 100, the 403 says Connection: close, the connection closes; accepted: kept', {
    timeout: 20_000,
  }, async () => {
    const c = await client(port)
    c.socket.write(
      'POST /guarded HTTP/1.1\r\nHost: x\r\nUser-Agent: evil\r\nExpect: 100-continue\r\nContent-Length: 1000\r\n\r\n',
    )
    await c.closed
    assert.match(c.received, /^HTTP\/1\.1 403 Forbidden\r\n/)
    assert.match(headOf(c.received), /\r\nConnection: close\r\n$/)
    assert.doesNotMatch(c.received, /100 Continue/)
    // Accepted: the body is wanted, so 100 first, then the answer, and the connection is kept.
    const d = await client(port)
    d.socket.write(
      'POST /guarded HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n',
    )
    await d.answers(1)
    assert.match(d.received, /^HTTP\/1\.1 100 Continue\r\n\r\n$/)
    d.socket.write('hello')
    const answers = await d.answers(2)
    assert.match(answers[1] ?? '', /^HTTP\/1\.1 200 OK\r\n/)
    assert.doesNotMatch(headOf(answers[1] ?? ''), /\r\nConnection:/i)
    d.socket.destroy()
  })
})

describe('HTTP/1.0 requests (Go server rules)', () => {
  let backend: TestBackend
  let running: Running
  let port: number
  before(async () => {
    backend = await startBackend('b')
    running = await startGateway(
      mustConfig({
        version: 3,
        name: 'http10',
        endpoints: [
          { endpoint: '/get', backend: [{ host: [backend.origin], url_pattern: '/echo' }] },
          { endpoint: '/post', method: 'POST', backend: [{ host: [backend.origin], url_pattern: '/echo' }] },
        ],
      }),
    )
    port = Number(new URL(running.url).port)
  })
  after(async () => {
    await running.close()
    await backend.close()
  })

  test('the status line is HTTP/1.0, with no Connection header when the connection closes', {
    timeout: 20_000,
  }, async () => {
    const c = await client(port)
    c.socket.write('GET /get HTTP/1.0\r\nHost: x\r\n\r\n')
    await c.closed
    assert.match(c.received, /^HTTP\/1\.0 200 OK\r\n/)
    assert.doesNotMatch(headOf(c.received), /\r\nConnection:/i)
  })

  test('with Connection: keep-alive: HTTP/1.0, `Connection: keep-alive` last, no Keep-Alive, the connection kept', {
    timeout: 20_000,
  }, async () => {
    const c = await client(port)
    c.socket.write('GET /nowhere HTTP/1.0\r\nConnection: keep-alive\r\n\r\n')
    const [first] = await c.answers(1)
    assert.match(first ?? '', /^HTTP\/1\.0 404 Not Found\r\n/)
    assert.match(headOf(first ?? ''), /\r\nConnection: keep-alive\r\n$/)
    assert.doesNotMatch(headOf(first ?? ''), /\r\nKeep-Alive:/i)
    c.socket.write('GET /__health HTTP/1.1\r\nHost: x\r\n\r\n')
    const answers = await c.answers(2)
    assert.match(answers[1] ?? '', /^HTTP\/1\.1 200 /)
    c.socket.destroy()
  })

  test('a Transfer-Encoding other than chunked is ignored, as Go ignores it on HTTP/1.0: served, then closed', {
    timeout: 20_000,
  }, async () => {
    const before = backend.seen.length
    const c = await client(port)
    c.socket.write('POST /post HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n')
    await c.closed
    assert.match(c.received, /^HTTP\/1\.0 200 OK\r\n/)
    const seen = backend.seen.slice(before)
    assert.equal(seen.length, 1)
    assert.equal(seen[0]?.headers['transfer-encoding'], undefined)
    assert.equal(seen[0]?.body, '')
  })
})
