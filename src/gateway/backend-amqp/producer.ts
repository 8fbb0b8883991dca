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
    try {
      channel.publish(cfg.exchange, message.routingKey, message.body, {
        mandatory: cfg.mandatory,
        headers: message.headers,
        // amqp091-go leaves out empty strings and a zero priority
        ...(message.contentType !== '' ? { contentType: message.contentType } : {}),
        ...(message.expiration !== '' ? { expiration: message.expiration } : {}),
        ...(message.replyTo !== '' ? { replyTo: message.replyTo } : {}),
        ...(message.messageId !== '' ? { messageId: message.messageId } : {}),
        ...(message.priority !== 0 ? { priority: message.priority } : {}),
        timestamp: Math.floor(Date.now() / 1000),
      })
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
