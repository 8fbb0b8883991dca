import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { classifyNamespace } from '../../../src/config/gateway-namespaces.ts'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'

// Guards KrakenD CE never reads because of where or how they are written: lura looks extra_config
// namespaces up by their exact name, only in the extra_config of the service, endpoint or backend
// its factory reads, and mapstructure drops every other key. Each must stop the config.

const backend = () => ({ host: ['http://127.0.0.1:19'], url_pattern: '/a' })
const limit = { max_rate: 1 }
const runtimes = ['bundled', 'krakend'] as const

const errorsOf = (config: unknown, runtime: 'bundled' | 'krakend' = 'bundled') =>
  validateGatewayConfig(config, { runtime }).errors.map((e) => ({
    path: e.location?.path ?? '',
    message: e.message,
    hint: e.hint ?? '',
  }))

const withEndpoint = (endpoint: Record<string, unknown>) => ({
  version: 3,
  name: 'x',
  endpoints: [{ endpoint: '/a', backend: [backend()], ...endpoint }],
})

describe('a guarding namespace KrakenD looks up by another name is refused', () => {
  test('written in another case or misspelt outside a guarding prefix: an error on both runtimes', () => {
    for (const runtime of runtimes)
      for (const [name, meant] of [
        ['QoS/ratelimit/router', 'qos/ratelimit/router'],
        ['qso/ratelimit/router', 'qos/ratelimit/router'],
        ['Auth/Validator', 'auth/validator'],
      ] as const) {
        const errors = errorsOf(withEndpoint({ extra_config: { [name]: limit } }), runtime)
        const at = errors.filter((e) => e.path === `endpoints[0].extra_config.${name}`)
        assert.equal(at.length, 1, `${runtime} ${name}: ${JSON.stringify(errors)}`)
        assert.match(at[0]?.message ?? '', /would guard nothing/)
        assert.ok(at[0]?.hint.includes(`"${meant}"`), at[0]?.hint)
      }
    const cors = errorsOf({
      version: 3,
      name: 'x',
      extra_config: { 'Security/CORS': { allow_origins: ['https://a.example'] } },
      endpoints: [{ endpoint: '/a', backend: [backend()] }],
    })
    assert.deepEqual(
      cors.map((e) => e.path),
      ['extra_config.Security/CORS'],
    )
    // Typos of namespaces that guard nothing stay warnings; far names are the operator's own.
    const result = validateGatewayConfig({
      version: 3,
      name: 'x',
      extra_config: { 'telemetry/metric': {}, 'my-team-notes': {} },
      endpoints: [{ endpoint: '/a', backend: [backend()] }],
    })
    assert.deepEqual(result.errors, [])
    assert.deepEqual(
      result.warnings.map((w) => w.location?.path),
      ['extra_config.telemetry/metric'],
    )
  })

  test('the KrakenD v1 rate limit namespaces, which KrakenD CE v2 ignores, are refused on both runtimes', () => {
    for (const runtime of runtimes)
      for (const name of [
        'github.com/devopsfaith/krakend-ratelimit/juju/router',
        'github.com/devopsfaith/krakend-ratelimit/rate/router',
      ]) {
        const errors = errorsOf(withEndpoint({ extra_config: { [name]: { maxRate: 10 } } }), runtime)
        assert.equal(errors.length, 1, `${runtime} ${name}: ${JSON.stringify(errors)}`)
        assert.equal(errors[0]?.path, `endpoints[0].extra_config.${name}`)
        assert.match(errors[0]?.message ?? '', /KrakenD CE v2 ignores/)
        assert.match(errors[0]?.hint ?? '', /rename it to "qos\/ratelimit\/router"/)
      }
    const proxy = classifyNamespace(
      'github.com/devopsfaith/krakend-ratelimit/juju/proxy',
      'backend',
      'krakend',
    )
    assert.equal(proxy.kind, 'error')
  })
})

