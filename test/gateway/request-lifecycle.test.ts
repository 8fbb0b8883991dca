// The request path around the edges: a body over max_payload stops being read (h1: 413 with
// `Connection: close`, then the connection closes; h2: the stream is reset once the 413 is out), a client
// that goes away aborts the backend calls still running for it, and max_header_bytes defaults to
// Go's 1 MB (KrakenD's default) while an explicit value is honoured.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { connect as connectH2, constants as h2 } from 'node:http2'
import { type AddressInfo, connect as connectTcp, type Socket } from 'node:net'
import { after, describe, test } from 'node:test'
import { mustConfig, send, startGateway } from './helpers.ts'

const MB = 1024 * 1024
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const TOTAL = 20 * MB

/** A backend that never answers and reports each request it receives and each it sees abandoned. */
async function hangingBackend() {
  const sockets = new Set<Socket>()
  const received: IncomingMessage[] = []
  const closed: string[] = []
  const events = new EventTarget()
  const server: Server = createServer((req, res) => {
    received.push(req)
    events.dispatchEvent(new Event('received'))
    req.resume()
    res.on('close', () => {
      closed.push(req.url ?? '')
      events.dispatchEvent(new Event('closed'))
    })
  })
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const next = (name: 'received' | 'closed') =>
    new Promise<void>((resolve) => events.addEventListener(name, () => resolve(), { once: true }))
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    closed,
    next,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

const config = (origin: string, extra: Record<string, unknown> = {}, maxPayload = 64 * 1024) =>
  mustConfig({
    version: 3,
    name: 'lifecycle',
    ...extra,
    extra_config: { router: { max_payload: maxPayload } },
    endpoints: [
      {
        endpoint: '/upload',
        method: 'POST',
        input_headers: ['*'],
        backend: [{ host: [origin], url_pattern: '/up' }],
      },
      { endpoint: '/hang', timeout: '60s', backend: [{ host: [origin], url_pattern: '/hang' }] },
      {
        endpoint: '/hang2',
        timeout: '60s',
        backend: [
          { host: [origin], url_pattern: '/a', group: 'a' },
          { host: [origin], url_pattern: '/b', group: 'b' },
        ],
      },
    ],
  })

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')
const END_STREAM = 0x1
const END_HEADERS = 0x4

/** An HTTP/2 frame: 24-bit length, type, flags, stream id, payload. */
function h2Frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9)
  head.writeUIntBE(payload.length, 0, 3)
  head[3] = type
  head[4] = flags
  head.writeUInt32BE(stream, 5)
  return Buffer.concat([head, payload])
}

/** A header block of HPACK literals without indexing (new names, short strings, no Huffman). */
function hpackLiterals(fields: Record<string, string>): Buffer {
  const bytes: number[] = []
  for (const [name, value] of Object.entries(fields))
    bytes.push(0, name.length, ...Buffer.from(name), value.length, ...Buffer.from(value))
  return Buffer.from(bytes)
}

/** A hanging backend behind a gateway, both closed after the test. */
async function setup(maxPayload?: number) {
  const backend = await hangingBackend()
  const running = await startGateway(config(backend.origin, {}, maxPayload))
  after(async () => {
    await running.close()
    await backend.close()
  })
  return { backend, running }
}

