// The query string a backend receives, compared with what lura sends for the same client request:
// Go's url.ParseQuery and Values.Encode work on bytes, so a value or key that is not UTF-8 once
// unescaped is forwarded like any other (expected targets produced by lura's router/gin and
// proxy packages with Go 1.26's net/url on the same inputs).
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
        { endpoint: '/all', input_query_strings: ['*'], backend: [{ host, url_pattern: '/all' }] },
        { endpoint: '/listed', input_query_strings: ['a', 'é'], backend: [{ host, url_pattern: '/listed' }] },
      ],
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

const target = async (path: string) => {
  const res = await sendRaw(gw.url, rawRequest([`GET ${path} HTTP/1.1`, 'Host: gw']))
  assert.equal(res.status, 200, path)
  return backend.head().split('\r\n')[0]
}

test('a query value or key that is not UTF-8 once unescaped is forwarded, as Go keeps its bytes (it was dropped)', async () => {
  assert.equal(await target('/all?a=%FF&b=1'), 'GET /all?a=%FF&b=1 HTTP/1.1')
  assert.equal(await target('/all?%FF=1&b=%e9'), 'GET /all?b=%E9&%FF=1 HTTP/1.1')
  assert.equal(await target('/all?a=%C3%A9&c=%ED%A0%80'), 'GET /all?a=%C3%A9&c=%ED%A0%80 HTTP/1.1')
  // Pieces Go refuses still stay out: a bad escape, a semicolon.
  assert.equal(await target('/all?a=%zz&b=%2&c=1;d=2&e=%0a&f=%FF'), 'GET /all?e=%0A&f=%FF HTTP/1.1')
})

test('keys sort by their bytes, as Go sorts them', async () => {
  assert.equal(
    await target('/all?%F0%9F%98%80=1&%EF%BC%A1=2&z=3'),
    'GET /all?z=3&%EF%BC%A1=2&%F0%9F%98%80=1 HTTP/1.1',
  )
})

test('input_query_strings matches names by their UTF-8 bytes and keeps values whatever their bytes', async () => {
  assert.equal(await target('/listed?a=%FF&%C3%A9=1&%FF=2'), 'GET /listed?a=%FF&%C3%A9=1 HTTP/1.1')
})
