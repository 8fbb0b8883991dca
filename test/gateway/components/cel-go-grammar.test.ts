// What cel-go's grammar reads and cel-js's did not (or read otherwise), found by the seeded
// grammar differential (scripts/krakend-diff/suites/celgen.*, /tmp oracle: cel-go v0.29 with
// krakend-cel's declarations). Expected answers are KrakenD's.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

let backend: TestBackend
let gw: Running

const celEndpoint = (path: string, expr: string, host: string[]) => ({
  endpoint: path,
  input_query_strings: ['*'],
  extra_config: { 'validation/cel': [{ check_expr: expr }] },
  backend: [{ host, url_pattern: '/echo' }],
})

const ENDPOINTS: Array<[path: string, expr: string]> = [
  ['/in-cond', "req_querystring.v[0] in (req_method == 'GET' ? ['a'] : ['b'])"],
  ['/in-cond-map', "req_querystring.v[0] in (true ? {'a': 1} : {})"],
  ['/escaped', "req_querystring.`v-x`[0] == 'a' && has(req_querystring.`v-x`)"],
  ['/escaped-has', '!has(req_querystring.`v-x`) && req_method == "GET"'],
  ['/leading-dot', ".req_method == 'GET' && .size(.req_querystring.v) == 1"],
]

before(async () => {
  backend = await startBackend('api', {})
  const host = [backend.origin]
  gw = await startGateway(
    mustConfig({
      version: 3,
      name: 'cel-go-grammar',
      endpoints: ENDPOINTS.map(([path, expr]) => celEndpoint(path, expr, host)),
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

const status = async (path: string) => (await send(gw.url, { path })).status

describe("validation/cel reads expressions as cel-go's grammar does", () => {
  test('`x in (c ? a : b)`: in is an operator, not a call of a function named in', async () => {
    assert.equal(await status('/in-cond?v=a'), 200)
    assert.equal(await status('/in-cond?v=b'), 500)
    assert.equal(await status('/in-cond-map?v=a'), 200)
    assert.equal(await status('/in-cond-map?v=b'), 500)
  })

  test('a backtick-quoted field selects that key, in has() too', async () => {
    assert.equal(await status('/escaped?v-x=a'), 200)
    assert.equal(await status('/escaped?v-x=b'), 500)
    assert.equal(await status('/escaped-has?v-x=b'), 500)
    assert.equal(await status('/escaped-has?v=b'), 200)
  })

  test('a leading dot names a declared variable or function', async () => {
    assert.equal(await status('/leading-dot?v=1'), 200)
    assert.equal(await status('/leading-dot?v=1&v=2'), 500)
  })

  test("what cel-go's grammar does not parse is refused (KrakenD drops the list)", () => {
    for (const expr of [
      "req_method != '' && !-dyn(1)",
      'req_method != "" && -!true',
      '`req_method` == "GET"',
    ])
      assert.match(celErrors(expr).join('\n'), /Syntax error/, expr)
    for (const expr of ['!-1 == false || req_method != ""', "req_params.`Id`() == 'x'"])
      assert.notDeepEqual(celErrors(expr), [], expr)
  })
})

const celErrors = (expr: string) =>
  validateGatewayConfig({
    version: 3,
    endpoints: [celEndpoint('/a', expr, ['http://127.0.0.1:19'])],
  }).errors.map((e) => e.message)
