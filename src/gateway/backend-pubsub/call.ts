/**
 * A pub/sub backend's driver, opened when the endpoint compiles: a NATS subscription subscribes
 * then (messages published before the first request wait for it, as in KrakenD); RabbitMQ dials.
 */
import { type PubsubConfig, SERVER_ENV } from './config.ts'
import type { PubsubDriver } from './driver.ts'
import { closeNatsConnections, natsDriver } from './nats.ts'
import { closeRabbitConnection, rabbitDriver } from './rabbit.ts'

export type { PubsubDriver, ReceivedMessage } from './driver.ts'

export function openPubsub(cfg: PubsubConfig, env: Record<string, string | undefined>): PubsubDriver {
  const serverUrl = env[SERVER_ENV[cfg.target.driver]] ?? ''
  const subscriber = cfg.role === 'subscriber'
  return cfg.target.driver === 'nats'
    ? natsDriver(cfg.target, serverUrl, subscriber)
    : rabbitDriver(cfg.target, serverUrl)
}

/** Closes every broker connection of the process. */
export async function closePubsubConnections(): Promise<void> {
  await Promise.all([closeNatsConnections(), closeRabbitConnection()])
}
