/**
 * Every KrakenD `extra_config` namespace this project knows, and what our gateway runtime does with
 * it: `core` (part of the runtime's own semantics), `enforced` (a component with KrakenD's
 * semantics), `refused` (changes who gets in or what passes and is not implemented: the config is
 * rejected before anything runs) or `ignored` (observability only: a warning).
 *
 * Pure data and one classifier (its only import is the typo hints of suggest.ts): `gwdeploy config
 * validate` uses it without loading any gateway code, and the gateway's validator uses it for the
 * same answers.
 */

import { closestKey } from './suggest.ts'

/** Where an extra_config is: the service, an endpoint, a backend, or an entry of `async_agent`. */
export type NamespaceLevel = 'service' | 'endpoint' | 'backend' | 'async agent'
type NamespaceSupport = 'core' | 'enforced' | 'refused' | 'ignored'

export interface NamespaceInfo {
  support: NamespaceSupport
  /** Where KrakenD reads it. */
  levels: readonly NamespaceLevel[]
  /** Only in KrakenD Enterprise: KrakenD CE does nothing with it either. */
  enterprise?: boolean
  /** What it does, for messages and the README table. */
  what: string
}

const S: NamespaceLevel[] = ['service']
const E: NamespaceLevel[] = ['endpoint']
const B: NamespaceLevel[] = ['backend']
const SE: NamespaceLevel[] = ['service', 'endpoint']
const EB: NamespaceLevel[] = ['endpoint', 'backend']
const ALL: NamespaceLevel[] = ['service', 'endpoint', 'backend']
const EA: NamespaceLevel[] = ['endpoint', 'async agent']
const EBA: NamespaceLevel[] = ['endpoint', 'backend', 'async agent']

const refused = (levels: NamespaceLevel[], what: string, enterprise = false): NamespaceInfo => ({
  support: 'refused',
  levels,
  what,
  ...(enterprise ? { enterprise } : {}),
})
const enforced = (levels: NamespaceLevel[], what: string): NamespaceInfo => ({
  support: 'enforced',
  levels,
  what,
})
const ignored = (levels: NamespaceLevel[], what: string): NamespaceInfo => ({
  support: 'ignored',
  levels,
  what,
})
const core = (levels: NamespaceLevel[], what: string): NamespaceInfo => ({ support: 'core', levels, what })

