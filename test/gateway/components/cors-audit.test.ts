import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { rawRequest, send, sendRaw } from '../helpers.ts'

// krakend-cors v2.2.1 (mux.NewWithLogger around the whole server) over rs/cors v1.11.1.
const gw = gatewayWith((backend) => ({
  version: 3,
  name: 'cors-audit',
  extra_config: {
    'security/cors': {
      allow_origins: ['https://*.example.com'],
      allow_methods: ['GET', 'PUT'],
      allow_credentials: true,
      options_success_status: 0,
    },
  },
  endpoints: [{ endpoint: '/x', backend: [{ host: [backend.origin], url_pattern: '/echo' }] }],
}))

/** A request with repeated header lines; the answer's head lower-cased. */
const raw = async (url: string, lines: string[]) => {
  const res = await sendRaw(url, rawRequest([...lines, 'Host: a']))
  return { status: res.status, head: res.head.toLowerCase() }
}

describe('security/cors: request headers read as Go Header.Get (first line)', () => {
  test('two Origin lines: only the first is checked, so a disallowed first origin gets nothing', async () => {
    const res = await raw(gw.url, [
      'GET /x HTTP/1.1',
      'Origin: https://evil.com',
      'Origin: https://a.example.com',
    ])
    assert.equal(res.status, 200)
    assert.doesNotMatch(res.head, /access-control-allow-origin/)
    assert.doesNotMatch(res.head, /access-control-allow-credentials/)
    const preflight = await raw(gw.url, [
      'OPTIONS /x HTTP/1.1',
      'Origin: https://evil.com',
      'Origin: https://a.example.com',
      'Access-Control-Request-Method: PUT',
    ])
    assert.equal(preflight.status, 204)
    assert.doesNotMatch(preflight.head, /access-control-allow-origin/)
  })

  test('two Access-Control-Request-Method lines: the first is the requested method', async () => {
    const res = await raw(gw.url, [
      'OPTIONS /x HTTP/1.1',
      'Origin: https://a.example.com',
      'Access-Control-Request-Method: PUT',
      'Access-Control-Request-Method: DELETE',
    ])
    assert.equal(res.status, 204)
    assert.match(res.head, /\r\naccess-control-allow-origin: https:\/\/a\.example\.com\r\n/)
    // rs/cors copies the header slice: both method lines come back.
    assert.match(
      res.head,
      /\r\naccess-control-allow-methods: put\r\naccess-control-allow-methods: delete\r\n/,
    )
  })

  test('an allowed first Origin line: rs/cors echoes every Origin line, as KrakenD answers', async () => {
    for (const target of ['GET /x HTTP/1.1', 'OPTIONS /x HTTP/1.1']) {
      const res = await raw(gw.url, [
        target,
        'Origin: https://a.example.com',
        'Origin: https://evil.com',
        'Access-Control-Request-Method: GET',
      ])
      assert.match(
        res.head,
        /\r\naccess-control-allow-origin: https:\/\/a\.example\.com\r\naccess-control-allow-origin: https:\/\/evil\.com\r\n/,
        target,
      )
    }
  })

  test('options_success_status 0 is the rs/cors default, 204', async () => {
    const res = await send(gw.url, {
      method: 'OPTIONS',
      path: '/x',
      headers: { origin: 'https://a.example.com', 'access-control-request-method': 'GET' },
    })
    assert.equal(res.status, 204)
    assert.equal(res.headers['access-control-allow-origin'], 'https://a.example.com')
  })
})
