// One `async_agent` entry as lura reads it (parseableAsyncAgent, then initAsyncAgentDefaults) and
// its `async/amqp` namespace as krakend-amqp's async package decodes it (json.Marshal of the map,
// then json.Unmarshal into consumerCfg); the made-up endpoint of its pipe is agent-endpoint.ts's.

import type { KeyPath } from '../../core/source-text.ts'
import type { AmqpBroker } from '../backend-amqp/broker-url.ts'
import { readAmqpBroker } from '../backend-amqp/broker-url.ts'
import { Fields } from '../components/fields.ts'
import { isObject } from '../components/types.ts'
import type { FieldReader } from '../config/field-reader.ts'
import type { EndpointConfig } from '../config/types.ts'
import { AGENT_NAMESPACE, readAgentEndpoint } from './agent-endpoint.ts'

/** What krakend-amqp's agent declares and consumes (its consumerCfg). */
export interface AgentAmqpConfig {
  broker: AmqpBroker
  /** The queue; "" lets the broker name it. */
  queue: string
  exchange: string
  durable: boolean
  /** Auto-delete, of the exchange and the queue. */
  autoDelete: boolean
  /** The queue's and the consumer's exclusive flag, also passed as the exchange's `internal`. */
  exclusive: boolean
  /** basic.qos prefetch count; 0: none asked. */
  prefetchCount: number
  autoAck: boolean
  noLocal: boolean
  /** A message the pipe fails on is nacked without requeueing. */
  nackDiscard: boolean
}

export interface AsyncAgentConfig {
  /** The agent's name (lura's AsyncAgent-%02d when unnamed): the made-up endpoint's and /__health's. */
  name: string
  path: KeyPath
  /** The routing key the queue is bound with. */
  topic: string
  /** Messages processed at once (at least 1). */
  workers: number
  /** Messages per second over all workers; 0: no limit. */
  maxRate: number
  /** The pipe's deadline per message (the consumer's timeout, else the service's). */
  timeoutMs: number
  /** Connection runs after the first (lura: max_retries <= 0 is no limit). */
  maxRetries: number
  /** lura's backoff strategy between runs. */
  backoff: string
  /** How often a running agent reports to /__health (at least 1 s). */
  healthIntervalMs: number
  /** undefined: no `async/amqp`, an agent KrakenD does not run. */
  amqp: AgentAmqpConfig | undefined
  /** The made-up endpoint lura builds the agent's pipe from. */
  endpoint: EndpointConfig
}

/** What the agents' backends take from the service. */
export interface AgentDefaults {
  timeoutMs: number
  /** The root `host` list. */
  hosts: string[] | undefined
  hostsRefused?: boolean
}

/** Every agent of `async_agent`. */
export function readAsyncAgents(
  raw: unknown,
  defaults: AgentDefaults,
  fields: FieldReader,
): AsyncAgentConfig[] {
  if (raw === undefined || raw === null) return []
  if (!Array.isArray(raw)) {
    fields.error(['async_agent'], '"async_agent" must be a list of agents')
    return []
  }
  const agents: AsyncAgentConfig[] = []
  for (const [i, agent] of raw.entries()) {
    if (!isObject(agent)) fields.error(['async_agent', i], 'an async agent must be an object')
    else agents.push(readAsyncAgent(agent, i, defaults, fields))
  }
  return agents
}

const AGENT_KEYS = ['name', 'connection', 'consumer', 'encoding', 'backend', 'extra_config']
const CONNECTION_KEYS = ['max_retries', 'backoff_strategy', 'health_interval']
const CONSUMER_KEYS = ['timeout', 'workers', 'topic', 'max_rate']
const AMQP_KEYS = [
  'host',
  'name',
  'exchange',
  'durable',
  'delete',
  'exclusive',
  'no_wait',
  'prefetch_count',
  'prefetch_size',
  'auto_ack',
  'no_local',
  'nack_discard',
]

