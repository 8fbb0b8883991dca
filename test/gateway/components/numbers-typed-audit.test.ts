import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'

// Numbers of the right JSON type that KrakenD's Go code cannot hold as written: the guard would
// fail open here (or run where KrakenD runs none), so each is refused at its path.

const problems = (level: 'endpoint' | 'backend', ns: string, value: unknown) => {
  const extra = { [ns]: value }
  const backend = {
    host: ['http://127.0.0.1:19'],
    url_pattern: '/a',
    ...(level === 'backend' ? { extra_config: extra } : {}),
  }
  return validateGatewayConfig({
    version: 3,
    name: 'x',
    endpoints: [
      { endpoint: '/a', ...(level === 'endpoint' ? { extra_config: extra } : {}), backend: [backend] },
    ],
  }).errors.map((e) => ({ path: e.location?.path ?? '', message: e.message }))
}
const endpointAt = (ns: string, key: string) => `endpoints[0].extra_config.${ns}.${key}`
const backendAt = (ns: string, key: string) => `endpoints[0].backend[0].extra_config.${ns}.${key}`

describe('rates krakendrate cannot refill (fill interval int64(1e9 / rate) is 0: a Go panic once empty)', () => {
  test('router max_rate and client_max_rate above 1e9 per second', () => {
    const router = problems('endpoint', 'qos/ratelimit/router', {
      max_rate: 2e9,
      capacity: 5,
      client_max_rate: 5e9,
      strategy: 'ip',
    })
    assert.deepEqual(
      router.map((p) => p.path),
      [endpointAt('qos/ratelimit/router', 'max_rate'), endpointAt('qos/ratelimit/router', 'client_max_rate')],
    )
    assert.match(router[0]?.message ?? '', /cannot refill faster than 1e9 per second/)
    assert.deepEqual(problems('endpoint', 'qos/ratelimit/router', { max_rate: 1e9, capacity: 5 }), [])
  })

  test('proxy max_rate scaled by a short "every" (no 1 s floor on the proxy)', () => {
    const proxy = problems('backend', 'qos/ratelimit/proxy', { max_rate: 2e6, every: '1ms', capacity: 1 })
    assert.equal(proxy.length, 1, JSON.stringify(proxy))
    assert.equal(proxy[0]?.path, backendAt('qos/ratelimit/proxy', 'max_rate'))
    assert.match(proxy[0]?.message ?? '', /2000000000 per second \(scaled by "every"\)/)
    assert.deepEqual(problems('backend', 'qos/ratelimit/proxy', { max_rate: 2e6, every: '1s' }), [])
  })
})

describe('circuit breaker max_errors beyond uint32 (gobreaker compares uint32(max_errors))', () => {
  test('2^32 would wrap to 0 in KrakenD: refused; 2^32 - 1 is accepted', () => {
    const cb = (maxErrors: number) =>
      problems('backend', 'qos/circuit-breaker', { interval: 60, timeout: 10, max_errors: maxErrors })
    const wrapped = cb(2 ** 32)
    assert.equal(wrapped.length, 1, JSON.stringify(wrapped))
    assert.equal(wrapped[0]?.path, backendAt('qos/circuit-breaker', 'max_errors'))
    assert.match(wrapped[0]?.message ?? '', /at most 4294967295/)
    assert.deepEqual(cb(2 ** 32 - 1), [])
  })
})

describe('bot detector cache_size beyond Go int (json.Unmarshal fails: KrakenD runs no detector)', () => {
  test('1e19 is refused, 1e18 accepted', () => {
    const bot = (size: number) =>
      problems('endpoint', 'security/bot-detector', { deny: ['curl'], cache_size: size })
    const big = bot(1e19)
    assert.equal(big.length, 1, JSON.stringify(big))
    assert.equal(big[0]?.path, endpointAt('security/bot-detector', 'cache_size'))
    assert.match(big[0]?.message ?? '', /runs no bot detector/)
    assert.deepEqual(bot(1e18), [])
  })
})
