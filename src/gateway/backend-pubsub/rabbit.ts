/**
 * gocloud's rabbitpubsub: one AMQP connection per process (RABBIT_SERVER_URL), a confirm-mode
 * channel per topic and per subscription. A publish goes to the exchange with the metadata as
 * string headers, mandatory: an unroutable message comes back and the call fails, as in KrakenD.
 * A subscription starts consuming (manual acks, basic.qos only with ?prefetch_count) with the first
 * request. As in gocloud, a lost connection is not dialled again: every later call fails.
 */
import { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, connect } from 'amqplib'
import type { RabbitTarget } from './config.ts'
import { type PubsubDriver, type ReceivedMessage, withoutSecrets } from './driver.ts'
import { MessageQueue } from './queue.ts'

/** amqp091-go's ErrClosed, what gocloud gets once the connection is gone. */
const CLOSED = 'Exception (504) Reason: "channel/connection is not open"'

let connection: Promise<ChannelModel> | undefined
let connectionLost = false
/** gocloud names its consumers c1, c2, ... in the process. */
let consumers = 0

function dial(serverUrl: string): Promise<ChannelModel> {
  connection ??= connect(serverUrl, { timeout: 30_000 }).then(
    (conn) => {
      conn.on('error', () => {})
      conn.on('close', () => {
        connectionLost = true
      })
      return conn
    },
    (error: unknown) => {
      // gocloud dials at start only: KrakenD would call this backend over HTTP and fail every time.
      connection = undefined
      throw new Error(
        `failed to dial RABBIT_SERVER_URL: ${withoutSecrets((error as Error).message, serverUrl)}`,
      )
    },
  )
  return connection
}

async function openChannel(serverUrl: string): Promise<ConfirmChannel> {
  const conn = await dial(serverUrl)
  if (connectionLost) throw new Error(CLOSED)
  const channel = await conn.createConfirmChannel()
  channel.on('error', () => {})
  return channel
}

/** Closes the process's RabbitMQ connection (tests; a node's process ends with its drain). */
export async function closeRabbitConnection(): Promise<void> {
  const open = connection
  connection = undefined
  connectionLost = false
  await open?.then((conn) => conn.close()).catch(() => {})
}

export function rabbitDriver(target: RabbitTarget, serverUrl: string): PubsubDriver {
  // gocloud dials when the backend opens, at start
  dial(serverUrl).catch(() => {})
  let topic: Promise<ConfirmChannel> | undefined
  let returned: Error | undefined
  /** One publish at a time on the topic's channel, as gocloud's topic lock. */
  let publishing: Promise<unknown> = Promise.resolve()
  const topicChannel = (): Promise<ConfirmChannel> => {
    topic ??= openChannel(serverUrl).then(
      (ch) => {
        ch.on('return', (msg: ConsumeMessage) => {
          const f = msg.fields as unknown as { exchange: string; replyText: string; replyCode: number }
          returned = new Error(
            `rabbitpubsub: message returned from ${f.exchange}: ${f.replyText} (code ${f.replyCode})`,
          )
        })
        ch.on('close', () => {
          topic = undefined
        })
        return ch
      },
      (error: unknown) => {
        topic = undefined
        throw error
      },
    )
    return topic
  }
  const publishOne = async (metadata: Array<[string, string]>, body: Buffer): Promise<void> => {
    const ch = await topicChannel()
    const headers: Record<string, string> = {}
    let routingKey = ''
    for (const [k, v] of metadata) {
      if (target.keyName === k) routingKey = v
      else headers[k] = v
    }
    returned = undefined
    await new Promise<void>((resolve, reject) => {
      ch.publish(target.name, routingKey, body, { headers, mandatory: true }, (error: unknown) => {
        if (error) reject(error instanceof Error ? error : new Error('rabbitpubsub: ack failed on publish'))
        else if (returned) reject(returned)
        else resolve()
      })
    })
  }

  const queue = new MessageQueue<ReceivedMessage>()
  let consuming: Promise<Channel> | undefined
  const consume = (): Promise<Channel> => {
    consuming ??= (async () => {
      const ch = await openChannel(serverUrl)
      if (target.prefetchCount !== undefined) await ch.prefetch(target.prefetchCount)
      consumers += 1
      await ch.consume(
        target.name,
        (msg) => {
          if (msg === null) queue.fail(new Error('rabbitpubsub: delivery channel closed unexpectedly'))
          else queue.push({ body: msg.content, ack: () => ch.ack(msg) })
        },
        { consumerTag: `c${consumers}`, noAck: false },
      )
      ch.on('close', () => queue.fail(new Error(CLOSED)))
      return ch
    })()
    // gocloud's subscription fails for good when its channel cannot be opened (a missing queue).
    consuming.catch((error: unknown) => queue.fail(error as Error))
    return consuming
  }

  return {
    publish(metadata, body) {
      const done = publishing.then(() => publishOne(metadata, body))
      publishing = done.catch(() => {})
      return done
    },
    async receive(signal) {
      consume().catch(() => {})
      return queue.take(signal)
    },
  }
}
