// backend/amqp/producer as krakend-amqp's producer proxy serves it: at start the backend declares
// its topic exchange; each request publishes one message there (a closed connection fails the
// request with "connection not available, trying to reconnect" and dials again in the background;
// a closed channel fails it with amqp091-go's ErrClosed and does the same).

import type { AmqpProducerConfig } from './config.ts'
import { type Dialled, errorText, hangUp } from './connection.ts'
import { NOT_AVAILABLE } from './consumer.ts'
import { AmqpSide } from './side.ts'

/** What one request publishes (amqp091-go's Publishing, as krakend-amqp fills it). */
export interface AmqpMessage {
  routingKey: string
  body: Buffer
  headers: Record<string, string[]>
  contentType: string
  expiration: string
  replyTo: string
  messageId: string
  priority: number
}

/** basic.publish's fields and the message's properties, as amqplib encodes them (undefined: left out). */
interface PublishFrame {
  exchange: string
  routingKey: string
  mandatory: boolean
  immediate: false
  headers: Record<string, string[]> | undefined
  contentType: string | undefined
  expiration: string | undefined
  replyTo: string | undefined
  messageId: string | undefined
  priority: number | undefined
  timestamp: number
}

/** amqplib's Channel beneath publish(), which sends the frames of what publish() makes of its options. */
interface FrameChannel {
  sendMessage(fields: PublishFrame, properties: PublishFrame, content: Buffer): boolean
}

/** amqp091-go's ErrClosed, which Publish returns on a closed channel. */
const ERR_CLOSED = 'Exception (504) Reason: "channel/connection is not open"'

export class AmqpProducer extends AmqpSide<AmqpProducerConfig> {
  protected readonly dialFailureLevel = 'error'
  #connectionOpen = false
  #channelOpen = false

  async start(): Promise<void> {
    await this.connectAtStart()
    this.log.debug(`${this.prefix} Producer attached`)
  }

  /** Publishes `message`: undefined once sent, else the error KrakenD answers with. */
  publish(message: AmqpMessage): string | undefined {
    if (!this.#connectionOpen) {
      this.reconnect()
      return NOT_AVAILABLE
    }
    const channel = this.dialled?.channel
    if (!channel || !this.#channelOpen) {
      this.reconnect()
      return ERR_CLOSED
    }
    const cfg = this.cfg
    // amqp091-go writes a property only when it is set: no empty string, zero priority or empty
    // header table (amqplib's publish() always writes a header table, hence its sendMessage)
    const published: PublishFrame = {
      exchange: cfg.exchange,
      routingKey: message.routingKey,
      mandatory: cfg.mandatory,
      immediate: false,
      headers: Object.keys(message.headers).length > 0 ? message.headers : undefined,
      contentType: message.contentType || undefined,
      expiration: message.expiration || undefined,
      replyTo: message.replyTo || undefined,
      messageId: message.messageId || undefined,
      priority: message.priority || undefined,
      timestamp: Math.floor(Date.now() / 1000),
    }
    try {
      ;(channel as unknown as FrameChannel).sendMessage(published, published, message.body)
    } catch (error) {
      this.log.debug(`${this.prefix} ${errorText(error)}`)
      this.reconnect()
      return ERR_CLOSED
    }
    return undefined
  }

  async close(): Promise<void> {
    this.stopped = true
    this.#connectionOpen = false
    await hangUp(this.dialled)
  }

  /** krakend-amqp's newProducer after the dial: declare the exchange. */
  protected async attach(dialled: Dialled, where: string): Promise<void> {
    const cfg = this.cfg
    this.#connectionOpen = true
    this.#channelOpen = true
    dialled.connection.once('close', () => {
      if (this.dialled === dialled) this.#connectionOpen = false
    })
    dialled.channel.once('close', () => {
      if (this.dialled === dialled) this.#channelOpen = false
    })
    try {
      await dialled.channel.assertExchange(cfg.exchange, 'topic', {
        durable: cfg.durable,
        autoDelete: cfg.autoDelete,
        internal: cfg.exclusive,
      })
    } catch (error) {
      this.log.error(`${this.prefix} declaring the exchange for ${where}: ${errorText(error)}`)
      await hangUp(dialled)
    }
  }
}
