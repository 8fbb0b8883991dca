// Dev tool: backend/pubsub on kafka:// against KrakenD, on one real broker. run.ts cannot do it (both
// gateways would share the topics and the consumer groups): here KrakenD, then this runtime, each
// serves the same config with topics and groups of its own, and the tool compares what the client
// got (status, headers but Date, body), what landed in the topics (value, key, headers as a set,
// partition; the random partition of a keyless record aside) and the offsets the group committed.
//
//   KRAKEND_BIN=/path/to/krakend KAFKA_BROKERS=127.0.0.1:9092 PORT_BASE=P \
//     node scripts/krakend-diff/suites/pubsub-kafka.compare.ts
//
// KAFKA_BROKERS defaults to GWDEPLOY_TEST_KAFKA_BROKERS, then 127.0.0.1:9092 (scripts/services.sh
// start kafka). Gateways on P+1 and P+2 (PORT_BASE as run.ts reads it). Exits 1 on a difference.
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Admin, Consumer, Producer } from '@platformatic/kafka'
import {
  ensurePortsFree,
  krakendBinary,
  ports,
  ROOT,
  sleep,
  startGroup,
  stopGroup,
  waitUp,
} from '../side-by-side.ts'

const brokers = (process.env.KAFKA_BROKERS ?? process.env.GWDEPLOY_TEST_KAFKA_BROKERS ?? '127.0.0.1:9092')
  .split(',')
  .map((b) => b.trim())
const krakend = krakendBinary()
const { K, G } = ports()
await ensurePortsFree([K, G])

/** Messages waiting in the subscription's topic before the gateway starts (one it cannot decode). */
const WAITING = ['{"a":1,"b":2,"c":3}', 'not json', '{"a":5}', '{"a":6,"c":[1]}']

interface Call {
  label: string
  path: string
  method?: string
  headers?: Record<string, string>
  body?: string
}

const calls: Call[] = [
  ...['k1', 'k2', 'k3', 'k4', 'abc', 'zz', ''].map((key) => ({
    label: `keyed ${JSON.stringify(key)}`,
    path: '/keyed',
    method: 'POST',
    headers: { 'X-Key': key, 'X-Foo': 'foo', 'Content-Type': 'application/json' },
    body: `{"k":"${key}"}`,
  })),
  { label: 'keyed, no key header', path: '/keyed', method: 'POST', body: 'plain' },
  // no ?key_name=, opened after /keyed: gocloud's one opener gives it X-Key
  { label: 'after', path: '/after', method: 'POST', headers: { 'X-Key': 'k1' }, body: 'after' },
  { label: 'a topic the broker creates', path: '/fresh', method: 'POST', body: 'fresh' },
  { label: 'under 1 MiB', path: '/keyed', method: 'POST', body: 'x'.repeat(1_048_000) },
  { label: 'past Sarama 1 MiB', path: '/keyed', method: 'POST', body: 'x'.repeat(1_048_600) },
  ...WAITING.map((_, i) => ({ label: `receive ${i}`, path: '/in' })),
  { label: 'receive, nothing waits', path: '/in' },
  // a subscription whose topic did not exist: the broker creates it when the group joins
  { label: 'publish to a new topic', path: '/later', method: 'POST', body: '{"later":1}' },
  { label: 'receive from it', path: '/new' },
]

const publisher = (endpoint: string, url: string, more: Record<string, unknown> = {}) => ({
  endpoint,
  method: 'POST',
  ...more,
  backend: [
    {
      host: ['kafka://'],
      disable_host_sanitize: true,
      url_pattern: '/',
      extra_config: { 'backend/pubsub/publisher': { topic_url: url } },
    },
  ],
})

const subscriber = (endpoint: string, url: string) => ({
  endpoint,
  backend: [
    {
      host: ['kafka://'],
      disable_host_sanitize: true,
      url_pattern: '/',
      extra_config: { 'backend/pubsub/subscriber': { subscription_url: url } },
    },
  ],
})

