/** The endpoints of a config: each one's route, proxy options, encoding and backends. */
import { formatKeyPath, type KeyPath } from '../../core/source-text.ts'
import { refuseAmqpNoop } from '../backend-amqp/backend.ts'
import { parseEndpointComponents } from '../components/index.ts'
import { isObject } from '../components/types.ts'
import { goToTitle } from '../go-unicode-case.ts'
import { type PropagatedParam, parsePropagated } from '../sequential-params.ts'
import { type BackendContext, readBackend } from './backend-config.ts'
import { checkEndpointCollectionPaths } from './collection-paths.ts'
import { readOutputEncoding } from './encodings.ts'
import { createRouteChecker, PARAM } from './endpoint-paths.ts'
import type { FieldReader } from './field-reader.ts'
import { flatmapAt, isSequential, PROXY_KEYS, staticAt } from './proxy-options.ts'
import {
  type BackendConfig,
  type EndpointConfig,
  type GatewayConfig,
  HTTP_METHODS,
  type HttpMethod,
  isServedMethod,
} from './types.ts'

const ENDPOINT_KEYS = [
  'endpoint',
  'method',
  'backend',
  'input_headers',
  'input_query_strings',
  'output_encoding',
  'concurrent_calls',
  'timeout',
  'cache_ttl',
  'extra_config',
]
/** What endpoints take from the service level when they do not say. */
export type EndpointDefaults = Pick<GatewayConfig, 'timeoutMs' | 'cacheTtlMs'> & {
  /** The service's output_encoding as written (an unknown one is resolved per endpoint). */
  outputEncoding: string
  /** The root `host` list. */
  hosts: string[] | undefined
  /** The root lists hosts and each was refused (already reported). */
  hostsRefused?: boolean
  healthPath: string
}

export function readEndpoints(
  rawEndpoints: unknown,
  defaults: EndpointDefaults,
  fields: FieldReader,
): EndpointConfig[] {
  const { error } = fields
  if (rawEndpoints !== undefined && !Array.isArray(rawEndpoints))
    error(['endpoints'], '"endpoints" must be a list')
  const checkRoute = createRouteChecker(defaults.healthPath, error)
  const endpoints: EndpointConfig[] = []
  for (const [i, raw] of (Array.isArray(rawEndpoints) ? rawEndpoints : []).entries()) {
    const endpoint = readEndpoint(raw, ['endpoints', i], defaults, checkRoute, fields)
    if (endpoint) endpoints.push(endpoint)
  }
  return endpoints
}

