// Audit of validation/cel against krakend-cel v2.4.1 (KrakenD CE 2.13.8): expressions are grouped by
// strings.Contains(expr, "req" | "resp" | "JWT"), so one may run in a phase whose variables are
// unbound there (an evaluation error: "request aborted by evaluator #N").
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { headerLists, queryLists } from '../../../src/gateway/components/cel.ts'
import { luraParams } from '../../../src/gateway/components/lura-params.ts'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

let backend: TestBackend
let gw: Running

before(async () => {
  backend = await startBackend('api', { '/flags': { body: { required: true } } })
  const host = [backend.origin]
  gw = await startGateway(
    mustConfig({
      version: 3,
      name: 'cel-audit',
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        {
          endpoint: '/oauth',
          input_query_strings: ['response_type'],
          extra_config: {
            'validation/cel': [{ check_expr: "req_querystring['response_type'][0] == 'code'" }],
          },
          backend: [{ host, url_pattern: '/echo' }],
        },
        {
          endpoint: '/flags',
          extra_config: { 'validation/cel': [{ check_expr: 'resp_data.required == true' }] },
          backend: [{ host, url_pattern: '/flags' }],
        },
      ],
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

describe('validation/cel audit (krakend-cel grouping and activations)', () => {
  test('an expression containing "resp" also runs after the call, where req_* is unbound: 500', async () => {
    const seen = backend.seen.length
    const res = await send(gw.url, { path: '/oauth?response_type=code' })
    assert.equal(res.status, 500)
    assert.equal(res.text, 'request aborted by evaluator #0')
    assert.equal(backend.seen.length, seen + 1, 'the pre-call check passed, so the backend was called')
  })

  test('an expression containing "req" also runs before the call, where resp_data is unbound: 500, no call', async () => {
    const seen = backend.seen.length
    const res = await send(gw.url, { path: '/flags' })
    assert.equal(res.status, 500)
    assert.equal(res.text, 'request aborted by evaluator #0')
    assert.equal(backend.seen.length, seen)
  })

  test('such expressions get a config warning naming the phase', () => {
    const result = validateGatewayConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/a',
          extra_config: { 'validation/cel': [{ check_expr: 'resp_data.required == true' }] },
          backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/a' }],
        },
      ],
    })
    assert.deepEqual(result.errors, [])
    assert.match(
      result.warnings.map((w) => w.message).join('\n'),
      /before the backend call .*resp_data is not set/,
    )
  })

  test("lura's activations: JWT params kept, canonical header names, Go's query parsing", () => {
    assert.deepEqual(luraParams({ id: '1', 'JWT.sub': 'alice' }), { Id: '1', 'JWT.sub': 'alice' })
    assert.deepEqual(headerLists({ 'x-user': 'a', 'user-agent': 'ua', 'accept-encoding': 'gzip' }), {
      'X-User': ['a'],
      'User-Agent': ['ua'],
    })
    assert.deepEqual(headerLists({ 'accept-encoding': ['gzip'] }), { 'Accept-Encoding': ['gzip'] })
    assert.deepEqual(queryLists('a=1;b=2&c=%zz&d=+x&d=y'), { d: [' x', 'y'] })
  })
})
