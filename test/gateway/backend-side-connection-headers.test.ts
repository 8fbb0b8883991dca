// The client's connection headers reach the backend as lura's Go client writes them: lura copies
// them into the backend request like any header (input_headers `["*"]` or listed by name) and Go's
// Request.write sends every line of the header map but Host, Transfer-Encoding and Trailer.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, sendRaw, startGateway } from './helpers.ts'
import { type RawBackend, startRawBackend } from './raw-backend.ts'

let backend: RawBackend
let gw: Running
let closing: Running

before(async () => {
  backend = await startRawBackend()
  const host = [backend.origin]
  const endpoints = [
    { endpoint: '/all', input_headers: ['*'], backend: [{ host, url_pattern: '/all' }] },
    { endpoint: '/post', method: 'POST', input_headers: ['*'], backend: [{ host, url_pattern: '/post' }] },
    {
      endpoint: '/listed',
      input_headers: [
        'Connection',
        'Keep-Alive',
        'Upgrade',
        'TE',
        'Trailer',
        'Proxy-Connection',
        'HTTP2-Settings',
      ],
      backend: [{ host, url_pattern: '/listed' }],
    },
  ]
  gw = await startGateway(mustConfig({ version: 3, endpoints }))
  closing = await startGateway(mustConfig({ version: 3, disable_keep_alives: true, endpoints }))
})
after(async () => {
  await gw?.close()
  await closing?.close()
  await backend?.close()
})

/** The backend's header lines after Host, for a client request with these lines (the last closes). */
const linesOf = async (gateway: Running, path: string, headers: string[]) => {
  const res = await sendRaw(
    gateway.url,
    `${[`GET ${path} HTTP/1.1`, 'Host: gw', ...headers].join('\r\n')}\r\n\r\n`,
  )
  assert.equal(res.status, 200, path)
  return backend
    .head()
    .split('\r\n')
    .slice(2)
    .filter((line) => !/^(User-Agent|X-Forwarded-(For|Host)):/.test(line))
}

const CLIENT = [
  'Connection: x-a',
  'Keep-Alive: 1',
  'Keep-Alive: 2',
  'Upgrade: a',
  'Upgrade: b',
  'TE: trailers',
  'Trailer: X-T',
  'Proxy-Connection: keep-alive',
  'HTTP2-Settings: AAMAAABkAAQAAP__',
  'Connection: close',
]

test('Connection, Keep-Alive, Upgrade, TE, Proxy-Connection and HTTP2-Settings go to the backend as sent (Trailer does not)', async () => {
  for (const path of ['/all', '/listed'])
    assert.deepEqual(
      await linesOf(gw, path, CLIENT),
      [
        'Connection: x-a',
        'Connection: close',
        'Http2-Settings: AAMAAABkAAQAAP__',
        'Keep-Alive: 1',
        'Keep-Alive: 2',
        'Proxy-Connection: keep-alive',
        'Te: trailers',
        'Upgrade: a',
        'Upgrade: b',
        'Accept-Encoding: gzip',
      ],
      path,
    )
})

test('an empty Connection line is forwarded as it is', async () => {
  assert.deepEqual(await linesOf(gw, '/all', ['Connection:', 'Connection: close']), [
    'Connection: ',
    'Connection: close',
    'Accept-Encoding: gzip',
  ])
})

test('Expect: 100-continue goes to the backend with the body (expect_continue_timeout unset: no wait)', async () => {
  const request =
    'POST /post HTTP/1.1\r\nHost: gw\r\nExpect: 100-continue\r\nContent-Length: 4\r\nConnection: close\r\n\r\nabcd'
  const res = await sendRaw(gw.url, request)
  assert.equal(res.status, 100)
  assert.equal(
    backend.requests
      .at(-1)
      ?.replace(/\r\nX-Forwarded-For: [^\r]*|\r\nHost: [^\r]*|\r\nUser-Agent: [^\r]*/g, ''),
    'POST /post HTTP/1.1\r\nContent-Length: 4\r\nConnection: close\r\nExpect: 100-continue\r\nX-Forwarded-Host: gw\r\nAccept-Encoding: gzip\r\n\r\nabcd',
  )
})

test("disable_keep_alives: Go's transport adds its Connection: close unless the forwarded first Connection line closes or a protocol switch is asked", async () => {
  assert.deepEqual(await linesOf(closing, '/all', ['Connection: close, x-a']), [
    'Connection: close, x-a',
    'Accept-Encoding: gzip',
  ])
  assert.deepEqual(await linesOf(closing, '/all', ['Connection: x-a', 'Connection: close']), [
    'Connection: x-a',
    'Connection: close',
    'Accept-Encoding: gzip',
    'Connection: close',
  ])
  assert.deepEqual(
    await linesOf(closing, '/listed', ['Upgrade: ws', 'Connection: upgrade', 'Connection: close']),
    ['Connection: upgrade', 'Connection: close', 'Upgrade: ws', 'Accept-Encoding: gzip'],
  )
})
