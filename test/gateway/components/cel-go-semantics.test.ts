// Where cel-js evaluated an expression otherwise than krakend-cel's cel-go (v0.29), found by a
// seeded differential fuzz of validation/cel: the grouping of relation chains, has() on a list,
// Go's strconv in int()/uint()/double() of a string, double-to-int range checks, `%g` in
// string(double), UTF-8 bytes literals, and what cel-go's type check accepts (cross-type
// ordering inside a macro) or refuses (has() on a string). Expected values are cel-go's.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

let backend: TestBackend
let gw: Running

const celEndpoint = (path: string, expr: string, host: string[], url_pattern = '/echo') => ({
  endpoint: path,
  input_query_strings: ['*'],
  extra_config: { 'validation/cel': [{ check_expr: expr }] },
  backend: [{ host, url_pattern }],
})

before(async () => {
  backend = await startBackend('api', { '/doc': { body: { items: [1, 2], name: 'n', meta: { a: 1 } } } })
  const host = [backend.origin]
  gw = await startGateway(
    mustConfig({
      version: 3,
      name: 'cel-go-semantics',
      endpoints: [
        // cel-go: ((v == 'admin') == false) < false, never true; cel-js read v == ((false) < false).
        celEndpoint('/chain', "req_querystring.v[0] == 'admin' == false < false", host),
        // cel-go: (v != 'admin') in [true].
        celEndpoint('/chain-in', "req_querystring.v[0] != 'admin' in dyn([true])", host),
        celEndpoint('/has-list', '!has(resp_data.items.x)', host, '/doc'),
        celEndpoint('/has-scalar', '!has(resp_data.name.x) && has(resp_data.meta.a)', host, '/doc'),
        celEndpoint('/g', 'string(double(req_querystring.n[0])) == req_querystring.s[0]', host),
        celEndpoint('/int', 'int(double(req_querystring.n[0])) > 0', host),
        celEndpoint('/int-text', 'int(req_querystring.n[0]) > 0', host),
        celEndpoint('/uint-text', 'uint(req_querystring.n[0]) > 0u', host),
        celEndpoint('/uint-double', 'uint(double(req_querystring.n[0])) >= 0u', host),
        celEndpoint('/bytes', "size(b'日本') == 6 && string(b'日本') == req_querystring.s[0]", host),
        celEndpoint('/macro-order', 'req_querystring.v.exists(x, int(x) < 2.5)', host),
        celEndpoint(
          '/int-of',
          'int(9223372036854775807u) > 0 && int(duration("1s")) == 1000000000 && ' +
            'string(timestamp(0)) == "1970-01-01T00:00:00Z" && req_querystring.n[0] != ""',
          host,
        ),
        celEndpoint('/uint-max', 'int(uint(req_querystring.n[0])) > 0', host),
      ],
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

const q = encodeURIComponent
const status = async (path: string) => (await send(gw.url, { path })).status

describe('validation/cel evaluates as cel-go', () => {
  test('==, != and <, in, ... are one level, grouped left to right', async () => {
    assert.equal(await status('/chain?v=user'), 500)
    assert.equal(await status('/chain?v=admin'), 500)
    assert.equal(await status('/chain-in?v=user'), 200)
    assert.equal(await status('/chain-in?v=admin'), 500)
  })

  test('has() on a list fails; on a string it is false', async () => {
    assert.equal(await status('/has-list'), 500)
    assert.equal(await status('/has-scalar'), 200)
  })

  test("string(double) is Go's %g", async () => {
    assert.equal(await status(`/g?n=1234567&s=${q('1.234567e+06')}`), 200)
    assert.equal(await status('/g?n=1234567&s=1234567'), 500)
    assert.equal(await status('/g?n=123456&s=123456'), 200)
    assert.equal(await status(`/g?n=0.00001&s=${q('1e-05')}`), 200)
    assert.equal(await status(`/g?n=${q('-0')}&s=${q('-0')}`), 200)
  })

  test("double(string) is Go's ParseFloat", async () => {
    assert.equal(await status('/g?n=1e400&s=x'), 500)
    assert.equal(await status('/g?n=0x10&s=16'), 500)
    assert.equal(await status('/g?n=1_0&s=10'), 200)
    assert.equal(await status('/g?n=0x1p3&s=8'), 200)
    assert.equal(await status('/g?n=Infinity&s=%2BInf'), 200)
  })

  test('int() and uint() of a string or double fail as in Go', async () => {
    assert.equal(await status('/int?n=1e19'), 500)
    assert.equal(await status(`/int?n=${q('-9.223372036854775808e18')}`), 500)
    assert.equal(await status('/int?n=3.9'), 200)
    assert.equal(await status('/int-text?n=0x10'), 500)
    assert.equal(await status(`/int-text?n=${q('+7')}`), 200)
    assert.equal(await status(`/uint-text?n=${q('+1')}`), 500)
    assert.equal(await status('/uint-text?n=1'), 200)
    assert.equal(await status('/uint-double?n=-0.5'), 500)
    assert.equal(await status('/uint-max?n=9223372036854775808'), 500)
    assert.equal(await status('/uint-max?n=9223372036854775807'), 200)
    assert.equal(await status('/int-of?n=1'), 200)
  })

  test('a bytes literal holds UTF-8', async () => {
    assert.equal(await status(`/bytes?s=${q('日本')}`), 200)
  })

  test("ordering an int with a double passes cel-go's check inside a macro", async () => {
    assert.equal(await status('/macro-order?v=1'), 200)
    assert.equal(await status('/macro-order?v=3'), 500)
  })

  test("has() on what has no fields is refused, as cel-go's check skips it", () => {
    const errors = (expr: string) =>
      validateGatewayConfig({
        version: 3,
        endpoints: [celEndpoint('/a', expr, ['http://127.0.0.1:19'])],
      }).errors.map((e) => e.message)
    assert.match(errors('has(req_params.Id.x)').join('\n'), /type 'string' does not support field selection/)
    assert.deepEqual(errors('has(req_params.Id) && has(req_headers.X)'), [])
    assert.match(errors('1 < 2.5 && req_method == "GET"').join('\n'), /'_<_' applied to '\(int, double\)'/)
  })
})
