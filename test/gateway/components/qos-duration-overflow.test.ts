import assert from 'node:assert/strict'
import { test } from 'node:test'
import { mustConfig } from '../helpers.ts'

// Go's time.Duration holds at most 2^63 - 1 ns (about 2562047h). Past it krakend-ratelimit cannot
// parse "every" and limits per second instead; krakend-circuitbreaker's `n * time.Second` wraps
// around (a timeout of 18446744074 s opens the circuit for 0.29 s). Both are refused.
const config = (backendExtra: Record<string, unknown>, endpointExtra: Record<string, unknown> = {}) => ({
  version: 3,
  endpoints: [
    {
      endpoint: '/x',
      extra_config: endpointExtra,
      backend: [{ host: ['http://127.0.0.1:8080'], url_pattern: '/', extra_config: backendExtra }],
    },
  ],
})

test('a rate limit "every" beyond Go\'s longest duration is refused (KrakenD would count per second)', () => {
  assert.throws(
    () => mustConfig(config({}, { 'qos/ratelimit/router': { max_rate: 2, every: '3000000h' } })),
    /every\W+3000000h\W+ is longer than Go's longest duration/,
  )
  assert.throws(
    () => mustConfig(config({ 'qos/ratelimit/proxy': { max_rate: 2, every: '9223372037s' } })),
    /longer than Go's longest duration/,
  )
  assert.doesNotThrow(() =>
    mustConfig(config({}, { 'qos/ratelimit/router': { max_rate: 2, every: '2562047h' } })),
  )
})

test('a circuit breaker timeout or interval past a Go duration is refused (it would wrap around)', () => {
  for (const key of ['timeout', 'interval'])
    assert.throws(
      () =>
        mustConfig(
          config({ 'qos/circuit-breaker': { max_errors: 1, timeout: 10, interval: 60, [key]: 18446744074 } }),
        ),
      new RegExp(`${key}\\W+ must be at most 9223372036 seconds`),
    )
  assert.doesNotThrow(() =>
    mustConfig(
      config({ 'qos/circuit-breaker': { max_errors: 1, timeout: 9223372036, interval: 9223372036 } }),
    ),
  )
})
