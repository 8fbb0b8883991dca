// Guards and modifiers around backend/amqp/producer as KrakenD 2.13.8 stacks them (krakend-ce
// backend_factory.go: modifier/lua-backend, validation/cel, qos/ratelimit/proxy and
// qos/circuit-breaker wrap krakend-amqp's proxy), against RabbitMQ: what reaches the exchange.
// Compared with KrakenD on the same broker: see the commit messages.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { after, before, test } from 'node:test'
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib'
import { type BrokerInfo, requireRabbitMq } from '../helpers/services.ts'
import { type Hs256Issuer, hs256Issuer } from './components/hs256-issuer.ts'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

const amqplib = createRequire(import.meta.url)('amqplib') as typeof import('amqplib')

const P = `gw-amqp-guards-${randomBytes(4).toString('hex')}`
const EXCHANGE = `${P}-x`
let broker: BrokerInfo
let gw: Running
let connection: ChannelModel
let channel: Channel
let issuer: Hs256Issuer
const received: ConsumeMessage[] = []

before(async () => {
  broker = await requireRabbitMq()
  issuer = await hs256Issuer()
  connection = await amqplib.connect(broker.url)
  channel = await connection.createChannel()
  await channel.assertExchange(EXCHANGE, 'topic', { durable: false, autoDelete: false })
  const { queue } = await channel.assertQueue('', { exclusive: true })
  await channel.bindQueue(queue, EXCHANGE, '#')
  await channel.consume(queue, (m) => m && received.push(m), { noAck: true })
  const producer = (extra: Record<string, unknown>, settings: Record<string, unknown> = {}) => ({
    host: [broker.url],
    disable_host_sanitize: true,
    url_pattern: '/ignored/{key}',
    extra_config: {
      'backend/amqp/producer': { exchange: EXCHANGE, routing_key: 'Key', msg_id_key: 'Id', ...settings },
      ...extra,
    },
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      timeout: '2s',
      endpoints: [
        {
          endpoint: '/lua-backend/{key}',
          method: 'POST',
          backend: [
            producer({
              'modifier/lua-backend': {
                pre: "local r = request.load(); r:params('Key', r:params('Key') .. '.changed'); r:params('Id', 'from-lua')",
              },
            }),
          ],
        },
        {
          endpoint: '/lower',
          method: 'POST',
          backend: [
            {
              ...producer(
                { 'modifier/lua-backend': { pre: "local r = request.load(); r:params('rk', 'lower.key')" } },
                { routing_key: 'rk' },
              ),
              url_pattern: '/ignored',
            },
          ],
        },
        {
          endpoint: '/lua-proxy',
          method: 'POST',
          extra_config: { 'modifier/lua-proxy': { pre: 'local r = request.load()' } },
          backend: [
            {
              ...producer({}, { routing_key: 'lua.proxy', static_routing_key: true }),
              url_pattern: '/ignored',
            },
          ],
        },
        {
          endpoint: '/jwt',
          method: 'POST',
          extra_config: {
            'auth/validator': issuer.validator(),
          },
          backend: [
            {
              ...producer({}, { routing_key: 'JWT.sub', msg_id_key: 'JWT.tenant' }),
              url_pattern: '/ignored/{JWT.sub}/{JWT.tenant}',
            },
          ],
        },
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  await issuer?.remove()
  await channel?.deleteExchange(EXCHANGE).catch(() => {})
  await connection?.close()
})

async function nextMessage(): Promise<ConsumeMessage> {
  for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20))
  const m = received.shift()
  assert.ok(m, 'no message reached the exchange')
  return m
}

test("a modifier/lua-backend script's params reach krakend-amqp's producer (routing key, message id)", async () => {
  const res = await send(gw.url, { method: 'POST', path: '/lua-backend/orig', body: { a: 1 } })
  assert.equal(res.status, 200, res.text)
  const m = await nextMessage()
  assert.equal(m.fields.routingKey, 'orig.changed')
  assert.equal(m.properties.messageId, 'from-lua')
  assert.equal(m.content.toString(), '{"a":1}')
  // krakend-lua gives the producer's answer, which has no data, an empty map
  assert.equal(res.text, '{}')
})

test('a param a lua-backend script sets under a lower-case name is the producer\'s (routing_key "rk")', async () => {
  const res = await send(gw.url, { method: 'POST', path: '/lower', body: { a: 1 } })
  assert.equal((await nextMessage()).fields.routingKey, 'lower.key')
  assert.equal(res.status, 200, res.text)
})

test("a modifier/lua-proxy endpoint answers the producer's dataless answer as {} (krakend-lua's empty map), not null", async () => {
  const res = await send(gw.url, { method: 'POST', path: '/lua-proxy', body: { a: 1 } })
  assert.equal((await nextMessage()).fields.routingKey, 'lua.proxy')
  assert.equal(res.status, 200, res.text)
  assert.equal(res.text, '{}')
  assert.equal(res.headers['x-krakend-completed'], 'false')
})

test('a {JWT.x} param whose claim the token lacks is no param to the producer (no message id), as lura has none', async () => {
  const authorization = `Bearer ${await issuer.token({ sub: 'bob' })}`
  const res = await send(gw.url, { method: 'POST', path: '/jwt', headers: { authorization }, body: { a: 1 } })
  assert.equal(res.status, 200, res.text)
  const m = await nextMessage()
  assert.equal(m.fields.routingKey, 'bob')
  assert.equal(m.properties.messageId, undefined)
})
