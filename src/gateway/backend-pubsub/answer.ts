/**
 * krakend-pubsub's two proxies, at the depth of lura's HTTP call (its components wrap them): the
 * publisher sends the request body with lura's headers as metadata and answers an empty response
 * (nil data: `null`, X-Krakend-Completed false); the subscriber answers the next message, decoded
 * with the backend's encoding (a message it cannot decode stays unacked) and formatted (group,
 * target, mapping, allow, deny). Both wait at most until the request's context ends.
 */

import type { Cancellation } from '../cancellation.ts'
import type { BackendResult, CompiledBackend, Context } from '../compiled-endpoint.ts'
import type { BackendConfig } from '../config/types.ts'
import { goNilMap } from '../go-json.ts'
import { goText } from '../go-utf8.ts'
import { pubsubAwsLibrary, pubsubKafkaLibrary, pubsubNatsLibrary, pubsubRabbitLibrary } from '../libraries.ts'
import { KAFKA_ENV, NATS_ENV, type PubsubConfig, RABBIT_ENV } from './config.ts'
import { type PubsubDriver, untilAborted } from './driver.ts'
import { dropsGoUserAgent, pubsubMetadata } from './metadata.ts'

export type PubsubCall = (ctx: Context, cancel: Cancellation) => Promise<BackendResult>

const EMPTY = Buffer.alloc(0)

/** Opens the topic or subscription (the driver loads with the first config that has one). */
export function compilePubsubCall(
  cfg: PubsubConfig,
  b: BackendConfig,
  decode: CompiledBackend['decode'],
  format: CompiledBackend['format'],
): PubsubCall {
  // each driver's library is a chunk of its own (lazy/pubsub-*.cjs), loaded by the first backend using it
  const serverUrl = (variable: string) => process.env[variable] ?? ''
  const target = cfg.target
  const subscriber = cfg.role === 'subscriber'
  const driver: PubsubDriver =
    target.driver === 'nats'
      ? pubsubNatsLibrary().natsDriver(target, serverUrl(NATS_ENV), subscriber)
      : target.driver === 'rabbit'
        ? pubsubRabbitLibrary().rabbitDriver(target, serverUrl(RABBIT_ENV))
        : target.driver === 'kafka'
          ? pubsubKafkaLibrary().kafkaDriver(target, serverUrl(KAFKA_ENV), subscriber)
          : pubsubAwsLibrary().awsDriver(target)
  if (cfg.role === 'publisher') {
    const withoutGoUserAgent = dropsGoUserAgent(b.inputHeaders)
    return async (ctx, cancel) => {
      try {
        await untilAborted(
          driver.publish(pubsubMetadata(ctx.headers, withoutGoUserAgent), ctx.body ?? EMPTY, cancel.signal),
          cancel.signal,
        )
        return { ok: true, data: goNilMap(), complete: true }
      } catch (error) {
        return failed(error, cancel)
      }
    }
  }
  const noop = b.encoding === 'no-op'
  return async (_ctx, cancel) => {
    try {
      const message = await driver.receive(cancel.signal)
      const body = Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength)
      // lura's no-op decoder reads nothing: nil data
      let data = noop ? goNilMap() : decode(goText(body), body)
      message.ack()
      if (format) data = format(data)
      return { ok: true, data, complete: true }
    } catch (error) {
      return failed(error, cancel)
    }
  }
}

const failed = (error: unknown, cancel: Cancellation): BackendResult => ({
  ok: false,
  code: undefined,
  message: cancel.aborted ? cancel.contextError : ((error as Error)?.message ?? String(error)),
})
