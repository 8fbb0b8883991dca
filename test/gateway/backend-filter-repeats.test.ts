// lura's backend-level input_headers / input_query_strings take a shortcut: when the listed names
// found in the request, counted with repeats, number as many as the request's headers (or query
// keys), everything passes unfiltered. A list naming one twice can so let through what it does not
// name. Expected requests are KrakenD CE 2.13.8's (checked on the oracle build).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { rawGatewayWith } from './gateway-fixture.ts'
import { rawRequest, sendRaw } from './helpers.ts'

const gw = rawGatewayWith((raw) => {
  const host = [raw.origin]
  return {
    version: 3,
    endpoints: [
      {
        endpoint: '/q',
        input_query_strings: ['*'],
        backend: [{ host, url_pattern: '/q', input_query_strings: ['c', 'c'] }],
      },
      {
        endpoint: '/h',
        input_headers: ['X-A', 'X-B', 'User-Agent'],
        backend: [{ host, url_pattern: '/h', input_headers: ['X-A', 'X-A', 'X-A', 'X-A', 'X-A'] }],
      },
      {
        endpoint: '/g',
        input_headers: ['X-A', 'Accept-Encoding'],
        backend: [{ host, url_pattern: '/g', input_headers: ['X-A', 'x-a', 'X-A', 'X-A'] }],
      },
      {
        endpoint: '/x',
        backend: [
          {
            host,
            url_pattern: '/x',
            input_headers: ['X-Forwarded-For', 'X-Forwarded-For', 'Accept-Encoding'],
          },
        ],
      },
    ],
  }
})

const sent = async (lines: string[]) => {
  const res = await sendRaw(gw.url, rawRequest(lines))
  assert.equal(res.status, 200, lines[0])
  return gw.raw.head().split('\r\n')
}

test('a backend input_query_strings naming a key twice lets one other key through, as lura counts (it was filtered)', async () => {
  assert.equal((await sent(['GET /q?c=1&z=2 HTTP/1.1', 'Host: x']))[0], 'GET /q?c=1&z=2 HTTP/1.1')
  // Two keys it does not name: filtered.
  assert.equal((await sent(['GET /q?c=1&z=2&w=3 HTTP/1.1', 'Host: x']))[0], 'GET /q?c=1 HTTP/1.1')
})

test('a backend input_headers naming a header as often as the request has headers passes them all (it filtered them)', async () => {
  // X-A, X-B, X-Forwarded-For, X-Forwarded-Host, User-Agent: five headers, X-A listed five times.
  const head = await sent(['GET /h HTTP/1.1', 'Host: x', 'X-A: 1', 'X-B: 2'])
  assert.deepEqual(head.slice(2), [
    'User-Agent: KrakenD Version 2.13.8',
    'X-A: 1',
    'X-B: 2',
    'X-Forwarded-For: 127.0.0.1',
    'X-Forwarded-Host: x',
    'Accept-Encoding: gzip',
  ])
  // With the client's User-Agent forwarded there are six (X-Forwarded-Via): filtered.
  const filtered = await sent(['GET /h HTTP/1.1', 'Host: x', 'X-A: 1', 'X-B: 2', 'User-Agent: u'])
  assert.deepEqual(filtered.slice(2), ['User-Agent: Go-http-client/1.1', 'X-A: 1', 'Accept-Encoding: gzip'])
})

test("the transport's own gzip is not one of lura's headers when they are counted", async () => {
  const head = await sent(['GET /g HTTP/1.1', 'Host: x', 'X-A: 1'])
  assert.deepEqual(head.slice(2), [
    'User-Agent: KrakenD Version 2.13.8',
    'X-A: 1',
    'X-Forwarded-For: 127.0.0.1',
    'X-Forwarded-Host: x',
    'Accept-Encoding: gzip',
  ])
})

test("a listed Accept-Encoding is not found in lura's headers when only the transport asks for gzip (it passed them all)", async () => {
  // X-Forwarded-For, X-Forwarded-Host, User-Agent: three headers, two names found (X-Forwarded-For twice).
  const head = await sent(['GET /x HTTP/1.1', 'Host: x'])
  assert.deepEqual(head.slice(2), [
    'User-Agent: Go-http-client/1.1',
    'X-Forwarded-For: 127.0.0.1',
    'Accept-Encoding: gzip',
  ])
})
