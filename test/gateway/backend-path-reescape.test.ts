// A url_pattern's `%2F` when Go re-escapes the backend path: url.Parse keeps the path as written
// (RawPath) only while every byte of it may stay so; a raw byte (a UTF-8 parameter, a `ü` in the
// url_pattern) makes EscapedPath escape the decoded path again, where `%2F` is a `/`. Expected
// targets are KrakenD CE 2.13.8's (checked on the oracle build).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { rawGatewayWith } from './gateway-fixture.ts'
import { rawRequest, sendRaw } from './helpers.ts'

const gw = rawGatewayWith(
  (raw) => {
    const host = [raw.origin]
    return {
      version: 3,
      endpoints: [
        { endpoint: '/l/{id}', backend: [{ host, url_pattern: '/t/%2F/{id}' }] },
        { endpoint: '/c/{id}', backend: [{ host, url_pattern: '/caf\u00e9/%2F/{id}' }] },
        {
          endpoint: '/s/{id}',
          extra_config: { proxy: { sequential: true } },
          backend: [
            { host, url_pattern: '/first' },
            { host, url_pattern: '/caf\u00e9/{resp0_id}/{id}' },
          ],
        },
      ],
    }
  },
  { '/first': '{"id":"a/b"}' },
)

const target = async (path: string) => {
  const res = await sendRaw(gw.url, Buffer.from(rawRequest([`GET ${path} HTTP/1.1`, 'Host: gw']), 'latin1'))
  assert.equal(res.status, 200, path)
  return gw.raw.head().split('\r\n')[0]
}

test("a url_pattern's %2F stays while the path needs no re-escape", async () => {
  assert.equal(await target('/l/x'), 'GET /t/%2F/x HTTP/1.1')
})

test("a url_pattern's %2F goes out as / when a raw byte makes Go re-escape the path (it stayed %2F)", async () => {
  assert.equal(await target('/l/%C3%A9'), 'GET /t///%C3%A9 HTTP/1.1')
  assert.equal(await target('/l/\xc3\xa9'), 'GET /t///%C3%A9 HTTP/1.1')
  assert.equal(await target('/c/x'), 'GET /caf%C3%A9///x HTTP/1.1')
})

test("a sequential value's / stays encoded through the re-escape (the README's deviation)", async () => {
  assert.equal(await target('/s/x'), 'GET /caf%C3%A9/a%2Fb/x HTTP/1.1')
})
