// custom_error's status is Go's int(float64) of the number (krakend-lua's `int(c.Arg(2).Number())`):
// NaN, ±Inf and anything at or past ±2^63 are MinInt64 on amd64, a status gin writes as 200 with the
// message (checked against KrakenD CE 2.13.8). This runtime read them as no number at all: 500.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { luaPreGatewayWith } from './gateway-fixture.ts'

const STATUSES = ['0/0', '1/0', '-1/0', '2^63', '2^70', '-2^70', '1e19']

describe('custom_error with a status past Go int64', () => {
  const gateway = luaPreGatewayWith(
    STATUSES.map((status, i) => [`/s${i}`, `custom_error('boom', ${status})`]),
    { openLibs: false },
  )

  test('200 with the message, as Go writes MinInt64', async () => {
    for (const [i, status] of STATUSES.entries()) {
      const res = await fetch(`${gateway.url}/s${i}`)
      assert.deepEqual(
        { status: res.status, type: res.headers.get('content-type'), body: await res.text() },
        { status: 200, type: 'text/plain; charset=utf-8', body: 'boom' },
        status,
      )
    }
    assert.equal(gateway.raw.requests.length, 0)
  })
})
