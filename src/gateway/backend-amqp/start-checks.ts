// What an AMQP backend cannot do in this node's process layout, refused before anything starts.

import { configError } from '../../core/errors.ts'
import type { GatewayConfig } from '../config/types.ts'

/**
 * KrakenD runs one consumer per backend, and a request takes the next message it was handed. Each
 * worker process would consume on its own: a message handed to one worker waits for a request that
 * worker serves, while a request on another waits until its timeout.
 */
export function refuseAmqpConsumerWorkers(
  config: GatewayConfig,
  workers: number,
  file: string | undefined,
): void {
  if (workers <= 1) return
  for (const ep of config.endpoints)
    for (const b of [...ep.backends, ...(ep.shadows ?? [])])
      if (b.amqp?.consumer)
        throw configError(
          `${b.path} is an AMQP consumer and the node runs ${workers} worker processes: KrakenD consumes once and hands each message to the next request; each worker would consume on its own, and a request on one worker would wait out its timeout while another worker holds the messages`,
          {
            location: { ...(file ? { file } : {}), path: `${b.path}.extra_config.backend/amqp/consumer` },
            hint: 'set "gwdeploy/runtime": {"workers": 1} (or --workers 1) for a node with an AMQP consumer',
          },
        )
}
