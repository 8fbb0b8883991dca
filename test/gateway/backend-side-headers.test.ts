// What a backend receives of the client's headers, compared line by line with the request lura's
// Go client writes for the same client request (expected heads produced by lura's router/gin and
// proxy packages with Go 1.26's net/http on the same inputs).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, rawRequest, sendRaw, startGateway } from './helpers.ts'
import { type RawBackend, startRawBackend } from './raw-backend.ts'

let backend: RawBackend
let gw: Running

before(async () => {
  backend = await startRawBackend()
  const host = [backend.origin]
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        { endpoint: '/all', input_headers: ['*'], backend: [{ host, url_pattern: '/all' }] },
        { endpoint: '/cookie', input_headers: ['Cookie'], backend: [{ host, url_pattern: '/cookie' }] },
        { endpoint: '/agent', input_headers: ['User-Agent'], backend: [{ host, url_pattern: '/agent' }] },
        {
          endpoint: '/encoding',
          input_headers: ['Accept-Encoding', 'Range', 'A-A', 'X-Z'],
          backend: [{ host, url_pattern: '/encoding' }],
        },
        {
          endpoint: '/backend-agent',
          input_headers: ['User-Agent'],
          backend: [{ host, url_pattern: '/backend-agent', input_headers: ['User-Agent'] }],
        },
      ],
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

test('two Cookie lines of the client reach the backend as two lines, as Go keeps them (not joined with "; ")', async () => {
  for (const path of ['/all', '/cookie']) {
    const res = await sendRaw(
      gw.url,
      rawRequest([`GET ${path} HTTP/1.1`, 'Host: gw', 'Cookie: a=1', 'Cookie: b=2']),
    )
    assert.equal(res.status, 200, path)
    assert.deepEqual(backend.lines('cookie'), ['Cookie: a=1', 'Cookie: b=2'], path)
  }
})

test('one Cookie line with several pairs stays one line', async () => {
  const res = await sendRaw(gw.url, rawRequest(['GET /cookie HTTP/1.1', 'Host: gw', 'Cookie: a=1; b=2']))
  assert.equal(res.status, 200)
  assert.deepEqual(backend.lines('cookie'), ['Cookie: a=1; b=2'])
})

test("a forwarded User-Agent goes out as Go's Request.write sends it: the first line only, none when empty", async () => {
  for (const path of ['/agent', '/backend-agent']) {
    let res = await sendRaw(
      gw.url,
      rawRequest([`GET ${path} HTTP/1.1`, 'Host: gw', 'User-Agent: a', 'User-Agent: b']),
    )
    assert.equal(res.status, 200, path)
    assert.deepEqual(backend.lines('user-agent'), ['User-Agent: a'], path)
    res = await sendRaw(gw.url, rawRequest([`GET ${path} HTTP/1.1`, 'Host: gw', 'User-Agent:']))
    assert.equal(res.status, 200, path)
    assert.deepEqual(backend.lines('user-agent'), [], path)
    // lura's headers still hold the (empty) User-Agent: KrakenD's goes to X-Forwarded-Via.
    if (path === '/agent') assert.match(backend.head(), /\r\nX-Forwarded-Via: KrakenD Version /)
  }
})

/** The header lines after the request line and Host, as the backend read them. */
const linesOf = async (path: string, headers: string[]) => {
  const res = await sendRaw(gw.url, rawRequest([`GET ${path} HTTP/1.1`, 'Host: gw', ...headers]))
  assert.equal(res.status, 200, path)
  return backend
    .head()
    .split('\r\n')
    .slice(2)
    .filter((line) => !/^(User-Agent|X-Forwarded-(For|Host)):/.test(line))
}

test("Go's transport asks for gzip when the first Accept-Encoding or Range is empty, after the request's own lines", async () => {
  assert.deepEqual(await linesOf('/encoding', ['Range: ']), ['Range: ', 'Accept-Encoding: gzip'])
  assert.deepEqual(await linesOf('/encoding', ['Accept-Encoding: ']), [
    'Accept-Encoding: ',
    'Accept-Encoding: gzip',
  ])
  assert.deepEqual(await linesOf('/encoding', ['Accept-Encoding: ', 'Accept-Encoding: br']), [
    'Accept-Encoding: ',
    'Accept-Encoding: br',
    'Accept-Encoding: gzip',
  ])
  assert.deepEqual(await linesOf('/encoding', ['Range: bytes=0-1']), ['Range: bytes=0-1'])
})

test("a client's own Accept-Encoding: gzip goes out in its sorted place, not last like the transport's", async () => {
  assert.deepEqual(await linesOf('/encoding', ['Accept-Encoding: gzip', 'X-Z: 1', 'A-A: 1']), [
    'A-A: 1',
    'Accept-Encoding: gzip',
    'X-Z: 1',
  ])
})
