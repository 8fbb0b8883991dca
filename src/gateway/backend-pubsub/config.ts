/**
 * backend/pubsub/publisher and backend/pubsub/subscriber (krakend-pubsub on gocloud.dev/pubsub): a
 * backend that sends the request to a topic, or answers with the next message of a subscription.
 * krakend-pubsub opens `host[0] + topic_url` (or subscription_url) with gocloud's URL opener; what
 * KrakenD cannot open (a driver this runtime does not carry, a bad query parameter, a host the
 * sanitizer turned into http://) makes it fall back to an HTTP call to that URL, which fails or
 * goes somewhere else: refused here before anything runs, saying why.
 */
import type { KeyPath } from '../../core/source-text.ts'
import { Fields } from '../components/fields.ts'
import { isObject, type Report } from '../components/types.ts'
import { goDurationMs } from '../config/duration.ts'
import { refuseHttpClientOnly } from '../config/http-client-only.ts'
import { parseGoQueryBytes } from '../go-url.ts'
import { goParseUrl } from '../go-url-parse.ts'
import { goPathJoin } from '../router.ts'

export const PUBLISHER = 'backend/pubsub/publisher'
export const SUBSCRIBER = 'backend/pubsub/subscriber'

export interface NatsTarget {
  driver: 'nats'
  /** The NATS subject: gocloud's path.Join(host, path). */
  subject: string
  /** ?natsv2: metadata as NATS headers (query-escaped) instead of gocloud's gob envelope. */
  headers: boolean
  /** ?queue= (subscriptions): a NATS queue group. */
  queue?: string
}
export interface RabbitTarget {
  driver: 'rabbit'
  /** The exchange (publisher) or queue (subscriber): path.Join(host, path). */
  name: string
  /** ?key_name= (publisher): the metadata key whose value is the routing key. */
  keyName?: string
  /** ?prefetch_count= (subscriber): the channel's basic.qos. */
  prefetchCount?: number
}
export interface AwsTarget {
  driver: 'aws'
  service: 'sns' | 'sqs'
  /** awssns: the topic ARN, path.Join(host, path) without a leading `/`. */
  arn?: string
  /** awssqs: "https://" + path.Join(host, path), as gocloud builds it. */
  queueUrl?: string
  region?: string
  endpoint?: string
  profile?: string
  /** ?raw (subscriptions): the body is never an SNS delivery to unwrap. */
  raw: boolean
  /** ?waittime (subscriptions): ReceiveMessage's long-poll seconds. */
  waitTimeS?: number
}
export interface KafkaTarget {
  driver: 'kafka'
  /** Publisher: the topic; subscriber: the consumer group (path.Join(host, path)). */
  name: string
  /** ?key_name= (publisher): the metadata key whose value is the record's key. */
  keyName?: string
  /** ?topic= (subscriber, repeatable): the topics the group consumes. */
  topics: string[]
  /** ?offset= (subscriber): where a group without a committed offset starts (Sarama's default: newest). */
  offset?: 'oldest' | 'newest'
}
export type PubsubTarget = NatsTarget | RabbitTarget | AwsTarget | KafkaTarget

export interface PubsubConfig {
  role: 'publisher' | 'subscriber'
  /** The URL gocloud opens, as KrakenD logs it. */
  url: string
  target: PubsubTarget
}

/** The environment variables gocloud's default NATS, RabbitMQ and Kafka openers dial. */
export const NATS_ENV = 'NATS_SERVER_URL'
export const RABBIT_ENV = 'RABBIT_SERVER_URL'
export const KAFKA_ENV = 'KAFKA_BROKERS'
export const SERVER_ENV: Partial<Record<PubsubTarget['driver'], string>> = {
  nats: NATS_ENV,
  rabbit: RABBIT_ENV,
  kafka: KAFKA_ENV,
}

