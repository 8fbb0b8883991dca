// return_error_details / return_error_code on a failed status whose body cannot be read to its
// end: lura's status handler reads it with io.ReadAll and, when the read fails (the endpoint's
// deadline on a body kept open, a connection cut short), reports the status with an empty body
// (checked against lura's own gateway): the details without http_body, or the backend's code.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { type AddressInfo, createServer, type Socket } from 'node:net'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`

const SCRIPTS: Record<string, (socket: Socket) => void> = {
  // The body stays open: the read ends at the endpoint's deadline.
  '/open-500': (s) =>
    s.write(
      `HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${chunk('{"a":1}')}`,
    ),
  '/open-404': (s) =>
    s.write(
      `HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n${chunk('nope')}`,
    ),
  // The connection closes 97 bytes short of the Content-Length.
  '/cut-502': (s) =>
    s.end('HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nabc'),
}

let backend: ReturnType<typeof createServer>
let gw: Running

before(async () => {
  backend = createServer((socket) => {
    socket.on('error', () => {})
    socket.once('data', (head: Buffer) => SCRIPTS[head.toString('latin1').split(' ')[1] ?? '']?.(socket))
  })
  backend.listen(0, '127.0.0.1')
  await once(backend, 'listening')
  const host = [`http://127.0.0.1:${(backend.address() as AddressInfo).port}`]
  const endpoints = Object.keys(SCRIPTS).flatMap((path) => [
    {
      endpoint: `/details${path}`,
      backend: [
        { host, url_pattern: path, extra_config: { 'backend/http': { return_error_details: 'bk' } } },
      ],
    },
    {
      endpoint: `/code${path}`,
      backend: [{ host, url_pattern: path, extra_config: { 'backend/http': { return_error_code: true } } }],
    },
  ])
  gw = await startGateway(mustConfig({ version: 3, timeout: '300ms', endpoints }))
})

after(async () => {
  await gw.close()
  backend.close()
})

const cases: Array<[string, number, string]> = [
  ['/details/open-500', 200, '{"error_bk":{"http_status_code":500,"http_body_encoding":"application/json"}}'],
  ['/details/open-404', 200, '{"error_bk":{"http_status_code":404,"http_body_encoding":"text/plain"}}'],
  ['/details/cut-502', 200, '{"error_bk":{"http_status_code":502,"http_body_encoding":"text/plain"}}'],
  ['/code/open-500', 500, ''],
  ['/code/open-404', 404, ''],
  ['/code/cut-502', 502, ''],
]

for (const [path, status, body] of cases)
  test(`a failed status whose body cannot be read reports it with an empty body: ${path}`, async () => {
    const res = await send(gw.url, { path })
    assert.equal(res.status, status)
    assert.equal(res.text, body)
    assert.equal(res.headers['x-krakend-completed'], 'false')
  })
