// backend/amqp/consumer and backend/amqp/producer against RabbitMQ: what the broker receives (routing
// key, properties, headers, body) and what the client gets, as krakend-amqp does (KrakenD 2.13.8
// compared on the same broker: see the commit message), including a closed channel, a deleted
// queue and a broker that is not there.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { type AddressInfo, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { createServer as createTlsServer } from 'node:tls'
import type { Channel, ChannelModel } from 'amqplib'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'
import { type BrokerInfo, requireRabbitMq } from '../helpers/services.ts'
import { certificateAuthority } from '../helpers/tls-authority.ts'
import { freePort, linesLogger, mustConfig, type Running, send, startGateway } from './helpers.ts'

const amqplib = createRequire(import.meta.url)('amqplib') as typeof import('amqplib')

const P = `gw-amqp-test-${randomBytes(4).toString('hex')}`
const EXCHANGE = `${P}-x`
let broker: BrokerInfo
let gw: Running
let connection: ChannelModel
let channel: Channel

const amqpBackend = (ns: string, settings: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  host: [broker.url],
  disable_host_sanitize: true,
  url_pattern: '/ignored',
  ...extra,
  extra_config: { [ns]: { exchange: EXCHANGE, ...settings } },
})
const consumer = (queue: string, keys: string[], settings = {}, extra = {}) =>
  amqpBackend('backend/amqp/consumer', { name: `${P}-${queue}`, routing_key: keys, ...settings }, extra)

