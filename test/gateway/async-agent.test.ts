// async_agent as KrakenD 2.13.8 runs it (lura's AgentStarter, krakend-amqp's async package), against
// RabbitMQ and real HTTP backends: what each backend receives per message, acks and nacks (the queue
// after the gateway closed: an unacknowledged message goes back to it), workers, the agent's timeout,
// retries that stop every agent, and /__health's "agents". Compared with KrakenD on the same broker:
// see the commit messages.
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { test } from 'node:test'
import { isGwError } from '../../src/core/errors.ts'
import { refuseWorkersBeside, workerCount } from '../../src/gateway/config/single-process.ts'
import type { GatewayConfig } from '../../src/gateway/config/types.ts'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'
import { agentBench } from './async-agent-bench.ts'
import { listenTestBackend, type Running, type SeenRequest, send } from './helpers.ts'

const bench = agentBench('agent', {
  '/ok': { body: { ok: true } },
  '/ok2': { body: { two: true } },
  '/fail': { status: 500, body: { error: true } },
  '/slow': { delay_ms: 1500, body: { slow: true } },
})
const { agent, start, publish, until, seenAt, queueState, consuming } = bench
const ready = async (queue: string) => (await queueState(queue)).messageCount
const consumers = async (queue: string) => (await queueState(queue)).consumerCount

test("each message's body goes to every backend of the agent with Go's client headers, then is acknowledged; /__health reports the agent", async () => {
  let gw: Running | undefined
  try {
    gw = await start([
      agent('deliver', [{ url_pattern: '/ok?from=agent', method: 'POST' }, { url_pattern: '/ok2' }]),
    ])
    await consuming('deliver')
    publish('deliver', '{"a":1}')
    await until('both calls of the first message', () => seenAt('/ok').length + seenAt('/ok2').length === 2)
    publish('deliver', '')
    await until('both calls of the second message', () => seenAt('/ok').length + seenAt('/ok2').length === 4)
    const [post, postEmpty] = seenAt('/ok') as [SeenRequest, SeenRequest]
    const [get, getEmpty] = seenAt('/ok2') as [SeenRequest, SeenRequest]
    assert.deepEqual(
      [post.method, post.url, post.body, get.method, get.url, get.body],
      ['POST', '/ok?from=agent', '{"a":1}', 'GET', '/ok2', '{"a":1}'],
    )
    // no header of the message, no X-Forwarded-*: Go's client's own, the body of unknown size chunked
    for (const seen of [post, get, postEmpty])
      assert.deepEqual(seen.headers, {
        host: bench.backend.origin.slice('http://'.length),
        'user-agent': 'Go-http-client/1.1',
        'transfer-encoding': 'chunked',
        'accept-encoding': 'gzip',
      })
    // an empty body: Go's client finds nothing to send on a GET (still chunked on a POST)
    assert.deepEqual(getEmpty.headers, {
      host: bench.backend.origin.slice('http://'.length),
      'user-agent': 'Go-http-client/1.1',
      'accept-encoding': 'gzip',
    })
    assert.equal(postEmpty.body, '')
    const health = await send(gw.url, { path: '/__health' })
    const agents = JSON.parse(health.text).agents
    assert.deepEqual(Object.keys(agents), ['deliver'])
    // Go's time.Time.String() of the agent's last ping
    assert.match(agents.deliver, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? [+-]\d{4} \S+ m=\+\d+\.\d{9}$/)
  } finally {
    await gw?.close()
  }
  // acknowledged: nothing went back to the queue when the gateway closed
  assert.equal(await ready('deliver'), 0)
})

test("an agent backend's {placeholders} go out as written (lura fills none for an agent)", async () => {
  let gw: Running | undefined
  try {
    gw = await start([agent('placeholders', [{ url_pattern: '/echo/{id}/{JWT.sub}' }])])
    await consuming('placeholders')
    publish('placeholders', 'p')
    await until('the call', () => bench.backend.seen.some((s) => s.url.startsWith('/echo/')))
    assert.deepEqual(
      bench.backend.seen.filter((s) => s.url.startsWith('/echo/')).map((s) => s.url),
      ['/echo/%7Bid%7D/%7BJWT.sub%7D'],
    )
  } finally {
    await gw?.close()
  }
})

