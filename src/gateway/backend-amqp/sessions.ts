// The AMQP backends of one gateway: a broker session per backend (krakend-amqp dials one per
// backend config), started with the gateway (ready() waits for their first connection attempts, as
// KrakenD's start does) and closed with it. Each backend's call is what lura's components wrap in
// place of the HTTP call: a consumer answers with one message, decoded with the backend's
// encoding; a producer publishes the request and answers with no data.

import type { Cancellation } from '../cancellation.ts'
import type { BackendResult, Context } from '../compiled-endpoint.ts'
import { requestParams } from '../components/lura-params.ts'
import type { BackendConfig } from '../config/types.ts'
import { goNilMap } from '../go-json-values.ts'
import { goText } from '../go-utf8.ts'
import { amqpLibrary } from '../libraries.ts'
import type { Logger } from '../logging.ts'
import type { Data, Decoder } from '../transform.ts'
import type { AmqpBackend, AmqpConsumerConfig, AmqpProducerConfig } from './config.ts'
import { luraHeaderMap } from './header-map.ts'
import { amqpTlsOptions } from './tls.ts'

export type AmqpCall = (ctx: Context, cancel: Cancellation) => Promise<BackendResult>

export interface AmqpSessions {
  /** The call of an AMQP backend (its session starts now). */
  call(b: BackendConfig, decode: Decoder, format: ((data: Data) => Data) | undefined): AmqpCall
  /** Resolves once every session made its start-up connection attempts. */
  ready(): Promise<void>
  close(): Promise<void>
}

export function createAmqpSessions(logger: Logger): AmqpSessions {
  const starts: Array<Promise<void>> = []
  const sessions: Array<{ close(): Promise<void> }> = []
  const log = { debug: (m: string) => logger.debug(m), error: (m: string) => logger.error(m) }
  return {
    call(b, decode, format) {
      const amqp = b.amqp as AmqpBackend
      const { AmqpConsumer, AmqpProducer } = amqpLibrary()
      const prefix = `[BACKEND: ${b.urlPattern}][AMQP]`
      const tls = amqp.broker.tls && amqpTlsOptions(amqp.broker.tls)
      if (amqp.consumer) {
        const consumer = new AmqpConsumer(amqp.broker, amqp.consumer, log, prefix, tls)
        starts.push(consumer.start())
        sessions.push(consumer)
        return consumeCall(consumer, amqp.consumer, decode, format)
      }
      const producer = new AmqpProducer(amqp.broker, amqp.producer as AmqpProducerConfig, log, prefix, tls)
      starts.push(producer.start())
      sessions.push(producer)
      return publishCall(producer, amqp.producer as AmqpProducerConfig)
    },
    ready: () => Promise.all(starts).then(() => undefined),
    close: () => Promise.all(sessions.map((s) => s.close())).then(() => undefined),
  }
}

type Consumer = InstanceType<ReturnType<typeof amqpLibrary>['AmqpConsumer']>
type Producer = InstanceType<ReturnType<typeof amqpLibrary>['AmqpProducer']>

/**
 * One message decoded with the backend's decoder: an undecodable one is nacked (requeued unless
 * nack_discard) and fails the call; an empty one (the decoder's io.EOF) answers no data.
 */
function consumeCall(
  consumer: Consumer,
  cfg: AmqpConsumerConfig,
  decode: Decoder,
  format: ((data: Data) => Data) | undefined,
): AmqpCall {
  return async (_ctx, cancel) => {
    const got = await consumer.next(cancel)
    if ('error' in got) return { ok: false, code: undefined, message: got.error }
    let data: Data
    try {
      data = decode(goText(got.body), got.body)
    } catch (error) {
      const message = (error as Error)?.message ?? String(error)
      if (message !== 'EOF') {
        got.nack(!cfg.nackDiscard)
        return { ok: false, code: undefined, message }
      }
      data = goNilMap()
    }
    got.ack()
    return { ok: true, data: format ? format(data) : data, complete: true }
  }
}

/** krakend-amqp's producer: the body, lura's header map and params make the message. */
function publishCall(producer: Producer, cfg: AmqpProducerConfig): AmqpCall {
  return async (ctx) => {
    const body = ctx.body ?? (ctx.streamed ? await readAll(ctx.streamed) : Buffer.alloc(0))
    // a {JWT.x} whose claim is missing is no param (an HTTP backend's URL keeps lura's placeholder)
    const params = requestParams(ctx)
    const headers = luraHeaderMap(ctx.headers)
    const failed = producer.publish({
      routingKey: cfg.staticRoutingKey ? cfg.routingKey : (params[cfg.routingKey] ?? ''),
      body,
      headers,
      contentType: headers['Content-Type']?.[0] ?? '',
      expiration: params[cfg.expirationKey] ?? '',
      replyTo: params[cfg.replyToKey] ?? '',
      messageId: params[cfg.messageIdKey] ?? '',
      priority: goAtoiUint8(params[cfg.priorityKey]),
    })
    if (failed !== undefined) return { ok: false, code: undefined, message: failed }
    return { ok: true, data: goNilMap(), complete: true }
  }
}

/** strconv.Atoi then uint8(i), as krakend-amqp reads the priority; 0 when it does not parse. */
export function goAtoiUint8(text: string | undefined): number {
  if (text === undefined || !/^[+-]?\d+$/.test(text)) return 0
  const value = BigInt(text)
  if (value > 2n ** 63n - 1n || value < -(2n ** 63n)) return 0
  return Number(BigInt.asUintN(8, value))
}

async function readAll(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const chunk of chunks) parts.push(chunk)
  return Buffer.concat(parts)
}
