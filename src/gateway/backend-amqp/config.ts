// backend/amqp/consumer and backend/amqp/producer (krakend-amqp's consume and produce namespaces),
// read as krakend-amqp decodes them: json.Marshal of the map, then json.Unmarshal into its struct
// (keys in any case, null leaves a field unset, a wrong type fails the whole decoding). A config
// KrakenD cannot decode makes it build a plain HTTP backend towards the broker's URL, which fails
// every call: refused here. The producer's `routing_key` is its own string field, which shadows the
// consumer's list of the same name.

import type { Fields } from '../components/fields.ts'
import type { AmqpBroker } from './broker-url.ts'

/** An AMQP backend: its broker, and the consumer or the producer it runs there. */
export interface AmqpBackend {
  broker: AmqpBroker
  consumer?: AmqpConsumerConfig
  producer?: AmqpProducerConfig
}

/** What both sides declare on the broker (krakend-amqp's queueCfg). */
export interface AmqpDeclaration {
  /** The queue (the consumer's; the producer names it in errors only). */
  name: string
  exchange: string
  durable: boolean
  /** Auto-delete, of the exchange and the queue. */
  autoDelete: boolean
  /** The queue's and the consumer's exclusive flag; krakend-amqp also passes it as the exchange's `internal`. */
  exclusive: boolean
  /** lura's backoff strategy between reconnection attempts (GetByName: lower-cased, else 1 s). */
  backoff: string
  /** Reconnection attempts after a failure; 0: no limit (max_retries <= 0). */
  maxRetries: number
}

export interface AmqpConsumerConfig extends AmqpDeclaration {
  routingKeys: string[]
  /** basic.qos prefetch count; 0: none asked. */
  prefetchCount: number
  autoAck: boolean
  noLocal: boolean
  /** An undecodable message is nacked without requeueing. */
  nackDiscard: boolean
}

export interface AmqpProducerConfig extends AmqpDeclaration {
  mandatory: boolean
  /** Request params (lura's names: first letter upper-cased) for the message's properties. */
  expirationKey: string
  replyToKey: string
  messageIdKey: string
  priorityKey: string
  /** The routing key itself when static, else the param holding it. */
  routingKey: string
  staticRoutingKey: boolean
}

const QUEUE_KEYS = [
  'name',
  'exchange',
  'backoff_strategy',
  'durable',
  'delete',
  'exclusive',
  'no_wait',
  'prefetch_count',
  'prefetch_size',
  'max_retries',
  // an exported field without a JSON tag: decoded (then overwritten by krakend-amqp)
  'LogPrefix',
]

export function parseAmqpConsumer(f: Fields): AmqpConsumerConfig {
  f.declare(...QUEUE_KEYS, 'routing_key', 'auto_ack', 'no_local', 'nack_discard')
  const declaration = readDeclaration(f)
  const routingKeys = f.strings('routing_key') ?? []
  const prefetchCount = goInt(f, 'prefetch_count')
  if (prefetchCount !== undefined && (prefetchCount < 0 || prefetchCount > 65535))
    f.report.error(
      f.at('prefetch_count'),
      `"prefetch_count" must be 0 to 65535, got ${prefetchCount}: krakend-amqp passes it to basic.qos as a 16-bit count, so KrakenD would ask for ${prefetchCount & 0xffff}`,
    )
  const autoAck = f.bool('auto_ack')
  if (autoAck)
    f.report.warn(
      f.at('auto_ack'),
      '"auto_ack": krakend-amqp still acknowledges each message it answers with, which RabbitMQ refuses on an auto-ack consumer (PRECONDITION_FAILED, unknown delivery tag): the channel closes after the first message, the messages already delivered to the gateway are lost, and the next request fails while it reconnects. This runtime does the same',
      'remove "auto_ack": the consumer acknowledges each message once it is decoded',
    )
  return {
    ...declaration,
    routingKeys,
    prefetchCount: prefetchCount ?? 0,
    autoAck,
    noLocal: f.bool('no_local'),
    nackDiscard: f.bool('nack_discard'),
  }
}

export function parseAmqpProducer(f: Fields): AmqpProducerConfig {
  f.declare(
    ...QUEUE_KEYS,
    'mandatory',
    'immediate',
    'exp_key',
    'reply_to_key',
    'msg_id_key',
    'priority_key',
    'routing_key',
    'static_routing_key',
  )
  const declaration = readDeclaration(f)
  if (f.bool('immediate'))
    f.report.error(
      f.at('immediate'),
      '"immediate": RabbitMQ does not implement immediate publishing: it closes the connection on every such publish (540 NOT_IMPLEMENTED), so KrakenD would lose each message and fail the requests after it while reconnecting',
      'remove "immediate" (or set it to false)',
    )
  return {
    ...declaration,
    mandatory: f.bool('mandatory'),
    expirationKey: f.string('exp_key') ?? '',
    replyToKey: f.string('reply_to_key') ?? '',
    messageIdKey: f.string('msg_id_key') ?? '',
    priorityKey: f.string('priority_key') ?? '',
    routingKey: f.string('routing_key') ?? '',
    staticRoutingKey: f.bool('static_routing_key'),
  }
}

function readDeclaration(f: Fields): AmqpDeclaration {
  f.string('LogPrefix')
  const prefetchSize = goInt(f, 'prefetch_size')
  if (prefetchSize !== undefined && prefetchSize !== 0 && f.path.at(-1) === 'backend/amqp/consumer')
    f.report.error(
      f.at('prefetch_size'),
      '"prefetch_size" other than 0: RabbitMQ does not implement a prefetch size and closes the connection on such a basic.qos (540 NOT_IMPLEMENTED), so KrakenD\'s consumer would never consume',
      'remove "prefetch_size" (limit with "prefetch_count")',
    )
  // no_wait skips the broker's answers to the declarations: the same declarations, only errors
  // surface later (this runtime waits for them), so it changes nothing on a broker that accepts them.
  f.bool('no_wait')
  const maxRetries = goInt(f, 'max_retries') ?? 0
  return {
    name: f.string('name') ?? '',
    exchange: f.string('exchange') ?? '',
    durable: f.bool('durable'),
    autoDelete: f.bool('delete'),
    exclusive: f.bool('exclusive'),
    backoff: f.string('backoff_strategy') ?? '',
    maxRetries: maxRetries > 0 ? maxRetries : 0,
  }
}

/** A Go int field: encoding/json refuses a fraction or a number past 64 bits. */
function goInt(f: Fields, key: string): number | undefined {
  const value = f.number(key, Number.NEGATIVE_INFINITY)
  if (value === undefined) return undefined
  if (!Number.isSafeInteger(value)) {
    f.report.error(f.at(key), `"${key}" must be a whole number, got ${JSON.stringify(f.raw[key])}`)
    return undefined
  }
  return value
}