export const NAMESPACES: Readonly<Record<string, NamespaceInfo>> = {
  // the runtime's own semantics
  proxy: core(EB, 'sequential proxy and proxy options'),
  'backend/http': core(B, 'return_error_code, return_error_details'),
  router: core(S, 'router options (return_error_msg, health_path, max_payload, access log)'),
  'telemetry/logging': core(S, 'log level, format and prefix'),
  'gwdeploy/runtime': core(S, 'workers, drain, metrics port (gwdeploy extension)'),

  // KrakenD CE components that guard traffic
  // At service level KrakenD reads only shared_cache_duration (the JWK cache); see components/parse.ts.
  'auth/validator': enforced(SE, 'JWT validation'),
  'security/cors': enforced(S, 'CORS'),
  'security/bot-detector': enforced(SE, 'bot detector'),
  'qos/ratelimit/router': enforced(E, 'endpoint rate limit'),
  'qos/ratelimit/proxy': enforced(B, 'backend rate limit'),
  // lura builds an async agent's pipe with the proxy factory: it reads these three on an agent too
  'validation/json-schema': enforced(EA, 'JSON-schema validation of the request body'),
  'security/http': enforced(S, 'allowed hosts and security headers'),
  'qos/circuit-breaker': enforced(B, 'circuit breaker'),

  // KrakenD CE components not implemented here
  'auth/signer': enforced(E, 'JWT signing of responses'),
  'auth/revoker': enforced(S, 'JWT revocation (bloom filter fed over Go net/rpc)'),
  'auth/client-credentials': enforced(B, 'OAuth2 client credentials towards the backend'),
  'validation/cel': enforced(EBA, 'CEL expressions'),
  'modifier/lua-endpoint': enforced(SE, 'Lua scripts on the router'),
  'modifier/lua-proxy': enforced(EA, 'Lua scripts on the proxy'),
  'modifier/lua-backend': enforced(B, 'Lua scripts on the backend'),
  'modifier/martian': enforced(B, 'martian request modifiers (header and query)'),
  'plugin/http-server': refused(S, 'Go server plugins'),
  'plugin/http-client': refused(B, 'Go client plugins'),
  'plugin/req-resp-modifier': refused(EB, 'Go request/response modifier plugins'),
  'qos/http-cache': enforced(B, 'in-memory cache of backend answers'),
  'backend/http/client': enforced(B, 'HTTP client options (send_body_on_redirect)'),
  'backend/amqp/consumer': enforced(B, 'AMQP consumer backend (amqp://)'),
  'backend/amqp/producer': enforced(B, 'AMQP producer backend (amqp://)'),
  'backend/lambda': enforced(B, 'AWS Lambda backend'),
  'backend/pubsub/publisher': enforced(
    B,
    'pub/sub publisher backend (nats://, rabbit://, awssns://, awssqs://)',
  ),
  'backend/pubsub/subscriber': enforced(B, 'pub/sub subscriber backend (nats://, rabbit://, awssqs://)'),
  'backend/graphql': enforced(B, 'GraphQL requests to the backend'),
  'async/amqp': enforced(
    ['async agent'],
    'async agents: an AMQP consumer running a pipe of backends per message',
  ),

  // KrakenD Enterprise only (KrakenD CE does nothing with them)
  'auth/api-keys': refused(SE, 'API keys', true),
  'auth/basic': refused(SE, 'basic authentication', true),
  'auth/gcp': refused(B, 'Google Cloud authentication', true),
  'auth/ntlm': refused(B, 'NTLM authentication', true),
  'security/policies': refused(EB, 'security policies', true),
  'security/ip-filter': refused(SE, 'IP filter', true),
  'qos/ratelimit/service': refused(S, 'service rate limit', true),
  'qos/ratelimit/tiered': refused(E, 'tiered rate limit', true),
  'modifier/jmespath': refused(EB, 'JMESPath', true),
  'modifier/request-body-generator': refused(EB, 'request body generator', true),
  'modifier/response-body-generator': refused(EB, 'response body generator', true),
  'modifier/response-headers': refused(EB, 'response headers', true),
  'modifier/response-body': refused(EB, 'response body', true),
  websocket: refused(E, 'websockets', true),
  grpc: refused(S, 'gRPC server', true),
  'backend/grpc': refused(B, 'gRPC backend', true),
  'backend/soap': refused(B, 'SOAP backend', true),
  'backend/static-filesystem': refused(B, 'static files backend', true),
  'server/static-filesystem': refused(S, 'static files server', true),

  // observability only
  'telemetry/gelf': ignored(S, 'GELF logging'),
  'telemetry/logstash': ignored(S, 'Logstash logging'),
  'telemetry/metrics': ignored(S, 'KrakenD metrics endpoint'),
  'telemetry/influx': ignored(S, 'InfluxDB metrics'),
  'telemetry/opencensus': ignored(ALL, 'OpenCensus'),
  'telemetry/opentelemetry': ignored(ALL, 'OpenTelemetry'),
  'documentation/openapi': ignored(SE, 'OpenAPI documentation'),
}