async function run(side: 'krakend' | 'gateway') {
  const tag = `${side}-${Date.now().toString(36)}`
  const name = (what: string) => `kafka-compare-${what}-${tag}`
  const admin = new Admin({ clientId: 'compare', bootstrapBrokers: brokers })
  await admin.createTopics({ topics: [name('p3')], partitions: 3, replicas: 1 })
  await admin.createTopics({ topics: [name('in')], partitions: 1, replicas: 1 })
  const producer = new Producer({ clientId: 'compare', bootstrapBrokers: brokers })
  for (const value of WAITING)
    await producer.send({ messages: [{ topic: name('in'), value: Buffer.from(value) }] })
  await producer.close()
  const port = side === 'krakend' ? K : G
  const config = {
    version: 3,
    port,
    timeout: '1s',
    endpoints: [
      publisher('/keyed', `${name('p3')}?key_name=X-Key`, {
        input_headers: ['X-Key', 'X-Foo', 'Content-Type'],
      }),
      publisher('/after', name('p3'), { input_headers: ['X-Key'] }),
      publisher('/fresh', name('fresh')),
      publisher('/later', name('later')),
      subscriber('/new', `${name('group-new')}?topic=${name('later')}`),
      {
        endpoint: '/in',
        backend: [
          {
            host: ['kafka://'],
            disable_host_sanitize: true,
            url_pattern: '/',
            allow: ['a', 'c'],
            extra_config: {
              'backend/pubsub/subscriber': {
                subscription_url: `${name('group')}?topic=${name('in')}&offset=oldest`,
              },
            },
          },
        ],
      },
    ],
  }
  const file = join(tmpdir(), `${tag}.json`)
  writeFileSync(file, JSON.stringify(config))
  process.env.KAFKA_BROKERS = brokers.join(',')
  const child =
    side === 'krakend'
      ? startGroup(krakend, ['run', '-c', file])
      : startGroup(process.execPath, [join(ROOT, 'src/gateway/main.ts'), '-c', file, '--log-level', 'ERROR'])
  await waitUp(port)
  // the group joined (both join when they start)
  await sleep(1500)
  const answers = []
  for (const call of calls) {
    const res = await fetch(`http://127.0.0.1:${port}${call.path}`, {
      method: call.method ?? 'GET',
      ...(call.headers ? { headers: call.headers } : {}),
      ...(call.body === undefined ? {} : { body: call.body }),
    })
    const headers = [...res.headers].filter(([k]) => k !== 'date').map(([k, v]) => `${k}: ${v}`)
    answers.push({ call: call.label, status: res.status, headers, body: await res.text() })
  }
  // past Sarama's one-second auto-commit
  await sleep(2500)
  await stopGroup(child)
  const records = {
    p3: await topicRecords(name('p3'), tag),
    fresh: await topicRecords(name('fresh'), tag),
  }
  const [group] = await admin.listConsumerGroupOffsets({ groups: [name('group')] })
  const committed = group?.topics.flatMap((t) => t.partitions.map((p) => String(p.committedOffset)))
  await admin.deleteTopics({ topics: [name('p3'), name('in'), name('fresh'), name('later')] }).catch(() => {})
  await admin.close()
  return JSON.parse(
    JSON.stringify({ answers, records, committed }).replaceAll(tag, 'TAG').replaceAll(`:${port}`, ':PORT'),
  )
}

/** Every record of the topic, by value; a keyless record's partition (Sarama's random one) left out. */
async function topicRecords(topic: string, tag: string) {
  const consumer = new Consumer({
    groupId: `kafka-compare-read-${tag}`,
    clientId: 'compare',
    bootstrapBrokers: brokers,
  })
  const ends = await consumer.listOffsets({ topics: [topic] })
  let total = (ends.get(topic) ?? []).reduce((sum, end) => sum + Number(end), 0)
  const out = []
  if (total > 0) {
    const stream = await consumer.consume({
      topics: [topic],
      mode: 'earliest',
      autocommit: false,
      maxWaitTime: 200,
    })
    for await (const m of stream) {
      const key = m.key === undefined || m.key === null ? null : m.key.toString()
      const value = m.value.length > 100 ? `${m.value.length} bytes` : m.value.toString()
      const headers = m.headerEntries.map(([k, v]) => `${k}: ${v}`).sort()
      out.push({ ...(key === null ? {} : { partition: m.partition }), key, value, headers })
      total -= 1
      if (total === 0) break
    }
  }
  await consumer.close(true)
  return out.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
}

const got = { krakend: await run('krakend'), gateway: await run('gateway') }
const left = JSON.stringify(got.krakend, null, 1).split('\n')
const right = JSON.stringify(got.gateway, null, 1).split('\n')
let differences = 0
for (let i = 0; i < Math.max(left.length, right.length); i += 1)
  if (left[i] !== right[i]) {
    differences += 1
    console.log(`line ${i + 1}\n  krakend: ${left[i]}\n  gateway: ${right[i]}`)
  }
for (const [i, answer] of got.gateway.answers.entries())
  console.log(`${answer.status} ${answer.call} (KrakenD ${got.krakend.answers[i]?.status})`)
console.log(
  `${calls.length} requests, ${got.krakend.records.p3.length + got.krakend.records.fresh.length} records: ${differences} lines differ`,
)
process.exit(differences === 0 ? 0 : 1)