/** gocloud drivers KrakenD carries that this runtime does not, and why. */
const UNSUPPORTED_DRIVERS: Record<string, string> = {
  gcppubsub:
    'the Google Cloud Pub/Sub driver is not supported here: it could not be checked against the real service and KrakenD',
  azuresb:
    'the Azure Service Bus driver is not supported here: it could not be checked against the real service and KrakenD',
}

/** The backend has a pub/sub namespace (extra_config names already the canonical ones). */
export function isPubsubBackend(rawBackend: Record<string, unknown>): boolean {
  const extra = rawBackend.extra_config
  return isObject(extra) && (extra[PUBLISHER] !== undefined || extra[SUBSCRIBER] !== undefined)
}

/**
 * The backend's pub/sub namespace, when it has one (the subscriber wins when both are set, as
 * krakend-pubsub tries it first), opened on the backend's own first host as written.
 */
export function readPubsub(
  rawBackend: Record<string, unknown>,
  bp: KeyPath,
  sanitizeOff: boolean,
  report: Report,
  caseVariants: boolean,
): PubsubConfig | undefined {
  const extra = rawBackend.extra_config
  const host = rawBackend.host
  if (!isObject(extra)) return undefined
  const namespace =
    extra[SUBSCRIBER] !== undefined ? SUBSCRIBER : extra[PUBLISHER] !== undefined ? PUBLISHER : undefined
  if (namespace === undefined) return undefined
  const role = namespace === SUBSCRIBER ? 'subscriber' : 'publisher'
  const key = role === 'subscriber' ? 'subscription_url' : 'topic_url'
  const at: KeyPath = [...bp, 'extra_config', namespace]
  const fields = new Fields(extra[namespace], at, report, namespace)
  const path = fields.string(key) ?? ''
  if (caseVariants) fields.caseVariants()
  fields.unknownKeys(caseVariants)
  const does = role === 'publisher' ? 'publishes the request' : 'answers the next message'
  refuseHttpClientOnly(extra, [...bp, 'extra_config'], report, namespace, does)
  if (role === 'subscriber' && extra[PUBLISHER] !== undefined)
    report.error(
      [...bp, 'extra_config', PUBLISHER],
      `"${PUBLISHER}" beside "${SUBSCRIBER}": KrakenD opens the subscriber and never publishes`,
      `remove one of them`,
    )
  const first = typeof host === 'string' ? host : Array.isArray(host) ? host[0] : undefined
  if (typeof first !== 'string' || first === '') {
    report.error(
      [...bp, 'host'],
      `a ${namespace} backend opens host[0] + ${key}, and this backend lists no host of its own`,
      'write the driver\'s scheme as the host: "host": ["nats://"] (or "rabbit://"), with "disable_host_sanitize": true',
    )
    return undefined
  }
  if (!sanitizeOff) {
    report.error(
      [...bp, 'disable_host_sanitize'],
      `KrakenD's host sanitizer turns ${JSON.stringify(first)} into an http:// host, so krakend-pubsub cannot open it and KrakenD calls it over HTTP instead`,
      'set "disable_host_sanitize": true on this backend',
    )
    return undefined
  }
  const url = first + path
  const target = pubsubTarget(url, role)
  if (typeof target === 'string') {
    report.error(at, `${namespace} cannot open ${JSON.stringify(url)}: ${target}`, hintFor(target))
    return undefined
  }
  return { role, url, target }
}

function hintFor(why: string): string {
  if (why.includes('not supported here'))
    return 'use nats://, rabbit://, kafka://, awssns:// or awssqs://, or keep this backend on KrakenD'
  return 'write the URL as the gocloud driver documents it (nats://subject, rabbit://exchange-or-queue, kafka://topic or kafka://group?topic=t)'
}

