// One run of an async agent, as krakend-amqp's async.New runs it: dial the broker, declare the topic
// exchange and the queue, bind the queue with the agent's topic, ask for the prefetch, consume as
// "krakend"; report to /__health at once and every health interval; `workers` messages at a time
// (max_rate over all of them), each message's body handed to the pipe under the agent's timeout,
// acknowledged when the pipe succeeds, else nacked (requeued unless nack_discard). The run ends when
// the agent stops (its signal), when the broker closes the deliveries, or when an ack/nack fails.

import type { ConsumeMessage } from 'amqplib'
import { type Dialled, dial, errorText, hangUp } from '../backend-amqp/connection.ts'
import { amqpTlsOptions } from '../backend-amqp/tls.ts'
import { TokenBucket } from '../components/rate-limit.ts'
import type { AgentAmqpConfig, AsyncAgentConfig } from './config.ts'

/** The agent's pipe: the message body in, the error text out (undefined when it succeeded). */
export type AgentPipe = (body: Buffer, signal: AbortSignal) => Promise<string | undefined>

export interface AgentLog {
  debug(message: string): void
  info(message: string): void
  warning(message: string): void
  error(message: string): void
}

export const QUIET_LOG: AgentLog = { debug() {}, info() {}, warning() {}, error() {} }

export interface RunDeps {
  pipe: AgentPipe
  ping(name: string): void
  log: AgentLog
}

/** One message from amqplib, or the end of the deliveries (the channel closed or the consumer cancelled). */
type Next = ConsumeMessage | undefined

/** amqp091-go's delivery channel: messages wait here for a free worker; closed with the AMQP channel. */
class Deliveries {
  #open = true
  readonly #waiting: ConsumeMessage[] = []
  readonly #waiters: Array<(next: Next) => void> = []

  push(message: ConsumeMessage): void {
    const waiter = this.#waiters.shift()
    if (waiter) waiter(message)
    else this.#waiting.push(message)
  }

