import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatDuration, parseDuration } from '../../src/config/duration.ts'

test('parses durations with units to milliseconds', () => {
  assert.equal(parseDuration('500ms'), 500)
  assert.equal(parseDuration('30s'), 30_000)
  assert.equal(parseDuration('5m'), 300_000)
  assert.equal(parseDuration('1h'), 3_600_000)
  assert.equal(parseDuration('1m30s'), 90_000)
  assert.equal(parseDuration('1.5s'), 1500)
  assert.equal(parseDuration('0'), 0)
})

test('refuses durations without a known unit', () => {
  for (const bad of ['', '5', '5x', '10 minutes', 's', '-5s', '5s ms'])
    assert.equal(parseDuration(bad), undefined, bad)
})

test('formats milliseconds back to the largest whole unit', () => {
  assert.equal(formatDuration(0), '0s')
  assert.equal(formatDuration(1500), '1500ms')
  assert.equal(formatDuration(30_000), '30s')
  assert.equal(formatDuration(300_000), '5m')
  assert.equal(formatDuration(7_200_000), '2h')
})