before(async () => {
  broker = await requireRabbitMq()
  connection = await amqplib.connect(broker.url)
  channel = await connection.createChannel()
  await channel.assertExchange(EXCHANGE, 'topic', { durable: false, autoDelete: false })
  await channel.assertQueue(`${P}-peek`, { durable: false, autoDelete: false })
  await channel.bindQueue(`${P}-peek`, EXCHANGE, 'peek.#')
  gw = await startGateway(
    mustConfig({
      version: 3,
      timeout: '2s',
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        {
          endpoint: '/produce/{route}/{prio}/{exp}/{id}/{reply}',
          method: 'POST',
          input_headers: ['Content-Type', 'x-custom'],
          backend: [
            amqpBackend('backend/amqp/producer', {
              routing_key: 'Route',
              priority_key: 'Prio',
              exp_key: 'Exp',
              msg_id_key: 'Id',
              reply_to_key: 'Reply',
            }),
          ],
        },
        {
          endpoint: '/static',
          method: 'POST',
          backend: [
            amqpBackend('backend/amqp/producer', { routing_key: 'peek.fixed', static_routing_key: true }),
          ],
        },
        {
          endpoint: '/consume',
          timeout: '300ms',
          backend: [consumer('q', ['a.#'], {}, { deny: ['secret'], mapping: { a: 'alpha' } })],
        },
        { endpoint: '/consume-string', backend: [consumer('qs', ['s.#'], {}, { encoding: 'string' })] },
        { endpoint: '/consume-requeue', backend: [consumer('qr', ['rq.#'])] },
        {
          endpoint: '/consume-discard',
          timeout: '300ms',
          backend: [consumer('qd', ['d.#'], { nack_discard: true })],
        },
        { endpoint: '/consume-deleted', backend: [consumer('qx', ['x.#'])] },
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  for (const q of ['peek', 'q', 'qs', 'qr', 'qd', 'qx'])
    await channel?.deleteQueue(`${P}-${q}`).catch(() => {})
  await channel?.deleteExchange(EXCHANGE).catch(() => {})
  await connection?.close()
})

const produce = (path: string, body: string, headers: Record<string, string> = {}) =>
  send(gw.url, { method: 'POST', path: `/produce/${path}`, body, headers })

/** The next message of the peek queue (bounded wait). */
async function peek() {
  for (let i = 0; i < 100; i += 1) {
    const message = await channel.get(`${P}-peek`, { noAck: true })
    if (message) return message
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error('no message reached the peek queue')
}

test('a producer publishes the body with the routing key, priority, expiration, ids and headers from the request', async () => {
  const res = await produce('peek.one/+300/60000/id-1/replies', '{"a":1}', {
    'content-type': 'application/json',
    'x-custom': 'hey',
  })
  assert.equal(res.status, 200, res.text)
  assert.equal(res.text, 'null')
  assert.equal(res.headers['x-krakend-completed'], 'false')
  const message = await peek()
  assert.equal(message.fields.exchange, EXCHANGE)
  assert.equal(message.fields.routingKey, 'peek.one')
  assert.equal(message.content.toString(), '{"a":1}')
  const { timestamp, headers, ...props } = message.properties
  // Atoi("+300") = 300, uint8(300) = 44; no delivery mode (transient), as amqp091-go leaves it
  assert.deepEqual(Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined)), {
    contentType: 'application/json',
    priority: 44,
    expiration: '60000',
    messageId: 'id-1',
    replyTo: 'replies',
  })
  assert.ok(Math.abs(Number(timestamp) - Date.now() / 1000) < 60, `timestamp ${timestamp} is in seconds`)
  const { 'X-Forwarded-Host': host, ...rest } = headers ?? {}
  assert.deepEqual(host, [new URL(gw.url).host])
  // lura's header map: canonical names, lists of values; no Accept-Encoding (Go's transport's own)
  assert.deepEqual(rest, {
    'Content-Type': ['application/json'],
    'X-Custom': ['hey'],
    'X-Forwarded-For': ['127.0.0.1'],
    'User-Agent': ['KrakenD Version 2.13.8'],
  })
})

test('a static routing key is used as written; empty properties stay unset', async () => {
  const res = await send(gw.url, { method: 'POST', path: '/static', body: 'plain' })
  assert.equal(res.status, 200, res.text)
  const message = await peek()
  assert.equal(message.fields.routingKey, 'peek.fixed')
  assert.equal(message.content.toString(), 'plain')
  assert.equal(message.properties.priority, undefined)
  assert.equal(message.properties.messageId, undefined)
  assert.equal(message.properties.expiration, undefined)
})

test('a consumer answers one message per request, through deny and mapping; none waiting: the endpoint times out', async () => {
  assert.equal((await produce('a.1/0/60000/i/r', '{"a":1,"secret":2,"b":true}')).status, 200)
  assert.equal((await produce('a.2/0/60000/i/r', '')).status, 200)
  const first = await send(gw.url, { path: '/consume' })
  assert.equal(first.status, 200, first.text)
  assert.equal(first.text, '{"alpha":1,"b":true}')
  assert.equal(first.headers['x-krakend-completed'], 'true')
  // an empty message is the JSON decoder's io.EOF, which krakend-amqp takes as no data
  const empty = await send(gw.url, { path: '/consume' })
  assert.equal(empty.status, 200, empty.text)
  assert.equal(empty.text, 'null')
  const none = await send(gw.url, { path: '/consume' })
  assert.equal(none.status, 500)
  assert.equal(none.text, 'context deadline exceeded')
})

test('the backend encoding decodes a message', async () => {
  assert.equal((await produce('s.1/0/60000/i/r', 'hello')).status, 200)
  const res = await send(gw.url, { path: '/consume-string' })
  assert.equal(res.status, 200, res.text)
  assert.equal(res.text, '{"content":"hello"}')
})

test('an undecodable message is nacked: requeued by default, dropped with nack_discard', async () => {
  assert.equal((await produce('rq.1/0/60000/i/r', '{bad')).status, 200)
  const error = "invalid character 'b' looking for beginning of object key string"
  for (let i = 0; i < 2; i += 1) {
    const res = await send(gw.url, { path: '/consume-requeue' })
    assert.equal(res.status, 500)
    assert.equal(res.text, error)
  }
  assert.equal((await produce('d.1/0/60000/i/r', 'nope')).status, 200)
  const bad = await send(gw.url, { path: '/consume-discard' })
  assert.equal(bad.status, 500)
  assert.equal(bad.text, "invalid character 'o' in literal null (expecting 'u')")
  const gone = await send(gw.url, { path: '/consume-discard' })
  assert.equal(gone.text, 'context deadline exceeded')
})

test('a channel the broker closes fails the next publish with ErrClosed, then the producer reconnects', async () => {
  // RabbitMQ refuses the expiration "abc" by closing the channel (after the publish was sent)
  assert.equal((await produce('peek.bad/0/abc/i/r', 'x')).status, 200)
  let failed: string | undefined
  for (let i = 0; i < 100 && failed === undefined; i += 1) {
    const res = await produce('peek.lost/0/60000/i/r', 'lost')
    // sent before the broker's close arrived: the broker drops it, as it drops KrakenD's
    if (res.status === 500) failed = res.text
  }
  assert.equal(failed, 'Exception (504) Reason: "channel/connection is not open"')
  let sent = false
  for (let i = 0; i < 100 && !sent; i += 1) {
    const res = await produce('peek.back/0/60000/i/r', 'back')
    sent = res.status === 200
    if (!sent) {
      // the connection is still open while the producer dials again: Publish keeps failing on the closed channel
      assert.equal(res.text, 'Exception (504) Reason: "channel/connection is not open"')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  assert.ok(sent, 'the producer reconnected')
  let body = ''
  for (let i = 0; i < 100 && body !== 'back'; i += 1) body = (await peek()).content.toString()
  assert.equal(body, 'back')
})

test('a consumer whose queue is deleted fails with "connection not available", then consumes again', async () => {
  assert.equal((await produce('x.1/0/60000/i/r', '{"n":1}')).status, 200)
  assert.equal((await send(gw.url, { path: '/consume-deleted' })).text, '{"n":1}')
  await channel.deleteQueue(`${P}-qx`)
  const first = await send(gw.url, { path: '/consume-deleted' })
  assert.equal(first.status, 500)
  assert.equal(first.text, 'connection not available, trying to reconnect')
  // the reconnection declares and binds the queue again: publish once it consumes there
  let consumed = false
  for (let i = 0; i < 200 && !consumed; i += 1) {
    // a queue not yet declared again closes the channel that asks: ask on one of its own
    const probe = await connection.createChannel()
    probe.on('error', () => {})
    consumed = await probe.checkQueue(`${P}-qx`).then(
      (q) => q.consumerCount > 0,
      () => false,
    )
    await probe.close().catch(() => {})
    if (!consumed) await new Promise((resolve) => setTimeout(resolve, 25))
  }
  assert.ok(consumed, 'the consumer is back on its queue')
  assert.equal((await produce('x.2/0/60000/i/r', '{"n":2}')).status, 200)
  const answer = (await send(gw.url, { path: '/consume-deleted' })).text
  assert.equal(answer, '{"n":2}')
})

test('a broker that is not there fails requests at once, without its password in any log line', async () => {
  const port = await freePort()
  const lines: string[] = []
  const down = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        {
          endpoint: '/consume',
          backend: [
            {
              host: [`amqp://user:s3cr3t-pw@127.0.0.1:${port}`],
              disable_host_sanitize: true,
              url_pattern: '/',
              extra_config: { 'backend/amqp/consumer': { name: `${P}-down` } },
            },
          ],
        },
      ],
    }),
    { logger: linesLogger(lines, 'DEBUG') },
  )
  try {
    const res = await send(down.url, { path: '/consume' })
    assert.equal(res.status, 500)
    assert.equal(res.text, 'connection not available, trying to reconnect')
  } finally {
    await down.close()
  }
  assert.ok(
    lines.some((line) => line.includes('Connection attempt #')),
    lines.join(''),
  )
  assert.ok(!lines.join('').includes('s3cr3t-pw'), lines.join(''))
})