/** KrakenD CE's old (v1/v2) names it still accepts as aliases (krakend-ce cmd/krakend-ce/main.go). */
export const NAMESPACE_ALIASES: Readonly<Record<string, string>> = {
  'github_com/devopsfaith/krakend/transport/http/server/handler': 'plugin/http-server',
  'github.com/devopsfaith/krakend/transport/http/client/executor': 'plugin/http-client',
  'github.com/devopsfaith/krakend/proxy/plugin': 'plugin/req-resp-modifier',
  'github.com/devopsfaith/krakend/proxy': 'proxy',
  'github_com/devopsfaith/krakend/proxy': 'proxy',
  'github_com/luraproject/lura/router/gin': 'router',
  'github.com/devopsfaith/krakend-httpcache': 'qos/http-cache',
  'github.com/devopsfaith/krakend-circuitbreaker/gobreaker': 'qos/circuit-breaker',
  'github.com/devopsfaith/krakend-oauth2-clientcredentials': 'auth/client-credentials',
  'github.com/devopsfaith/krakend-jose/validator': 'auth/validator',
  'github.com/devopsfaith/krakend-jose/signer': 'auth/signer',
  'github_com/devopsfaith/bloomfilter': 'auth/revoker',
  'github_com/devopsfaith/krakend-botdetector': 'security/bot-detector',
  'github_com/devopsfaith/krakend-httpsecure': 'security/http',
  'github_com/devopsfaith/krakend-cors': 'security/cors',
  'github.com/devopsfaith/krakend-cel': 'validation/cel',
  'github.com/devopsfaith/krakend-jsonschema': 'validation/json-schema',
  'github.com/devopsfaith/krakend-amqp/agent': 'async/amqp',
  'github.com/devopsfaith/krakend-amqp/consume': 'backend/amqp/consumer',
  'github.com/devopsfaith/krakend-amqp/produce': 'backend/amqp/producer',
  'github.com/devopsfaith/krakend-lambda': 'backend/lambda',
  'github.com/devopsfaith/krakend-pubsub/publisher': 'backend/pubsub/publisher',
  'github.com/devopsfaith/krakend-pubsub/subscriber': 'backend/pubsub/subscriber',
  'github.com/devopsfaith/krakend/transport/http/client/graphql': 'backend/graphql',
  'github.com/devopsfaith/krakend/http': 'backend/http',
  'github_com/devopsfaith/krakend/http': 'backend/http',
  'github_com/devopsfaith/krakend-gelf': 'telemetry/gelf',
  'github_com/devopsfaith/krakend-gologging': 'telemetry/logging',
  'github.com/devopsfaith/krakend-gologging': 'telemetry/logging',
  'github_com/devopsfaith/krakend-logstash': 'telemetry/logstash',
  'github_com/devopsfaith/krakend-metrics': 'telemetry/metrics',
  'github_com/letgoapp/krakend-influx': 'telemetry/influx',
  'github_com/devopsfaith/krakend-opencensus': 'telemetry/opencensus',
  'github.com/devopsfaith/krakend-lua/router': 'modifier/lua-endpoint',
  'github.com/devopsfaith/krakend-lua/proxy': 'modifier/lua-proxy',
  'github.com/devopsfaith/krakend-lua/proxy/backend': 'modifier/lua-backend',
  'github.com/devopsfaith/krakend-martian': 'modifier/martian',
}

/**
 * Old names in NAMESPACE_ALIASES that KrakenD CE does not read: krakend-ce's main.go maps each short
 * name onto the component's own (long) namespace, so a long name it lists is read as it is, but
 * these spellings are in no component.
 */
const UNREAD_ALIASES = new Set([
  'github_com/devopsfaith/krakend/proxy',
  'github_com/devopsfaith/krakend/http',
  'github.com/devopsfaith/krakend-gologging',
])

/** The short name of a long namespace KrakenD CE reads as it is written (lura's ExtraConfig.Normalize). */
export function ceLongNamespace(namespace: string): string | undefined {
  if (UNREAD_ALIASES.has(namespace) || !Object.hasOwn(NAMESPACE_ALIASES, namespace)) return undefined
  return NAMESPACE_ALIASES[namespace]
}

/**
 * KrakenD v1 names KrakenD CE v2 no longer reads (no alias in krakend-ce's main.go, and
 * krakend-ratelimit v3 registers only the qos/ names): the limit is off in KrakenD too.
 */
const DROPPED_NAMESPACES: Readonly<Record<string, string>> = {
  'github.com/devopsfaith/krakend-ratelimit/juju/router': 'qos/ratelimit/router',
  'github.com/devopsfaith/krakend-ratelimit/juju/proxy': 'qos/ratelimit/proxy',
  'github.com/devopsfaith/krakend-ratelimit/rate/router': 'qos/ratelimit/router',
  'github.com/devopsfaith/krakend-ratelimit/rate/proxy': 'qos/ratelimit/proxy',
}

/** Prefixes whose namespaces change who gets in or what passes: never ignored. */
const GUARDED_PREFIXES = [
  'auth/',
  'security/',
  'qos/',
  'validation/',
  'modifier/',
  'plugin/',
  'backend/',
  'async/',
  'server/',
  'websocket',
  'grpc',
] as const

const OBSERVABILITY_PREFIXES = ['telemetry/', 'documentation/'] as const

