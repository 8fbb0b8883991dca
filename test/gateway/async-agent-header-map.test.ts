// What an agent's backends read of lura's header map, which has no User-Agent (Go's client adds one
// on the HTTP wire only): a backend's Lua script, CEL checks and martian modifiers, shadow backends
// as the main ones, and an AMQP producer, which publishes the map as amqp091-go does (no header
// table when it is empty). Compared with KrakenD 2.13.8 on the same RabbitMQ:
// scripts/krakend-diff/suites/async-agent.compare.ts (agents lua, celbackend, martianua, forward,
// forwardbare, shadowlua, shadowforward).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { GetMessage } from 'amqplib'
import { agentBench } from './async-agent-bench.ts'
import type { Running } from './helpers.ts'

const bench = agentBench('agent-map', {})
const { agent, start, publish, until, seenAt, consuming } = bench

/** An exchange of the test's own, as krakend-amqp's producer declares it, and a queue reading it. */
async function forwardedTo(name: string): Promise<{ exchange: string; read: () => Promise<GetMessage> }> {
  const exchange = `${bench.queueName(name)}-out`
  await bench.channel.assertExchange(exchange, 'topic', { durable: true })
  const { queue } = await bench.channel.assertQueue('', { exclusive: true })
  await bench.channel.bindQueue(queue, exchange, '#')
  const read = async () => {
    let got: GetMessage | false = false
    await until(`the message forwarded to ${exchange}`, async () => {
      got = await bench.channel.get(queue, { noAck: true })
      return got !== false
    })
    return got as unknown as GetMessage
  }
  return { exchange, read }
}

const producer = (exchange: string, more: Record<string, unknown> = {}) => ({
  host: [bench.broker.url],
  disable_host_sanitize: true,
  url_pattern: '/',
  extra_config: {
    ...more,
    'backend/amqp/producer': { exchange, routing_key: 'fwd', static_routing_key: true, durable: true },
  },
})

test('an AMQP producer publishing an empty header map sends no header table, as amqp091-go', async () => {
  const out = await forwardedTo('bare')
  let gw: Running | undefined
  try {
    gw = await start([agent('bare', [producer(out.exchange)])])
    await consuming('bare')
    publish('bare', 'b1')
    const message = await out.read()
    assert.equal(message.content.toString(), 'b1')
    assert.equal(message.properties.headers, undefined)
    // and nothing else amqp091-go leaves out when unset (the timestamp apart)
    const { timestamp, ...rest } = message.properties
    assert.equal(typeof timestamp, 'number')
    assert.deepEqual(
      Object.entries(rest).filter(([, v]) => v !== undefined),
      [],
    )
  } finally {
    await gw?.close()
  }
})

test("shadow backends read lura's header map: a Lua script, a CEL check and an AMQP producer see no User-Agent; an HTTP shadow gets Go's on the wire", async () => {
  const out = await forwardedTo('shadows')
  let gw: Running | undefined
  try {
    gw = await start([
      agent('shadows', [
        { url_pattern: '/echo/sh-main', method: 'POST' },
        { url_pattern: '/echo/sh-http', extra_config: { proxy: { shadow: true } } },
        {
          url_pattern: '/echo/sh-lua',
          extra_config: {
            proxy: { shadow: true },
            'modifier/lua-backend': {
              pre: "local r = request.load(); r:headers('X-UA', '[' .. r:headers('User-Agent') .. ']')",
            },
            'validation/cel': [{ check_expr: "!('User-Agent' in req_headers)" }],
          },
        },
        producer(out.exchange, { proxy: { shadow: true } }),
      ]),
    ])
    await consuming('shadows')
    publish('shadows', 's1')
    const message = await out.read()
    assert.equal(message.content.toString(), 's1')
    assert.equal(message.properties.headers, undefined)
    await until(
      'the HTTP shadows',
      () => seenAt('/echo/sh-http').length + seenAt('/echo/sh-lua').length === 2,
    )
    const [main] = seenAt('/echo/sh-main')
    const [http] = seenAt('/echo/sh-http')
    const [lua] = seenAt('/echo/sh-lua')
    assert.deepEqual(
      [
        main?.headers['user-agent'],
        http?.headers['user-agent'],
        lua?.headers['user-agent'],
        lua?.headers['x-ua'],
      ],
      ['Go-http-client/1.1', 'Go-http-client/1.1', 'Go-http-client/1.1', '[]'],
    )
  } finally {
    await gw?.close()
  }
})