  close(): void {
    this.#open = false
    this.#waiting.length = 0
    for (const waiter of this.#waiters.splice(0)) waiter(undefined)
  }

  next(): Promise<Next> {
    const ready = this.#waiting.shift()
    if (ready || !this.#open) return Promise.resolve(ready)
    return new Promise((resolve) => this.#waiters.push(resolve))
  }
}

/**
 * Runs the agent until `signal` aborts (rejects with Go's context error text then) or its deliveries
 * end (resolves). Fails with the broker's error when the connection or a declaration fails.
 */
export async function runAgentOnce(cfg: AsyncAgentConfig, deps: RunDeps, signal: AbortSignal): Promise<void> {
  const amqp = cfg.amqp as AgentAmqpConfig
  const prefix = `[SERVICE: AsyncAgent][AMQP][${cfg.name}]`
  deps.log.info(`${prefix} Starting the consumer`)
  const tls = amqp.broker.tls && amqpTlsOptions(amqp.broker.tls)
  const dialled = await dial(amqp.broker, tls)
  let deliveries: Deliveries
  try {
    deliveries = await attach(dialled, amqp, cfg.topic)
  } catch (error) {
    await hangUp(dialled)
    throw error
  }
  deps.ping(cfg.name)
  const ticker = setInterval(() => deps.ping(cfg.name), cfg.healthIntervalMs)
  const bucket =
    cfg.maxRate > 0 ? new TokenBucket(cfg.maxRate, Math.max(1, Math.trunc(cfg.maxRate))) : undefined
  const pollMs = bucket ? 1000 / cfg.maxRate : 0
  let finish: (stopped: boolean) => void = () => {}
  const ended = new Promise<boolean>((resolve) => {
    finish = resolve
  })
  const onAbort = () => finish(true)
  signal.addEventListener('abort', onAbort, { once: true })
  if (signal.aborted) finish(true)
  let exiting = false

  const worker = async () => {
    while (!exiting && !signal.aborted) {
      let waiter: (() => void) | undefined
      const message = await Promise.race([
        // a worker stopped while waiting leaves its place: the channel closes, the broker requeues
        deliveries.next(),
        new Promise<Next | 'stopped'>((resolve) => {
          if (signal.aborted) return resolve('stopped')
          waiter = () => resolve('stopped')
          signal.addEventListener('abort', waiter, { once: true })
        }),
      ])
      if (waiter) signal.removeEventListener('abort', waiter)
      if (message === 'stopped') return
      if (message === undefined) {
        exiting = true
        finish(false)
        return
      }
      if (bucket) while (!bucket.allow()) await sleep(pollMs)
      const failed = await callPipe(deps.pipe, message.content, cfg.timeoutMs, signal)
      if (failed !== undefined) deps.log.error(`${prefix} ${failed}`)
      if (amqp.autoAck) continue
      try {
        if (failed === undefined) dialled.channel.ack(message, false)
        else {
          dialled.channel.nack(message, false, !amqp.nackDiscard)
          if (amqp.nackDiscard)
            deps.log.debug(`${prefix} Nack: message discarded from queue ${JSON.stringify(amqp.queue)}`)
        }
      } catch (error) {
        deps.log.error(`${prefix} ${failed === undefined ? 'Ack' : 'Nack'}: ${errorText(error)}`)
        exiting = true
        finish(false)
        return
      }
    }
  }
  for (let i = 0; i < cfg.workers; i += 1) void worker()
  const stopped = await ended
  signal.removeEventListener('abort', onAbort)
  clearInterval(ticker)
  deps.log.warning(`${prefix} Consumer stopped`)
  await hangUp(dialled)
  if (stopped) throw new Error(contextError(signal))
}

/** krakend-amqp's initConsumer after the dial. */
async function attach(dialled: Dialled, amqp: AgentAmqpConfig, topic: string): Promise<Deliveries> {
  const { channel } = dialled
  // krakend-amqp passes `exclusive` as the exchange's `internal` flag (ExchangeDeclare's 5th argument).
  await channel.assertExchange(amqp.exchange, 'topic', {
    durable: amqp.durable,
    autoDelete: amqp.autoDelete,
    internal: amqp.exclusive,
  })
  const { queue } = await channel.assertQueue(amqp.queue, {
    durable: amqp.durable,
    autoDelete: amqp.autoDelete,
    exclusive: amqp.exclusive,
  })
  await channel.bindQueue(queue, amqp.exchange, topic)
  if (amqp.prefetchCount !== 0) await channel.prefetch(amqp.prefetchCount, false)
  const deliveries = new Deliveries()
  await channel.consume(
    queue,
    // null: the broker cancelled the consumer (its queue deleted), which closes amqp091-go's deliveries
    (message) => (message === null ? deliveries.close() : deliveries.push(message)),
    { consumerTag: 'krakend', noAck: amqp.autoAck, exclusive: amqp.exclusive, noLocal: amqp.noLocal },
  )
  channel.once('close', () => deliveries.close())
  return deliveries
}

/** The pipe under the agent's deadline (context.WithTimeout of the agent's context). */
async function callPipe(
  pipe: AgentPipe,
  body: Buffer,
  timeoutMs: number,
  stop: AbortSignal,
): Promise<string | undefined> {
  const controller = new AbortController()
  const expire = () => controller.abort(new Error('context deadline exceeded'))
  const cancel = () => controller.abort(new Error(contextError(stop)))
  const timer = setTimeout(expire, timeoutMs)
  if (timeoutMs <= 0) expire()
  if (stop.aborted) cancel()
  stop.addEventListener('abort', cancel, { once: true })
  try {
    return await pipe(body, controller.signal)
  } catch (error) {
    return errorText(error)
  } finally {
    clearTimeout(timer)
    stop.removeEventListener('abort', cancel)
  }
}

/** Go's context error for a stopped agent: its start-up trial's deadline, or the node stopping. */
export function contextError(signal: AbortSignal): string {
  return signal.reason instanceof Error ? signal.reason.message : 'context canceled'
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
