// validation/cel: cel-go's check joins a type parameter to the most general type it meets
// (isValidTypeSubstitution): `[1u] + [dyn(1)]` is a list(dyn), so `+ ['a']` checks, and a
// conditional of a list(uint) and a list(dyn) is a list(dyn). cel-js kept the first binding
// (list<uint>) and refused them, so KrakenD ran a config this runtime refused. Expected statuses
// are KrakenD CE 2.13.8's (cel-go v0.29 with krakend-cel's declarations: 244 expressions compared,
// same check and same result).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { celConfigErrors, celGateway, statuses } from './cel-fixture.ts'

const EXPRESSIONS: Record<string, string> = {
  '/join': "size([1u] + [dyn(int(req_querystring.n[0]))] + ['a']) == 3",
  '/join-in': "req_querystring.s[0] in [1u] + [dyn(1)] + ['a']",
  // The element is dyn: int() keeps every overload (int(uint) here).
  '/join-convert': 'int(([1u] + [dyn(1)] + [req_querystring.s[0]])[0]) == 1',
  '/join-ternary': "size(req_querystring.s[0] == 'a' ? [1u] + [dyn(1)] : ['a']) == 2",
  '/join-nested': 'size([[1u]] + [[dyn(1)]] + [[req_querystring.s[0]]]) == 3',
}

describe('validation/cel: lists and conditionals joined as cel-go joins them', () => {
  const gateway = celGateway(EXPRESSIONS)
  // KrakenD CE's statuses for each request.
  const EXPECTED: Array<[string, number]> = [
    ['/join?n=1', 200],
    ['/join-nested?s=a', 200],
    ['/join-in?s=a', 200],
    ['/join-in?s=b', 500],
    ['/join-convert?s=a', 200],
    ['/join-ternary?s=a', 200],
    ['/join-ternary?s=b', 500],
  ]

  test('concatenation, nesting, membership, conversions and conditionals run as in KrakenD', async () => {
    assert.deepEqual(await statuses(gateway, EXPECTED), EXPECTED)
  })
})

test("what cel-go's join still refuses is refused at load", () => {
  const errors = celConfigErrors
  const refused = [
    "size([1] + ['a']) == 2 && req_method == 'GET'",
    "size([1u] + [2]) == 2 && req_method == 'GET'",
    "size(req_method == 'GET' ? [1u] : ['a']) == 1",
    // The joined list does not hide a refusal elsewhere in the expression.
    "size([1u] + [dyn(1)] + ['a']) == 3 && req_params[1] == '42'",
    "size([1u] + [dyn(1)] + ['a']) == 3 && 1 < 1.5 && req_method == 'GET'",
  ]
  for (const expr of refused) assert.match(errors(expr).join('\n'), /does not check/, expr)
  assert.deepEqual(errors("size([1u] + [dyn(1)] + ['a']) == 3 && req_method == 'GET'"), [])
})