/** What gocloud's opener makes of the URL; a string says why it fails (KrakenD then falls back to HTTP). */
export function pubsubTarget(url: string, role: PubsubConfig['role']): PubsubTarget | string {
  const parsed = goParseUrl(url)
  if (typeof parsed === 'string') return parsed
  const hash = url.indexOf('#')
  const question = url.indexOf('?')
  const rawQuery =
    question === -1 || (hash !== -1 && hash < question)
      ? ''
      : url.slice(question + 1, hash === -1 ? undefined : hash)
  const query = parseGoQueryBytes(rawQuery)
  const name = goPathJoin(parsed.host, parsed.path)
  switch (parsed.scheme) {
    case 'nats':
      return natsTarget(name, query, role)
    case 'rabbit':
      return rabbitTarget(name, query, role)
    case 'awssns':
    case 'awssqs':
      return awsTarget(parsed.scheme, name, query, role)
    case 'kafka':
      return kafkaTarget(name, query, role)
    default: {
      const unsupported = UNSUPPORTED_DRIVERS[parsed.scheme]
      if (unsupported !== undefined) return unsupported
      return `no pub/sub driver for the scheme ${JSON.stringify(parsed.scheme)} (KrakenD's: awssns, awssqs, azuresb, gcppubsub, kafka, nats, rabbit; krakend-pubsub registers no mem:// driver), so KrakenD would call the URL over HTTP and every request would fail`
    }
  }
}

const NATS_V2 = 'natsv2'

function natsTarget(
  subject: string,
  query: Map<string, string[]>,
  role: PubsubConfig['role'],
): NatsTarget | string {
  const target: NatsTarget = { driver: 'nats', subject, headers: false }
  for (const [param, values] of query) {
    const lower = param.toLowerCase()
    if (lower === NATS_V2) continue
    if (role === 'subscriber' && lower === 'queue') {
      if (values.length !== 1) return `invalid query parameter ${param}`
      target.queue = values[0] as string
      continue
    }
    return `invalid query parameter ${param}`
  }
  // gocloud looks the switch up exactly as spelled (another case passes the check and is off).
  const v2 = query.get(NATS_V2)
  if (v2 !== undefined) {
    if (v2.length > 1) return `invalid query parameter ${NATS_V2} - multiple values provided`
    const value = v2[0] ?? ''
    const parsed = value === '' ? true : goParseBool(value)
    if (parsed === undefined)
      return `invalid query parameter ${NATS_V2} - value either needs to be parsable as a boolean or empty`
    target.headers = parsed
  }
  if (subject === '') return 'the NATS subject is empty (nats: invalid subject on every call)'
  return target
}

function rabbitTarget(
  name: string,
  query: Map<string, string[]>,
  role: PubsubConfig['role'],
): RabbitTarget | string {
  const target: RabbitTarget = { driver: 'rabbit', name }
  for (const [param, values] of query) {
    const value = values[0] ?? ''
    if (role === 'publisher' && param === 'key_name') {
      if (values.length !== 1 || value === '') return `invalid query parameter "${param}"`
      target.keyName = value
    } else if (role === 'subscriber' && param === 'prefetch_count') {
      if (values.length !== 1 || value === '') return `invalid query parameter "${param}"`
      const count = goAtoi(value)
      if (count === undefined) return `invalid query parameter "${param}": not an integer`
      // basic.qos carries a 16-bit count: the Go client fails the channel on another
      if (count < 0 || count > 65535)
        return `invalid query parameter "${param}": ${count} is not a prefetch count (0 to 65535)`
      target.prefetchCount = count
    } else return `invalid query parameter "${param}"`
  }
  if (role === 'subscriber' && name === '')
    return "the queue name is empty: RabbitMQ would consume from the channel's last declared queue, which gocloud never declares"
  return target
}

