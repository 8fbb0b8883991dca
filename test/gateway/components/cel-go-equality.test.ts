// validation/cel where cel-js differed from krakend-cel's cel-go (v0.29) on equality, map keys and
// a few overloads, found by the seeded differential fuzz: numbers are equal across int, uint and
// double at run time, a map literal keeps typed keys (1, 1u and 1.0 are three keys; true is not
// 'true'), a JSON map has string keys only, a list takes a uint index, `duration + timestamp` is a
// timestamp, bytes are ordered, an indexed empty literal checks, and string(timestamp) keeps the
// zone it was written with; a conversion of a value read by a non-int index from no variable finds
// no overload (cel-go's run-time dispatch). Expected values are cel-go's.
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

const EXPRESSIONS: Record<string, string> = {
  '/one-key': "{1: 'a', 1u: 'b', 1.0: 'c'}.exists_one(k, string(k) == req_querystring.k[0])",
  '/size': "size({1: 'a', 1u: 'b', 1.0: 'c'}) == int(req_querystring.n[0])",
  '/bool-key': 'dyn(req_querystring.s[0]) in {true: 1}',
  '/in-list': 'dyn(uint(req_querystring.n[0])) in [1, 2]',
  '/uint-key': "{1: 'a'}[dyn(uint(req_querystring.n[0]))] == 'a'",
  '/lists': '[dyn(uint(req_querystring.n[0]))] == [1.0]',
  '/json-key': 'dyn(int(req_querystring.n[0])) in req_querystring',
  '/index': "dyn(req_querystring.q)[1u] == 'b'",
  '/zone': 'string(timestamp(req_querystring.t[0])) == req_querystring.t[0]',
  '/sum': "duration('1h') + timestamp(req_querystring.t[0]) > timestamp(req_querystring.t[0])",
  '/bytes': "bytes(req_querystring.t[0]) < b'a'",
  '/convert-index': "int(dyn({'a': req_querystring.n[0]})['a']) == 1",
  '/convert-field': "int(dyn({'a': req_querystring.n[0]}).a) == 1",
  '/convert-same': "string(dyn({'a': req_querystring.n[0]})['a']) == '1'",
  '/convert-typed-map': "int({'a': dyn(req_querystring.n[0])}['a']) == 1",
  '/convert-element': "int([dyn({'a': req_querystring.n[0]})][0]['a']) == 1",
}

before(async () => {
  backend = await startBackend('api')
  const host = [backend.origin]
  gw = await startGateway(
    mustConfig({
      version: 3,
      name: 'cel-go-equality',
      endpoints: Object.entries(EXPRESSIONS).map(([path, expr]) => celEndpoint(path, expr, host)),
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

const q = encodeURIComponent
const status = async (path: string) => (await send(gw.url, { path })).status

describe('validation/cel equality and map keys as cel-go', () => {
  test('a map literal keeps typed keys: 1, 1u and 1.0 are three, true is no string', async () => {
    assert.equal(await status('/one-key?k=1'), 500)
    assert.equal(await status('/size?n=3'), 200)
    assert.equal(await status('/size?n=1'), 500)
    assert.equal(await status('/bool-key?s=true'), 500)
  })

  test('numbers are equal across int, uint and double at run time', async () => {
    assert.equal(await status('/in-list?n=1'), 200)
    assert.equal(await status('/in-list?n=3'), 500)
    assert.equal(await status('/uint-key?n=1'), 200)
    assert.equal(await status('/lists?n=1'), 200)
    assert.equal(await status('/lists?n=2'), 500)
  })

  test('a JSON map has string keys only; a list takes a uint index', async () => {
    assert.equal(await status('/json-key?n=1&1=x'), 500)
    assert.equal(await status('/index?q=a&q=b'), 200)
  })

  test('timestamps: string() keeps the zone, duration + timestamp is a timestamp; bytes order', async () => {
    assert.equal(await status(`/zone?t=${q('2023-06-15T23:30:00+02:00')}`), 200)
    assert.equal(await status(`/zone?t=${q('2023-06-15T23:30:00.5-05:30')}`), 200)
    assert.equal(await status(`/zone?t=${q('2023-06-15T23:30:00+00:00')}`), 500)
    assert.equal(await status('/sum?t=2023-06-15T23:30:00Z'), 200)
    assert.equal(await status('/bytes?t=2023-06-15T23:30:00Z'), 200)
    assert.equal(await status('/bytes?t=b'), 500)
  })

  test('a conversion of a dyn value indexed by a string fails unless it has the type, as in cel-go', async () => {
    assert.equal(await status('/convert-index?n=1'), 500)
    assert.equal(await status('/convert-field?n=1'), 200)
    assert.equal(await status('/convert-same?n=1'), 200)
    // A map of dyn gives dyn, which converts; an element of a list of dyn is dyn again.
    assert.equal(await status('/convert-typed-map?n=1'), 200)
    assert.equal(await status('/convert-element?n=1'), 500)
  })

  test('what cel-go checks is accepted', () => {
    const errors = (expr: string) =>
      validateGatewayConfig({
        version: 3,
        endpoints: [celEndpoint('/a', expr, ['http://127.0.0.1:19'])],
      }).errors.map((e) => e.message)
    assert.deepEqual(
      errors("duration('1h') + timestamp(now) - duration('1s') > timestamp(now) && req_method == 'GET'"),
      [],
    )
    assert.deepEqual(errors("b'a' <= b'b' && req_method == 'GET'"), [])
    assert.deepEqual(errors("{}[req_method] <= uint(1) || req_method == 'GET'"), [])
    assert.deepEqual(errors("{}[req_method] == [] || req_method == 'GET'"), [])
    assert.deepEqual(errors("[][size(req_path)] >= 1u || req_method == 'GET'"), [])
    // Other type errors stay refused, as cel-go's check refuses them.
    assert.match(errors("[] == {} && req_method == 'GET'").join('\n'), /does not check/)
  })
})