export type NamespaceVerdict =
  | { kind: 'ok' }
  | { kind: 'error'; message: string; hint: string }
  | { kind: 'warning'; message: string; hint?: string }

const isComment = (key: string) => /^[@$_#]/.test(key)
const KRAKEND_HINT = 'or set `image.runtime: krakend` in gwdeploy.yml to run the official KrakenD image'

/**
 * What our runtime does with `namespace` found at `level`. `runtime: 'krakend'` (the official
 * image runs the config) accepts every KrakenD namespace.
 */
export function classifyNamespace(
  namespace: string,
  level: NamespaceLevel,
  runtime: 'bundled' | 'krakend' = 'bundled',
): NamespaceVerdict {
  if (isComment(namespace)) return { kind: 'ok' }
  // Own entries only: a namespace called "constructor" or "toString" is as unknown as any other.
  const alias = Object.hasOwn(NAMESPACE_ALIASES, namespace) ? NAMESPACE_ALIASES[namespace] : undefined
  const canonical = alias ?? namespace
  const info = Object.hasOwn(NAMESPACES, canonical) ? NAMESPACES[canonical] : undefined
  const guarded = GUARDED_PREFIXES.some((p) => canonical.startsWith(p))
  // What KrakenD CE itself ignores, on both runtimes: the operator would believe the guard is on.
  const dropped = Object.hasOwn(DROPPED_NAMESPACES, namespace) ? DROPPED_NAMESPACES[namespace] : undefined
  if (dropped)
    return {
      kind: 'error',
      message: `"${namespace}" is a KrakenD v1 namespace that KrakenD CE v2 ignores (no alias reads it), so the rate limit would be off`,
      hint: `rename it to "${dropped}" and write its settings as v2 reads them (max_rate, capacity, client_max_rate, strategy, key)`,
    }
  // (Under a guarding prefix the bundled runtime refuses any unknown name below, with this hint.)
  if (!info && !alias && (runtime === 'krakend' || !guarded)) {
    const meant = guardingTypo(namespace)
    if (meant)
      return {
        kind: 'error',
        message: `"${namespace}" is not "${meant}" (${NAMESPACES[meant]?.what}): KrakenD looks namespaces up exactly as written and ignores this one, so it would guard nothing`,
        hint: `did you mean "${meant}"? Rename it`,
      }
  }
  // A long name KrakenD CE reads is its component, at that component's levels.
  if (alias && !UNREAD_ALIASES.has(namespace)) return classifyNamespace(alias, level, runtime)
  if (alias && runtime === 'bundled') {
    const message = `"${namespace}" is a KrakenD v2 namespace name (now "${alias}", ${info?.what ?? 'a KrakenD component'}); this runtime reads only "${alias}"`
    if (info?.support === 'core' || info?.support === 'ignored')
      return { kind: 'warning', message, hint: `rename it to "${alias}"` }
    return { kind: 'error', message, hint: `rename it to "${alias}"` }
  }
  if (runtime === 'krakend') {
    if (info?.enterprise)
      return {
        kind: 'error',
        message: `"${canonical}" (${info.what}) is a KrakenD Enterprise namespace: KrakenD CE ignores it, so it would not be enforced`,
        hint: 'remove it, or run KrakenD Enterprise yourself',
      }
    // KrakenD CE reads a component only where its factory looks: elsewhere it guards nothing.
    if (info && info.support !== 'core' && info.support !== 'ignored' && !info.levels.includes(level))
      return levelError(canonical, info, level)
    return { kind: 'ok' }
  }
  if (!info) {
    const suggestion = closestNamespace(namespace)
    const meant = suggestion ? NAMESPACES[suggestion] : undefined
    // A typo of a namespace that guards nothing (e.g. "backend/htpp") is a warning like other typos.
    if (meant && (meant.support === 'core' || meant.support === 'ignored'))
      return {
        kind: 'warning',
        message: `unknown namespace "${namespace}" is ignored`,
        hint: `did you mean "${suggestion}"?`,
      }
    if (guarded)
      return {
        kind: 'error',
        message: `"${namespace}" is not a namespace this runtime implements (unknown, a plugin or KrakenD Enterprise), and it would change who gets in or what passes`,
        hint: suggestion
          ? `did you mean "${suggestion}"? Otherwise remove it, ${KRAKEND_HINT}`
          : `remove it (or fix its name), ${KRAKEND_HINT}`,
      }
    if (OBSERVABILITY_PREFIXES.some((p) => canonical.startsWith(p)))
      return { kind: 'warning', message: `"${namespace}" is not implemented by this runtime and is ignored` }
    if (suggestion)
      return {
        kind: 'warning',
        message: `unknown namespace "${namespace}" is ignored`,
        hint: `did you mean "${suggestion}"?`,
      }
    // Far from every known name: the user's own metadata; KrakenD ignores it too.
    return { kind: 'ok' }
  }
  const levelOk = info.levels.includes(level)
  if (info.support === 'core' || info.support === 'enforced') {
    if (levelOk || info.support === 'core') return { kind: 'ok' }
    return levelError(canonical, info, level)
  }
  if (info.support === 'ignored')
    return {
      kind: 'warning',
      message: `"${canonical}" (${info.what}) is not implemented by this runtime and is ignored`,
      hint: 'observability only: traffic is not affected',
    }
  return {
    kind: 'error',
    message: info.enterprise
      ? `"${canonical}" (${info.what}) is a KrakenD Enterprise namespace: neither this runtime nor KrakenD CE enforces it`
      : `"${canonical}" (${info.what}) is not implemented by this runtime, so it would not be enforced`,
    hint: info.enterprise ? 'remove it' : `remove it, ${KRAKEND_HINT}`,
  }
}

/** Calls `visit` for every extra_config namespace at service, endpoint and backend level. */
export function forEachNamespace(
  config: unknown,
  visit: (namespace: string, level: NamespaceLevel, path: Array<string | number>) => void,
): void {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
  const walk = (owner: unknown, level: NamespaceLevel, path: Array<string | number>) => {
    if (!isObject(owner) || !isObject(owner.extra_config)) return
    for (const ns of Object.keys(owner.extra_config)) visit(ns, level, [...path, 'extra_config', ns])
  }
  if (!isObject(config)) return
  walk(config, 'service', [])
  if (!Array.isArray(config.endpoints)) return
  for (const [i, ep] of config.endpoints.entries()) {
    walk(ep, 'endpoint', ['endpoints', i])
    if (!isObject(ep) || !Array.isArray(ep.backend)) continue
    for (const [j, b] of ep.backend.entries()) walk(b, 'backend', ['endpoints', i, 'backend', j])
  }
}

const levelError = (canonical: string, info: NamespaceInfo, level: NamespaceLevel): NamespaceVerdict => ({
  kind: 'error',
  message: `"${canonical}" (${info.what}) has no effect at ${level} level: KrakenD reads it only at ${info.levels.join(' and ')} level`,
  hint: `move it to the ${info.levels.join(' or ')} extra_config`,
})

/**
 * The namespace that changes who gets in or what passes (enforced or refused) that an unknown
 * `namespace` spells in another case or within a typo's distance, if any.
 */
function guardingTypo(namespace: string): string | undefined {
  const suggestion = closestNamespace(namespace)
  const meant = suggestion ? NAMESPACES[suggestion] : undefined
  return meant && (meant.support === 'enforced' || meant.support === 'refused') ? suggestion : undefined
}

/**
 * The canonical name of `key` when it is (or is an old name of) a namespace that changes who gets
 * in or what passes: such a key outside `extra_config` is read by nobody.
 */
export function guardingNamespace(key: string): string | undefined {
  const alias = Object.hasOwn(NAMESPACE_ALIASES, key) ? NAMESPACE_ALIASES[key] : undefined
  const canonical = alias ?? (Object.hasOwn(DROPPED_NAMESPACES, key) ? DROPPED_NAMESPACES[key] : key)
  if (canonical === undefined) return undefined
  const info = Object.hasOwn(NAMESPACES, canonical) ? NAMESPACES[canonical] : undefined
  return info && (info.support === 'enforced' || info.support === 'refused') ? canonical : undefined
}

/** The known namespace within a few edits of `namespace` (typos), if any. */
function closestNamespace(namespace: string): string | undefined {
  return closestKey(namespace, Object.keys(NAMESPACES))
}