test('settings KrakenD could not run are refused before anything starts, the password hidden', () => {
  const refused = (backend: Record<string, unknown>) => {
    const result = validateGatewayConfig({ version: 3, endpoints: [{ endpoint: '/a', backend: [backend] }] })
    return result.errors.map((e) => JSON.stringify(e)).join('\n')
  }
  const base = {
    host: ['amqp://u:pw-1234@rabbit:5672'],
    disable_host_sanitize: true,
    url_pattern: '/',
  }
  const sanitized = refused({
    ...base,
    disable_host_sanitize: false,
    extra_config: { 'backend/amqp/consumer': {} },
  })
  assert.match(sanitized, /disable_host_sanitize/)
  const mechanism = refused({
    ...base,
    host: ['amqps://u:pw-1234@rabbit?auth_mechanism=EXTERNAL'],
    extra_config: { 'backend/amqp/producer': {} },
  })
  assert.match(mechanism, /auth_mechanism=EXTERNAL/)
  assert.doesNotMatch(`${sanitized}${mechanism}`, /pw-1234/)
  assert.match(
    refused({ ...base, extra_config: { 'backend/amqp/producer': { immediate: true } } }),
    /immediate/,
  )
  assert.match(
    refused({ ...base, extra_config: { 'backend/amqp/consumer': { prefetch_size: 10 } } }),
    /prefetch_size/,
  )
  assert.match(refused({ ...base, extra_config: { 'backend/amqp/consumer': { durable: 'yes' } } }), /durable/)
  assert.match(
    refused({ ...base, extra_config: { 'backend/amqp/consumer': { Routing_Key: 'k' } } }),
    /routing_key|Routing_Key/,
  )
  assert.match(
    refused({ ...base, extra_config: { 'backend/amqp/producer': {}, 'modifier/martian': {} } }),
    /modifier\/martian/,
  )
  // encoding/json: keys in any case, null unset
  assert.equal(
    refused({ ...base, extra_config: { 'backend/amqp/consumer': { NAME: 'q', durable: null } } }),
    '',
  )
})

