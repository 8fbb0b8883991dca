import assert from 'node:assert/strict'
import { test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { rawRequest, send, sendRaw } from '../helpers.ts'

// Go's server moves Host into Request.Host (and drops Transfer-Encoding from the header map), so
// krakend-ratelimit's Header.Get("Host") is always "": strategy header answers 429 to every
// request, strategy ip falls back to gin's ClientIP. Rates are per hour: no token comes back.
const gw = gatewayWith((backend) => {
  const limited = (path: string, limit: Record<string, unknown>, method = 'GET') => ({
    endpoint: path,
    method,
    extra_config: {
      'qos/ratelimit/router': { every: '1h', client_max_rate: 1, client_capacity: 1, ...limit },
    },
    backend: [{ host: [backend.origin], url_pattern: '/echo' }],
  })
  return {
    version: 3,
    extra_config: { router: { use_h2c: true } },
    endpoints: [
      limited('/by-host', { strategy: 'header', key: 'Host' }),
      limited('/by-te', { strategy: 'header', key: 'Transfer-Encoding' }, 'POST'),
      limited('/ip-from-host', { strategy: 'ip', key: 'Host' }),
      limited('/h2-host', { strategy: 'header', key: 'Host' }),
    ],
  }
})

const get = (path: string, host: string, ...lines: string[]) =>
  sendRaw(gw.url, rawRequest([`GET ${path} HTTP/1.1`, `Host: ${host}`, ...lines]))

test('a client rate limit keyed by the Host header has no key: 429 for every host', async () => {
  for (const host of ['a.example', 'b.example', 'c.example'])
    assert.equal((await get('/by-host', host)).status, 429)
})

test('a client rate limit keyed by Transfer-Encoding has no key either', async () => {
  const post = (body: string) =>
    sendRaw(
      gw.url,
      `POST /by-te HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
    )
  assert.equal((await post('{}')).status, 429)
})

test('strategy ip with key Host uses the client address, not an IP written as the Host', async () => {
  // One bucket for this client (127.0.0.1, no forwarding headers): the second request is over.
  assert.equal((await get('/ip-from-host', '1.2.3.4')).status, 200)
  assert.equal((await get('/ip-from-host', '5.6.7.8')).status, 429)
  assert.equal((await get('/ip-from-host', '9.9.9.9:80')).status, 429)
})

test('over h2c a host field the client sends stays a header (Go keeps it beside :authority): it is the key', async () => {
  const h2 = (host?: string) =>
    send(gw.url, { path: '/h2-host', http2: true, headers: host === undefined ? {} : { host } })
  assert.equal((await h2()).status, 429)
  assert.equal((await h2('a.example')).status, 200)
  assert.equal((await h2('a.example')).status, 429)
  assert.equal((await h2('b.example')).status, 200)
})
