// What cel-go's grammar reads and cel-js's did not (or read otherwise), found by the seeded
// grammar differential (scripts/krakend-diff/suites/celgen.*, /tmp oracle: cel-go v0.29 with
// krakend-cel's declarations). Expected statuses are KrakenD CE 2.13.8's.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { celConfigErrors, celGateway, statuses } from './cel-fixture.ts'

describe("validation/cel reads expressions as cel-go's grammar does", () => {
  const gateway = celGateway({
    // `in` is an operator, not a call of a function named in.
    '/in-cond': "req_querystring.v[0] in (req_method == 'GET' ? ['a'] : ['b'])",
    '/in-cond-map': "req_querystring.v[0] in (true ? {'a': 1} : {})",
    // A backtick-quoted field selects that key, in has() too.
    '/escaped': "req_querystring.`v-x`[0] == 'a' && has(req_querystring.`v-x`)",
    '/escaped-has': '!has(req_querystring.`v-x`) && req_method == "GET"',
    // A leading dot names a declared variable or function.
    '/leading-dot': ".req_method == 'GET' && .size(.req_querystring.v) == 1",
    // A negated dyn stays dyn (it was typed an int, so `< 0.5` was refused).
    '/neg-dyn': '-dyn(int(req_querystring.n[0])) < 0.5',
  })
  const EXPECTED: Array<[string, number]> = [
    ['/in-cond?v=a', 200],
    ['/in-cond?v=b', 500],
    ['/in-cond-map?v=a', 200],
    ['/in-cond-map?v=b', 500],
    ['/escaped?v-x=a', 200],
    ['/escaped?v-x=b', 500],
    ['/escaped-has?v-x=b', 500],
    ['/escaped-has?v=b', 200],
    ['/leading-dot?v=1', 200],
    ['/leading-dot?v=1&v=2', 500],
    ['/neg-dyn?n=1', 200],
    ['/neg-dyn?n=-1', 500],
    ['/neg-dyn?n=-9223372036854775808', 500],
  ]

  test('x in (c ? a : b), backtick-quoted fields, leading dots and -dyn(x) answer as in KrakenD', async () => {
    assert.deepEqual(await statuses(gateway, EXPECTED), EXPECTED)
  })
})

test("what cel-go's grammar does not parse is refused (KrakenD drops the list)", () => {
  for (const expr of ["req_method != '' && !-dyn(1)", 'req_method != "" && -!true', '`req_method` == "GET"'])
    assert.match(celConfigErrors(expr).join('\n'), /Syntax error/, expr)
  for (const expr of ['!-1 == false || req_method != ""', "req_params.`Id`() == 'x'"])
    assert.notDeepEqual(celConfigErrors(expr), [], expr)
})
