// kafka:// backends as gocloud's opener reads them (checked against KrakenD 2.13.8: see the commit),
// and what is refused before anything runs: where KrakenD would open nothing and call the URL over
// HTTP (mem:// too), or each request would fail, or the process's shared opener would race.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { refuseUnrunnablePubsub } from '../../src/gateway/backend-pubsub/start-checks.ts'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'

const PUB = 'backend/pubsub/publisher'
const SUB = 'backend/pubsub/subscriber'

const backend = (host: string, namespace: string, url: string) => ({
  host: [host],
  disable_host_sanitize: true,
  url_pattern: '/x',
  extra_config: { [namespace]: namespace === PUB ? { topic_url: url } : { subscription_url: url } },
})

/** One endpoint per backend, in this order. */
const config = (...backends: Array<[string, string, string]>) => ({
  version: 3,
  extra_config: { 'gwdeploy/runtime': { workers: 1 } },
  endpoints: backends.map(([host, ns, url], i) => ({
    endpoint: `/e${i}`,
    backend: [backend(host, ns, url)],
  })),
})

const errorsOf = (raw: unknown) => validateGatewayConfig(raw).errors

test('kafka:// publishers and subscriptions load as gocloud reads them', () => {
  const loaded = validateGatewayConfig(
    config(
      ['kafka://', PUB, 'orders?key_name=X-Key'],
      ['kafka://', SUB, 'grp/a?topic=t1&topic=t2&offset=oldest'],
    ),
  )
  assert.deepEqual(loaded.errors, [])
  const [pub, sub] = loaded.config?.endpoints.map((ep) => ep.backends[0]?.pubsub) ?? []
  assert.deepEqual(pub, {
    role: 'publisher',
    url: 'kafka://orders?key_name=X-Key',
    target: { driver: 'kafka', name: 'orders', keyName: 'X-Key', topics: [] },
  })
  assert.deepEqual(sub?.target, { driver: 'kafka', name: 'grp/a', topics: ['t1', 't2'], offset: 'oldest' })
})

test('kafka:// URLs gocloud refuses, or that fail every request, are refused at the backend', () => {
  for (const [ns, url, why] of [
    [PUB, 't?key_name=', /invalid query parameter "key_name"/],
    [PUB, 't?key_name=a&key_name=b', /invalid query parameter "key_name"/],
    [PUB, 't?topic=x', /invalid query parameter "topic"/],
    [PUB, '', /topic name is empty/],
    [SUB, 'g?topic=t&offset=latest', /invalid query parameter "latest"/],
    [SUB, 'g?topic=t&key_name=k', /invalid query parameter "key_name"/],
    [SUB, 'g', /no \?topic= to consume/],
    [SUB, '?topic=t', /consumer group is empty/],
    [SUB, 'g?topic=', /empty \?topic=/],
  ] as const) {
    const errors = errorsOf(config(['kafka://', ns, url]))
    assert.equal(errors.length, 1, `${url}: ${JSON.stringify(errors)}`)
    assert.match(errors[0]?.message ?? '', why, url)
    assert.equal(errors[0]?.location?.path, `endpoints[0].backend[0].extra_config.${ns}`)
    assert.ok(errors[0]?.hint, url)
  }
})

test('kafka:// subscriptions whose ?offset= differ are refused: one Sarama config serves them all', () => {
  const errors = errorsOf(
    config(
      ['kafka://', SUB, 'g1?topic=t&offset=oldest'],
      ['kafka://', SUB, 'g2?topic=t'],
      ['kafka://', SUB, 'g3?topic=t&offset=newest'],
    ),
  )
  assert.equal(errors.length, 1, JSON.stringify(errors))
  assert.equal(errors[0]?.location?.path, `endpoints[2].backend[0].extra_config.${SUB}`)
  assert.match(
    errors[0]?.message ?? '',
    /\?offset=newest beside \?offset=oldest at endpoints\[0\]\.backend\[0\]/,
  )
  assert.deepEqual(
    errorsOf(config(['kafka://', SUB, 'g1?topic=t&offset=oldest'], ['kafka://', SUB, 'g2?topic=t'])),
    [],
  )
})

test('a node refuses kafka:// without KAFKA_BROKERS', () => {
  const loaded = validateGatewayConfig(config(['kafka://', PUB, 't'])).config
  assert.ok(loaded)
  assert.throws(() => refuseUnrunnablePubsub(loaded, {}, 'krakend.json'), /KAFKA_BROKERS is not set/)
  refuseUnrunnablePubsub(loaded, { KAFKA_BROKERS: 'k1:9092,k2:9092' }, 'krakend.json')
})

test('mem:// is refused: krakend-pubsub registers no in-memory driver, so KrakenD calls the URL over HTTP', () => {
  for (const ns of [PUB, SUB]) {
    const errors = errorsOf(config(['mem://', PUB, 't'], ['mem://', ns, 't']))
    assert.equal(errors.length, 2, JSON.stringify(errors))
    assert.match(
      errors[1]?.message ?? '',
      /no pub\/sub driver for the scheme "mem".*every request would fail/,
    )
    assert.equal(errors[1]?.location?.path, `endpoints[1].backend[0].extra_config.${ns}`)
  }
})
