// backend/pubsub/publisher and subscriber on Kafka (gocloud's kafkapubsub on Sarama) against a real
// Kafka: what lands in the topic (value, key, headers, partition) and what the client gets, as
// KrakenD 2.13.8 does on the same config and broker (compared record by record: see the commit).
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, test } from 'node:test'
import { Admin, Consumer, Producer } from '@platformatic/kafka'
import { closeKafkaClients } from '../../src/gateway/lazy/pubsub-kafka.ts'
import { requireKafka } from '../helpers/services.ts'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

const tag = randomBytes(4).toString('hex')
const name = (what: string) => `gw-pubsub-${tag}-${what}`

let brokers: string
let admin: Admin
let gw: Running

interface TopicRecord {
  partition: number
  key: string | null
  value: string
  headers: string[]
}

/** The topic's first `count` records (every partition, oldest first), within 15 s. */
async function records(topic: string, count: number): Promise<TopicRecord[]> {
  const consumer = new Consumer({
    groupId: name(`read-${topic}`),
    clientId: 'test',
    bootstrapBrokers: [brokers],
  })
  const out: TopicRecord[] = []
  const timer = setTimeout(() => void consumer.close(true), 15_000)
  try {
    const stream = await consumer.consume({
      topics: [topic],
      mode: 'earliest',
      autocommit: false,
      maxWaitTime: 200,
    })
    for await (const m of stream) {
      out.push({
        partition: m.partition,
        key: m.key === undefined || m.key === null ? null : m.key.toString(),
        value: m.value.toString(),
        headers: m.headerEntries.map(([k, v]) => `${k}: ${v}`).sort(),
      })
      if (out.length >= count) break
    }
  } finally {
    clearTimeout(timer)
    await consumer.close(true)
  }
  return out
}

const backend = (role: 'publisher' | 'subscriber', url: string, more: Record<string, unknown> = {}) => ({
  host: ['kafka://'],
  disable_host_sanitize: true,
  url_pattern: '/ignored',
  ...more,
  extra_config: {
    [`backend/pubsub/${role}`]: role === 'publisher' ? { topic_url: url } : { subscription_url: url },
  },
})

