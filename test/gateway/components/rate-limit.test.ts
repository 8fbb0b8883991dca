import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

// Rates are per hour so that no token comes back during a test: the counts are exact on any machine.
let backend: TestBackend
let gw: Running
let trusted: Running

const endpoint = (
  path: string,
  limit: Record<string, unknown>,
  host: string[],
  extra: Record<string, unknown> = {},
) => ({
  endpoint: path,
  extra_config: { 'qos/ratelimit/router': { every: '1h', ...limit } },
  backend: [{ host, url_pattern: '/echo', ...extra }],
})

before(async () => {
  backend = await startBackend('api')
  const host = [backend.origin]
  gw = await startGateway(
    mustConfig({
      version: 3,
      name: 'rl',
      extra_config: { 'gwdeploy/runtime': { workers: 1 } },
      endpoints: [
        endpoint('/global', { max_rate: 2, capacity: 2 }, host),
        endpoint('/default-capacity', { max_rate: 2 }, host),
        endpoint('/ip', { client_max_rate: 2, client_capacity: 2, strategy: 'ip' }, host),
        endpoint(
          '/header',
          { client_max_rate: 2, client_capacity: 2, strategy: 'header', key: 'X-Api-Key' },
          host,
        ),
        // strings.ToLower folds U+0130 to `i`; a huge num_shards allocates nothing here.
        endpoint(
          '/dotted-ip',
          { client_max_rate: 1, client_capacity: 1, strategy: '\u0130P', num_shards: 1e15 },
          host,
        ),
        endpoint(
          '/param/{tenant}',
          { client_max_rate: 1, client_capacity: 1, strategy: 'param', key: 'tenant' },
          host,
        ),
        endpoint(
          '/both',
          {
            max_rate: 3,
            capacity: 3,
            client_max_rate: 2,
            client_capacity: 2,
            strategy: 'header',
            key: 'X-Api-Key',
          },
          host,
        ),
        {
          endpoint: '/backend-limited',
          backend: [
            {
              host,
              url_pattern: '/echo',
              extra_config: { 'qos/ratelimit/proxy': { max_rate: 0.0001, capacity: 2 } },
            },
          ],
        },
      ],
    }),
  )
  trusted = await startGateway(
    mustConfig({
      version: 3,
      name: 'rl-trusted',
      extra_config: { router: { trusted_proxies: ['10.9.9.9'] }, 'gwdeploy/runtime': { workers: 1 } },
      endpoints: [endpoint('/ip', { client_max_rate: 1, client_capacity: 1, strategy: 'ip' }, host)],
    }),
  )
})
after(async () => {
  await gw?.close()
  await trusted?.close()
  await backend?.close()
})

const statuses = async (url: string, path: string, headers: Record<string, string>, count: number) => {
  const out: number[] = []
  for (let i = 0; i < count; i += 1) {
    const res = await send(url, { path, headers })
    if (res.status !== 200) assert.equal(res.text, '', 'rejections have no body')
    out.push(res.status)
  }
  return out
}