test('a failing pipe nacks the message: requeued (and delivered again) by default, dropped with nack_discard', async () => {
  let gw: Running | undefined
  try {
    gw = await start([
      agent('requeue', [{ url_pattern: '/fail' }]),
      agent('discard', [{ url_pattern: '/fail', method: 'PUT' }], { nack_discard: true }),
    ])
    await consuming('requeue')
    await consuming('discard')
    publish('requeue', 'again')
    publish('discard', 'once')
    await until(
      'the requeued message delivered three times',
      () => bench.backend.seen.filter((s) => s.url === '/fail' && s.body === 'again').length >= 3,
    )
    await until('the discarded message delivered', () =>
      bench.backend.seen.some((s) => s.url === '/fail' && s.method === 'PUT' && s.body === 'once'),
    )
  } finally {
    await gw?.close()
  }
  assert.equal(await ready('requeue'), 1)
  assert.equal(await ready('discard'), 0)
})

test('auto_ack: the broker counts each message delivered, so a failing pipe loses it (nothing to nack)', async () => {
  let gw: Running | undefined
  try {
    gw = await start([agent('autoack', [{ url_pattern: '/fail', method: 'DELETE' }], { auto_ack: true })])
    await consuming('autoack')
    publish('autoack', 'gone')
    await until('the delivery', () =>
      bench.backend.seen.some((s) => s.method === 'DELETE' && s.body === 'gone'),
    )
  } finally {
    await gw?.close()
  }
  assert.equal(await ready('autoack'), 0)
  assert.equal(bench.backend.seen.filter((s) => s.method === 'DELETE' && s.body === 'gone').length, 1)
})

test("a backend slower than the consumer's timeout fails the message (requeued)", async () => {
  let gw: Running | undefined
  try {
    gw = await start([
      agent('timeout', [{ url_pattern: '/slow' }], {}, { consumer: { topic: 'timeout', timeout: '200ms' } }),
    ])
    await consuming('timeout')
    publish('timeout', 'late')
    await until(
      'the message delivered again',
      () => seenAt('/slow').filter((s) => s.body === 'late').length >= 2,
    )
  } finally {
    await gw?.close()
  }
  assert.equal(await ready('timeout'), 1)
})

test('workers: the agent processes that many messages at a time, never more', async () => {
  // Holds each request until two are held (bounded), then answers them all.
  const held: ServerResponse[] = []
  let inFlight = 0
  let most = 0
  let served = 0
  const release = () => {
    for (const res of held.splice(0)) res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
  }
  const server = createServer((req: IncomingMessage, res) => {
    req.resume()
    req.on('end', () => {
      inFlight += 1
      most = Math.max(most, inFlight)
      res.on('finish', () => {
        inFlight -= 1
        served += 1
      })
      held.push(res)
      if (held.length >= 2) release()
      else setTimeout(release, 3000).unref()
    })
  })
  const holding = await listenTestBackend(server, 'holding', [])
  let gw: Running | undefined
  try {
    gw = await start([
      agent(
        'workers',
        [{ url_pattern: '/held' }],
        {},
        { consumer: { topic: 'workers', workers: 2 } },
        holding.origin,
      ),
    ])
    await consuming('workers')
    for (const body of ['1', '2', '3', '4']) publish('workers', body)
    await until('four messages served', () => served === 4)
    assert.equal(most, 2)
  } finally {
    await gw?.close()
    await holding.close()
  }
  assert.equal(await ready('workers'), 0)
})

test('the broker cancelling the consumer (its queue deleted) ends the run: the agent runs again, declaring the queue again', async () => {
  let gw: Running | undefined
  const lines: string[] = []
  try {
    gw = await start(
      [agent('cancelled', [{ url_pattern: '/ok' }], {}, { connection: { backoff_strategy: 'linear' } })],
      lines,
    )
    const count = (text: string) =>
      lines.filter((line) => line.includes(`[SERVICE: AsyncAgent][AMQP][cancelled] ${text}`)).length
    // the trial run logs nothing (KrakenD gives it a no-op logger): this is the first run
    await until('the first run', () => count('Starting the consumer') === 1)
    await consuming('cancelled')
    await bench.channel.deleteQueue(bench.queueName('cancelled'))
    await until('the run ended', () => count('Consumer stopped') === 1)
    await until('the second run', () => count('Starting the consumer') === 2)
    await consuming('cancelled')
    publish('cancelled', 'after')
    await until('the message of the new run', () => seenAt('/ok').some((s) => s.body === 'after'))
  } finally {
    await gw?.close()
  }
})

