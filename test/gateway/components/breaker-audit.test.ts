// Audit of qos/circuit-breaker against krakend-circuitbreaker v3.0.0 over sony/gobreaker v2.4.0
// (KrakenD CE 2.13.8).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { compileCircuitBreaker } from '../../../src/gateway/components/circuit-breaker.ts'
import { breakerConfigErrors as errors } from './breaker-config.ts'

const breaker = (clock: { now: number }) =>
  compileCircuitBreaker(
    { name: 'audit', intervalS: 0, timeoutS: 10, maxErrors: 0, logChanges: false },
    () => {},
    () => clock.now,
  )

describe('qos/circuit-breaker audit (gobreaker semantics)', () => {
  test('a call that ends in a later generation is not counted: a stale success does not close a half-open circuit', () => {
    const clock = { now: 0 }
    const cb = breaker(clock)
    assert.equal(cb.before(), undefined, 'slow call A starts while closed')
    const slow = cb.generation
    assert.equal(cb.before(), undefined)
    cb.after(false, cb.generation)
    assert.equal(cb.before(), 'circuit breaker is open', 'max_errors 0: the first failure opens it')
    clock.now = 10_000
    assert.equal(cb.before(), undefined, 'half-open: the one trial call')
    cb.after(true, slow)
    assert.equal(cb.before(), 'too many requests', 'still half-open: A belonged to the closed generation')
  })

  test("a call cancelled by the client (Go's context.Canceled) is excluded: it frees the half-open slot and closes nothing", () => {
    const clock = { now: 0 }
    const cb = breaker(clock)
    assert.equal(cb.before(), undefined)
    cb.after(false, cb.generation)
    clock.now = 10_000
    assert.equal(cb.before(), undefined, 'the trial')
    cb.after('excluded', cb.generation)
    assert.equal(cb.before(), undefined, 'the slot is free again')
    assert.equal(cb.before(), 'too many requests', 'and the circuit is still half-open')
    clock.now = 10_001
    cb.after('excluded')
    cb.after(false)
    assert.equal(cb.before(), 'circuit breaker is open')
  })

  test('an all-zero config builds no breaker in KrakenD: a config error here', () => {
    const zero = errors({ interval: 0, timeout: 0, max_errors: 0 })
    assert.equal(zero[0]?.location?.path, 'endpoints[0].backend[0].extra_config.qos/circuit-breaker')
    assert.match(zero[0]?.message ?? '', /KrakenD builds no circuit breaker/)
    assert.equal(errors({}).length, 1)
    assert.deepEqual(errors({ max_errors: 0, timeout: 5 }), [])
    assert.deepEqual(errors({ name: 'only-a-name' }), [])
  })
})