test("martian modifiers read lura's header map too: a User-Agent copied is empty, Go's transport sends its own after them", async () => {
  const copy = {
    'modifier/martian': { 'header.Copy': { scope: ['request'], from: 'User-Agent', to: 'X-Ua-Copy' } },
  }
  let gw: Running | undefined
  try {
    gw = await start([
      agent('martian', [
        { url_pattern: '/echo/mt-main', method: 'POST', extra_config: copy },
        { url_pattern: '/echo/mt-shadow', extra_config: { ...copy, proxy: { shadow: true } } },
      ]),
    ])
    await consuming('martian')
    publish('martian', 'm1')
    await until('both calls', () => seenAt('/echo/mt-main').length + seenAt('/echo/mt-shadow').length === 2)
    for (const path of ['/echo/mt-main', '/echo/mt-shadow']) {
      const [seen] = seenAt(path)
      assert.deepEqual([seen?.headers['x-ua-copy'], seen?.headers['user-agent']], ['', 'Go-http-client/1.1'])
    }
  } finally {
    await gw?.close()
  }
})

test("an AMQP producer backend publishes lura's header map: what a script set, never Go's client User-Agent", async () => {
  const exchange = `${bench.queueName('forward')}-out`
  // declared as krakend-amqp's producer declares it
  await bench.channel.assertExchange(exchange, 'topic', { durable: true })
  const { queue } = await bench.channel.assertQueue('', { exclusive: true })
  await bench.channel.bindQueue(queue, exchange, '#')
  let gw: Running | undefined
  try {
    gw = await start([
      agent(
        'forward',
        [
          {
            host: [bench.broker.url],
            disable_host_sanitize: true,
            url_pattern: '/',
            extra_config: {
              'backend/amqp/producer': {
                exchange,
                routing_key: 'fwd',
                static_routing_key: true,
                durable: true,
              },
            },
          },
        ],
        {},
        {
          extra_config: {
            'modifier/lua-proxy': { pre: "local r = request.load(); r:headers('X-Fwd', 'f')" },
          },
        },
      ),
    ])
    await consuming('forward')
    publish('forward', 'fw')
    const got: GetMessage[] = []
    await until('the forwarded message', async () => {
      const message = await bench.channel.get(queue, { noAck: true })
      if (message) got.push(message)
      return got.length > 0
    })
    const [message] = got as [GetMessage]
    assert.equal(message.content.toString(), 'fw')
    assert.equal(message.fields.routingKey, 'fwd')
    assert.deepEqual(message.properties.headers, { 'X-Fwd': ['f'] })
  } finally {
    await gw?.close()
    await bench.channel.deleteQueue(queue).catch(() => {})
    await bench.channel.deleteExchange(exchange).catch(() => {})
  }
})

test("a backend's Lua script and CEL checks read lura's header map, without the User-Agent Go's client sends on the wire", async () => {
  let gw: Running | undefined
  try {
    gw = await start([
      agent('backendmap', [
        {
          url_pattern: '/echo/bm-lua',
          method: 'POST',
          extra_config: {
            'modifier/lua-backend': {
              pre: "local r = request.load(); r:headers('X-UA', '[' .. r:headers('User-Agent') .. ']')",
            },
          },
        },
        {
          url_pattern: '/echo/bm-cel',
          method: 'POST',
          extra_config: { 'validation/cel': [{ check_expr: "!('User-Agent' in req_headers)" }] },
        },
      ]),
    ])
    await consuming('backendmap')
    publish('backendmap', 'bm')
    await until('both calls', () => seenAt('/echo/bm-lua').length + seenAt('/echo/bm-cel').length === 2)
    const [lua] = seenAt('/echo/bm-lua')
    const [cel] = seenAt('/echo/bm-cel')
    assert.deepEqual(
      [lua?.headers['x-ua'], lua?.headers['user-agent'], cel?.headers['user-agent']],
      ['[]', 'Go-http-client/1.1', 'Go-http-client/1.1'],
    )
  } finally {
    await gw?.close()
  }
})