function kafkaTarget(
  name: string,
  query: Map<string, string[]>,
  role: PubsubConfig['role'],
): KafkaTarget | string {
  const target: KafkaTarget = { driver: 'kafka', name, topics: [] }
  for (const [param, values] of query) {
    const value = values[0] ?? ''
    if (role === 'publisher' && param === 'key_name') {
      if (values.length !== 1 || value === '') return `invalid query parameter "${param}"`
      target.keyName = value
    } else if (role === 'subscriber' && param === 'topic') target.topics = values
    else if (role === 'subscriber' && param === 'offset') {
      // gocloud names the value, not the parameter
      if (value !== 'oldest' && value !== 'newest') return `invalid query parameter "${value}"`
      target.offset = value
    } else return `invalid query parameter "${param}"`
  }
  if (role === 'publisher' && name === '') return 'the topic name is empty (Kafka refuses it on every call)'
  if (role === 'subscriber' && name === '')
    return 'the consumer group is empty (kafka://GROUP?topic=TOPIC): Kafka refuses to join it, and every request fails'
  if (role === 'subscriber' && target.topics.length === 0)
    return 'no ?topic= to consume (kafka://GROUP?topic=TOPIC): Sarama fails with "no topics provided" on every request'
  if (target.topics.includes(''))
    return 'an empty ?topic= (Kafka refuses the empty topic name, and every request fails)'
  return target
}

/** gcaws.V2ConfigFromURLParams' parameters this runtime does not reproduce. */
const AWS_UNSUPPORTED = new Set([
  'dualstack',
  'fips',
  'rate_limiter_capacity',
  'anonymous',
  'request_checksum_calculation',
  'response_checksum_validation',
])

function awsTarget(
  scheme: string,
  name: string,
  query: Map<string, string[]>,
  role: PubsubConfig['role'],
): AwsTarget | string {
  const service = scheme === 'awssns' ? 'sns' : 'sqs'
  if (service === 'sns' && role === 'subscriber')
    return 'no subscription driver for the scheme "awssns" (subscribe to the SQS queue the topic delivers to: awssqs://)'
  const target: AwsTarget =
    service === 'sns'
      ? { driver: 'aws', service, arn: name.replace(/^\/+/, ''), raw: false }
      : { driver: 'aws', service, queueUrl: `https://${name}`, raw: false }
  for (const [param, values] of query) {
    // url.Values.Get and gcaws read the first value
    const value = values[0] ?? ''
    if (role === 'subscriber' && (param === 'raw' || param === 'nacklazy')) {
      if (value === '') continue
      const on = goParseBool(value)
      if (on === undefined) return `invalid value ${JSON.stringify(value)} for ${param}`
      if (param === 'raw') target.raw = on
    } else if (role === 'subscriber' && param === 'waittime') {
      if (value === '') continue
      const ms = goDurationMs(value)
      if (ms === undefined) return `invalid value ${JSON.stringify(value)} for waittime`
      // int32(WaitTime.Seconds()); SQS takes 0 to 20
      const seconds = Math.trunc(ms / 1000)
      if (seconds < 0 || seconds > 20) return `waittime ${value} is outside SQS's 0 to 20 seconds`
      if (seconds !== 0) target.waitTimeS = seconds
    } else if (param === 'region') target.region = value
    else if (param === 'endpoint') target.endpoint = value
    else if (param === 'profile') target.profile = value
    else if (param === 'awssdk') continue
    else if (param === 'hostname_immutable') {
      if (goParseBool(value) === undefined)
        return `invalid value for hostname_immutable: ${JSON.stringify(value)}`
    } else if (AWS_UNSUPPORTED.has(param))
      return `the query parameter ${JSON.stringify(param)} is not supported here (the AWS client would run without it)`
    else return `unknown query parameter ${JSON.stringify(param)}`
  }
  if (name === '') return `the ${service === 'sns' ? 'topic ARN' : 'queue URL'} is empty`
  return target
}

/** strconv.ParseBool. */
function goParseBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false
  return undefined
}

/** strconv.Atoi for the values a prefetch count can take. */
function goAtoi(value: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(value)) return undefined
  const n = Number(value)
  return Number.isSafeInteger(n) ? n : undefined
}
