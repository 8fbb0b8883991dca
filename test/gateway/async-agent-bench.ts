// What the async_agent tests share: a RabbitMQ connection with a topic exchange of the file's own,
// a recording HTTP backend, agents on queues named after the test, a gateway running them, and
// bounded waits on the backend and the queues (deleted after the file).
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { after, before } from 'node:test'
import type { Channel, ChannelModel } from 'amqplib'
import { type BrokerInfo, requireRabbitMq } from '../helpers/services.ts'
import {
  linesLogger,
  mustConfig,
  type RouteSpec,
  type Running,
  type SeenRequest,
  startBackend,
  startGateway,
  type TestBackend,
} from './helpers.ts'

const amqplib = createRequire(import.meta.url)('amqplib') as typeof import('amqplib')

export interface AgentBench {
  readonly backend: TestBackend
  readonly broker: BrokerInfo
  readonly connection: ChannelModel
  readonly channel: Channel
  /** An agent on queue `<prefix>-name`, bound to topic `name`, calling `backends` (on the test backend unless `origin`). */
  agent(
    name: string,
    backends: Array<Record<string, unknown>>,
    amqp?: Record<string, unknown>,
    more?: Record<string, unknown>,
    origin?: string,
  ): Record<string, unknown>
  /** A gateway running `agents` (its log lines into `lines` at DEBUG when given). */
  start(agents: unknown[], lines?: string[]): Promise<Running>
  /** The broker's name of the agent's queue. */
  queueName(name: string): string
  /** Publishes `body` on the topic `key`, with a header and properties the backends must not see. */
  publish(key: string, body: string): void
  /** Polls `check` (bounded: 15 s) until it holds. */
  until(what: string, check: () => boolean | Promise<boolean>): Promise<void>
  /** The requests the backend received on `path` (query apart). */
  seenAt(path: string): SeenRequest[]
  /** The queue's ready messages and consumers (-1 both when it does not exist). */
  queueState(queue: string): Promise<{ messageCount: number; consumerCount: number }>
  /** Waits until the agent consumes its queue (its start-up trial may have come and gone). */
  consuming(queue: string): Promise<void>
}

export function agentBench(tag: string, routes: Record<string, RouteSpec>): AgentBench {
  const prefix = `gw-${tag}-${randomBytes(4).toString('hex')}`
  const exchange = `${prefix}-x`
  const queues = new Set<string>()
  let broker: BrokerInfo | undefined
  let connection: ChannelModel | undefined
  let channel: Channel | undefined
  let backend: TestBackend | undefined
  const must = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the bench is not set up (before() has not run)')
    return value
  }

  before(async () => {
    broker = await requireRabbitMq()
    connection = await amqplib.connect(broker.url)
    channel = await connection.createChannel()
    await channel.assertExchange(exchange, 'topic', { durable: true })
    backend = await startBackend(tag, routes)
  })

  after(async () => {
    for (const q of queues) await channel?.deleteQueue(q).catch(() => {})
    await channel?.deleteExchange(exchange).catch(() => {})
    await connection?.close()
    await backend?.close()
  })

  const bench: AgentBench = {
    get backend() {
      return must(backend)
    },
    get broker() {
      return must(broker)
    },
    get connection() {
      return must(connection)
    },
    get channel() {
      return must(channel)
    },
    queueName: (name) => `${prefix}-${name}`,
    agent(name, backends, amqp = {}, more = {}, origin = bench.backend.origin) {
      queues.add(`${prefix}-${name}`)
      return {
        name,
        consumer: { topic: name },
        ...more,
        backend: backends.map((b) => ({ host: [origin], ...b })),
        extra_config: {
          ...(more.extra_config as Record<string, unknown> | undefined),
          'async/amqp': {
            host: bench.broker.url,
            name: `${prefix}-${name}`,
            exchange,
            durable: true,
            ...amqp,
          },
        },
      }
    },
    start: (agents, lines) =>
      startGateway(
        mustConfig({ version: 3, name: 'agents', timeout: '3s', endpoints: [], async_agent: agents }),
        lines ? { logger: linesLogger(lines, 'DEBUG') } : {},
      ),
    publish(key, body) {
      bench.channel.publish(exchange, key, Buffer.from(body), {
        headers: { 'X-Header': 'not sent' },
        messageId: 'id-1',
      })
    },
    async until(what, check) {
      for (let i = 0; i < 750; i += 1) {
        if (await check()) return
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      throw new Error(`waited 15 s for ${what}`)
    },
    seenAt: (path) => bench.backend.seen.filter((s) => s.url.split('?')[0] === path),
    async queueState(queue) {
      // a channel of its own: a missing queue closes it
      const checking = await bench.connection.createChannel()
      checking.on('error', () => {})
      try {
        const { messageCount, consumerCount } = await checking.checkQueue(bench.queueName(queue))
        await checking.close()
        return { messageCount, consumerCount }
      } catch {
        return { messageCount: -1, consumerCount: -1 }
      }
    },
    consuming: (queue) =>
      bench.until(`a consumer on ${queue}`, async () => (await bench.queueState(queue)).consumerCount === 1),
  }
  return bench
}
