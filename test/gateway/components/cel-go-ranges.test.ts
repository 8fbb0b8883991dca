// A macro's range and null beside timestamps and durations as cel-go (krakend-cel's v0.29) checks
// and runs them, found by the seeded grammar differential (scripts/krakend-diff/suites/celgen.*).
// Expected answers are KrakenD's (checked against the KrakenD CE oracle).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

let backend: TestBackend
let gw: Running

const ENDPOINTS: Array<[path: string, expr: string]> = [
  ['/range-ts', "(req_querystring.v[0] == 'a' ? dyn(timestamp(now)) : dyn([1])).all(x, x == 1)"],
  ['/range-uint', 'dyn(uint(req_querystring.n[0])).map(x, x).size() == 0'],
  ['/range-dur', '!dyn(duration(req_querystring.d[0])).exists(x, true)'],
  ['/range-list', "req_querystring.v.all(x, x != 'z') && dyn(req_params).exists_one(k, true) == false"],
  ['/null-eq', "req_querystring.v[0] == 'a' || timestamp(now) != null"],
  ['/null-order', "req_querystring.v[0] == 'a' || null < timestamp(now)"],
  ['/null-sum', "req_querystring.v[0] == 'a' || duration('1s') + null == duration('1s')"],
  ['/null-accessor', "req_querystring.v[0] == 'a' || null.getHours('UTC') == 0"],
]

before(async () => {
  backend = await startBackend('api', {})
  const host = [backend.origin]
  gw = await startGateway(
    mustConfig({
      version: 3,
      name: 'cel-go-ranges',
      endpoints: ENDPOINTS.map(([path, expr]) => ({
        endpoint: path,
        input_query_strings: ['*'],
        extra_config: { 'validation/cel': [{ check_expr: expr }] },
        backend: [{ host, url_pattern: '/echo' }],
      })),
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

const status = async (path: string) => (await send(gw.url, { path })).status

describe('validation/cel: macro ranges and null as cel-go', () => {
  test('a macro over a timestamp, duration or uint fails (it was an empty range: true)', async () => {
    assert.equal(await status('/range-ts?v=a'), 500)
    assert.equal(await status('/range-ts?v=b'), 200)
    assert.equal(await status('/range-uint?n=1'), 500)
    assert.equal(await status('/range-dur?d=1s'), 500)
    assert.equal(await status('/range-list?v=a&v=b'), 200)
    assert.equal(await status('/range-list?v=z'), 500)
  })

  test('null where a timestamp or duration goes checks; equality is false, the rest fails', async () => {
    assert.equal(await status('/null-eq?v=b'), 200)
    assert.equal(await status('/null-order?v=a'), 200)
    assert.equal(await status('/null-order?v=b'), 500)
    assert.equal(await status('/null-sum?v=a'), 200)
    assert.equal(await status('/null-sum?v=b'), 500)
    assert.equal(await status('/null-accessor?v=a'), 200)
    assert.equal(await status('/null-accessor?v=b'), 500)
  })

  test('an index by a bytes or null literal is refused: cel-go cannot plan it (KrakenD drops the list)', () => {
    for (const expr of ["dyn(req_params)[b'a'] == 'x'", "JWT.m[null] == 1 || req_method != ''"])
      assert.match(celErrors(expr).join('\n'), /invalid qualifier type/, expr)
    assert.deepEqual(celErrors("dyn(req_params)['a'] == 'x' && {true: 1}[true] == 1"), [])
  })
})

const celErrors = (expr: string) =>
  validateGatewayConfig({
    version: 3,
    endpoints: [
      {
        endpoint: '/a',
        extra_config: { 'validation/cel': [{ check_expr: expr }] },
        backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/' }],
      },
    ],
  }).errors.map((e) => e.message)
