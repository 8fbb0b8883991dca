// The endpoint lura makes up for an async agent's pipe (named after the agent, the consumer's timeout,
// the agent's backends and extra_config), each backend GET unless it names a method, read with the
// endpoint backends' reader; and which namespaces of the agent's extra_config KrakenD's agent reads:
// krakend-ce's proxy factory (JSON schema, CEL, modifier/lua-proxy, the proxy namespace, shadow
// backends), never a router-level component.

import { classifyNamespace, guardingNamespace } from '../../config/gateway-namespaces.ts'
import { formatKeyPath, type KeyPath } from '../../core/source-text.ts'
import { parseEndpointComponents } from '../components/index.ts'
import { isObject } from '../components/types.ts'
import { readBackend } from '../config/backend-config.ts'
import { PARAM } from '../config/endpoint-paths.ts'
import type { FieldReader } from '../config/field-reader.ts'
import { flatmapAt, isSequential, PROXY_KEYS, staticAt } from '../config/proxy-options.ts'
import type { BackendConfig, EndpointConfig } from '../config/types.ts'
import { type PropagatedParam, parsePropagated } from '../sequential-params.ts'
import type { AgentDefaults } from './config.ts'

/** The namespace that makes an `async_agent` entry an AMQP consumer (krakend-amqp's async package). */
export const AGENT_NAMESPACE = 'async/amqp'

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
    // (a long name KrakenD reads is its short one by now: namespace-aliases.ts, as lura's Normalize)
    const canonical = guardingNamespace(ns)
    if (canonical !== undefined && !readsOnAgent(canonical))
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
export function readAgentEndpoint(
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
