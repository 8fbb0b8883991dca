// One AMQP backend's connection to its broker, as krakend-amqp's connectionHandler keeps it: one
// connection and one channel for every request to that backend, dialled again (in the background,
// by the first request that finds it gone) with the backend's retries and lura's backoff. Loaded
// with amqplib (lazy/amqp.ts) by configs that have an AMQP backend only.

import type { ConnectionOptions } from 'node:tls'
import { type Channel, type ChannelModel, connect } from 'amqplib'
import type { AmqpBroker } from './broker-url.ts'

export interface AmqpLog {
  debug(message: string): void
  error(message: string): void
}

export interface Dialled {
  connection: ChannelModel
  channel: Channel
}

/** How long lura's backoff (backoff.GetByName) waits before attempt `i` (from 0). */
export function backoffMs(strategy: string, i: number): number {
  switch (strategy.toLowerCase()) {
    case 'linear':
      return i * 1000
    case 'linear-jitter':
      return jitter(i)
    case 'exponential':
      return 2 ** Math.min(i, 30) * 1000
    case 'exponential-jitter':
      return jitter(2 ** Math.min(i, 30))
    default:
      return 1000
  }
}

function jitter(seconds: number): number {
  const ms = seconds * 1000
  const spread = Math.floor(ms / 3) + 1
  const value = ms + Math.floor(Math.random() * 2 * spread) - spread
  return value <= 0 ? 1 : value
}

/** amqp091-go's Dial: heartbeat and connect timeout from the URL, locale en_US, PLAIN auth; amqps with `tls`'s options. */
export async function dial(broker: AmqpBroker, tls?: () => ConnectionOptions): Promise<Dialled> {
  const connection = await connect(
    {
      protocol: broker.protocol,
      hostname: broker.hostname,
      port: broker.port,
      username: broker.username,
      password: broker.password,
      locale: 'en_US',
      heartbeat: broker.heartbeatSeconds,
      // amqplib unescapes the virtual host once more: keep a literal `%` as it is.
      vhost: broker.vhost.replaceAll('%', '%25'),
    },
    { timeout: broker.connectTimeoutMs, ...(broker.protocol === 'amqps' && tls ? tls() : {}) },
  )
  // amqplib re-emits a broker's close reason as 'error': an unheard one would end the process.
  connection.on('error', () => {})
  try {
    const channel = await connection.createChannel()
    channel.on('error', () => {})
    return { connection, channel }
  } catch (error) {
    await connection.close().catch(() => {})
    throw error
  }
}

/**
 * krakend-amqp's connect: up to `attempts` dials (at least one), each after lura's backoff for its
 * number (the first at start-up goes at once: KrakenD would not be listening yet), stopped by `stop`.
 */
export async function dialWithRetries(
  broker: AmqpBroker,
  tls: (() => ConnectionOptions) | undefined,
  attempts: number,
  backoff: string,
  waitFirst: boolean,
  stopped: () => boolean,
  log: AmqpLog,
  prefix: string,
): Promise<Dialled> {
  let last: unknown
  const total = Math.max(1, attempts)
  for (let i = 0; i < total && !stopped(); i += 1) {
    if (i > 0 || waitFirst) await sleep(backoffMs(backoff, i))
    if (stopped()) break
    try {
      return await dial(broker, tls)
    } catch (error) {
      last = error
      log.debug(`${prefix} Connection attempt #${i + 1}: ${errorText(error)}`)
    }
  }
  throw last ?? new Error('stopped')
}

/** An amqplib error's text, without the broker URL amqplib may not have (never the password). */
export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref())

/** Closes what a session dialled, quietly (the broker may be gone). */
export async function hangUp(dialled: Dialled | undefined): Promise<void> {
  if (!dialled) return
  await dialled.channel.close().catch(() => {})
  await dialled.connection.close().catch(() => {})
}
