// An endpoint path written without its leading `/` is served as lura's CleanPath makes it (`users`
// as `/users`, `` as `/`), as KrakenD CE 2.13.8 serves it (krakend-diff endpoint-no-slash: 0 of 8
// differ); it was refused here. A warning says how KrakenD reads it.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'
import { rawGatewayWith } from './gateway-fixture.ts'
import { rawRequest, sendRaw } from './helpers.ts'

const ENDPOINTS = [
  ['users', '/u'],
  ['', '/root'],
  ['a/{x}', '/a/{x}'],
] as const

const gw = rawGatewayWith((raw) => ({
  version: 3,
  endpoints: ENDPOINTS.map(([endpoint, url_pattern]) => ({
    endpoint,
    backend: [{ host: [raw.origin], url_pattern }],
  })),
}))

test('served with a / in front, as lura cleans the path', async () => {
  for (const [path, line] of [
    ['/users', 'GET /u HTTP/1.1'],
    ['/', 'GET /root HTTP/1.1'],
    ['/a/7', 'GET /a/7 HTTP/1.1'],
  ]) {
    const res = await sendRaw(gw.url, rawRequest([`GET ${path} HTTP/1.1`, 'Host: gw']))
    assert.equal(res.status, 200, path)
    assert.equal(gw.raw.head().split('\r\n')[0], line, path)
  }
})

test('a warning at the endpoint says how KrakenD serves it; a path that is no string is refused', () => {
  const result = validateGatewayConfig({
    version: 3,
    name: 'x',
    endpoints: [{ endpoint: 'users', backend: [{ host: ['http://127.0.0.1:8080'], url_pattern: '/u' }] }],
  })
  assert.deepEqual(result.errors, [])
  assert.deepEqual(
    result.warnings.map((w) => [w.location?.path, w.message]),
    [
      [
        'endpoints[0].endpoint',
        '"endpoint" "users" does not start with "/": KrakenD serves it as "/users", and so does this runtime',
      ],
    ],
  )
  const refused = validateGatewayConfig({
    version: 3,
    endpoints: [{ endpoint: {}, backend: [{ host: ['http://127.0.0.1:8080'], url_pattern: '/u' }] }],
  })
  assert.equal(refused.errors[0]?.location?.path, 'endpoints[0].endpoint')
})
