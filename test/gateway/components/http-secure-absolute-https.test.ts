import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { rawRequest, sendRaw } from '../helpers.ts'

// unrolled/secure's isSSL reads the request URL's scheme first: an absolute-form `https://` target
// (Go's r.URL.Scheme, any case) is SSL, so it is neither redirected and it gets the HSTS header.
const gateway = gatewayWith((backend) => ({
  version: 3,
  extra_config: { 'security/http': { ssl_redirect: true, sts_seconds: 100 } },
  endpoints: [{ endpoint: '/a', backend: [{ host: [backend.origin], url_pattern: '/echo' }] }],
}))

const get = (target: string) =>
  sendRaw(gateway.url, rawRequest([`GET ${target} HTTP/1.1`, 'Host: gw.example']))

describe('security/http: an absolute-form https target is SSL', () => {
  test('https:// and HTTPS:// are served with Strict-Transport-Security; http:// and a path are redirected', async () => {
    for (const target of ['https://gw.example/a', 'HTTPS://gw.example/a']) {
      const res = await get(target)
      assert.equal(res.status, 200, target)
      assert.match(res.head, /\r\nStrict-Transport-Security: max-age=100\r\n/, target)
    }
    for (const target of ['http://gw.example/a', '/a']) {
      const res = await get(target)
      assert.equal(res.status, 301, target)
      assert.match(res.head, /\r\nLocation: https:\/\/gw\.example\/a\r\n/, target)
    }
  })
})
