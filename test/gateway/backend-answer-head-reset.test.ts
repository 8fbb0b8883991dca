// A backend that resets its connection (RST) before or inside its answer's head: Go's net.OpError
// text, naming the connection's local and remote addresses (`read tcp L->R: read: connection reset
// by peer`); once bytes of the head came, Go's bufio loses the reset and the head reads as ended
// there (`unexpected EOF`, wrapped as a broken transport). It was `EOF` here. Checked against KrakenD
// CE 2.13.8 (krakend-diff, sweep-core F7's /rst: the same but for the local port; both resets in a head).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'
import { type AnsweringBackend, startAnsweringBackend } from './raw-answer-backend.ts'

let backend: AnsweringBackend
let gw: Running
let port = 0

before(async () => {
  backend = await startAnsweringBackend((path, socket) => {
    if (path === '/rst') socket.resetAndDestroy()
    else {
      socket.write(path === '/rst-line' ? 'HTTP/1.1 200 OK\r\n' : 'HTTP/1.1 200 OK\r\nContent-Type: app')
      setTimeout(() => socket.resetAndDestroy(), 50)
    }
    return undefined
  })
  port = Number(new URL(backend.origin).port)
  const host = [`http://127.0.0.1:${port}`]
  gw = await startGateway(
    mustConfig({
      version: 3,
      timeout: '2s',
      extra_config: { router: { return_error_msg: true } },
      endpoints: ['rst', 'rst-line', 'rst-head'].flatMap((path) => [
        { endpoint: `/j/${path}`, backend: [{ host, url_pattern: `/${path}` }] },
        {
          endpoint: `/n/${path}`,
          output_encoding: 'no-op',
          backend: [{ host, url_pattern: `/${path}`, encoding: 'no-op' }],
        },
      ]),
    }),
  )
})

after(async () => {
  await gw.close()
  backend.close()
})

const reset = () =>
  new RegExp(
    `^Get "http://127\\.0\\.0\\.1:${port}/rst": read tcp 127\\.0\\.0\\.1:\\d+->127\\.0\\.0\\.1:${port}: read: connection reset by peer$`,
  )

test('a reset before the answer: read tcp L->R: read: connection reset by peer', async () => {
  for (const kind of ['j', 'n']) {
    const res = await send(gw.url, { path: `/${kind}/rst` })
    assert.equal(res.status, 500)
    assert.match(res.text, reset())
  }
})

test("a reset after bytes of the head, inside a line or after one: Go's unexpected EOF", async () => {
  for (const [kind, path] of [
    ['j', 'rst-head'],
    ['n', 'rst-head'],
    ['j', 'rst-line'],
    ['n', 'rst-line'],
  ]) {
    const res = await send(gw.url, { path: `/${kind}/${path}` })
    assert.equal(res.status, 500)
    assert.equal(
      res.text,
      `Get "http://127.0.0.1:${port}/${path}": net/http: HTTP/1.x transport connection broken: unexpected EOF`,
    )
  }
})