test('an agent out of retries stops every agent of the node (not the router); /__health keeps their last ping', async () => {
  let gw: Running | undefined
  const lines: string[] = []
  try {
    gw = await start(
      [
        agent('survivor', [{ url_pattern: '/ok' }]),
        // the exchange exists durable: declaring it otherwise fails every connection
        agent(
          'doomed',
          [{ url_pattern: '/ok' }],
          { durable: false },
          { connection: { max_retries: 1, backoff_strategy: 'linear' } },
        ),
      ],
      lines,
    )
    const stopped = '[SERVICE: Asyncagent][survivor] building the amqp subscriber: context canceled'
    await until('the surviving agent stopped too', () => lines.some((line) => line.includes(stopped)))
    // the doomed agent's trial and its two runs (max_retries 1) failed, each at the exchange
    assert.equal(
      lines.filter((line) => line.includes('[SERVICE: Asyncagent][doomed] building the amqp subscriber: '))
        .length,
      2,
    )
    assert.equal(await consumers('survivor'), 0)
    const health = await send(gw.url, { path: '/__health' })
    assert.equal(health.status, 200)
    assert.deepEqual(Object.keys(JSON.parse(health.text).agents), ['survivor'])
  } finally {
    await gw?.close()
  }
})

test('configs: agents are read as KrakenD reads them, and what would not run as configured is refused', () => {
  const amqp = { host: 'amqp://guest:guest@127.0.0.1:5672', name: 'q', exchange: 'x' }
  const check = (agentConfig: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const result = validateGatewayConfig({
      version: 3,
      name: 'c',
      endpoints: [],
      async_agent: [{ backend: [{ host: ['http://127.0.0.1:8080'], url_pattern: '/' }], ...agentConfig }],
      ...extra,
    })
    const problems = (list: typeof result.errors) => list.map((p) => `${p.location?.path}: ${p.message}`)
    return { config: result.config, errors: problems(result.errors), warnings: problems(result.warnings) }
  }
  const plain = check({ consumer: { topic: 't' }, extra_config: { 'async/amqp': amqp } })
  assert.deepEqual(plain.errors, [])
  const read = plain.config?.asyncAgents?.[0]
  assert.equal(read?.name, 'AsyncAgent-00')
  assert.equal(read?.workers, 1)
  assert.equal(read?.timeoutMs, 2000)
  assert.equal(read?.healthIntervalMs, 1000)
  assert.equal(read?.maxRetries, Number.POSITIVE_INFINITY)
  assert.equal(read?.endpoint.backends[0]?.method, 'GET')

  const guarded = check({ extra_config: { 'async/amqp': amqp, 'qos/ratelimit/router': { max_rate: 1 } } })
  assert.match(
    guarded.errors.join('\n'),
    /async_agent\[0\]\.extra_config\.qos\/ratelimit\/router: .*KrakenD ignores it there/,
  )
  const noNamespace = check({})
  assert.match(noNamespace.warnings.join('\n'), /async_agent\[0\]: .*no "async\/amqp"/)
  const noHost = check({ extra_config: { 'async/amqp': { name: 'q' } } })
  assert.match(noHost.errors.join('\n'), /async\/amqp: no "host"/)
  const relative = check({
    extra_config: { 'async/amqp': amqp },
    backend: [{ host: ['http://127.0.0.1:8080'], url_pattern: 'hook' }],
  })
  assert.match(
    relative.errors.join('\n'),
    /async_agent\[0\]\.backend\[0\]\.url_pattern: .*does not start with "\/"/,
  )
  const answers = check({
    extra_config: { 'async/amqp': amqp, proxy: { sequential: true } },
    backend: [
      { host: ['http://127.0.0.1:8080'], url_pattern: '/a' },
      { host: ['http://127.0.0.1:8080'], url_pattern: '/b/{resp0_id}' },
    ],
  })
  assert.match(
    answers.warnings.join('\n'),
    /async_agent\[0\]\.backend\[1\]\.url_pattern: .*does not fill \{resp0_id\}/,
  )
  const size = check({ extra_config: { 'async/amqp': { ...amqp, prefetch_size: 10 } } })
  assert.match(size.errors.join('\n'), /prefetch_size/)
  const workers = check(
    { extra_config: { 'async/amqp': amqp } },
    { extra_config: { 'gwdeploy/runtime': { workers: 2 } } },
  )
  assert.match(
    workers.errors.join('\n'),
    /workers: async\/amqp on async agent AsyncAgent-00 needs a node of one worker process/,
  )
  // workers unset: one process (KrakenD runs each agent once); --workers 2 (or GATEWAY_WORKERS) refused at start
  const config = plain.config as GatewayConfig
  assert.equal(
    workerCount(config, () => 8),
    1,
  )
  assert.throws(
    () => refuseWorkersBeside(config, 2, 'agents.json'),
    (error: unknown) =>
      isGwError(error) &&
      error.exitCode === 2 &&
      error.location?.path === 'async_agent[0].extra_config.async/amqp' &&
      /multiplying its workers and max_rate/.test(error.message),
  )
})
