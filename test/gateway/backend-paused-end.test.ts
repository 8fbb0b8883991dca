// A backend that sends a whole kept-alive answer and closes the connection at once, while the
// gateway's reading of the body is paused for back pressure (a no-op answer streamed to an h2c
// client at its flow control's pace): KrakenD streams the body whole; undici failed it ("other
// side closed") with its end still unparsed, and the client got 130-190 KB of 200 KB (one whose
// answer had no length took it as whole). backend-paused-end.ts drives the paused parser through
// what the socket holds first. The node runs as its own process, logging at DEBUG as KrakenD does
// unconfigured: in-process, or at INFO, the race did not show here.
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import http2 from 'node:http2'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { tempDir } from '../helpers/files.ts'
import { freePort } from './helpers.ts'
import { type AnsweringBackend, NOT_FOUND, startAnsweringBackend } from './raw-answer-backend.ts'

const main = new URL('../../src/gateway/main.ts', import.meta.url).pathname
const SIZE = 200_000
const BODY = 'b'.repeat(SIZE)

let backend: AnsweringBackend
let node: ChildProcess
let origin: string

before(async () => {
  // each answer, then the connection ends (no Connection: close announced)
  backend = await startAnsweringBackend((path) => {
    if (path === '/length')
      return `HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${SIZE}\r\n\r\n${BODY}`
    if (path === '/chunked')
      return `HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n${SIZE.toString(16)}\r\n${BODY}\r\n0\r\n\r\n`
    return NOT_FOUND
  })
  const port = await freePort()
  const file = join(tempDir('gw-paused-end-'), 'gw.json')
  const config = {
    version: 3,
    port,
    listen_ip: '127.0.0.1',
    timeout: '5s',
    endpoints: ['/length', '/chunked'].map((path) => ({
      endpoint: path,
      output_encoding: 'no-op',
      backend: [{ host: [backend.origin], url_pattern: path, encoding: 'no-op' }],
    })),
  }
  writeFileSync(file, JSON.stringify(config))
  node = spawn(process.execPath, [main, '-c', file, '--workers', '1', '--log-level', 'debug'], {
    stdio: 'ignore',
  })
  origin = `http://127.0.0.1:${port}`
  for (let i = 0; i < 100; i += 1) {
    const up = await fetch(`${origin}/__health`).then(
      (res) => res.ok,
      () => false,
    )
    if (up) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  assert.fail('the node never became healthy')
})

after(() => {
  node?.kill('SIGKILL')
  backend?.close()
})

/** An h2c GET read to its end: the status, the bytes, and how the stream ended. */
async function h2Get(path: string): Promise<{ status: number; bytes: number; ended: string }> {
  const session = http2.connect(origin)
  try {
    return await new Promise((resolve) => {
      const stream = session.request({ ':path': path })
      let status = 0
      let bytes = 0
      stream.on('response', (headers) => {
        status = Number(headers[':status'])
      })
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length
      })
      stream.on('end', () => resolve({ status, bytes, ended: 'end' }))
      stream.on('error', (error: NodeJS.ErrnoException) =>
        resolve({ status, bytes, ended: error.code ?? 'error' }),
      )
    })
  } finally {
    session.close()
  }
}

for (const path of ['/length', '/chunked'])
  test(`h2c: a ${SIZE}-byte answer the backend closes after (${path.slice(1)}) reaches the client whole`, async () => {
    for (let i = 0; i < 3; i += 1)
      assert.deepEqual(await h2Get(path), { status: 200, bytes: SIZE, ended: 'end' })
  })
