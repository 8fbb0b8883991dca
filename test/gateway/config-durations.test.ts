import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { MAX_TIMER_MS } from '../../src/gateway/config/duration.ts'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from './helpers.ts'

// KrakenD CE decodes the service and endpoint durations with krakend-koanf: a string is Go's
// time.ParseDuration (an error stops KrakenD from starting), a JSON number is nanoseconds truncated
// (mapstructure's float64 -> int64), true is 1 ns, false and null are 0. lura's Init then reads a
// service timeout of 0 as 2s and an endpoint's 0 as the service's.
const service = (settings: Record<string, unknown>, endpoint: Record<string, unknown> = {}) =>
  validateGatewayConfig({
    version: 3,
    name: 'x',
    ...settings,
    endpoints: [
      { endpoint: '/a', ...endpoint, backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/' }] },
    ],
  })
const timeoutOf = (value: unknown) => {
  const result = service({ timeout: value })
  assert.deepEqual(result.errors, [], JSON.stringify(value))
  return result.config?.timeoutMs
}
const refusal = (settings: Record<string, unknown>, endpoint: Record<string, unknown> = {}) =>
  service(settings, endpoint).errors.map((e) => `${e.location?.path}: ${e.message}`)

describe("durations: read as Go's time.ParseDuration and mapstructure read them", () => {
  test("every form Go accepts is read, with Go's value", () => {
    const cases: [unknown, number][] = [
      ['+5s', 5000],
      ['.5s', 500],
      ['5.s', 5000],
      ['1h2m3.5s', 3_723_500],
      ['1h1h', 7_200_000],
      ['1us', 0.001],
      ['1µs', 0.001],
      ['1μs', 0.001],
      ['2562047h', MAX_TIMER_MS],
      [2_500_000_000, 2500],
      [1.9, 0.000001],
      [true, 0.000001],
    ]
    for (const [value, ms] of cases) assert.equal(timeoutOf(value), ms, JSON.stringify(value))
  })

  test("0, \"-0s\", false and null are lura's zero: the service timeout is 2s, an endpoint's is the service's", () => {
    for (const value of [0, '0', '-0s', '+0', '-0', false, null]) {
      assert.equal(timeoutOf(value), 2000, JSON.stringify(value))
      const result = service({ timeout: '3s' }, { timeout: value })
      assert.deepEqual(result.errors, [])
      assert.equal(result.config?.endpoints[0]?.timeoutMs, 3000, JSON.stringify(value))
    }
  })

  test("what Go refuses stops KrakenD from starting: refused at the key, with Go's reason", () => {
    assert.deepEqual(refusal({ timeout: ' 5s' }), [
      'timeout: "timeout" is not a duration: KrakenD refuses to start: time: invalid duration " 5s"',
    ])
    assert.deepEqual(refusal({ cache_ttl: '5s ' }), [
      'cache_ttl: "cache_ttl" is not a duration: KrakenD refuses to start: time: unknown unit "s " in duration "5s "',
    ])
    assert.deepEqual(refusal({ read_timeout: '2562047h47m16.854775808s' }), [
      'read_timeout: "read_timeout" is not a duration: KrakenD refuses to start: time: invalid duration "2562047h47m16.854775808s"',
    ])
    assert.deepEqual(refusal({}, { timeout: '5' }), [
      'endpoints[0].timeout: "timeout" is not a duration: KrakenD refuses to start: time: missing unit in duration "5"',
    ])
    assert.match(refusal({ idle_timeout: 1e30 })[0] ?? '', /outside Go's durations/)
    assert.match(refusal({ write_timeout: ['5s'] })[0] ?? '', /\["5s"\] is not a duration/)
  })

  test("negative server timeouts are none, as in Go's http.Server (its d > 0 checks)", () => {
    const result = service({
      read_timeout: '-5s',
      write_timeout: -1,
      idle_timeout: '-1ms',
      read_header_timeout: '-1s',
      max_shutdown_wait_time: '-5s',
    })
    assert.deepEqual([result.errors, result.warnings.map((w) => w.location?.path)], [[], []])
    const server = result.config?.server
    assert.deepEqual(
      [server?.readTimeoutMs, server?.writeTimeoutMs, server?.idleTimeoutMs, server?.readHeaderTimeoutMs],
      [0, 0, 0, MAX_TIMER_MS],
    )
    // lura shuts down without a bound below 0, as at 0: as long as a timer holds.
    assert.equal(result.config?.runtime.drainTimeoutMs, MAX_TIMER_MS)
  })

  test("a negative request timeout is read, with a warning; this runtime's own durations are never negative", () => {
    const result = service({ timeout: '-1s' }, { timeout: -5 })
    assert.deepEqual(result.errors, [])
    assert.deepEqual(
      result.warnings.map((w) => w.location?.path),
      ['timeout', 'endpoints[0].timeout'],
    )
    assert.equal(result.config?.timeoutMs, 0.000001)
    assert.deepEqual(refusal({ extra_config: { 'gwdeploy/runtime': { drain_grace: '-1s' } } }), [
      'extra_config.gwdeploy/runtime.drain_grace: "drain_grace" must not be negative, got "-1s"',
    ])
  })
})

describe("a component's durations: Go's syntax and sign", () => {
  test('qos/ratelimit/router "every" below 1s, a negative one too, is 1s, as krakend-ratelimit floors it', () => {
    const limited = (every: string) =>
      service({}, { extra_config: { 'qos/ratelimit/router': { max_rate: 10, every } } })
    for (const every of ['-1m', '.5s']) {
      const result = limited(every)
      assert.deepEqual(result.errors, [], every)
      assert.equal(result.config?.endpoints[0]?.components?.rateLimit?.maxRate, 10, every)
    }
    assert.equal(limited('1.5m').config?.endpoints[0]?.components?.rateLimit?.maxRate, 10 * (1000 / 90_000))
  })
})

describe('integer settings KrakenD reads as unset or as one call', () => {
  test("null is mapstructure's zero: lura's defaults (port 8080, Go's 1 MB of headers, one call)", () => {
    const result = service({ port: null, max_header_bytes: null }, { concurrent_calls: null })
    assert.deepEqual(result.errors, [])
    assert.deepEqual(
      [
        result.config?.port,
        result.config?.server.maxHeaderBytes,
        result.config?.endpoints[0]?.concurrentCalls,
      ],
      [8080, 1 << 20, 1],
    )
  })

  test("max_header_bytes 0 or below is Go's default; concurrent_calls 0 or below is one call", () => {
    for (const [bytes, calls] of [
      [0, 0],
      [-1, -1],
    ]) {
      const result = service({ max_header_bytes: bytes }, { concurrent_calls: calls })
      assert.deepEqual(result.errors, [])
      assert.equal(result.config?.server.maxHeaderBytes, 1 << 20)
      assert.equal(result.config?.endpoints[0]?.concurrentCalls, 1)
    }
    assert.deepEqual(refusal({ max_header_bytes: 17 }), [
      'max_header_bytes: "max_header_bytes" must be 0 or below (Go\'s default, 1 MB) or between 1024 and 16777216, got 17',
    ])
  })
})

describe('negative and tiny durations over a socket, as KrakenD serves them', () => {
  let backend: TestBackend | undefined
  let gateway: Running | undefined
  before(async () => {
    backend = await startBackend('b', { '/x': { body: { ok: true } } })
    const host = [backend.origin]
    const shadow = (timeout: string, path: string) => ({
      host,
      url_pattern: path,
      extra_config: { proxy: { shadow: true, shadow_timeout: timeout } },
    })
    gateway = await startGateway(
      mustConfig({
        version: 3,
        name: 'x',
        cache_ttl: '-5s',
        endpoints: [
          { endpoint: '/expired', timeout: '-1s', backend: [{ host, url_pattern: '/x' }] },
          { endpoint: '/negative-ttl', backend: [{ host, url_pattern: '/x' }] },
          { endpoint: '/tiny-ttl', cache_ttl: '.000000001s', backend: [{ host, url_pattern: '/x' }] },
          {
            endpoint: '/shadow-negative',
            backend: [{ host, url_pattern: '/x' }, shadow('-1s', '/shadow-negative')],
          },
          {
            endpoint: '/shadow-go-form',
            backend: [{ host, url_pattern: '/x' }, shadow('.5s', '/shadow-go-form')],
          },
        ],
      }),
    )
  })
  after(async () => {
    await gateway?.close()
    await backend?.close()
  })

  test('a negative timeout: the deadline is past, 500 and no backend call', async () => {
    const res = await send(String(gateway?.url), { path: '/expired' })
    assert.equal(res.status, 500)
    assert.equal(res.headers['x-krakend-completed'], 'false')
    assert.equal(
      backend?.seen.some((r) => r.url === '/x'),
      false,
    )
  })

  test('a shadow_timeout of 0 or below on every shadow: the shadows stay in the config (lura builds them; the socket tests show none is called)', () => {
    const shadowOf = (...timeouts: string[]) =>
      validateGatewayConfig({
        version: 3,
        name: 'x',
        endpoints: [
          {
            endpoint: '/a',
            backend: [
              { host: ['http://127.0.0.1:19'], url_pattern: '/' },
              ...timeouts.map((shadow_timeout) => ({
                host: ['http://127.0.0.1:19'],
                url_pattern: '/s',
                extra_config: { proxy: { shadow: true, shadow_timeout } },
              })),
            ],
          },
        ],
      }).config?.endpoints[0]?.shadows?.length ?? 0
    assert.deepEqual(
      [shadowOf('-1s'), shadowOf('0s'), shadowOf('-1s', '0'), shadowOf('-1s', '.5s')],
      [1, 1, 2, 2],
    )
  })

  test('a negative shadow_timeout expires before the shadow call is sent (lura takes the longest from 0)', async () => {
    assert.equal((await send(String(gateway?.url), { path: '/shadow-negative' })).status, 200)
    assert.equal((await send(String(gateway?.url), { path: '/shadow-go-form' })).status, 200)
    const shadowed = (path: string) => backend?.seen.some((r) => r.url === path) ?? false
    for (let waited = 0; !shadowed('/shadow-go-form') && waited < 5000; waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20))
    assert.equal(shadowed('/shadow-go-form'), true)
    assert.equal(shadowed('/shadow-negative'), false)
  })

  test('cache_ttl below 0 or below a second is sent as lura writes it (int of its seconds)', async () => {
    const negative = await send(String(gateway?.url), { path: '/negative-ttl' })
    assert.equal(negative.status, 200)
    assert.equal(negative.headers['cache-control'], 'public, max-age=-5')
    const tiny = await send(String(gateway?.url), { path: '/tiny-ttl' })
    assert.equal(tiny.headers['cache-control'], 'public, max-age=0')
  })
})
