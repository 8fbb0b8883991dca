import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { gatewayWith } from '../gateway-fixture.ts'
import { sendH2 } from '../helpers.ts'

// Requests KrakenD CE refuses that reach past a guard unless the runtime reads them as Go does.

describe('security/http over h2c: the host checked is Go’s r.Host', () => {
  const gateway = gatewayWith((backend) => ({
    version: 3,
    extra_config: {
      router: { use_h2c: true },
      'security/http': { allowed_hosts: ['good.example'] },
    },
    endpoints: [{ endpoint: '/x', backend: [{ host: [backend.origin], url_pattern: '/echo' }] }],
  }))

  test('a Host field does not stand in for a bad :authority (Go’s h2 server reads :authority first)', async () => {
    const before = gateway.backend.seen.length
    const bad = await sendH2(gateway.url, {
      path: '/x',
      headers: { ':authority': 'evil.example', host: 'good.example' },
    })
    assert.equal(bad.status, 500)
    assert.equal(bad.text, 'Bad Host\n')
    assert.equal(gateway.backend.seen.length, before, 'the backend is not called')
    const good = await sendH2(gateway.url, {
      path: '/x',
      headers: { ':authority': 'good.example', host: 'evil.example' },
    })
    assert.equal(good.status, 200)
    assert.equal(gateway.backend.seen.length, before + 1)
  })
})

describe('auth/validator: a scope requirement KrakenD would not check is refused', () => {
  const problems = (validator: Record<string, unknown>) =>
    validateGatewayConfig({
      version: 3,
      name: 'x',
      endpoints: [
        {
          endpoint: '/a',
          extra_config: { 'auth/validator': { alg: 'RS256', jwk_url: 'https://idp/jwks', ...validator } },
          backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/a' }],
        },
      ],
    }).errors.map((e) => `${e.location?.path}: ${e.message}`)

  test('"scopes" without a "scopes_key" (krakend-jose then checks no scope at all) is an error at its path', () => {
    for (const validator of [{ scopes: ['admin'] }, { scopes: ['admin'], scopes_key: '' }])
      assert.deepEqual(
        problems(validator),
        [
          'endpoints[0].extra_config.auth/validator.scopes_key: "scopes" needs a "scopes_key" (the claim that holds the token\'s scopes)',
        ],
        JSON.stringify(validator),
      )
    assert.deepEqual(problems({ scopes: ['admin'], scopes_key: 'scope' }), [])
    assert.deepEqual(problems({ scopes: [] }), [], 'no scope required: nothing to check')
  })
})

describe('a rate limit without a rate (KrakenD reads 0 as "no limit") is refused', () => {
  const problems = (router: Record<string, unknown> | undefined, proxy?: Record<string, unknown>) =>
    validateGatewayConfig({
      version: 3,
      name: 'x',
      endpoints: [
        {
          endpoint: '/a/{id}',
          ...(router ? { extra_config: { 'qos/ratelimit/router': router } } : {}),
          backend: [
            {
              host: ['http://127.0.0.1:19'],
              url_pattern: '/a',
              ...(proxy ? { extra_config: { 'qos/ratelimit/proxy': proxy } } : {}),
            },
          ],
        },
      ],
      extra_config: { 'gwdeploy/runtime': { workers: 1 } },
    }).errors.map((e) => `${e.location?.path}: ${e.message}`)
  const noRouterRate =
    'endpoints[0].extra_config.qos/ratelimit/router.max_rate: the rate limit has no rate: neither "max_rate" nor "client_max_rate" is above 0, so it limits nothing'

  test('qos/ratelimit/router: capacities alone, zero or negative rates', () => {
    for (const router of [
      { capacity: 5 },
      { max_rate: 0, client_max_rate: 0, strategy: 'ip' },
      { strategy: 'ip', client_capacity: 5 },
    ])
      assert.deepEqual(problems(router), [noRouterRate], JSON.stringify(router))
    assert.deepEqual(problems({ max_rate: 10 }), [])
    assert.deepEqual(problems({ client_max_rate: 2, strategy: 'ip' }), [], 'a per-client limit alone limits')
    assert.deepEqual(problems({ client_max_rate: 2, strategy: 'param', key: 'id', max_rate: 0 }), [])
  })

  test('a misspelt or negative rate is named once, where it is', () => {
    const [only, ...rest] = problems({ max_rat: 10 })
    assert.match(only ?? '', /unknown key "max_rat" .* "max_rate" is not set/)
    assert.deepEqual(rest, [])
    assert.deepEqual(problems({ max_rate: -1 }), [
      'endpoints[0].extra_config.qos/ratelimit/router.max_rate: "max_rate" must be a number >= 0, got -1',
    ])
  })

  test('qos/ratelimit/proxy: no max_rate, or 0', () => {
    for (const proxy of [{ capacity: 3 }, { max_rate: 0 }])
      assert.deepEqual(
        problems(undefined, proxy),
        [
          'endpoints[0].backend[0].extra_config.qos/ratelimit/proxy.max_rate: the rate limit has no rate: "max_rate" is not above 0, so it limits nothing',
        ],
        JSON.stringify(proxy),
      )
    assert.deepEqual(problems(undefined, { max_rate: 1, capacity: 1 }), [])
  })
})

describe('security/http: a setting of the wrong kind', () => {
  test('sts_seconds, which may be negative, asks for a number without a bound', () => {
    const errors = validateGatewayConfig({
      version: 3,
      name: 'x',
      extra_config: { 'security/http': { sts_seconds: 'a year' } },
      endpoints: [],
    }).errors.map((e) => `${e.location?.path}: ${e.message}`)
    assert.deepEqual(errors, [
      'extra_config.security/http.sts_seconds: "sts_seconds" must be a number, got "a year"',
    ])
  })
})
