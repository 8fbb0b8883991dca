// validation/cel where cel-js differed from krakend-cel's cel-go (v0.29) on numbers and time zones,
// found by the seeded differential fuzz: orderings with NaN fail, negating the smallest int fails,
// so does + or - giving a duration beyond int64 nanoseconds or a timestamp beyond 0001-9999,
// `--x` and `!!x` are x, `.5` is a double, an int literal beyond int64 or a conditional as the
// first branch of another does not parse, a map index or string method argument of another type
// does not check, and the
// time zone of a timestamp accessor is Go's (case-sensitive IANA names, `hh:mm` offsets, "" as
// UTC, an unknown zone failing every accessor). Expected values are cel-go's.
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

before(async () => {
  backend = await startBackend('api')
  const host = [backend.origin]
  gw = await startGateway(
    mustConfig({
      version: 3,
      name: 'cel-go-time-numbers',
      endpoints: [
        celEndpoint('/limit', '!(double(req_querystring.n[0]) > 100.0)', host),
        celEndpoint('/any', '[1.0, double(req_querystring.n[0])].exists(x, x > 0.5)', host),
        celEndpoint('/negate', '-int(req_querystring.n[0]) != 0', host),
        celEndpoint('/pairs', "--req_querystring.n[0] == '5' && !!(req_method == 'GET')", host),
        celEndpoint('/point', '.5 < double(req_querystring.n[0])', host),
        celEndpoint(
          '/hour',
          'timestamp(req_querystring.t[0]).getHours(req_querystring.z[0]) == int(req_querystring.h[0])',
          host,
        ),
        celEndpoint(
          '/ms',
          'timestamp(req_querystring.t[0]).getMilliseconds(req_querystring.z[0]) >= 0',
          host,
        ),
        celEndpoint('/day', "timestamp(req_querystring.t[0]).getDayOfYear('+02:00') == 0", host),
        celEndpoint('/span', 'timestamp(now) - timestamp(req_querystring.t[0]) > duration("1s")', host),
        celEndpoint('/later', 'timestamp(req_querystring.t[0]) + duration("1h") > timestamp(now)', host),
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
const hour = (zone: string, h: number) => status(`/hour?t=2023-06-15T10:00:00Z&z=${q(zone)}&h=${h}`)

describe('validation/cel numbers and time zones as cel-go', () => {
  test('ordering NaN fails; || and exists absorb the error as in cel-go', async () => {
    assert.equal(await status('/limit?n=NaN'), 500)
    assert.equal(await status('/limit?n=50'), 200)
    assert.equal(await status('/any?n=nan'), 200)
  })

  test('negating the smallest int fails; pairs of - and ! are dropped', async () => {
    assert.equal(await status(`/negate?n=${q('-9223372036854775808')}`), 500)
    assert.equal(await status('/negate?n=5'), 200)
    assert.equal(await status('/pairs?n=5'), 200)
    assert.equal(await status('/point?n=1'), 200)
  })

  test('a duration beyond int64 nanoseconds or a timestamp beyond 9999 fails', async () => {
    assert.equal(await status('/span?t=2000-01-01T00:00:00Z'), 200)
    assert.equal(await status('/span?t=0001-01-01T00:00:00Z'), 500)
    assert.equal(await status('/later?t=9999-12-31T22:00:00Z'), 200)
    assert.equal(await status('/later?t=9999-12-31T23:30:00Z'), 500)
  })

  test("accessors read the zone as Go's timeZone()", async () => {
    assert.equal(await hour('Europe/Madrid', 12), 200)
    assert.equal(await hour('02:00', 12), 200)
    assert.equal(await hour('-05:30', 4), 200)
    assert.equal(await hour('', 10), 200)
    // Go's LoadLocation opens the zoneinfo file by name: other cases fail.
    assert.equal(await hour('utc', 10), 500)
    assert.equal(await hour('europe/madrid', 12), 500)
    assert.equal(await status('/ms?t=2023-06-15T10:00:00Z&z=Nope/Zone'), 500)
    assert.equal(await status('/ms?t=2023-06-15T10:00:00Z&z=UTC'), 200)
    assert.equal(await status('/day?t=2023-12-31T23:00:00Z'), 200)
  })

  test('what cel-go does not parse or check is refused: KrakenD would drop or skip it', () => {
    const errors = (expr: string) =>
      validateGatewayConfig({
        version: 3,
        endpoints: [celEndpoint('/a', expr, ['http://127.0.0.1:19'])],
      }).errors.map((e) => e.message)
    assert.match(errors("9223372036854775808 > 0 && req_method == 'GET'").join('\n'), /invalid int literal/)
    assert.deepEqual(errors("-9223372036854775808 < 0 && req_method == 'GET'"), [])
    assert.match(
      errors('req_method == "GET" ? req_path == "/" ? true : false : false').join('\n'),
      /mismatched input '\?'/,
    )
    assert.deepEqual(errors('req_method == "GET" ? true : req_path == "/" ? true : false'), [])
    assert.match(
      errors("req_params[1] == 'a'").join('\n'),
      /'_\[_\]' applied to '\(map<string, string>, int\)'/,
    )
    assert.match(
      errors("JWT.sub.startsWith(JWT) && req_method == 'GET' || JWT.sub == 'a'").join('\n'),
      /'startsWith' applied to 'dyn\.\(map<string, dyn>\)'/,
    )
  })
})
