// A backend whose method is HEAD, which KrakenD CE runs (lura hands any method to Go's client): the
// call has no answer body, so a JSON backend fails on it (lura's decoder: EOF, 500) and a no-op one
// passes the empty answer on; Go's transport asks for no gzip on HEAD. Expected answers and
// requests are KrakenD CE 2.13.8's (checked on the oracle build). HEAD was refused here
// ('unsupported method').
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { gatewayWith } from './gateway-fixture.ts'
import { rawRequest, sendRaw } from './helpers.ts'

const gw = gatewayWith(
  (backend) => ({
    version: 3,
    endpoints: [
      { endpoint: '/h', backend: [{ host: [backend.origin], url_pattern: '/json', method: 'HEAD' }] },
      {
        endpoint: '/n',
        output_encoding: 'no-op',
        backend: [{ host: [backend.origin], url_pattern: '/json', method: 'head', encoding: 'no-op' }],
      },
    ],
  }),
  { backends: { api: { '/json': { body: { a: 1 } } } } },
)

test('a JSON backend called with HEAD has no body to decode: 500, as lura (EOF)', async () => {
  const res = await sendRaw(gw.url, rawRequest(['GET /h HTTP/1.1', 'Host: gw']))
  assert.equal(res.status, 500)
  const seen = gw.backend.seen.at(-1)
  assert.equal(seen?.method, 'HEAD')
  assert.equal(seen?.headers['accept-encoding'], undefined)
})

test('a no-op backend called with HEAD: its empty answer is passed on', async () => {
  const res = await sendRaw(gw.url, rawRequest(['GET /n HTTP/1.1', 'Host: gw']))
  assert.equal(res.status, 200)
  assert.match(res.head, /\r\nContent-Type: application\/json\r\n/i)
  assert.equal(gw.backend.seen.at(-1)?.method, 'HEAD')
})
