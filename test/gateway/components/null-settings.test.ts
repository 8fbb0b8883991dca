// A component setting written `null` is the setting left out where KrakenD reads it so:
// krakend-botdetector decodes with encoding/json (null leaves the zero value); krakend-cors,
// -httpsecure, -circuitbreaker and -ratelimit assert each value's type, which null fails, keeping
// the default. KrakenD CE 2.13.8 starts with each of them (seeded config fuzzer: 90 null/removed
// settings of these six namespaces, the same accept/refuse), except krakend-cors's `max_age: null`,
// which panics it (maxAge.(string)): refused here too.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'

const endpoint = (origin: string, extra: Record<string, unknown> = {}) => ({
  endpoint: '/a',
  extra_config: extra,
  backend: [
    {
      host: [origin],
      url_pattern: '/ok',
      extra_config: {
        'qos/circuit-breaker': {
          interval: 60,
          timeout: 10,
          max_errors: 1,
          log_status_change: null,
          name: null,
        },
      },
    },
  ],
})

describe('null component settings run as KrakenD runs them', () => {
  const gateway = gatewayWith(
    (backend) => ({
      version: 3,
      extra_config: {
        'security/cors': {
          allow_origins: ['https://a.example'],
          allow_methods: null,
          allow_credentials: null,
        },
        'security/http': { frame_deny: true, allowed_hosts: null, ssl_proxy_headers: null },
      },
      endpoints: [
        endpoint(backend.origin, {
          'security/bot-detector': { deny: ['bad'], allow: null, patterns: null, cache_size: null },
          'qos/ratelimit/router': { max_rate: 100, every: null, key: null },
        }),
      ],
    }),
    { backends: { api: { '/ok': { body: { ok: true } } } } },
  )

  test('the bot detector denies with its other settings unset', async () => {
    assert.equal((await send(gateway.url, { path: '/a', headers: { 'User-Agent': 'bad' } })).status, 403)
    assert.equal((await send(gateway.url, { path: '/a', headers: { 'User-Agent': 'good' } })).status, 200)
  })

  test("CORS with allow_methods null answers a preflight with rs/cors's default methods", async () => {
    const res = await send(gateway.url, {
      method: 'OPTIONS',
      path: '/a',
      headers: { Origin: 'https://a.example', 'Access-Control-Request-Method': 'POST' },
    })
    assert.equal(res.headers['access-control-allow-origin'], 'https://a.example')
    assert.equal(res.headers['access-control-allow-methods'], 'POST')
    assert.equal((await send(gateway.url, { path: '/a' })).headers['x-frame-options'], 'DENY')
  })
})

test("krakend-cors's max_age null stops KrakenD: refused, located", () => {
  const result = validateGatewayConfig({
    version: 3,
    extra_config: { 'security/cors': { allow_origins: ['*'], max_age: null } },
    endpoints: [endpoint('http://127.0.0.1:19')],
  })
  assert.deepEqual(
    result.errors.map((e) => [e.location?.path, e.message]),
    [['extra_config.security/cors.max_age', '"max_age" must be a duration string like "12h"']],
  )
})

test('krakend-jose decodes with encoding/json: a null validator or signer setting is left out', () => {
  const result = validateGatewayConfig({
    version: 3,
    endpoints: [
      endpoint('http://127.0.0.1:19', {
        'auth/validator': {
          alg: 'RS256',
          jwk_url: 'https://idp.example/jwks',
          issuer: null,
          roles: null,
          roles_key: null,
          cache: null,
        },
      }),
    ],
  })
  assert.deepEqual(
    result.errors.map((e) => e.message),
    [],
  )
  assert.equal(result.config?.endpoints[0]?.components?.jwt?.issuer, undefined)
})
