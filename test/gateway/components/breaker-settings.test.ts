// qos/circuit-breaker settings as krakend-circuitbreaker's ConfigGetter reads them: a JSON number
// becomes Go's int(float64) (truncated: -0.5 is 0), anything else is skipped. KrakenD runs a string
// or a negative setting with some other meaning (the default timeout, no interval, a uint32-wrapped
// max_errors); here each is refused at its path, saying what KrakenD would do, and a fraction above
// -1 is read as KrakenD reads it.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { breakerConfigErrors as errors } from './breaker-config.ts'

const problems = (settings: Record<string, unknown>) =>
  errors({ interval: 60, timeout: 10, max_errors: 1, ...settings }).map((e) => ({
    path: e.location?.path ?? '',
    message: e.message,
    hint: e.hint ?? '',
  }))
const at = (key: string) => `endpoints[0].backend[0].extra_config.qos/circuit-breaker.${key}`

test('a fraction above -1 truncates to 0, as Go int(-0.5) does: accepted', () => {
  assert.deepEqual(problems({ max_errors: -0.5 }), [])
  assert.deepEqual(problems({ timeout: -0.9, interval: -0.1 }), [])
})

test('a negative max_errors is refused with the uint32 count KrakenD would use', () => {
  const [p, ...rest] = problems({ max_errors: -1 })
  assert.deepEqual(rest, [])
  assert.equal(p?.path, at('max_errors'))
  assert.match(p?.message ?? '', /becomes 4294967295 consecutive failures/)
  assert.match(problems({ max_errors: -4294967294 })[0]?.message ?? '', /becomes 2 consecutive failures/)
})

test('a negative timeout or interval is refused, saying what KrakenD runs instead', () => {
  const found = problems({ timeout: -1, interval: -5 })
  assert.deepEqual(
    found.map((p) => p.path),
    [at('interval'), at('timeout')],
  )
  assert.match(found[0]?.message ?? '', /never resets the counts/)
  assert.match(found[1]?.message ?? '', /default of 60 seconds/)
})

test('a string is refused (KrakenD skips it), with a hint to write a JSON number', () => {
  const found = problems({ timeout: '1s', max_errors: '2' })
  assert.deepEqual(
    found.map((p) => p.path),
    [at('timeout'), at('max_errors')],
  )
  assert.match(found[0]?.message ?? '', /skips a value of another type .* default timeout of 60 seconds/)
  assert.match(found[0]?.hint ?? '', /JSON number/)
  assert.match(found[1]?.message ?? '', /the first failure opens it/)
})
