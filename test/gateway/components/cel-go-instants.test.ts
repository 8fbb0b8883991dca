// validation/cel timestamps and durations to the nanosecond, as krakend-cel's cel-go (v0.29) keeps
// them, found by the seeded differential fuzz: cel-js kept milliseconds (one nanosecond later was
// the same instant), summed a negative duration wrongly (0 + -1.5s was -2.5s) and divided the
// smallest int by -1 without failing. Expected values are cel-go's.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

let backend: TestBackend
let gw: Running

const EXPRESSIONS: Record<string, string> = {
  '/later': "timestamp(req_querystring.t[0]) + duration('1ns') > timestamp(req_querystring.t[0])",
  '/after': 'timestamp(req_querystring.a[0]) > timestamp(req_querystring.b[0])',
  '/digits': 'string(timestamp(req_querystring.t[0])) == req_querystring.t[0]',
  '/negative': "duration('0') + duration(req_querystring.d[0]) > duration('-2s')",
  '/seconds': "(duration('0') + duration(req_querystring.d[0])).getSeconds() == -1",
  '/divide': 'int(req_querystring.n[0]) / -1 > 0',
}

before(async () => {
  backend = await startBackend('api')
  gw = await startGateway(
    mustConfig({
      version: 3,
      name: 'cel-go-instants',
      endpoints: Object.entries(EXPRESSIONS).map(([endpoint, expr]) => ({
        endpoint,
        input_query_strings: ['*'],
        extra_config: { 'validation/cel': [{ check_expr: expr }] },
        backend: [{ host: [backend.origin], url_pattern: '/echo' }],
      })),
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

const q = encodeURIComponent
const status = async (path: string) => (await send(gw.url, { path })).status

describe('validation/cel time to the nanosecond as cel-go', () => {
  test('a nanosecond later is later; the digits are kept', async () => {
    assert.equal(await status(`/later?t=${q('2023-01-01T00:00:00Z')}`), 200)
    assert.equal(
      await status(`/after?a=${q('2023-01-01T00:00:00.000000001Z')}&b=${q('2023-01-01T00:00:00Z')}`),
      200,
    )
    assert.equal(
      await status(`/after?a=${q('2023-01-01T00:00:00Z')}&b=${q('2023-01-01T00:00:00.000000001Z')}`),
      500,
    )
    assert.equal(await status(`/digits?t=${q('2023-01-01T00:00:00.123456789Z')}`), 200)
    assert.equal(await status(`/digits?t=${q('2023-01-01T00:00:00.120Z')}`), 500)
  })

  test('negative durations sum and truncate as Go', async () => {
    assert.equal(await status('/negative?d=-1.5s'), 200)
    assert.equal(await status('/negative?d=-2.5s'), 500)
    assert.equal(await status('/seconds?d=-1.5s'), 200)
  })

  test('the smallest int divided by -1 overflows', async () => {
    assert.equal(await status(`/divide?n=${q('-9223372036854775808')}`), 500)
    assert.equal(await status('/divide?n=-5'), 200)
  })
})
