// validation/cel as cel-go's (v0.29) check types a free type parameter: a dyn indexed by a key of
// another type than int (`dyn(m)['a']`, `resp_data.c[0u]`) is one, and so is what it flows into (a
// list literal's element, a conditional, a macro's variable). A conversion of it keeps only the
// overloads that took it first: the identity (`int(int)`), or the other branch's type (`uint(int)`
// for `c ? 1 : x`), and any other value fails the evaluation; cel-js typed them dyn and converted
// (a request let through that KrakenD refuses). It also types `dyn + [' ']` a list(string), so
// `2.5 in dyn + [' ']` does not check (KrakenD skips it; a config error here, as every check
// failure). null is taken where a timestamp or duration goes (`int(null)`, `string(null)` check,
// as cel-go's legacy nullness has it, and fail when evaluated). Expected values are cel-go's.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

let backend: TestBackend
let gw: Running

const celEndpoint = (path: string, expr: string, host: string[], url = '/echo') => ({
  endpoint: path,
  input_query_strings: ['*'],
  extra_config: { 'validation/cel': [{ check_expr: expr }] },
  backend: [{ host, url_pattern: url }],
})

const EXPRESSIONS: Record<string, string> = {
  '/element': "int([dyn({'a': req_querystring.n[0]})['a']][0]) == 1",
  '/element-int': "int([dyn({'a': int(req_querystring.n[0])})['a']][0]) == 1",
  '/branch': "uint(req_querystring.c[0] == 'y' ? 1 : dyn({'a': req_querystring.n[0]})['a']) == 1u",
  '/branch-string':
    "int(req_querystring.c[0] == 'y' ? '1' : dyn({'a': double(req_querystring.n[0])})['a']) == 1",
  '/variable': "[dyn({'a': req_querystring.n[0]})['a']].all(x, int(x) == 1)",
  '/plain': "int(dyn({'a': req_querystring.n[0]}).a) == 1",
  '/null': "req_querystring.n[0] == '1' || string({'x': null}.x) == 'a'",
}

before(async () => {
  backend = await startBackend('api', { '/data': { body: { c: [1, 2] } } })
  const host = [backend.origin]
  gw = await startGateway(
    mustConfig({
      version: 3,
      name: 'cel-go-type-params',
      endpoints: [
        ...Object.entries(EXPRESSIONS).map(([path, expr]) => celEndpoint(path, expr, host)),
        celEndpoint('/resp-element', 'int([resp_data.c[0u]][0]) == 1', host, '/data'),
        celEndpoint('/resp-first', 'uint(size(resp_data.c) == 2 ? 1 : resp_data.c[0u]) == 1u', host, '/data'),
        celEndpoint(
          '/resp-second',
          'uint(size(resp_data.c) != 2 ? 1 : resp_data.c[0u]) == 1u',
          host,
          '/data',
        ),
      ],
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

const status = async (path: string) => (await send(gw.url, { path })).status

describe('validation/cel: conversions of a type parameter as cel-go binds them', () => {
  test('a list element keeps int(int): a string fails, an int converts', async () => {
    assert.equal(await status('/element?n=1'), 500)
    assert.equal(await status('/element-int?n=1'), 200)
  })

  test("a conditional takes the other branch's type: uint(int), int(string)", async () => {
    assert.equal(await status('/branch?c=y&n=1'), 200)
    assert.equal(await status('/branch?c=n&n=1'), 500)
    assert.equal(await status('/branch-string?c=y&n=1'), 200)
    assert.equal(await status('/branch-string?c=n&n=1'), 500)
  })

  test("a macro's variable over such a list is the parameter too", async () => {
    assert.equal(await status('/variable?n=1'), 500)
    // A field selection is dyn: every overload stays.
    assert.equal(await status('/plain?n=1'), 200)
  })

  test('null converts where a timestamp or duration would (cel-go checks it) and fails when evaluated', async () => {
    assert.equal(await status('/null?n=1'), 200)
    assert.equal(await status('/null?n=2'), 500)
  })

  test('resp_data numbers (json.Number, a CEL string) through a list or a conditional', async () => {
    assert.equal(await status('/resp-element'), 500)
    assert.equal(await status('/resp-first'), 200)
    assert.equal(await status('/resp-second'), 500)
  })

  test("what the parameter's binding makes fail cel-go's check is refused at load", () => {
    const errors = (expr: string) =>
      validateGatewayConfig({
        version: 3,
        endpoints: [celEndpoint('/a', expr, ['http://127.0.0.1:19'])],
      }).errors.map((e) => e.message)
    assert.match(
      errors("2.5 in dyn(req_querystring) + [' ']").join('\n'),
      /does not check: found no matching overload for '@in' applied to '\(double, list\(string\)\)'/,
    )
    // dyn + [][i]: the empty list's element binds to _+_'s first overload, bytes.
    assert.match(
      errors('int(dyn(req_querystring) + [][size(req_path)]) == 1').join('\n'),
      /does not check: found no matching overload for 'int' applied to '\(bytes\)'/,
    )
    assert.match(
      errors("(req_method == 'GET' ? 'a' : dyn(req_params) + [][0]) == 'a'").join('\n'),
      /does not check: found no matching overload for '_\?_:_' applied to '\(bool, string, bytes\)'/,
    )
    // An ordering across number types checks only once cel-go has entered a macro's scope, which
    // is after its range: not inside the range.
    assert.match(
      errors("[1 < 1.5].exists(x, x) && req_method == 'GET'").join('\n'),
      /does not check: found no matching overload for '_<_' applied to '\(int, double\)'/,
    )
    assert.deepEqual(errors("[1].exists(x, true) && 1 < 1.5 && req_method == 'GET'"), [])
    assert.deepEqual(errors("1 in dyn(req_querystring) + [] && req_method == 'GET'"), [])
    assert.deepEqual(errors("req_method == 'GET' || int([null][0]) == 1"), [])
    assert.match(errors("double(null) == 1.0 || req_method == 'GET'").join('\n'), /does not check/)
    assert.deepEqual(errors("[1, 'a'].exists(x, x == 1) && req_method == 'GET'"), [])
  })
})