describe('request lifecycle', () => {
  test('h1: an upload over max_payload gets 413 with Connection: close and the gateway stops reading it', async () => {
    const { backend, running } = await setup()
    const port = new URL(running.url).port
    const socket = connectTcp(Number(port), '127.0.0.1')
    socket.on('error', () => {})
    const socketClosed = new Promise((resolve) => socket.on('close', resolve))
    let answer = ''
    let sent = 0
    socket.on('data', (c: Buffer) => {
      answer += c.toString('latin1')
    })
    await once(socket, 'connect')
    socket.write(
      `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${TOTAL}\r\n\r\n`,
    )
    const chunk = Buffer.alloc(64 * 1024, 0x20)
    const pump = () => {
      while (sent < TOTAL && !socket.destroyed) {
        sent += chunk.length
        if (!socket.write(chunk)) return void socket.once('drain', pump)
      }
      // Everything was read: a gateway that drained the body gets here.
      if (!socket.destroyed) socket.end()
    }
    pump()
    await socketClosed
    assert.match(answer, /^HTTP\/1\.1 413 /)
    assert.match(answer, /\r\nconnection: close\r\n/i)
    assert.ok(sent < TOTAL, `the gateway read all ${sent} bytes of an upload it had refused`)
    assert.equal(backend.received.length, 0)
  })

  test('h2: an upload over max_payload gets 413 and its stream is reset before the client finishes', async () => {
    const { backend, running } = await setup()
    const session = connectH2(running.url)
    session.on('error', () => {})
    after(() => session.destroy())
    const stream = session.request({
      ':method': 'POST',
      ':path': '/upload',
      'content-type': 'application/json',
      'content-length': String(TOTAL),
    })
    stream.on('error', () => {})
    let status = 0
    stream.on('response', (headers) => {
      status = Number(headers[':status'])
    })
    stream.resume()
    let sent = 0
    const chunk = Buffer.alloc(64 * 1024, 0x20)
    const pump = () => {
      while (sent < TOTAL && !stream.destroyed && !stream.closed) {
        sent += chunk.length
        if (!stream.write(chunk)) return void stream.once('drain', pump)
      }
      if (!stream.destroyed && !stream.closed) stream.end()
    }
    pump()
    await once(stream, 'end')
    // A reset with NO_ERROR marks the stream closed, but node's client keeps a write that waits for
    // window space pending (no 'close' event): look for the reset, a bounded number of times.
    for (let i = 0; i < 500 && !stream.closed && sent < TOTAL; i += 1) await sleep(10)
    assert.equal(status, 413)
    assert.equal(stream.closed, true)
    assert.equal(stream.rstCode, h2.NGHTTP2_NO_ERROR)
    assert.ok(sent < TOTAL, `the gateway read all ${sent} bytes of an upload it had refused`)
    assert.equal(backend.received.length, 0)
  })

  test('h2: a whole body without Content-Length found over max_payload while reading gets its 413, then the reset', async () => {
    const { backend, running } = await setup(16)
    const session = connectH2(running.url)
    session.on('error', () => {})
    after(() => session.destroy())
    // No length announced, and the client's side is finished when the gateway finds the body too long.
    const stream = session.request({ ':method': 'POST', ':path': '/upload' })
    stream.on('error', () => {})
    let status = 0
    stream.on('response', (headers) => {
      status = Number(headers[':status'])
    })
    stream.resume()
    stream.end('this body is longer than sixteen bytes')
    // A stream reset while its answer is still queued drops the answer: the client waits forever.
    const closed = await Promise.race([once(stream, 'close').then(() => true), sleep(5000).then(() => false)])
    assert.ok(closed, 'the stream closes with an answer')
    assert.equal(status, 413)
    assert.equal(backend.received.length, 0)
  })

  test('h2: a stream reset halfway through its body is never sent on as a whole request', async () => {
    const { backend, running } = await setup()
    // Raw frames: node's client always ends a body (END_STREAM) before it resets a stream.
    const socket = connectTcp(running.server.port, '127.0.0.1')
    socket.on('error', () => {})
    after(() => socket.destroy())
    await once(socket, 'connect')
    socket.write(Buffer.concat([H2_PREFACE, h2Frame(4, 0, 0, Buffer.alloc(0))]))
    const request = (id: number, length?: string) =>
      h2Frame(
        1,
        END_HEADERS,
        id,
        hpackLiterals({
          ':method': 'POST',
          ':scheme': 'http',
          ':path': '/upload',
          ':authority': 'x',
          ...(length === undefined ? {} : { 'content-length': length }),
        }),
      )
    // Stream 1: part of a body, then RST_STREAM with NO_ERROR instead of END_STREAM.
    socket.write(Buffer.concat([request(1), h2Frame(0, 0, 1, Buffer.from('{"transfer": {"amount": 100'))]))
    for (let i = 0; i < 100 && running.gateway.inFlight === 0; i += 1) await sleep(10)
    assert.equal(running.gateway.inFlight, 1)
    socket.write(h2Frame(3, 0, 1, Buffer.alloc(4)))
    for (let i = 0; i < 100 && running.gateway.inFlight > 0; i += 1) await sleep(10)
    assert.equal(running.gateway.inFlight, 0, 'the request is over once its stream is reset')
    // Stream 3 on the same connection: a whole body is passed on.
    const received = backend.next('received')
    socket.write(
      Buffer.concat([
        request(3, '29'),
        h2Frame(0, END_STREAM, 3, Buffer.from('{"transfer": {"amount": 100}}')),
      ]),
    )
    await received
    // The body streams to the one backend: the cut one reached it as a call aborted, never whole.
    const whole = backend.received.filter((r) => r.complete || r.headers['content-length'] === '29')
    assert.equal(whole.length, 1, 'only the whole body reached the backend')
    assert.equal(whole[0]?.headers['content-length'], '29')
    const cut = backend.received.filter((r) => r !== whole[0])
    for (const r of cut) assert.equal(r.complete, false, 'the cut body was not passed on as a whole request')
  })

  test('h1: a client that goes away aborts its running backend call', { timeout: 20_000 }, async () => {
    const { backend, running } = await setup()
    const socket = connectTcp(Number(new URL(running.url).port), '127.0.0.1')
    socket.on('error', () => {})
    await once(socket, 'connect')
    const received = backend.next('received')
    socket.write('GET /hang HTTP/1.1\r\nHost: x\r\n\r\n')
    await received
    const closed = backend.next('closed')
    socket.destroy()
    await closed
    assert.deepEqual(backend.closed, ['/hang'])
  })

  test('h2: a reset stream aborts every backend call still running for it', { timeout: 20_000 }, async () => {
    const { backend, running } = await setup()
    const session = connectH2(running.url)
    session.on('error', () => {})
    after(() => session.destroy())
    const bothReceived = Promise.all([backend.next('received'), backend.next('received')])
    const stream = session.request({ ':path': '/hang2' })
    stream.on('error', () => {})
    await bothReceived
    const bothClosed = new Promise<void>((resolve) => {
      const check = () => (backend.closed.length >= 2 ? resolve() : void backend.next('closed').then(check))
      check()
    })
    stream.close(h2.NGHTTP2_CANCEL)
    await bothClosed
    assert.deepEqual([...backend.closed].sort(), ['/a', '/b'])
    // The session itself stays usable.
    assert.equal(session.destroyed, false)
  })

  test('max_header_bytes: Go 1 MB by default (100 KB of headers pass), an explicit value is honoured', async () => {
    const backend = await hangingBackend()
    after(() => backend.close())
    const byDefault = config(backend.origin)
    assert.equal(byDefault.server.maxHeaderBytes, MB)
    const running = await startGateway(byDefault)
    after(() => running.close())
    const big = { 'x-big': 'y'.repeat(100 * 1024) }
    // 404: the headers were accepted and the router answered.
    assert.equal((await send(running.url, { path: '/nowhere', headers: big })).status, 404)
    const strict = await startGateway(config(backend.origin, { max_header_bytes: 4096 }))
    after(() => strict.close())
    assert.equal((await send(strict.url, { path: '/nowhere', headers: big })).status, 431)
  })
})