/** The endpoint at ep; undefined when it is too broken to read on. */
function readEndpoint(
  raw: unknown,
  ep: KeyPath,
  defaults: EndpointDefaults,
  checkRoute: ReturnType<typeof createRouteChecker>,
  fields: FieldReader,
): EndpointConfig | undefined {
  const { error, warn, boolAt, stringListAt } = fields
  if (!isObject(raw)) {
    error(ep, 'an endpoint must be an object')
    return undefined
  }
  fields.checkKeys(raw, ep, ENDPOINT_KEYS, 'endpoint')
  fields.checkNamespaces(raw.extra_config, [...ep, 'extra_config'], 'endpoint')
  const endpointComponents = parseEndpointComponents(
    raw.extra_config,
    [...ep, 'extra_config'],
    fields.report,
    fields.componentChecks,
  )
  const written = raw.endpoint
  if (typeof written !== 'string') {
    error([...ep, 'endpoint'], `"endpoint" must be a path starting with "/", got ${JSON.stringify(written)}`)
    return undefined
  }
  // lura's CleanPath: one leading "/" trimmed, then one put in front (`users` is served as `/users`)
  const path = `/${written.startsWith('/') ? written.slice(1) : written}`
  if (!written.startsWith('/'))
    warn(
      [...ep, 'endpoint'],
      `"endpoint" ${JSON.stringify(written)} does not start with "/": KrakenD serves it as ${JSON.stringify(path)}, and so does this runtime`,
      `write ${JSON.stringify(path)}`,
    )
  // lura's router title-cases the method as Go does (strings.ToTitle: "poﬆ" is "POﬆ", not "POST")
  const label = `${typeof raw.method === 'string' ? goToTitle(raw.method) : 'GET'} ${path}`
  const methodRaw = raw.method === undefined ? 'GET' : raw.method
  const method = typeof methodRaw === 'string' ? goToTitle(methodRaw) : ''
  // KrakenD's router serves GET, POST, PUT, PATCH and DELETE endpoints; it logs "Unsupported method"
  // for any other and starts without it. Read on (KrakenD validates it too), then skipped here too.
  const served = isServedMethod(method)
  if (!served && typeof methodRaw === 'string')
    warn(
      [...ep, 'method'],
      `endpoint ${path}: method ${JSON.stringify(methodRaw)} is not served: KrakenD logs "Unsupported method ${method}" and starts without this endpoint, and so does this runtime`,
      `use one of ${HTTP_METHODS.join(', ')}, or remove the endpoint`,
    )
  else if (!served)
    error([...ep, 'method'], `endpoint ${path}: "method" must be a string, got ${JSON.stringify(methodRaw)}`)
  if (served) checkRoute(ep, method, path, label)
  const endpointParams = new Set([...path.matchAll(PARAM)].map((m) => m[1] as string))

  const proxyNs = fields.namespace(raw, 'proxy', ep)
  const pp = [...ep, 'extra_config', 'proxy']
  fields.checkExactKeyCase(proxyNs, pp, PROXY_KEYS, 'proxy')
  const sequential = isSequential(proxyNs, pp, boolAt(proxyNs, 'sequential', pp, false), warn)
  const staticResponse = staticAt(proxyNs, pp, error, warn)
  const endpointFlatmap = flatmapAt(proxyNs, pp, error)
  const outputEncoding = readOutputEncoding(fields, raw, ep, defaults.outputEncoding)
  // krakend-jose's signer answers the proxy's data as JSON with the response's status and headers:
  // on a no-op endpoint that is "{}" (lura's no-op parser reads no data) and nothing is signed.
  if (outputEncoding === 'no-op' && endpointComponents?.signer)
    error(
      [...ep, 'extra_config', 'auth/signer'],
      'auth/signer on a no-op endpoint is not run here: KrakenD answers "{}" there, signing nothing, with the backend\'s status and headers',
      'give the endpoint a rendering output_encoding (json), or remove auth/signer',
    )
  const endpointTimeout = fields.requestTimeoutAt(raw, ep, defaults.timeoutMs)
  // lura reads 0 as 1, and calls concurrently only above 1 (a negative count is one call).
  const concurrentCalls = Math.max(
    fields.intAt(raw, 'concurrent_calls', ep, 1, Number.MIN_SAFE_INTEGER, 16),
    1,
  )

  const { backends, shadows } = readBackends(
    raw.backend,
    ep,
    {
      label,
      path,
      method,
      ...(typeof raw.method === 'string' ? { writtenMethod: raw.method } : {}),
      params: endpointParams,
      hasJwt: Boolean(endpointComponents?.jwt),
      sequential,
      timeoutMs: endpointTimeout,
      rootHosts: defaults.hosts,
      ...(defaults.hostsRefused ? { rootHostsRefused: true } : {}),
    },
    fields,
  )
  // lura: only the endpoint's output_encoding makes a pass-through, and it forces its backend to no-op.
  const noop = outputEncoding === 'no-op'
  // KrakenD counts shadow backends too (its config check runs before the shadow factory takes them out).
  if (noop && backends.length + shadows.length > 1)
    error(
      [...ep, 'backend'],
      `endpoint ${label} uses the no-op encoding but has ${backends.length + shadows.length} backends${shadows.length > 0 ? ` (${shadows.length} of them shadows)` : ''}`,
      'a no-op endpoint passes one backend through unchanged; keep exactly one backend (no shadow) or use json',
    )
  if (noop) for (const b of backends) b.encoding = 'no-op'
  else
    for (const [j, b] of backends.entries())
      if (b.encoding === 'no-op' && !readsNoEncoding(b))
        warn(
          [...ep, 'backend', j, 'encoding'],
          `endpoint ${label}: backend ${j} uses no-op but the endpoint renders ${outputEncoding}: KrakenD discards that backend's answer (any status counts as an empty success)`,
          'set "output_encoding": "no-op" on the endpoint to pass the answer through',
        )
  refuseAmqpNoop([...backends, ...shadows], noop, fields.report)
  // lura adds the endpoint's flatmap middleware only over a merge of two or more backends (shadows
  // apart): on one backend its operations never run, a `del` leaving the field in the answer.
  if (endpointFlatmap && backends.length === 1) {
    const removes = endpointFlatmap.some((op) => op.type === 'del')
    ;(removes ? error : warn)(
      [...pp, 'flatmap_filter'],
      `endpoint ${label}: an endpoint-level flatmap_filter is never applied with one backend: KrakenD runs it only after merging two or more${removes ? ', so the fields its "del" names would reach the client' : ''}`,
      "move the operations into the backend's extra_config.proxy.flatmap_filter",
    )
  }
  if (endpointFlatmap && backends.length > 1)
    checkEndpointCollectionPaths(endpointFlatmap, backends, pp, `endpoint ${label}`, fields)
  const propagated = propagatedAt(proxyNs, pp, sequential, backends.length, fields)
  if (!served) return undefined
  return {
    endpoint: path,
    method: method as HttpMethod,
    backends,
    ...(shadows.length > 0 ? { shadows } : {}),
    inputHeaders: stringListAt(raw, 'input_headers', ep) ?? [],
    inputQueryStrings: stringListAt(raw, 'input_query_strings', ep) ?? [],
    outputEncoding: noop ? 'no-op' : outputEncoding,
    concurrentCalls,
    timeoutMs: endpointTimeout,
    cacheTtlMs: fields.cacheTtlAt(raw, ep, defaults.cacheTtlMs),
    sequential,
    ...(propagated.length > 0 ? { propagated } : {}),
    noop,
    ...(staticResponse ? { static: staticResponse } : {}),
    ...(endpointFlatmap ? { flatmap: endpointFlatmap } : {}),
    path: formatKeyPath(ep),
    ...(endpointComponents ? { components: endpointComponents } : {}),
  }
}

