// backend/amqp/producer as krakend-amqp's producer proxy serves it: at start the backend declares
// its topic exchange; each request publishes one message there (a closed connection fails the
// request with "connection not available, trying to reconnect" and dials again in the background;
// a closed channel fails it with amqp091-go's ErrClosed and does the same).

import type { ConnectionOptions } from 'node:tls'
import type { AmqpBroker } from './broker-url.ts'
import type { AmqpProducerConfig } from './config.ts'
import { type AmqpLog, type Dialled, dialWithRetries, errorText, hangUp } from './connection.ts'
import { NOT_AVAILABLE } from './consumer.ts'

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

export class AmqpProducer {
  readonly #broker: AmqpBroker
  readonly #cfg: AmqpProducerConfig
  readonly #log: AmqpLog
  readonly #prefix: string
  readonly #tls: (() => ConnectionOptions) | undefined
  #dialled: Dialled | undefined
  #connectionOpen = false
  #channelOpen = false
  #reconnecting = false
  #stopped = false

  constructor(
    broker: AmqpBroker,
    cfg: AmqpProducerConfig,
    log: AmqpLog,
    prefix: string,
    tls?: () => ConnectionOptions,
  ) {
    this.#broker = broker
    this.#cfg = cfg
    this.#log = log
    this.#prefix = prefix
    this.#tls = tls
  }

  async start(): Promise<void> {
    await this.#connect(3, '', false)
    this.#log.debug(`${this.#prefix} Producer attached`)
  }

  /** Publishes `message`: undefined once sent, else the error KrakenD answers with. */
  publish(message: AmqpMessage): string | undefined {
    if (!this.#connectionOpen) {
      this.#reconnect()
      return NOT_AVAILABLE
    }
    const channel = this.#dialled?.channel
    if (!channel || !this.#channelOpen) {
      this.#reconnect()
      return ERR_CLOSED
    }
    const cfg = this.#cfg
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
      this.#log.debug(`${this.#prefix} ${errorText(error)}`)
      this.#reconnect()
      return ERR_CLOSED
    }
    return undefined
  }

  async close(): Promise<void> {
    this.#stopped = true
    this.#connectionOpen = false
    await hangUp(this.#dialled)
  }

  #reconnect(): void {
    if (this.#reconnecting || this.#stopped) return
    this.#reconnecting = true
    const retries = this.#cfg.maxRetries > 0 ? this.#cfg.maxRetries : Number.MAX_SAFE_INTEGER
    void this.#connect(retries, this.#cfg.backoff, true)
  }

  /** krakend-amqp's newProducer: dial, declare the exchange. */
  async #connect(attempts: number, backoff: string, waitFirst: boolean): Promise<void> {
    const cfg = this.#cfg
    const where = `${this.#broker.shown}/${cfg.name}`
    try {
      let dialled: Dialled
      try {
        dialled = await dialWithRetries(
          this.#broker,
          this.#tls,
          attempts,
          backoff,
          waitFirst,
          () => this.#stopped,
          this.#log,
          this.#prefix,
        )
      } catch (error) {
        this.#log.error(`${this.#prefix} getting the channel for ${where}: ${errorText(error)}`)
        return
      }
      if (this.#stopped) return void (await hangUp(dialled))
      await hangUp(this.#dialled)
      this.#dialled = dialled
      this.#connectionOpen = true
      this.#channelOpen = true
      dialled.connection.once('close', () => {
        if (this.#dialled === dialled) this.#connectionOpen = false
      })
      dialled.channel.once('close', () => {
        if (this.#dialled === dialled) this.#channelOpen = false
      })
      try {
        await dialled.channel.assertExchange(cfg.exchange, 'topic', {
          durable: cfg.durable,
          autoDelete: cfg.autoDelete,
          internal: cfg.exclusive,
        })
      } catch (error) {
        this.#log.error(`${this.#prefix} declaring the exchange for ${where}: ${errorText(error)}`)
        await hangUp(dialled)
      }
    } finally {
      this.#reconnecting = false
    }
  }
}
