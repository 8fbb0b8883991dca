// lura's merge copies the request for each backend only when one of them is neither GET nor HEAD
// (proxy/merging.go hasUnsafeBackends); otherwise every backend gets the one client request, and
// its body: Go's client closes it once a call has sent it, and in a parallel merge every later call
// fails reading it ("http: invalid Read on closed Body"), before the backend sees anything. A
// sequential merge copies the request before each call (sequentialRequestPart's CloneRequest reads
// the body whole and closes it): the first call sends that copy, the later ones read the closed
// body as empty and go without one (with the client's Content-Length forwarded, Go's client refuses
// that: "http: ContentLength=N with Body length 0"). A request with no body (http.NoBody: no
// Transfer-Encoding, no Content-Length above 0) reaches them all. Over h2c Go's server body reads as
// ended once read to its end: the later calls go without a body.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { type ClientResponse, mustConfig, type Running, send, startGateway } from './helpers.ts'
import { type RawBackend, startRawBackend } from './raw-backend.ts'

let backend: RawBackend
let gw: Running

before(async () => {
  backend = await startRawBackend({ '/': '{"ok":true}' })
  const host = [backend.origin]
  const gets = (method = 'GET') => [
    { host, url_pattern: '/b0', method, group: 'g0' },
    { host, url_pattern: '/b1', method: 'GET', group: 'g1' },
  ]
  gw = await startGateway(
    mustConfig({
      version: 3,
      use_h2c: true,
      endpoints: [
        { endpoint: '/parallel', method: 'POST', backend: gets() },
        {
          endpoint: '/sequential',
          method: 'POST',
          extra_config: { proxy: { sequential: true } },
          backend: gets(),
        },
        {
          endpoint: '/sequential-length',
          method: 'POST',
          input_headers: ['Content-Length'],
          extra_config: { proxy: { sequential: true } },
          backend: gets(),
        },
        { endpoint: '/copied', method: 'POST', backend: gets('POST') },
      ],
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

/** A recorded request's body, its chunked framing taken off. */
function bodyOf(request: string): string {
  let rest = request.slice(request.indexOf('\r\n\r\n') + 4)
  let out = ''
  for (let size = Number.parseInt(rest, 16); size > 0; size = Number.parseInt(rest, 16)) {
    const start = rest.indexOf('\r\n') + 2
    out += rest.slice(start, start + size)
    rest = rest.slice(start + size + 2)
  }
  return out
}
const lines = (from: number) => backend.requests.slice(from).map((r) => r.split('\r\n')[0])

/** A complete answer of /sequential: the first call got the body, the second none, nor its framing. */
function assertBodyFirstOnly(res: ClientResponse, from: number) {
  assert.equal(res.status, 200)
  assert.equal(res.headers['x-krakend-completed'], 'true')
  assert.deepEqual(lines(from), ['GET /b0 HTTP/1.1', 'GET /b1 HTTP/1.1'])
  assert.equal(bodyOf(backend.requests[from] as string), 'xyz')
  assert.equal((backend.requests[from + 1] as string).split('\r\n\r\n')[1], '')
  assert.doesNotMatch(backend.head(from + 1), /transfer-encoding|content-length/i)
}

test('a parallel merge of GET backends sends the body once, the other calls fail; without a body all are called', async () => {
  const from = backend.requests.length
  const res = await send(gw.url, { method: 'POST', path: '/parallel', body: 'xyz' })
  assert.equal(res.status, 200)
  assert.equal(res.headers['x-krakend-completed'], 'false')
  assert.equal(Object.keys(JSON.parse(res.text)).length, 1, res.text)
  assert.equal(backend.requests.length - from, 1)
  assert.equal(bodyOf(backend.requests.at(-1) as string), 'xyz')
  // with no body (http.NoBody) every backend is called
  const again = backend.requests.length
  const empty = await send(gw.url, { method: 'POST', path: '/parallel', headers: { 'content-length': '0' } })
  assert.equal(empty.status, 200)
  assert.equal(empty.headers['x-krakend-completed'], 'true')
  assert.deepEqual(lines(again).sort(), ['GET /b0 HTTP/1.1', 'GET /b1 HTTP/1.1'])
})

test('a sequential merge sends it to the first backend, the later calls go without it; a POST backend gets its own copy', async () => {
  let from = backend.requests.length
  let res = await send(gw.url, { method: 'POST', path: '/sequential', body: 'xyz' })
  assertBodyFirstOnly(res, from)
  // the client's Content-Length forwarded: Go's client refuses to send it with no body
  from = backend.requests.length
  res = await send(gw.url, { method: 'POST', path: '/sequential-length', body: 'xyz' })
  assert.equal(res.status, 200)
  assert.equal(res.headers['x-krakend-completed'], 'false')
  assert.deepEqual(lines(from), ['GET /b0 HTTP/1.1'])
  assert.match(backend.head(from), /\r\nContent-Length: 3/)
  // a backend that is not GET makes lura copy the request: every backend gets the body
  const again = backend.requests.length
  const copied = await send(gw.url, { method: 'POST', path: '/copied', body: 'xyz' })
  assert.equal(copied.status, 200)
  assert.equal(copied.headers['x-krakend-completed'], 'true')
  assert.equal(backend.requests.length - again, 2)
  for (const r of backend.requests.slice(again)) assert.equal(bodyOf(r), 'xyz', r)
})

test('over h2c the calls after the first go without the body, and succeed', async () => {
  let from = backend.requests.length
  let res = await send(gw.url, { http2: true, method: 'POST', path: '/sequential', body: 'xyz' })
  assertBodyFirstOnly(res, from)
  from = backend.requests.length
  res = await send(gw.url, { http2: true, method: 'POST', path: '/parallel', body: 'xyz' })
  assert.equal(res.status, 200)
  assert.equal(res.headers['x-krakend-completed'], 'true')
  assert.equal(backend.requests.length - from, 2)
  assert.deepEqual(backend.requests.slice(from).map(bodyOf).sort(), ['', 'xyz'])
  // with the client's Content-Length forwarded Go's client refuses the empty body: no second call
  from = backend.requests.length
  res = await send(gw.url, {
    http2: true,
    method: 'POST',
    path: '/sequential-length',
    headers: { 'content-length': '3' },
    body: 'xyz',
  })
  assert.equal(res.status, 200)
  assert.equal(res.headers['x-krakend-completed'], 'false')
  assert.deepEqual(lines(from), ['GET /b0 HTTP/1.1'])
})
