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
  const variable = SERVER_ENV[cfg.target.driver]
  const serverUrl = variable === undefined ? '' : (env[variable] ?? '')
  switch (cfg.target.driver) {
    case 'nats':
      return natsDriver(cfg.target, serverUrl, cfg.role === 'subscriber')
    case 'rabbit':
      return rabbitDriver(cfg.target, serverUrl)
    case 'aws':
      // lazy/pubsub-aws.cjs: the AWS SDK loads only for configs that name awssns:// or awssqs://
      throw new Error('the AWS driver is opened from lazy/pubsub-aws')
  }
}

/** Closes every broker connection of the process. */
export async function closePubsubConnections(): Promise<void> {
  await Promise.all([closeNatsConnections(), closeRabbitConnection()])
}
