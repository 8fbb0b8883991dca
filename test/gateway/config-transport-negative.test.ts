import assert from 'node:assert/strict'
import { test } from 'node:test'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'

// KrakenD (krakend-koanf's mapstructure) takes a negative transport setting as written: -5 is -5 ns,
// "-5s" is Go's time.ParseDuration. lura hands them to Go's net.Dialer and http.Transport.
const service = (settings: Record<string, unknown>) =>
  validateGatewayConfig({
    version: 3,
    name: 'x',
    ...settings,
    endpoints: [{ endpoint: '/a', backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/' }] }],
  })
const summary = (settings: Record<string, unknown>) => {
  const result = service(settings)
  return {
    errors: result.errors.map((e) => e.location?.path),
    warnings: result.warnings.map((w) => w.location?.path),
  }
}

test('a negative idle or response header timeout is what Go does with 0: read as unset, nothing said', () => {
  const result = service({ idle_connection_timeout: '-1s', response_header_timeout: -5 })
  assert.deepEqual([result.errors, result.warnings], [[], []])
  assert.equal(result.config?.transport.idleConnectionTimeoutMs, 0)
  assert.equal(result.config?.transport.responseHeaderTimeoutMs, 0)
})

test('negative dialer keep-alive and fallback delay: read, with a warning of what Go turns off', () => {
  assert.deepEqual(summary({ dialer_keep_alive: -1, dialer_fallback_delay: '-300ms' }), {
    errors: [],
    warnings: ['dialer_keep_alive', 'dialer_fallback_delay'],
  })
  const keepAlive = service({ dialer_keep_alive: '-1s' }).warnings[0]?.message ?? ''
  assert.match(keepAlive, /TCP keep-alive probes off/)
})

test('negative max_idle_connections(_per_host): read, with a warning that KrakenD keeps no idle connection', () => {
  const result = service({ max_idle_connections: -1, max_idle_connections_per_host: -1 })
  assert.deepEqual(result.errors, [])
  assert.deepEqual(
    result.warnings.map((w) => [w.location?.path, /keeps no idle connection/.test(w.message)]),
    [
      ['max_idle_connections', true],
      ['max_idle_connections_per_host', true],
    ],
  )
})

test('a negative dialer_timeout fails every backend dial, in KrakenD as here: read, with a warning saying so', () => {
  for (const [value, ms] of [
    [-5, -5e-6],
    ['-5s', -5000],
  ] as const) {
    const result = service({ dialer_timeout: value })
    assert.deepEqual(result.errors, [])
    assert.deepEqual(
      result.warnings.map((w) => [
        w.location?.path,
        /gives up on every backend connection at once/.test(w.message),
      ]),
      [['dialer_timeout', true]],
    )
    assert.equal(result.config?.transport.dialerTimeoutMs, ms)
  }
  assert.equal(service({ dialer_timeout: '3s' }).config?.transport.dialerTimeoutMs, 3000)
})
