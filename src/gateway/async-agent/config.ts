// One `async_agent` entry as lura reads it (parseableAsyncAgent, then initAsyncAgentDefaults) and
// its `async/amqp` namespace as krakend-amqp's async package decodes it (json.Marshal of the map,
// then json.Unmarshal into consumerCfg). lura builds the agent's pipe from a made-up endpoint (named
// after the agent, the consumer's timeout, the agent's backends and extra_config), each backend
// GET unless it names a method: read here with the endpoint backends' reader. The pipe runs what
// krakend-ce's proxy factory reads there (JSON schema, CEL, modifier/lua-proxy, the proxy namespace,
// shadow backends); KrakenD's router-level components never see an agent's message: refused there.

import { classifyNamespace, guardingNamespace } from '../../config/gateway-namespaces.ts'
import { formatKeyPath, type KeyPath } from '../../core/source-text.ts'
import type { AmqpBroker } from '../backend-amqp/broker-url.ts'
import { readAmqpBroker } from '../backend-amqp/broker-url.ts'
import { Fields } from '../components/fields.ts'
import { parseEndpointComponents } from '../components/index.ts'
import { isObject } from '../components/types.ts'
import { readBackend } from '../config/backend-config.ts'
import { PARAM } from '../config/endpoint-paths.ts'
import type { FieldReader } from '../config/field-reader.ts'
import { flatmapAt, isSequential, PROXY_KEYS, staticAt } from '../config/proxy-options.ts'
import type { BackendConfig, EndpointConfig } from '../config/types.ts'
import { type PropagatedParam, parsePropagated } from '../sequential-params.ts'

export const AGENT_NAMESPACE = 'async/amqp'

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

/**
 * The namespaces krakend-ce's proxy factory reads from the endpoint lura makes up for an agent
 * (proxy_factory.go: JSON schema, CEL, Lua around lura's proxy stack; the `proxy` namespace and the
 * backends' own components inside it). Router-level ones are never read: no HTTP request reaches an agent.
 */
const PIPE_COMPONENTS = ['validation/json-schema', 'validation/cel', 'modifier/lua-proxy']

/** Each namespace of the agent's extra_config as KrakenD's agent reads it (or does not). */
function checkAgentNamespaces(
  extra: Record<string, unknown>,
  path: KeyPath,
  label: string,
  fields: FieldReader,
): void {
  for (const ns of Object.keys(extra)) {
    if (ns === AGENT_NAMESPACE || ns === 'proxy' || PIPE_COMPONENTS.includes(ns)) continue
    const at: KeyPath = [...path, 'extra_config', ns]
    const canonical = guardingNamespace(ns)
    // lura's Normalize reads a long name as its short one; this runtime reads only the short names here.
    if (
      canonical !== undefined &&
      canonical !== ns &&
      fields.runtime !== 'krakend' &&
      readsOnAgent(canonical)
    )
      fields.error(
        at,
        `"${ns}" is the long name of "${canonical}": KrakenD reads it on an async agent, this runtime reads only "${canonical}" there`,
        `rename it to "${canonical}"`,
      )
    else if (canonical !== undefined && !readsOnAgent(canonical))
      fields.error(
        at,
        `"${ns}" on ${label}: KrakenD ignores it there (no HTTP request reaches an agent, and its proxy stack reads only ${PIPE_COMPONENTS.join(', ')} and proxy), so it would guard nothing`,
        "remove it (backend components go in the backend's extra_config)",
      )
    else {
      const verdict = classifyNamespace(ns, 'endpoint', fields.runtime)
      if (verdict.kind === 'error') fields.error(at, verdict.message, verdict.hint)
      else if (verdict.kind === 'warning') fields.warn(at, verdict.message, verdict.hint)
    }
  }
}

/** Read on an agent by KrakenD: lura's plugin middleware too (refused here as at an endpoint). */
const readsOnAgent = (canonical: string) =>
  canonical === AGENT_NAMESPACE ||
  PIPE_COMPONENTS.includes(canonical) ||
  canonical === 'plugin/req-resp-modifier'