/** The endpoint's backends, with shadow backends (proxy.shadow) apart. */
function readBackends(
  rawBackends: unknown,
  ep: KeyPath,
  endpoint: BackendContext,
  fields: FieldReader,
): { backends: BackendConfig[]; shadows: BackendConfig[] } {
  const backends: BackendConfig[] = []
  // lura's shadow factory takes shadow backends out of the endpoint: they only get a copy of the request.
  const shadows: BackendConfig[] = []
  if (!Array.isArray(rawBackends) || rawBackends.length === 0) {
    fields.error(
      rawBackends === undefined ? ep : [...ep, 'backend'],
      `endpoint ${endpoint.label} has no backend`,
      'add at least one entry to "backend" with a "url_pattern"',
    )
  }
  for (const [j, rawBackend] of (Array.isArray(rawBackends) ? rawBackends : []).entries()) {
    const backend = readBackend(rawBackend, [...ep, 'backend', j], j, endpoint, fields)
    if (backend === undefined) continue
    if (backend.shadowTimeoutMs === undefined) backends.push(backend)
    else shadows.push(backend)
  }
  if (shadows.length > 0 && backends.length === 0)
    fields.error(
      [...ep, 'backend'],
      `endpoint ${endpoint.label}: every backend is a shadow (proxy.shadow), so KrakenD cannot build it`,
      'keep at least one backend without "shadow": true',
    )
  return { backends, shadows }
}

/** proxy.sequential_propagated_params: earlier responses' values sent on to later backends. */
function propagatedAt(
  proxyNs: Record<string, unknown>,
  pp: KeyPath,
  sequential: boolean,
  backendCount: number,
  { error, warn }: FieldReader,
): PropagatedParam[] {
  const propagatedRaw = proxyNs.sequential_propagated_params
  if (propagatedRaw === undefined) return []
  const at = [...pp, 'sequential_propagated_params']
  if (!Array.isArray(propagatedRaw) || propagatedRaw.some((e) => typeof e !== 'string'))
    error(at, 'sequential_propagated_params must be a list of strings like "resp0_a.b" or "resp0"')
  else if (!sequential)
    warn(
      at,
      'sequential_propagated_params is ignored without "sequential": true',
      'set proxy.sequential: true',
    )
  else return parsePropagated(propagatedRaw as string[], backendCount)
  return []
}

/** krakend-lambda never reads the backend's encoding: the function's answer is merged as any other. */
const readsNoEncoding = (b: BackendConfig) => b.components?.lambda !== undefined