/** The agent at `async_agent[index]`, its defaults applied as lura applies them. */
export function readAsyncAgent(
  raw: Record<string, unknown>,
  index: number,
  defaults: AgentDefaults,
  fields: FieldReader,
): AsyncAgentConfig {
  const path: KeyPath = ['async_agent', index]
  const { checkKeys, stringAt, intAt, timerAt, error, warn } = fields
  checkKeys(raw, path, AGENT_KEYS, 'async agent')
  const section = (key: string, known: string[]): Record<string, unknown> => {
    const value = raw[key]
    if (value === undefined || value === null) return {}
    if (!isObject(value)) {
      error([...path, key], `"${key}" must be an object`)
      return {}
    }
    checkKeys(value, [...path, key], known, `async agent ${key}`)
    return value
  }
  const connection = section('connection', CONNECTION_KEYS)
  const consumer = section('consumer', CONSUMER_KEYS)
  const cp: KeyPath = [...path, 'consumer']
  const name = stringAt(raw, 'name', path) || `AsyncAgent-${String(index).padStart(2, '0')}`
  const topic = stringAt(consumer, 'topic', cp) ?? ''
  const maxRate = readMaxRate(consumer, cp, fields)
  const consumerTimeout = timerAt(consumer, 'timeout', cp, 0)
  const maxRetries = intAt(connection, 'max_retries', [...path, 'connection'], 0, Number.MIN_SAFE_INTEGER)
  const health = timerAt(connection, 'health_interval', [...path, 'connection'], 0)
  const extra = raw.extra_config
  const amqp =
    isObject(extra) && extra[AGENT_NAMESPACE] !== undefined ? readAgentAmqp(extra, path, fields) : undefined
  if (!isObject(extra) || extra[AGENT_NAMESPACE] === undefined)
    warn(
      path,
      `async agent "${name}" has no "${AGENT_NAMESPACE}" in its extra_config: KrakenD starts no consumer for it (its backends are never called)`,
      `add "extra_config": {"${AGENT_NAMESPACE}": {"host": "amqp://…", "name": "queue", "exchange": "…"}}, or remove the agent`,
    )
  const timeoutMs = consumerTimeout === 0 ? defaults.timeoutMs : consumerTimeout
  return {
    name,
    path,
    topic,
    workers: Math.max(1, intAt(consumer, 'workers', cp, 1, Number.MIN_SAFE_INTEGER)),
    maxRate,
    timeoutMs,
    maxRetries: maxRetries > 0 ? maxRetries : Number.POSITIVE_INFINITY,
    backoff: stringAt(connection, 'backoff_strategy', [...path, 'connection']) ?? '',
    healthIntervalMs: Math.max(1000, health),
    amqp,
    endpoint: readAgentEndpoint(raw, path, name, timeoutMs, defaults, fields),
  }
}

/** consumer.max_rate, a float64: a negative or zero rate is no limit. */
function readMaxRate(consumer: Record<string, unknown>, cp: KeyPath, { error }: FieldReader): number {
  const raw = consumer.max_rate
  if (raw === undefined || raw === null) return 0
  if (typeof raw !== 'number' || !Number.isFinite(raw)) {
    error(
      [...cp, 'max_rate'],
      `"max_rate" must be a number (messages per second), got ${JSON.stringify(raw)}`,
    )
    return 0
  }
  return raw > 0 ? raw : 0
}

function readAgentAmqp(
  extra: Record<string, unknown>,
  path: KeyPath,
  fields: FieldReader,
): AgentAmqpConfig | undefined {
  const f = new Fields(
    extra[AGENT_NAMESPACE],
    [...path, 'extra_config', AGENT_NAMESPACE],
    fields.report,
    AGENT_NAMESPACE,
  )
  f.declare(...AMQP_KEYS)
  const host = f.string('host')
  const cfg = {
    queue: f.string('name') ?? '',
    exchange: f.string('exchange') ?? '',
    durable: f.bool('durable'),
    autoDelete: f.bool('delete'),
    exclusive: f.bool('exclusive'),
    prefetchCount: 0,
    autoAck: f.bool('auto_ack'),
    noLocal: f.bool('no_local'),
    nackDiscard: f.bool('nack_discard'),
  }
  // no_wait skips the broker's answers to the declarations: the same declarations on a broker that accepts them.
  f.bool('no_wait')
  const prefetchCount = f.number('prefetch_count', Number.NEGATIVE_INFINITY)
  if (prefetchCount !== undefined) {
    if (!Number.isInteger(prefetchCount) || prefetchCount < 0 || prefetchCount > 65535)
      f.report.error(
        f.at('prefetch_count'),
        `"prefetch_count" must be a whole number from 0 to 65535, got ${JSON.stringify(f.raw.prefetch_count)}: krakend-amqp passes it to basic.qos as a 16-bit count`,
      )
    else cfg.prefetchCount = prefetchCount
  }
  const prefetchSize = f.number('prefetch_size', Number.NEGATIVE_INFINITY)
  if (prefetchSize !== undefined && prefetchSize !== 0)
    f.report.error(
      f.at('prefetch_size'),
      '"prefetch_size" other than 0: RabbitMQ does not implement a prefetch size and closes the connection on such a basic.qos (540 NOT_IMPLEMENTED), so KrakenD\'s agent would never consume',
      'remove "prefetch_size" (limit with "prefetch_count")',
    )
  if (fields.componentChecks.caseVariants) f.caseVariants()
  f.unknownKeys(fields.componentChecks.caseVariants)
  if (host === undefined || host === '') {
    f.report.error(
      host === undefined ? f.path : f.at('host'),
      'no "host": krakend-amqp\'s agent dials its "host" (one URL string), so KrakenD would retry a connection that cannot be made',
      'add "host": "amqp://user:password@rabbitmq:5672"',
    )
    return undefined
  }
  const broker = readAmqpBroker(host)
  if ('refused' in broker) {
    f.report.error(f.at('host'), broker.refused, broker.hint)
    return undefined
  }
  return { broker, ...cfg }
}
