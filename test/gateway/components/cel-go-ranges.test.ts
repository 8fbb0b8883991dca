// A macro's range, null beside timestamps and durations, and literal indexes as cel-go (krakend-cel's
// v0.29) checks, plans and runs them, found by the seeded grammar differential
// (scripts/krakend-diff/suites/celgen.*). Expected statuses are KrakenD CE 2.13.8's.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { celConfigErrors, celGateway, statuses } from './cel-fixture.ts'

describe('validation/cel: macro ranges and null as cel-go', () => {
  const gateway = celGateway({
    // A macro over a timestamp, duration or uint fails (cel-js: an empty range, true).
    '/range-ts': "(req_querystring.v[0] == 'a' ? dyn(timestamp(now)) : dyn([1])).all(x, x == 1)",
    '/range-uint': 'dyn(uint(req_querystring.n[0])).map(x, x).size() == 0',
    '/range-dur': '!dyn(duration(req_querystring.d[0])).exists(x, true)',
    '/range-list': "req_querystring.v.all(x, x != 'z') && dyn(req_params).exists_one(k, true) == false",
    // null goes where a timestamp or duration goes: equality is false, the rest fails.
    '/null-eq': "req_querystring.v[0] == 'a' || timestamp(now) != null",
    '/null-order': "req_querystring.v[0] == 'a' || null < timestamp(now)",
    '/null-sum': "req_querystring.v[0] == 'a' || duration('1s') + null == duration('1s')",
    '/null-accessor': "req_querystring.v[0] == 'a' || null.getHours('UTC') == 0",
    // timestamp(timestamp) and duration(duration) are cel-go's identity conversions.
    '/identity':
      "timestamp(timestamp(req_querystring.t[0])) < timestamp(now) && duration(duration(req_querystring.d[0])) > duration('0')",
  })
  const EXPECTED: Array<[string, number]> = [
    ['/range-ts?v=a', 500],
    ['/range-ts?v=b', 200],
    ['/range-uint?n=1', 500],
    ['/range-dur?d=1s', 500],
    ['/range-list?v=a&v=b', 200],
    ['/range-list?v=z', 500],
    ['/null-eq?v=b', 200],
    ['/null-order?v=a', 200],
    ['/null-order?v=b', 500],
    ['/null-sum?v=a', 200],
    ['/null-sum?v=b', 500],
    ['/null-accessor?v=a', 200],
    ['/null-accessor?v=b', 500],
    ['/identity?t=2000-01-01T00:00:00Z&d=1s', 200],
    ['/identity?t=2999-01-01T00:00:00Z&d=1s', 500],
    ['/identity?t=2000-01-01T00:00:00Z&d=-1s', 500],
  ]

  test('macros over what is no list or map fail; null beside timestamps checks', async () => {
    assert.deepEqual(await statuses(gateway, EXPECTED), EXPECTED)
  })
})

test('an index by a bytes or null literal is refused: cel-go cannot plan it (KrakenD drops the list)', () => {
  for (const expr of ["dyn(req_params)[b'a'] == 'x'", "JWT.m[null] == 1 || req_method != ''"])
    assert.match(celConfigErrors(expr).join('\n'), /invalid qualifier type/, expr)
  assert.deepEqual(celConfigErrors("dyn(req_params)['a'] == 'x' && {true: 1}[true] == 1"), [])
})