/** lura's made-up endpoint for the agent's pipe. */
function readAgentEndpoint(
  raw: Record<string, unknown>,
  path: KeyPath,
  name: string,
  timeoutMs: number,
  defaults: AgentDefaults,
  fields: FieldReader,
): EndpointConfig {
  const extra = isObject(raw.extra_config) ? raw.extra_config : {}
  if (raw.extra_config !== undefined && !isObject(raw.extra_config))
    fields.error([...path, 'extra_config'], 'extra_config must be an object')
  const label = `async agent ${name}`
  // KrakenD's own image (image.runtime: krakend) runs them as KrakenD does
  const ours = fields.runtime !== 'krakend'
  checkAgentNamespaces(extra, path, label, fields)
  const pipeExtra: Record<string, unknown> = {}
  for (const ns of PIPE_COMPONENTS) if (extra[ns] !== undefined) pipeExtra[ns] = extra[ns]
  const components = parseEndpointComponents(
    pipeExtra,
    [...path, 'extra_config'],
    fields.report,
    fields.componentChecks,
  )
  // krakend-cel checks JWT expressions in the router's token validator: never on an agent
  if (components?.cel && components.cel.jwt.length > 0)
    fields.error(
      [...path, 'extra_config', 'validation/cel'],
      `${label}: JWT expressions never run on an agent (KrakenD checks them on a validated token, and no HTTP request reaches an agent), so they would guard nothing`,
      'remove them (req_ and resp_ expressions run)',
    )
  const pp: KeyPath = [...path, 'extra_config', 'proxy']
  const proxy = fields.namespace(raw, 'proxy', path)
  fields.checkExactKeyCase(proxy, pp, PROXY_KEYS, 'proxy')
  const sequential = isSequential(proxy, pp, fields.boolAt(proxy, 'sequential', pp, false), fields.warn)
  const staticResponse = staticAt(proxy, pp, fields.error, fields.warn)
  const flatmap = flatmapAt(proxy, pp, fields.error)
  const backends: BackendConfig[] = []
  const shadows: BackendConfig[] = []
  let unreadable = 0
  const rawBackends = raw.backend
  // lura checks no placeholder of an agent's backends: each goes out as written ("/a/{id}" is sent
  // as /a/%7Bid%7D, see pipe.ts)
  const written = new Set<string>()
  for (const [j, b] of (Array.isArray(rawBackends) ? rawBackends : []).entries())
    if (isObject(b) && typeof b.url_pattern === 'string')
      for (const [, param] of b.url_pattern.matchAll(PARAM)) {
        written.add(param as string)
        if (/^resp\d+_/.test(param as string))
          fields.warn(
            [...path, 'backend', j, 'url_pattern'],
            `${label}: KrakenD does not fill {${param}} on an agent (its sequential proxy fills only the placeholders lura rewrites for endpoints): it sends it as written (%7B${param}%7D in a path), and so does this runtime`,
            'remove the placeholder (an agent cannot pass an answer on to the next backend)',
          )
      }
  if (rawBackends !== undefined && !Array.isArray(rawBackends))
    fields.error([...path, 'backend'], `${label}: "backend" must be a list of backends`)
  for (const [j, rawBackend] of (Array.isArray(rawBackends) ? rawBackends : []).entries()) {
    const bp: KeyPath = [...path, 'backend', j]
    const pattern = isObject(rawBackend) ? rawBackend.url_pattern : undefined
    // lura puts no "/" in front of an agent backend's url_pattern: host + "hook" is no URL Go can call
    if (typeof pattern === 'string' && pattern !== '' && !pattern.startsWith('/') && !pattern.startsWith('?'))
      fields.error(
        [...bp, 'url_pattern'],
        `${label}: url_pattern ${JSON.stringify(pattern)} does not start with "/": lura appends it to the host as written for an agent, so KrakenD would fail every message`,
        `write ${JSON.stringify(`/${pattern}`)}`,
      )
    const backend = readBackend(
      rawBackend,
      bp,
      j,
      {
        label,
        path: name,
        // lura's initAsyncAgents: a backend without a method is a GET
        method: 'GET',
        params: written,
        hasJwt: false,
        sequential,
        timeoutMs,
        rootHosts: defaults.hosts,
        ...(defaults.hostsRefused ? { rootHostsRefused: true } : {}),
      },
      fields,
    )
    if (backend === undefined) {
      unreadable += 1
      continue
    }
    // lura's shadow factory takes shadow backends out: they get a copy of the message's request
    if (backend.shadowTimeoutMs === undefined) backends.push(backend)
    else shadows.push(backend)
  }
  // lura's proxy factory fails with ErrNoBackends: KrakenD logs it and starts without the agent
  if (backends.length === 0 && unreadable === 0)
    fields.warn(
      Array.isArray(rawBackends) ? [...path, 'backend'] : path,
      `${label} has no backend${shadows.length > 0 ? ' but shadows (proxy.shadow)' : ''}: KrakenD cannot build its pipe, logs "building the proxy pipe" and starts without the agent (no consumer, nothing in /__health's agents), and so does this runtime`,
      'add a backend with a "url_pattern", or remove the agent',
    )
  const propagated = readPropagated(proxy, pp, sequential, backends.length, written, label, ours, fields)
  if (flatmap && backends.length === 1)
    fields.warn(
      [...pp, 'flatmap_filter'],
      `${label}: an agent-level flatmap_filter is never applied with one backend: KrakenD runs it only after merging two or more`,
      "move the operations into the backend's extra_config.proxy.flatmap_filter",
    )
  return {
    endpoint: name,
    method: 'GET',
    backends,
    ...(shadows.length > 0 ? { shadows } : {}),
    inputHeaders: [],
    inputQueryStrings: [],
    outputEncoding: 'json',
    concurrentCalls: 1,
    timeoutMs,
    cacheTtlMs: 0,
    sequential,
    ...(propagated.length > 0 ? { propagated } : {}),
    noop: false,
    ...(staticResponse ? { static: staticResponse } : {}),
    ...(flatmap ? { flatmap } : {}),
    path: formatKeyPath(path),
    ...(components ? { components } : {}),
  }
}