describe('with image.runtime: krakend, a guard at a level KrakenD CE does not read is refused', () => {
  test('auth/validator and qos/ratelimit/router on a backend, security/cors on an endpoint', () => {
    const errors = errorsOf(
      {
        version: 3,
        name: 'x',
        endpoints: [
          {
            endpoint: '/a',
            extra_config: { 'security/cors': { allow_origins: ['https://a.example'] } },
            backend: [
              {
                ...backend(),
                extra_config: {
                  'qos/ratelimit/router': limit,
                  'auth/validator': { alg: 'RS256', jwk_url: 'https://idp.example/jwks' },
                },
              },
            ],
          },
        ],
      },
      'krakend',
    )
    assert.deepEqual(errors.map((e) => e.path).sort(), [
      'endpoints[0].backend[0].extra_config.auth/validator',
      'endpoints[0].backend[0].extra_config.qos/ratelimit/router',
      'endpoints[0].extra_config.security/cors',
    ])
    for (const e of errors) {
      assert.match(e.message, /has no effect at (backend|endpoint) level/)
      assert.match(e.hint, /^move it to the /)
    }
    // Where KrakenD CE reads them, and observability namespaces anywhere, they pass.
    for (const [ns, level] of [
      ['auth/validator', 'service'],
      ['plugin/req-resp-modifier', 'endpoint'],
      ['qos/circuit-breaker', 'backend'],
      ['telemetry/opentelemetry', 'backend'],
      ['proxy', 'service'],
    ] as const)
      assert.deepEqual(classifyNamespace(ns, level, 'krakend'), { kind: 'ok' }, `${ns} at ${level}`)
  })
})

describe('a guarding namespace outside extra_config is refused (mapstructure drops the key)', () => {
  test('beside extra_config at service, endpoint and backend level, on both runtimes', () => {
    const config = {
      version: 3,
      name: 'x',
      'security/cors': { allow_origins: ['https://a.example'] },
      endpoints: [
        {
          endpoint: '/a',
          'qos/ratelimit/router': limit,
          backend: [{ ...backend(), 'qos/circuit-breaker': { interval: 60, timeout: 10, max_errors: 1 } }],
        },
      ],
    }
    for (const runtime of runtimes) {
      const errors = errorsOf(config, runtime)
      assert.deepEqual(
        errors.map((e) => e.path),
        ['security/cors', 'endpoints[0].qos/ratelimit/router', 'endpoints[0].backend[0].qos/circuit-breaker'],
        runtime,
      )
      for (const e of errors) {
        assert.match(e.message, /written outside "extra_config": KrakenD ignores it here/)
        assert.match(e.hint, /move it into the "extra_config" object/)
      }
    }
  })

  test('under a misspelt extra_config: an error naming the namespaces it holds', () => {
    for (const key of ['extraConfig', 'extra-config', 'extra_configs', 'config']) {
      const errors = errorsOf(withEndpoint({ [key]: { 'qos/ratelimit/router': limit, '@note': 1 } }))
      assert.equal(errors.length, 1, `${key}: ${JSON.stringify(errors)}`)
      assert.equal(errors[0]?.path, `endpoints[0].${key}`)
      assert.match(errors[0]?.message ?? '', /holds "qos\/ratelimit\/router" but is not "extra_config"/)
      assert.match(errors[0]?.hint ?? '', /rename it to "extra_config"/)
    }
    // An unknown key holding nothing that guards stays what it was (a warning or nothing).
    const other = validateGatewayConfig(withEndpoint({ extraConfig: { 'telemetry/opentelemetry': {} } }))
    assert.deepEqual(other.errors, [])
  })

  test('nested inside another component namespace', () => {
    const errors = errorsOf(
      withEndpoint({
        extra_config: {
          'auth/validator': {
            alg: 'RS256',
            jwk_url: 'https://idp.example/jwks',
            'qos/ratelimit/router': limit,
          },
        },
      }),
    )
    assert.deepEqual(
      errors.map((e) => e.path),
      ['endpoints[0].extra_config.auth/validator.qos/ratelimit/router'],
    )
    assert.match(errors[0]?.message ?? '', /nested inside "auth\/validator"/)
  })
})
