// An AMQP backend in the config: its namespace (consumer or producer) and the broker it dials, the
// first of its hosts as written. KrakenD's factory tries the consumer first, so a backend with both
// is a consumer. krakend-amqp's proxy replaces lura's HTTP client: what only the HTTP client reads
// would be silently skipped by KrakenD, so it is refused here (http-client-only.ts).

import { type KeyPath, parseKeyPath } from '../../core/source-text.ts'
import { Fields } from '../components/fields.ts'
import { isObject, type Report } from '../components/types.ts'
import type { FieldReader } from '../config/field-reader.ts'
import { refuseHttpClientOnly } from '../config/http-client-only.ts'
import type { BackendConfig } from '../config/types.ts'
import { quoteUrl } from '../config/url-credentials.ts'
import { readAmqpBroker } from './broker-url.ts'
import {
  type AmqpBackend,
  type AmqpConsumerConfig,
  type AmqpProducerConfig,
  parseAmqpConsumer,
  parseAmqpProducer,
} from './config.ts'

const CONSUMER = 'backend/amqp/consumer'
const PRODUCER = 'backend/amqp/producer'

/** Whether the backend names an AMQP namespace (its hosts are then no HTTP hosts). */
export function isAmqpBackend(rawBackend: Record<string, unknown>): boolean {
  const extra = rawBackend.extra_config
  return isObject(extra) && (extra[CONSUMER] !== undefined || extra[PRODUCER] !== undefined)
}

/** The AMQP side of a backend, or undefined when it has no AMQP namespace (or a refused one). */
export function readAmqpBackend(
  rawBackend: Record<string, unknown>,
  bp: KeyPath,
  sanitizeOff: boolean,
  what: string,
  fields: FieldReader,
): AmqpBackend | undefined {
  const extra = rawBackend.extra_config
  if (!isObject(extra) || !isAmqpBackend(rawBackend)) return undefined
  const ep: KeyPath = [...bp, 'extra_config']
  const { error, warn } = fields
  const read = <T>(name: string, parse: (f: Fields) => T): T | undefined => {
    if (extra[name] === undefined) return undefined
    const f = new Fields(extra[name], [...ep, name], fields.report, name)
    const parsed = parse(f)
    if (fields.componentChecks.caseVariants) f.caseVariants()
    f.unknownKeys(fields.componentChecks.caseVariants)
    return parsed
  }
  const consumer: AmqpConsumerConfig | undefined = read(CONSUMER, parseAmqpConsumer)
  const producer: AmqpProducerConfig | undefined = read(PRODUCER, parseAmqpProducer)
  if (consumer && producer)
    warn(
      [...ep, PRODUCER],
      `${what}: "${PRODUCER}" is ignored beside "${CONSUMER}": KrakenD builds the consumer (its factory tries it first)`,
      'move the producer to a backend of its own',
    )
  const kind = consumer ? CONSUMER : PRODUCER
  refuseHttpClientOnly(extra, ep, fields.report, kind, 'talks AMQP to the broker')
  for (const other of [
    'backend/lambda',
    'backend/pubsub/publisher',
    'backend/pubsub/subscriber',
    'backend/graphql',
  ])
    if (extra[other] !== undefined)
      error(
        [...ep, other],
        `"${other}" beside "${kind}": one backend is one kind of call; this runtime does not combine them`,
        'give each its own backend',
      )
  if (rawBackend.sd !== undefined && rawBackend.sd !== 'static' && rawBackend.sd !== '')
    error(
      [...bp, 'sd'],
      `${what}: an AMQP backend dials its first host as written: service discovery does not apply`,
      'remove "sd"',
    )
  const broker = brokerOf(rawBackend, bp, sanitizeOff, what, fields)
  if (!broker) return undefined
  return consumer ? { broker, consumer } : { broker, ...(producer ? { producer } : {}) }
}

/** krakend-amqp dials remote.Host[0] with amqp091-go: lura's host check must be off for an amqp:// URL. */
function brokerOf(
  rawBackend: Record<string, unknown>,
  bp: KeyPath,
  sanitizeOff: boolean,
  what: string,
  { error, warn }: FieldReader,
) {
  const raw = rawBackend.host
  const hosts = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : []
  const first = hosts[0]
  const hp: KeyPath = [...bp, 'host']
  if (typeof first !== 'string' || first === '') {
    error(
      hosts.length > 0 ? [...hp, 0] : bp,
      `${what}: an AMQP backend needs its broker's URL as its first "host" (a root host is an HTTP one)`,
      'add "host": ["amqp://user:password@rabbitmq:5672"] and "disable_host_sanitize": true',
    )
    return undefined
  }
  if (!sanitizeOff) {
    error(
      [...hp, 0],
      `${what}: host ${quoteUrl(first)} goes through KrakenD's host check, which refuses an amqp:// URL (and would make "rabbitmq:5672" an http:// URL that amqp091-go cannot dial)`,
      'add "disable_host_sanitize": true to this backend',
    )
    return undefined
  }
  const broker = readAmqpBroker(first)
  if ('refused' in broker) {
    error([...hp, 0], `${what}: ${broker.refused}`, broker.hint)
    return undefined
  }
  if (hosts.length > 1)
    warn(
      [...hp, 1],
      `${what}: only the first host is used: krakend-amqp dials remote.Host[0] (no balancing across brokers)`,
      'remove the other hosts',
    )
  return broker
}

/**
 * An AMQP backend with the no-op encoding (its own, or forced by a no-op endpoint): KrakenD answers
 * 200 with an empty body, dropping the consumed message or the producer's answer, since krakend-amqp's
 * response has no body for lura's no-op render. Refused rather than reproduced.
 */
export function refuseAmqpNoop(
  backends: readonly BackendConfig[],
  endpointNoop: boolean,
  report: Report,
): void {
  for (const b of backends)
    if (b.amqp && (endpointNoop || b.encoding === 'no-op'))
      report.error(
        [...parseKeyPath(b.path), 'extra_config', b.amqp.consumer ? CONSUMER : PRODUCER],
        `an AMQP backend with the no-op encoding: KrakenD answers 200 with an empty body, dropping ${b.amqp.consumer ? 'the message it consumed' : 'what the producer answered'}`,
        'remove "output_encoding": "no-op" from the endpoint and "encoding": "no-op" from the backend',
      )
}