before(async () => {
  ;({ brokers } = await requireKafka())
  admin = new Admin({ clientId: 'test', bootstrapBrokers: [brokers] })
  await admin.createTopics({ topics: [name('p3')], partitions: 3, replicas: 1 })
  await admin.createTopics({ topics: [name('in')], partitions: 1, replicas: 1 })
  await admin.createTopics({ topics: [name('in2')], partitions: 1, replicas: 1 })
  const producer = new Producer({ clientId: 'test', bootstrapBrokers: [brokers] })
  for (const value of ['{"a":1,"b":2,"c":3}', 'not json', '{"a":"second"}'])
    await producer.send({ messages: [{ topic: name('in'), value: Buffer.from(value) }] })
  await producer.send({ messages: [{ topic: name('in2'), value: Buffer.from('{"old":true}') }] })
  await producer.close()
  process.env.KAFKA_BROKERS = ` ${brokers} `
  gw = await startGateway(
    mustConfig({
      version: 3,
      timeout: '1500ms',
      endpoints: [
        {
          endpoint: '/keyed',
          method: 'POST',
          input_headers: ['X-Key', 'X-Foo', 'Content-Type'],
          backend: [backend('publisher', `${name('p3')}?key_name=X-Key`)],
        },
        // no ?key_name=, opened after /keyed: gocloud's shared options give it X-Key all the same
        {
          endpoint: '/after',
          method: 'POST',
          input_headers: ['X-Key'],
          backend: [backend('publisher', name('after'))],
        },
        // no ?offset=, opened before /in's ?offset=oldest: Sarama's shared config starts it there too
        { endpoint: '/shared', backend: [backend('subscriber', `${name('group2')}?topic=${name('in2')}`)] },
        {
          endpoint: '/in',
          backend: [
            backend('subscriber', `${name('group')}?topic=${name('in')}&offset=oldest`, {
              allow: ['a', 'c'],
            }),
          ],
        },
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  await closeKafkaClients()
  await admin?.deleteTopics({ topics: [name('p3'), name('in'), name('in2'), name('after')] }).catch(() => {})
  await admin?.deleteGroups({ groups: [name('group'), name('group2')] }).catch(() => {})
  await admin?.close()
  delete process.env.KAFKA_BROKERS
})

test("the publisher writes the body, lura headers as record headers, the key_name one as the key, to Sarama's hash partition", async () => {
  // the partitions KrakenD's Sarama chose for these keys on a 3-partition topic
  const expected: Array<[string, number]> = [
    ['k1', 1],
    ['k2', 1],
    ['k3', 2],
    ['k4', 1],
    ['abc', 2],
    ['zz', 0],
    ['', 0],
  ]
  for (const [key] of expected) {
    const res = await send(gw.url, {
      method: 'POST',
      path: '/keyed',
      headers: { 'X-Key': key, 'X-Foo': 'foo', 'Content-Type': 'application/json' },
      body: `{"k":"${key}"}`,
    })
    assert.equal(res.status, 200, res.text)
    assert.equal(res.text, 'null')
    assert.equal(res.headers['x-krakend-completed'], 'false')
  }
  const got = await records(name('p3'), expected.length)
  const byValue = new Map(got.map((r) => [r.value, r]))
  for (const [key, partition] of expected) {
    const record = byValue.get(`{"k":"${key}"}`)
    assert.equal(record?.partition, partition, `key ${JSON.stringify(key)}`)
    // an empty value is an empty key, not a null one
    assert.equal(record?.key, key)
    assert.deepEqual(record?.headers, [
      'Content-Type: application/json',
      'User-Agent: KrakenD Version 2.13.8',
      'X-Foo: foo',
      'X-Forwarded-For: 127.0.0.1',
      `X-Forwarded-Host: ${new URL(gw.url).host}`,
    ])
  }
})

test('a topic without ?key_name opened after one with it keys its records the same (one opener for the process)', async () => {
  const res = await send(gw.url, { method: 'POST', path: '/after', headers: { 'X-Key': 'k1' }, body: 'x' })
  assert.equal(res.status, 200, res.text)
  const [record] = await records(name('after'), 1)
  assert.equal(record?.key, 'k1')
  assert.equal(record?.value, 'x')
  assert.ok(!record?.headers.some((h) => h.startsWith('X-Key:')), JSON.stringify(record?.headers))
})

test("a subscription without ?offset= starts where another's says (one Sarama config for the process)", async () => {
  const res = await send(gw.url, { path: '/shared' })
  assert.equal(res.status, 200, res.text)
  assert.equal(res.text, '{"old":true}')
})

test('the subscriber answers each message in turn through allow; one it cannot decode is never committed', async () => {
  const first = await send(gw.url, { path: '/in' })
  assert.equal(first.status, 200, first.text)
  assert.equal(first.text, '{"a":1,"c":3}')
  assert.equal(first.headers['x-krakend-completed'], 'true')
  assert.equal((await send(gw.url, { path: '/in' })).status, 500)
  assert.equal((await send(gw.url, { path: '/in' })).text, '{"a":"second"}')
  // nothing left: the endpoint timeout
  assert.equal((await send(gw.url, { path: '/in' })).status, 500)
  // Sarama marks an offset once every message before it is acknowledged: the group stays at 1
  await gw.close()
  await closeKafkaClients()
  const [group] = await admin.listConsumerGroupOffsets({ groups: [name('group')] })
  const committed = group?.topics.flatMap((t) => t.partitions.map((p) => String(p.committedOffset)))
  assert.deepEqual(committed, ['1'])
})

test('brokers unreachable when the node starts fail every call, as KrakenD falling back to HTTP', async () => {
  process.env.KAFKA_BROKERS = '127.0.0.1:1'
  try {
    const down = await startGateway(
      mustConfig({
        version: 3,
        timeout: '3s',
        endpoints: [
          { endpoint: '/p', method: 'POST', backend: [backend('publisher', name('never'))] },
          { endpoint: '/s', backend: [backend('subscriber', `${name('never')}?topic=${name('never')}`)] },
        ],
      }),
    )
    try {
      assert.equal((await send(down.url, { method: 'POST', path: '/p', body: 'x' })).status, 500)
      assert.equal((await send(down.url, { method: 'POST', path: '/p', body: 'x' })).status, 500)
      assert.equal((await send(down.url, { path: '/s' })).status, 500)
    } finally {
      await down.close()
    }
  } finally {
    process.env.KAFKA_BROKERS = brokers
  }
})
