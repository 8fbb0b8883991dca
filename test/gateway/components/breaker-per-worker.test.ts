// A circuit breaker counts failures in its own worker process: with several workers each opens on its
// own, so a failing backend gets more calls than KrakenD's single breaker lets through before it stops
// them. `gateway check` says so (as for rate limits and the HTTP cache) unless one worker is set.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'

const config = (workers?: number) =>
  validateGatewayConfig({
    version: 3,
    ...(workers === undefined ? {} : { extra_config: { 'gwdeploy/runtime': { workers } } }),
    endpoints: [
      { endpoint: '/plain', backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/p' }] },
      {
        endpoint: '/guarded/{id}',
        backend: [
          {
            host: ['http://127.0.0.1:19'],
            url_pattern: '/g/{id}',
            extra_config: { 'qos/circuit-breaker': { interval: 60, timeout: 10, max_errors: 1 } },
          },
        ],
      },
    ],
  })

const breakerWarnings = (workers?: number) =>
  config(workers).warnings.filter((w) => /qos\/circuit-breaker/.test(w.message))

test('a breaker with several workers is warned about once, at gwdeploy/runtime.workers, with the way out', () => {
  for (const workers of [undefined, 0, 2]) {
    const found = breakerWarnings(workers)
    assert.equal(found.length, 1, String(workers))
    assert.equal(found[0]?.location?.path, 'extra_config.gwdeploy/runtime.workers')
    assert.match(found[0]?.message ?? '', /on \/guarded\/\{id\} counts failures per worker process/)
    assert.match(found[0]?.hint ?? '', /"workers": 1/)
  }
  assert.equal(config(2).errors.length, 0)
})

test('one worker: no warning', () => {
  assert.deepEqual(breakerWarnings(1), [])
})