describe('qos/ratelimit/router and qos/ratelimit/proxy', () => {
  test('the endpoint-wide limit answers 503 once the bucket is empty, before the backend', async () => {
    const seen = backend.seen.length
    assert.deepEqual(await statuses(gw.url, '/global', {}, 4), [200, 200, 503, 503])
    assert.equal(backend.seen.length, seen + 2)
    // krakend-ratelimit derives the capacity from the rate after "every": 2 per hour < 1 -> capacity 1
    assert.deepEqual(await statuses(gw.url, '/default-capacity', {}, 2), [200, 503])
  })

  test('strategy ip: 429 per client; like gin, X-Forwarded-For names the client (every proxy is trusted by default)', async () => {
    assert.deepEqual(await statuses(gw.url, '/ip', { 'x-forwarded-for': '10.0.0.1' }, 3), [200, 200, 429])
    assert.deepEqual(await statuses(gw.url, '/ip', { 'x-forwarded-for': '10.0.0.2, 10.0.0.1' }, 1), [200])
    assert.deepEqual(await statuses(gw.url, '/ip', {}, 3), [200, 200, 429], '127.0.0.1 has its own bucket')
  })

  test('with trusted_proxies the socket address is used unless it is a trusted proxy', async () => {
    assert.deepEqual(await statuses(trusted.url, '/ip', { 'x-forwarded-for': '10.0.0.1' }, 1), [200])
    assert.deepEqual(await statuses(trusted.url, '/ip', { 'x-forwarded-for': '10.0.0.2' }, 1), [429])
  })

  test('strategy header: a missing key is 429; each key has its own bucket', async () => {
    assert.deepEqual(await statuses(gw.url, '/header', {}, 1), [429])
    assert.deepEqual(await statuses(gw.url, '/header', { 'x-api-key': 'k1' }, 3), [200, 200, 429])
    assert.deepEqual(await statuses(gw.url, '/header', { 'x-api-key': 'k2' }, 1), [200])
  })

  test('strategy "\u0130P" is ip, as Go lowers it; num_shards 1e15 starts and counts the same', async () => {
    assert.deepEqual(await statuses(gw.url, '/dotted-ip', { 'x-forwarded-for': '10.0.0.7' }, 2), [200, 429])
    assert.deepEqual(await statuses(gw.url, '/dotted-ip', { 'x-forwarded-for': '10.0.0.8' }, 1), [200])
  })

  test('strategy param: the path parameter is the key', async () => {
    assert.deepEqual(await statuses(gw.url, '/param/a', {}, 2), [200, 429])
    assert.deepEqual(await statuses(gw.url, '/param/b', {}, 1), [200])
  })

  test('client limit first (429), then the endpoint-wide one (503)', async () => {
    assert.deepEqual(await statuses(gw.url, '/both', { 'x-api-key': 'a' }, 3), [200, 200, 429])
    assert.deepEqual(await statuses(gw.url, '/both', { 'x-api-key': 'b' }, 2), [200, 503])
  })

  test('a backend over its limit fails like a failed backend: 500 and X-KrakenD-Completed false', async () => {
    const seen = backend.seen.length
    const results: Array<[number, unknown]> = []
    for (let i = 0; i < 3; i += 1) {
      const res = await send(gw.url, { path: '/backend-limited' })
      results.push([res.status, res.headers['x-krakend-completed']])
    }
    assert.deepEqual(results, [
      [200, 'true'],
      [200, 'true'],
      [500, 'false'],
    ])
    assert.equal(backend.seen.length, seen + 2)
  })

  test('config: a client limit without a usable strategy is an error; several workers are a warning', () => {
    const check = (limit: Record<string, unknown>, runtime: Record<string, unknown> = {}) =>
      validateGatewayConfig({
        version: 3,
        name: 'x',
        extra_config: { 'gwdeploy/runtime': runtime },
        endpoints: [
          {
            endpoint: '/a',
            extra_config: { 'qos/ratelimit/router': limit },
            backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/a' }],
          },
        ],
      })
    const noStrategy = check({ client_max_rate: 5 })
    assert.equal(
      noStrategy.errors[0]?.location?.path,
      'endpoints[0].extra_config.qos/ratelimit/router.strategy',
    )
    assert.match(
      check({ client_max_rate: 5, strategy: 'cookie' }).errors[0]?.message ?? '',
      /unknown strategy "cookie"/,
    )
    assert.match(check({ client_max_rate: 5, strategy: 'header' }).errors[0]?.message ?? '', /needs a "key"/)
    const perCore = check({ max_rate: 5 })
    assert.deepEqual(perCore.errors, [])
    assert.match(perCore.warnings.map((w) => w.message).join('\n'), /counts per worker process/)
    assert.deepEqual(check({ max_rate: 5 }, { workers: 1 }).warnings, [])
  })
})
