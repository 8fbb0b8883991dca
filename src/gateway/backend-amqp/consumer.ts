// backend/amqp/consumer as krakend-amqp's consumer proxy serves it: at start the backend declares
// its topic exchange and queue, binds each routing key and consumes (acknowledging by hand, unless
// auto_ack); every message the broker pushes waits in memory (amqp091-go's consumer buffer) for a
// request, which takes one (or waits for one until its deadline). When the channel closes, what
// waited is dropped (the broker requeues the unacknowledged) and requests fail with krakend-amqp's
// "connection not available, trying to reconnect" while the first of them dials again.

import type { ConsumeMessage } from 'amqplib'
import type { AmqpConsumerConfig } from './config.ts'
import { type Dialled, errorText, hangUp } from './connection.ts'
import { AmqpSide } from './side.ts'

/** What a request waits on: whether it was cancelled, and its end. */
export interface Waiting {
  readonly aborted: boolean
  readonly contextError: string
  onAbort(listener: (reason: Error) => void): () => void
}

export interface AmqpDelivery {
  body: Buffer
  ack(): void
  nack(requeue: boolean): void
}

export const NOT_AVAILABLE = 'connection not available, trying to reconnect'

/** One consume call's deliveries: amqp091-go's delivery channel, closed with the AMQP channel. */
class Deliveries {
  open = true
  readonly waiting: AmqpDelivery[] = []
  readonly waiters: Array<(delivery: AmqpDelivery | undefined) => void> = []

  push(delivery: AmqpDelivery): void {
    const waiter = this.waiters.shift()
    if (waiter) waiter(delivery)
    else this.waiting.push(delivery)
  }

  close(): void {
    if (!this.open) return
    this.open = false
    this.waiting.length = 0
    for (const waiter of this.waiters.splice(0)) waiter(undefined)
  }
}

const CLOSED = new Deliveries()
CLOSED.open = false

export class AmqpConsumer extends AmqpSide<AmqpConsumerConfig> {
  protected readonly dialFailureLevel = 'debug'
  #deliveries: Deliveries = CLOSED

  async start(): Promise<void> {
    await this.connectAtStart()
    this.log.debug(`${this.prefix} Consumer attached`)
  }

  /** The next message for one request, or the error KrakenD answers with. */
  next(wait: Waiting): Promise<AmqpDelivery | { error: string }> {
    if (wait.aborted) return Promise.resolve({ error: wait.contextError })
    const deliveries = this.#deliveries
    const ready = deliveries.waiting.shift()
    if (ready) return Promise.resolve(ready)
    if (!deliveries.open) return Promise.resolve(this.#reconnect())
    return new Promise((resolve) => {
      const waiter = (delivery: AmqpDelivery | undefined) => {
        stop()
        resolve(delivery ?? this.#reconnect())
      }
      const stop = wait.onAbort(() => {
        const at = deliveries.waiters.indexOf(waiter)
        if (at !== -1) deliveries.waiters.splice(at, 1)
        resolve({ error: wait.contextError })
      })
      deliveries.waiters.push(waiter)
    })
  }

  async close(): Promise<void> {
    this.stopped = true
    this.#deliveries.close()
    await hangUp(this.dialled)
  }

  #reconnect(): { error: string } {
    this.reconnect()
    return { error: NOT_AVAILABLE }
  }

  /** krakend-amqp's newConsumer after the dial: declare, bind, qos, consume. */
  protected async attach(dialled: Dialled, where: string): Promise<void> {
    const cfg = this.cfg
    const { channel } = dialled
    const step = async (what: string, run: () => Promise<unknown>) => {
      try {
        await run()
        return true
      } catch (error) {
        this.log.debug(`${this.prefix} ${what} for ${where}: ${errorText(error)}`)
        await hangUp(dialled)
        return false
      }
    }
    // krakend-amqp passes `exclusive` as the exchange's `internal` flag (ExchangeDeclare's 5th argument).
    const exchangeOptions = { durable: cfg.durable, autoDelete: cfg.autoDelete, internal: cfg.exclusive }
    if (
      !(await step('declaring the exchange', () =>
        channel.assertExchange(cfg.exchange, 'topic', exchangeOptions),
      ))
    )
      return
    const queueOptions = { durable: cfg.durable, autoDelete: cfg.autoDelete, exclusive: cfg.exclusive }
    let queue = cfg.name
    if (
      !(await step('declaring the queue', async () => {
        queue = (await channel.assertQueue(cfg.name, queueOptions)).queue
      }))
    )
      return
    for (const key of cfg.routingKeys)
      try {
        await channel.bindQueue(queue, cfg.exchange, key)
      } catch (error) {
        // krakend-amqp logs a failed binding and goes on (on a channel the broker has closed)
        this.log.error(`${this.prefix} bindind the queue for ${where}: ${errorText(error)}`)
      }
    if (
      cfg.prefetchCount !== 0 &&
      !(await step('setting the QoS for the consumer', () => channel.prefetch(cfg.prefetchCount, false)))
    )
      return
    const deliveries = new Deliveries()
    const onMessage = (message: ConsumeMessage | null) => {
      // null: the broker cancelled the consumer (its queue deleted), which closes amqp091-go's deliveries
      if (message === null) return deliveries.close()
      deliveries.push({
        body: message.content,
        // amqp091-go's Ack/Nack fail quietly on a closed channel (krakend-amqp ignores their errors)
        ack: () => quietly(() => channel.ack(message, false)),
        nack: (requeue) => quietly(() => channel.nack(message, false, requeue)),
      })
    }
    if (
      !(await step('setting up the consumer', () =>
        // amqp091-go consumes cfg.Name (not the broker-named queue) with the consumer's flags
        channel.consume(cfg.name, onMessage, {
          noAck: cfg.autoAck,
          exclusive: cfg.exclusive,
          noLocal: cfg.noLocal,
        }),
      ))
    )
      return
    channel.once('close', () => deliveries.close())
    this.#deliveries = deliveries
  }
}

function quietly(run: () => void): void {
  try {
    run()
  } catch {
    // the channel is closed: nothing to acknowledge any more
  }
}
