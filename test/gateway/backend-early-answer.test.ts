// A backend that answers as soon as the request head arrives (a 413 here; 401, 403, 417 alike) and
// closes the connection with the body unread, so the kernel resets it while the gateway is still
// writing a large body. Go's transport reads the answer in a goroutine of its own while another
// writes the body: roundTrip gets the answer before the failed write (KrakenD CE 2.13.8 answered
// the backend's 413 in every framing below, over HTTP/1.1 and h2c; about one call in six there
// loses the race to the write error and is a 500). Node meets the reset on its next write, before
// it has read the answer: undici failed the call with `write ECONNRESET` / `EPIPE`, a 500.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net'
import { Readable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import { Agent, request } from 'undici'
import { mustConfig, type Running, send, sendH2, startGateway } from './helpers.ts'

const MB = 1024 * 1024
/** Large enough that the gateway is still writing when the reset comes. */
const BODY_BYTES = 8 * MB
const TOO_LARGE = '{"too":"large"}'
const ANSWER =
  'HTTP/1.1 413 Request Entity Too Large\r\nContent-Type: application/json\r\n' +
  `Content-Length: ${TOO_LARGE.length}\r\nConnection: close\r\n\r\n${TOO_LARGE}`

/** Answers 413 when a request head arrives, then closes with the body unread (the kernel resets). */
async function startEarlyAnswerBackend(): Promise<{ server: Server; origin: string; heads: () => number }> {
  let heads = 0
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    let head = ''
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1')
      if (!head.includes('\r\n\r\n')) return
      socket.off('data', onData)
      socket.pause()
      heads += 1
      socket.write(ANSWER, () => socket.destroy())
    }
    socket.on('data', onData)
  })
  server.on('close', () => {
    for (const s of sockets) s.destroy()
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return { server, origin: `http://127.0.0.1:${port}`, heads: () => heads }
}

/** A POST whose body goes chunked (undici sends a stream of unknown length so). */
async function sendChunked(url: string, total: number): Promise<{ status: number; text: string }> {
  const dispatcher = new Agent()
  async function* body() {
    const piece = Buffer.alloc(64 * 1024, 'x')
    for (let sent = 0; sent < total; sent += piece.length) yield piece
  }
  try {
    const res = await request(url, { method: 'POST', body: Readable.from(body()), dispatcher })
    return { status: res.statusCode, text: await res.body.text() }
  } finally {
    await dispatcher.close()
  }
}

type Framing = 'content-length' | 'chunked' | 'h2c'

async function post(gw: Running, path: string, framing: Framing): Promise<{ status: number; text: string }> {
  const body = 'x'.repeat(BODY_BYTES)
  if (framing === 'chunked') return sendChunked(`${gw.url}${path}`, BODY_BYTES)
  const { status, text } = await (framing === 'h2c' ? sendH2 : send)(gw.url, { method: 'POST', path, body })
  return { status, text }
}

describe('a backend answering before it read the request body, then resetting the connection', () => {
  let backend: Awaited<ReturnType<typeof startEarlyAnswerBackend>>
  let gw: Running

  before(async () => {
    backend = await startEarlyAnswerBackend()
    const host = [backend.origin]
    gw = await startGateway(
      mustConfig({
        version: 3,
        timeout: '10s',
        endpoints: [
          {
            endpoint: '/noop',
            method: 'POST',
            output_encoding: 'no-op',
            backend: [{ host, url_pattern: '/up', encoding: 'no-op' }],
          },
          {
            endpoint: '/code',
            method: 'POST',
            backend: [
              { host, url_pattern: '/up', extra_config: { 'backend/http': { return_error_code: true } } },
            ],
          },
          {
            endpoint: '/details',
            method: 'POST',
            backend: [
              { host, url_pattern: '/up', extra_config: { 'backend/http': { return_error_details: 'be' } } },
            ],
          },
        ],
      }),
    )
  })
  after(async () => {
    await gw.close()
    backend.server.close()
  })

  for (const framing of ['content-length', 'chunked', 'h2c'] as const) {
    test(`${framing}: a no-op endpoint passes the backend's 413 and its body on`, async () => {
      const before = backend.heads()
      const answer = await post(gw, '/noop', framing)
      assert.equal(backend.heads(), before + 1)
      assert.deepEqual(answer, { status: 413, text: TOO_LARGE })
    })

    test(`${framing}: return_error_code answers the backend's 413`, async () => {
      const answer = await post(gw, '/code', framing)
      assert.equal(answer.status, 413)
    })

    test(`${framing}: return_error_details names the backend's status and body`, async () => {
      const answer = await post(gw, '/details', framing)
      assert.equal(answer.status, 200)
      assert.deepEqual(JSON.parse(answer.text), {
        error_be: { http_status_code: 413, http_body: TOO_LARGE, http_body_encoding: 'application/json' },
      })
    })
  }
})