/**
 * proxy.sequential_propagated_params: lura's sequential proxy sets each value as a request param
 * (Resp0_a) of the later backends, which their components read (Lua, CEL, an AMQP producer's
 * routing key); no url_pattern placeholder of an agent is filled with it.
 */
function readPropagated(
  proxy: Record<string, unknown>,
  pp: KeyPath,
  sequential: boolean,
  backendCount: number,
  written: Set<string>,
  label: string,
  ours: boolean,
  { error, warn }: FieldReader,
): PropagatedParam[] {
  const raw = proxy.sequential_propagated_params
  if (raw === undefined) return []
  const at = [...pp, 'sequential_propagated_params']
  if (!Array.isArray(raw) || raw.some((e) => typeof e !== 'string')) {
    error(at, 'sequential_propagated_params must be a list of strings like "resp0_a.b" or "resp0"')
    return []
  }
  if (!sequential) {
    warn(
      at,
      'sequential_propagated_params is ignored without "sequential": true',
      'set proxy.sequential: true',
    )
    return []
  }
  const propagated = parsePropagated(raw as string[], backendCount)
  // this runtime would fill a placeholder of that name with the value
  const filled = propagated.find((p) => written.has(p.key))
  if (ours && filled)
    error(
      at,
      `${label}: a url_pattern has {${filled.key}}, which KrakenD sends as written while it gives the propagated value to the backends' components only; this runtime would fill the placeholder`,
      `remove {${filled.key}} from the url_pattern (or the param from the list)`,
    )
  return propagated
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
