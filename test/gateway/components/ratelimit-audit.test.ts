// Audit of qos/ratelimit/router and qos/ratelimit/proxy against krakend-ratelimit v3.3.1
// (KrakenD CE 2.13.8). Rates are per hour so that no token comes back during a test.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { gatewayWith } from '../gateway-fixture.ts'
import { rawRequest, send, sendRaw } from '../helpers.ts'

const clientLimit = (path: string, limit: Record<string, unknown>, host: string[]) => ({
  endpoint: path,
  extra_config: {
    'qos/ratelimit/router': { every: '1h', client_max_rate: 1, client_capacity: 1, ...limit },
  },
  backend: [{ host, url_pattern: '/echo' }],
})

const gw = gatewayWith((backend) => {
  const host = [backend.origin]
  return {
    version: 3,
    name: 'rl-audit',
    extra_config: { 'gwdeploy/runtime': { workers: 1 } },
    endpoints: [
      {
        endpoint: '/proxy-every',
        backend: [
          {
            host,
            url_pattern: '/echo',
            extra_config: { 'qos/ratelimit/proxy': { max_rate: 2, every: '1h' } },
          },
        ],
      },
      clientLimit('/header', { strategy: 'header', key: 'X-Api-Key' }, host),
      clientLimit('/ip-key', { strategy: 'ip', key: 'X-Real-Client' }, host),
      clientLimit(
        '/header-constructor',
        { strategy: 'header', key: 'Constructor', client_capacity: 2 },
        host,
      ),
      clientLimit('/ip-constructor', { strategy: 'ip', key: 'Constructor' }, host),
      // No client_capacity: krakend-ratelimit sizes it uint64(client rate per second) = 0, as the
      // endpoint rate per second (1000) is >= 1. A token comes after 4000 s.
      {
        endpoint: '/client-below-one',
        extra_config: {
          'qos/ratelimit/router': {
            every: '1h',
            max_rate: 3_600_000,
            client_max_rate: 0.9,
            strategy: 'ip',
          },
        },
        backend: [{ host, url_pattern: '/echo' }],
      },
    ],
  }
})

/** A GET with a header sent on several lines; the status code. */
const rawGet = async (path: string, headerLines: string[]) =>
  (await sendRaw(gw.url, rawRequest([`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...headerLines]))).status

const statuses = async (path: string, headers: Record<string, string>, count: number) => {
  const out: number[] = []
  for (let i = 0; i < count; i += 1) out.push((await send(gw.url, { path, headers })).status)
  return out
}

describe('krakend-ratelimit audit', () => {
  test('qos/ratelimit/proxy honours "every" (rate 2 per hour: capacity 1, the second call fails)', async () => {
    const seen = gw.backend.seen.length
    assert.deepEqual(await statuses('/proxy-every', {}, 3), [200, 500, 500])
    assert.equal(gw.backend.seen.length, seen + 1)
  })

  test("strategy header keys on the first line of a repeated header, as Go's Header.Get", async () => {
    assert.equal(await rawGet('/header', ['X-Api-Key: tenant-a', 'X-Api-Key: one']), 200)
    assert.equal(await rawGet('/header', ['X-Api-Key: tenant-a', 'X-Api-Key: two']), 429)
  })

  test("strategy ip with a key header: an address Go's net.ParseIP refuses falls back to the client IP", async () => {
    // "01.2.3.4" and "001.2.3.4" have leading zeros: both are the client's own address (127.0.0.1).
    assert.deepEqual(await statuses('/ip-key', { 'x-real-client': '01.2.3.4' }, 1), [200])
    assert.deepEqual(await statuses('/ip-key', { 'x-real-client': '001.2.3.4' }, 1), [429])
    assert.deepEqual(await statuses('/ip-key', { 'x-real-client': '1.2.3.4' }, 2), [200, 429])
  })

  test('a key header named like an Object.prototype property (Constructor) is read from the request only', async () => {
    // Without the header the key is empty: 429, as for any missing key header (it was a 500: the
    // lookup found Object.prototype.constructor). With it, the client's own bucket.
    assert.deepEqual(await statuses('/header-constructor', {}, 1), [429])
    assert.deepEqual(await statuses('/header-constructor', { constructor: 'tenant-c' }, 3), [200, 200, 429])
    // strategy ip: no such header falls back to the client IP.
    assert.deepEqual(await statuses('/ip-constructor', {}, 2), [200, 429])
  })

  test('a client capacity that rounds to 0 starts every client with an empty bucket: 429 until a token is made', async () => {
    // krakendrate clamps the bucket's size to 1 but keeps its initial stock at 0, so a new client's
    // first call is refused (it passed here).
    const seen = gw.backend.seen.length
    assert.deepEqual(await statuses('/client-below-one', {}, 2), [429, 429])
    assert.equal(gw.backend.seen.length, seen)
  })

  test('config: "every" that Go cannot parse, a zero proxy "every", and cleanup_period', () => {
    const check = (namespace: string, limit: Record<string, unknown>) => {
      const endpoint: Record<string, unknown> = {
        endpoint: '/a',
        backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/a' }],
      }
      if (namespace === 'qos/ratelimit/router') endpoint.extra_config = { [namespace]: limit }
      else
        endpoint.backend = [
          { host: ['http://127.0.0.1:19'], url_pattern: '/a', extra_config: { [namespace]: limit } },
        ]
      return validateGatewayConfig({
        version: 3,
        extra_config: { 'gwdeploy/runtime': { workers: 1 } },
        endpoints: [endpoint],
      })
    }
    // Go formats a number without a unit: time.ParseDuration fails (KrakenD falls back to 1s).
    assert.match(
      check('qos/ratelimit/router', { max_rate: 5, every: 3_600_000_000_000 }).errors[0]?.message ?? '',
      /"every" must be a duration/,
    )
    assert.match(
      check('qos/ratelimit/proxy', { max_rate: 5, every: '0s' }).errors[0]?.message ?? '',
      /"every" must be longer than 0/,
    )
    const tuned = check('qos/ratelimit/router', {
      client_max_rate: 1,
      strategy: 'ip',
      cleanup_period: '5m',
      num_shards: 8,
      cleanup_threads: 2,
    })
    assert.deepEqual(tuned.errors, [])
    assert.equal(tuned.config?.endpoints[0]?.components?.rateLimit?.cleanupMs, 300_000)
  })
})
