// backend/pubsub/publisher and subscriber on RabbitMQ (gocloud's rabbitpubsub) against a real
// RabbitMQ: what the exchange routes (body, string headers, routing key) and what the client gets,
// as KrakenD 2.13.8 does on the same config (compared on the same broker: see the commit message).
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, test } from 'node:test'
import { type Channel, type ChannelModel, connect } from 'amqplib'
import { closeRabbitConnection } from '../../src/gateway/lazy/pubsub-rabbit.ts'
import { type BrokerInfo, requireRabbitMq } from '../helpers/services.ts'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

const tag = randomBytes(4).toString('hex')
const name = (what: string) => `gw-pubsub-${tag}-${what}`

let rabbit: BrokerInfo
let conn: ChannelModel
let ch: Channel
let gw: Running

async function nextIn(queue: string) {
  for (let i = 0; i < 50; i += 1) {
    const m = await ch.get(name(queue), { noAck: true })
    if (m) return m
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`nothing in ${queue}`)
}

before(async () => {
  rabbit = await requireRabbitMq()
  conn = await connect(rabbit.url)
  ch = await conn.createChannel()
  await ch.assertExchange(name('fanout'), 'fanout', { durable: false })
  await ch.assertQueue(name('out'), { durable: false })
  await ch.bindQueue(name('out'), name('fanout'), '')
  await ch.assertExchange(name('unbound'), 'direct', { durable: false })
  await ch.assertExchange(name('direct'), 'direct', { durable: false })
  await ch.assertQueue(name('keyed'), { durable: false })
  await ch.bindQueue(name('keyed'), name('direct'), 'rk-a')
  await ch.assertQueue(name('in'), { durable: false })
  process.env.RABBIT_SERVER_URL = rabbit.url
  const rab = (role: 'publisher' | 'subscriber', url: string, more: Record<string, unknown> = {}) => ({
    host: ['rabbit://'],
    disable_host_sanitize: true,
    url_pattern: '/ignored',
    ...more,
    extra_config: {
      [`backend/pubsub/${role}`]: role === 'publisher' ? { topic_url: url } : { subscription_url: url },
    },
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      timeout: '800ms',
      endpoints: [
        {
          endpoint: '/fanout',
          method: 'POST',
          input_headers: ['x-foo'],
          backend: [rab('publisher', name('fanout'))],
        },
        { endpoint: '/unbound', method: 'POST', backend: [rab('publisher', name('unbound'))] },
        { endpoint: '/absent', method: 'POST', backend: [rab('publisher', name('absent'))] },
        {
          endpoint: '/keyed',
          method: 'POST',
          input_headers: ['X-Key'],
          backend: [rab('publisher', `${name('direct')}?key_name=X-Key`)],
        },
        { endpoint: '/in', backend: [rab('subscriber', name('in'), { allow: ['a', 'c'] })] },
        { endpoint: '/nowhere', backend: [rab('subscriber', name('nowhere'))] },
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  await closeRabbitConnection()
  for (const q of ['out', 'keyed', 'in']) await ch?.deleteQueue(name(q))
  for (const e of ['fanout', 'unbound', 'direct']) await ch?.deleteExchange(name(e))
  await conn?.close()
})

test('the publisher sends the body with lura headers as string headers; the client gets null', async () => {
  const res = await send(gw.url, {
    method: 'POST',
    path: '/fanout',
    headers: { 'X-Foo': 'bar' },
    body: '{"a":1}',
  })
  assert.equal(res.status, 200, res.text)
  assert.equal(res.text, 'null')
  assert.equal(res.headers['x-krakend-completed'], 'false')
  const m = await nextIn('out')
  assert.equal(m.content.toString(), '{"a":1}')
  assert.equal(m.fields.routingKey, '')
  assert.deepEqual(m.properties.headers, {
    'X-Foo': 'bar',
    'X-Forwarded-For': '127.0.0.1',
    'X-Forwarded-Host': new URL(gw.url).host,
    'User-Agent': 'KrakenD Version 2.13.8',
  })
  assert.equal(m.properties.contentType, undefined)
  assert.equal(m.properties.deliveryMode, undefined)
})

test('a message no queue takes comes back (mandatory): 500; the topic still publishes after', async () => {
  assert.equal((await send(gw.url, { method: 'POST', path: '/unbound', body: 'lost' })).status, 500)
  assert.equal((await send(gw.url, { method: 'POST', path: '/unbound', body: 'lost' })).status, 500)
  assert.equal((await send(gw.url, { method: 'POST', path: '/fanout', body: 'after' })).status, 200)
  assert.equal((await nextIn('out')).content.toString(), 'after')
})

test('an exchange that does not exist fails the call: 500', async () => {
  assert.equal((await send(gw.url, { method: 'POST', path: '/absent', body: 'x' })).status, 500)
  assert.equal((await send(gw.url, { method: 'POST', path: '/absent', body: 'x' })).status, 500)
})

test('?key_name takes the routing key from that metadata key, which is no header then', async () => {
  const res = await send(gw.url, {
    method: 'POST',
    path: '/keyed',
    headers: { 'X-Key': 'rk-a' },
    body: 'keyed',
  })
  assert.equal(res.status, 200, res.text)
  const m = await nextIn('keyed')
  assert.equal(m.fields.routingKey, 'rk-a')
  assert.equal(m.properties.headers?.['X-Key'], undefined)
  assert.equal(
    (await send(gw.url, { method: 'POST', path: '/keyed', headers: { 'X-Key': 'rk-b' } })).status,
    500,
  )
})

test('the subscriber answers each message in turn through allow; one it cannot decode stays unacked', async () => {
  ch.sendToQueue(name('in'), Buffer.from('{"a":1,"b":2,"c":3}'))
  ch.sendToQueue(name('in'), Buffer.from('not json'), { headers: { h: 'v' } })
  ch.sendToQueue(name('in'), Buffer.from('{"a":"second"}'))
  const first = await send(gw.url, { path: '/in' })
  assert.equal(first.status, 200, first.text)
  assert.equal(first.text, '{"a":1,"c":3}')
  assert.equal(first.headers['x-krakend-completed'], 'true')
  assert.equal((await send(gw.url, { path: '/in' })).status, 500)
  assert.equal((await send(gw.url, { path: '/in' })).text, '{"a":"second"}')
  // nothing left: the endpoint timeout
  assert.equal((await send(gw.url, { path: '/in' })).status, 500)
  // the gateway's consumer holds the undecodable message; once its connection goes, it is back
  assert.equal((await ch.checkQueue(name('in'))).messageCount, 0)
  await closeRabbitConnection()
  assert.equal((await nextIn('in')).content.toString(), 'not json')
})

test('a queue that does not exist fails the subscriber: 500', async () => {
  assert.equal((await send(gw.url, { path: '/nowhere' })).status, 500)
})