test('an AMQP backend with the no-op encoding is refused: KrakenD answers an empty 200, dropping the message', () => {
  const errors = (endpoint: Record<string, unknown>, backend: Record<string, unknown>) =>
    JSON.stringify(
      validateGatewayConfig({
        version: 3,
        endpoints: [
          {
            endpoint: '/a',
            ...endpoint,
            backend: [
              {
                host: ['amqp://u:pw@rabbit:5672'],
                disable_host_sanitize: true,
                url_pattern: '/',
                ...backend,
                extra_config: { 'backend/amqp/consumer': { name: 'q' } },
              },
            ],
          },
        ],
      }).errors,
    )
  assert.match(
    errors({ output_encoding: 'no-op' }, {}),
    /no-op encoding: KrakenD answers 200 with an empty body/,
  )
  assert.match(errors({}, { encoding: 'no-op' }), /no-op encoding: KrakenD answers 200 with an empty body/)
  assert.equal(errors({}, {}), '[]')
})

test('amqps: the broker behind TLS is trusted through cacertfile, by the SANs Go checks, never by the system CAs for a private CA', async () => {
  const authority = await certificateAuthority()
  const withSan = await authority.issue({
    commonName: '127.0.0.1',
    altNames: ['IP:127.0.0.1', 'DNS:localhost'],
  })
  const cnOnly = await authority.issue({ commonName: '127.0.0.1' })
  const gatewayPair = await authority.issue({ commonName: 'gateway', usage: 'clientAuth' })
  const dir = await mkdtemp(join(tmpdir(), 'gw-amqps-'))
  const caFile = join(dir, 'ca.pem')
  await writeFile(caFile, authority.cert)
  await writeFile(join(dir, 'client.pem'), gatewayPair.cert)
  await writeFile(join(dir, 'client.key'), gatewayPair.key)
  // TLS terminators in front of the real broker
  const rabbit = new URL(broker.url)
  // the third asks for a client certificate issued by the CA (mutual TLS)
  const mutual = { ca: authority.cert, requestCert: true, rejectUnauthorized: true }
  const terminators = [withSan, cnOnly, { ...withSan, ...mutual }].map((options) =>
    createTlsServer(options, (client) => {
      const upstream = connect(Number(rabbit.port), rabbit.hostname)
      client.pipe(upstream).pipe(client)
      const end = () => {
        client.destroy()
        upstream.destroy()
      }
      client.on('error', end)
      upstream.on('error', end)
    }),
  )
  const ports: number[] = []
  for (const server of terminators) {
    server.on('tlsClientError', () => {})
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    ports.push((server.address() as AddressInfo).port)
  }
  const credentials = `${rabbit.username}:${rabbit.password}`
  const producer = (endpoint: string, url: string) => ({
    endpoint,
    method: 'POST',
    backend: [
      {
        host: [url],
        disable_host_sanitize: true,
        url_pattern: '/',
        extra_config: {
          'backend/amqp/producer': { exchange: EXCHANGE, routing_key: 'peek.tls', static_routing_key: true },
        },
      },
    ],
  })
  let tlsGateway: Running | undefined
  try {
    tlsGateway = await startGateway(
      mustConfig({
        version: 3,
        extra_config: { router: { return_error_msg: true } },
        endpoints: [
          producer('/ca', `amqps://${credentials}@127.0.0.1:${ports[0]}/?cacertfile=${caFile}`),
          producer(
            '/sni',
            `amqps://${credentials}@127.0.0.1:${ports[0]}?cacertfile=${caFile}&server_name_indication=localhost`,
          ),
          producer('/system', `amqps://${credentials}@127.0.0.1:${ports[0]}`),
          producer(
            '/mutual',
            `amqps://${credentials}@127.0.0.1:${ports[2]}?cacertfile=${caFile}&certfile=${dir}/client.pem&keyfile=${dir}/client.key`,
          ),
          producer(
            '/mutual-no-key',
            `amqps://${credentials}@127.0.0.1:${ports[2]}?cacertfile=${caFile}&certfile=${dir}/client.pem`,
          ),
          producer('/cn-only', `amqps://${credentials}@127.0.0.1:${ports[1]}?cacertfile=${caFile}`),
          producer(
            '/other-name',
            `amqps://${credentials}@127.0.0.1:${ports[0]}?cacertfile=${caFile}&server_name_indication=rabbit.example`,
          ),
        ],
      }),
    )
    for (const path of ['/ca', '/sni', '/mutual']) {
      const res = await send(tlsGateway.url, { method: 'POST', path, body: path })
      assert.equal(res.status, 200, `${path}: ${res.text}`)
      assert.equal((await peek()).content.toString(), path)
    }
    // a certfile without its keyfile sends no client certificate (amqp091-go needs both)
    for (const path of ['/system', '/cn-only', '/other-name', '/mutual-no-key']) {
      const res = await send(tlsGateway.url, { method: 'POST', path, body: path })
      assert.equal(res.status, 500, path)
      assert.equal(res.text, 'connection not available, trying to reconnect', path)
    }
  } finally {
    await tlsGateway?.close()
    for (const server of terminators) server.close()
    await rm(dir, { recursive: true, force: true })
  }
})
