/** The components' configuration: read from extra_config during validation (problems exit 2). */
import { type KeyPath, parseKeyPath } from '../../core/source-text.ts'
import {
  checkLambdaEndpoints,
  type LambdaConfig,
  parseLambda,
  refuseBesideLambda,
} from '../backend-lambda/config.ts'
import { checkPubsubBackends } from '../backend-pubsub/config-checks.ts'
import { checkSingleProcess, singleProcessBackend } from '../config/single-process.ts'
import type { GatewayConfig } from '../config/types.ts'
import { canonicalHeaderKey } from '../go-url.ts'
import { type BotDetectorConfig, parseBotDetector } from './bot-detector.ts'
import type { CelConfig } from './cel.ts'
import { type CircuitBreakerConfig, parseCircuitBreaker } from './circuit-breaker.ts'
import type { ClientCredentialsConfig } from './client-credentials.ts'
import { type CorsConfig, parseCors } from './cors.ts'
import { Fields } from './fields.ts'
import { type GraphqlConfig, parseGraphql } from './graphql.ts'
import { checkSharedSizes, type HttpCacheConfig, parseHttpCache } from './http-cache.ts'
import { type HttpClientOptions, parseHttpClientOptions } from './http-client-options.ts'
import { type HttpSecureConfig, parseHttpSecure } from './http-secure.ts'
import type { JsonSchemaConfig } from './json-schema.ts'
import type { JwtConfig } from './jwt.ts'
import type { LuaConfig } from './lua.ts'
import type { MartianConfig } from './martian.ts'
import {
  type ProxyLimitConfig,
  parseProxyLimit,
  parseRouterLimit,
  type RouterLimitConfig,
} from './rate-limit.ts'
import type { RevokerConfig } from './revoker.ts'
import {
  celComponent,
  clientCredentialsComponent,
  jsonSchemaComponent,
  jwtComponent,
  luaComponent,
  martianComponent,
  revokerComponent,
  signerComponent,
} from './runtimes.ts'
import type { SignerConfig } from './signer.ts'
import { isObject, type Report } from './types.ts'

export interface ServiceComponents {
  cors?: CorsConfig
  httpSecure?: HttpSecureConfig
  botDetector?: BotDetectorConfig
  /** modifier/lua-endpoint at service level: engine middleware. */
  luaRouter?: LuaConfig
  /** Service-level auth/validator: KrakenD's shared JWK cache; each endpoint here keeps its own. */
  sharedKeyCache?: true
  revoker?: RevokerConfig
}
export interface EndpointComponents {
  botDetector?: BotDetectorConfig
  jwt?: JwtConfig
  rateLimit?: RouterLimitConfig
  jsonSchema?: JsonSchemaConfig
  signer?: SignerConfig
  cel?: CelConfig
  luaProxy?: LuaConfig
  /** modifier/lua-endpoint: the router's Lua around the endpoint handler. */
  luaRouter?: LuaConfig
}
export interface BackendComponents {
  clientCredentials?: ClientCredentialsConfig
  cel?: CelConfig
  martian?: MartianConfig
  circuitBreaker?: CircuitBreakerConfig
  rateLimit?: ProxyLimitConfig
  httpCache?: HttpCacheConfig
  graphql?: GraphqlConfig
  httpClient?: HttpClientOptions
  luaBackend?: LuaConfig
  lambda?: LambdaConfig
}

/**
 * How components are checked: `caseVariants` refuses keys in another case (see Fields); off when
 * the official KrakenD image runs the config and reads them itself.
 */
export interface ComponentChecks {
  caseVariants: boolean
}

/** Reads one component namespace when present. */
function reader(extra: Record<string, unknown>, path: KeyPath, report: Report, checks: ComponentChecks) {
  return <T>(name: string, parse: (f: Fields) => T): T | undefined => {
    if (extra[name] === undefined) return undefined
    const fields = new Fields(extra[name], [...path, name], report, name)
    const parsed = parse(fields)
    if (checks.caseVariants) fields.caseVariants()
    fields.unknownKeys(checks.caseVariants)
    return parsed
  }
}

/** Drops absent components; undefined when none is configured. */
function present<T extends object>(components: T): T | undefined {
  const entries = Object.entries(components).filter(([, v]) => v !== undefined)
  return entries.length > 0 ? (Object.fromEntries(entries) as T) : undefined
}

export function parseServiceComponents(
  extra: unknown,
  path: KeyPath,
  report: Report,
  checks: ComponentChecks,
): ServiceComponents | undefined {
  if (!isObject(extra)) return undefined
  const read = reader(extra, path, report, checks)
  return present<ServiceComponents>({
    cors: read('security/cors', parseCors),
    httpSecure: read('security/http', parseHttpSecure),
    botDetector: read('security/bot-detector', parseBotDetector),
    luaRouter: read('modifier/lua-endpoint', parseLuaConfig),
    sharedKeyCache: read('auth/validator', parseSharedKeyCache),
    revoker: read('auth/revoker', (f) => revokerComponent().parseRevoker(f)),
  })
}

export function parseEndpointComponents(
  extra: unknown,
  path: KeyPath,
  report: Report,
  checks: ComponentChecks,
): EndpointComponents | undefined {
  if (!isObject(extra)) return undefined
  const read = reader(extra, path, report, checks)
  if (extra['auth/signer'] !== undefined) refuseUnderSigner(extra, path, report)
  return present<EndpointComponents>({
    botDetector: read('security/bot-detector', parseBotDetector),
    jwt: read('auth/validator', (f) => jwtComponent().parseJwt(f)),
    rateLimit: read('qos/ratelimit/router', parseRouterLimit),
    signer: read('auth/signer', (f) => signerComponent().parseSigner(f)),
    jsonSchema:
      extra['validation/json-schema'] === undefined
        ? undefined
        : jsonSchemaComponent().parseJsonSchema(
            extra['validation/json-schema'],
            [...path, 'validation/json-schema'],
            report,
          ),
    cel: celAt(extra, path, report, 'endpoint'),
    luaProxy: read('modifier/lua-proxy', parseLuaConfig),
    luaRouter: read('modifier/lua-endpoint', parseLuaConfig),
  })
}

/**
 * krakend-jose's TokenSigner answers in place of the endpoint's handler without calling it, so on
 * an auth/signer endpoint KrakenD never runs the router-level rate limit or Lua (its validator,
 * bot detector and proxy-level components still run): they would guard nothing.
 */
function refuseUnderSigner(extra: Record<string, unknown>, path: KeyPath, report: Report): void {
  const skipped: Array<[string, string]> = [
    ['qos/ratelimit/router', 'limit its backends with "qos/ratelimit/proxy" instead'],
    ['modifier/lua-endpoint', 'use "modifier/lua-proxy" instead'],
  ]
  for (const [namespace, instead] of skipped)
    if (extra[namespace] !== undefined)
      report.error(
        [...path, namespace],
        `"${namespace}" on an endpoint with "auth/signer": KrakenD's signer answers in place of the endpoint handler and never runs it`,
        `KrakenD would silently skip it; ${instead}, or sign on an endpoint of its own`,
      )
}

export function parseBackendComponents(
  extra: unknown,
  path: KeyPath,
  report: Report,
  checks: ComponentChecks,
): BackendComponents | undefined {
  if (!isObject(extra)) return undefined
  const read = reader(extra, path, report, checks)
  if (extra['backend/lambda'] !== undefined) refuseBesideLambda(extra, path, report)
  return present<BackendComponents>({
    lambda: read('backend/lambda', parseLambda),
    martian:
      extra['modifier/martian'] === undefined
        ? undefined
        : martianComponent().parseMartian(extra['modifier/martian'], [...path, 'modifier/martian'], report),
    circuitBreaker: read('qos/circuit-breaker', parseCircuitBreaker),
    rateLimit: read('qos/ratelimit/proxy', parseProxyLimit),
    cel: celAt(extra, path, report, 'backend'),
    clientCredentials: read('auth/client-credentials', (f) =>
      clientCredentialsComponent().parseClientCredentials(f),
    ),
    graphql: read('backend/graphql', parseGraphql),
    luaBackend: read('modifier/lua-backend', parseLuaConfig),
    httpClient: read('backend/http/client', parseHttpClientOptions),
    httpCache:
      extra['qos/http-cache'] === undefined
        ? undefined
        : parseHttpCache(extra['qos/http-cache'], [...path, 'qos/http-cache'], report, checks.caseVariants),
  })
}

function celAt(
  extra: Record<string, unknown>,
  path: KeyPath,
  report: Report,
  level: 'endpoint' | 'backend',
): CelConfig | undefined {
  if (extra['validation/cel'] === undefined) return undefined
  const at = [...path, 'validation/cel']
  const cel = celComponent().parseCel(extra['validation/cel'], at, report, level)
  if (cel && cel.jwt.length > 0 && extra['auth/validator'] === undefined)
    report.error(
      at,
      'JWT expressions need "auth/validator" on the same endpoint',
      'add auth/validator or remove them',
    )
  return cel
}

/** Problems only visible with the whole config: per-process state under several workers. */
export function checkComponents(config: GatewayConfig, report: Report): void {
  const cached = config.endpoints.flatMap((ep) =>
    [...ep.backends, ...(ep.shadows ?? [])].flatMap((b) =>
      b.components?.httpCache
        ? [{ cfg: b.components.httpCache, path: [...parseKeyPath(b.path), 'extra_config', 'qos/http-cache'] }]
        : [],
    ),
  )
  checkSharedSizes(cached, report)
  checkRevoker(config, report)
  checkLambdaEndpoints(config, report)
  checkPubsubBackends(config, report)
  checkSingleProcess(config, report)
  checkClientIpLimits(config, report)
  // (a node with a backend that needs one worker process runs one when `workers` is unset)
  if (config.runtime.workers === 1 || (config.runtime.workers === 0 && singleProcessBackend(config))) return
  const workers = config.runtime.workers === 0 ? 'one worker per core' : `${config.runtime.workers} workers`
  const perWorker = 'set "gwdeploy/runtime": {"workers": 1} (or --workers 1)'
  for (const ep of config.endpoints) {
    const stateful = ep.components?.rateLimit
      ? 'qos/ratelimit/router'
      : ep.backends.some((b) => b.components?.rateLimit)
        ? 'qos/ratelimit/proxy'
        : undefined
    if (!stateful) continue
    report.warn(
      ['extra_config', 'gwdeploy/runtime', 'workers'],
      `${stateful} on ${ep.endpoint} counts per worker process: with ${workers} the gateway admits up to that many times the configured rate`,
      `${perWorker} for KrakenD's exact limits`,
    )
    break
  }
  const broken = config.endpoints.find((ep) => ep.backends.some((b) => b.components?.circuitBreaker))
  if (broken)
    report.warn(
      ['extra_config', 'gwdeploy/runtime', 'workers'],
      `qos/circuit-breaker on ${broken.endpoint} counts failures per worker process: with ${workers} each worker's breaker opens on its own, so a failing backend gets up to that many times max_errors + 1 calls before every worker stops calling it`,
      `${perWorker} for KrakenD's single breaker`,
    )
  if (cached.length > 0)
    report.warn(
      ['extra_config', 'gwdeploy/runtime', 'workers'],
      `qos/http-cache keeps one cache per worker process: with ${workers} each holds its own copy of the answers (that many times the memory), and an answer cached in one worker is a backend call in another`,
      `${perWorker} for KrakenD's single cache`,
    )
}

/**
 * A per-client limit on gin's client IP while every proxy is trusted (gin's default, KrakenD's too):
 * the client's own X-Forwarded-For names its bucket, so it picks a fresh one at will. Enforced as in
 * KrakenD, but said, since it reads like protection.
 */
function checkClientIpLimits(config: GatewayConfig, report: Report): void {
  const { forwardedByClientIp, trustedProxies, remoteIpHeaders } = config.server
  if (!forwardedByClientIp || trustedProxies !== undefined || remoteIpHeaders.length === 0) return
  const limited = config.endpoints.filter((ep) => {
    const limit = ep.components?.rateLimit
    return limit !== undefined && limit.clientMaxRate > 0 && limit.strategy === 'ip' && limit.key === ''
  })
  const first = limited[0]
  if (!first) return
  const more = limited.length > 1 ? ` (and ${limited.length - 1} more endpoint(s))` : ''
  const headers = remoteIpHeaders.map(canonicalHeaderKey).join(' or ')
  report.warn(
    [...parseKeyPath(first.path), 'extra_config', 'qos/ratelimit/router', 'strategy'],
    `the per-client limit on ${first.endpoint}${more} keys on the client IP while every proxy is trusted: a client sending its own ${headers} picks a fresh bucket each time (KrakenD behaves the same)`,
    'set router.trusted_proxies to the addresses of your load balancer (or "forwarded_by_client_ip": false when clients connect directly)',
  )
}

/** The revoker's RPC port must be its own, and something must consult the filter. */
function checkRevoker(config: GatewayConfig, report: Report): void {
  const revoker = config.components?.revoker
  if (!revoker) return
  const at = ['extra_config', 'auth/revoker']
  if (revoker.port !== 0 && (revoker.port === config.port || revoker.port === config.runtime.metricsPort))
    report.error(
      [...at, 'port'],
      `port ${revoker.port} is also the gateway's ${revoker.port === config.port ? '' : 'metrics '}port: KrakenD would start without its revocation server`,
      'give auth/revoker a port of its own',
    )
  if (!config.endpoints.some((ep) => ep.components?.jwt))
    report.warn(
      at,
      'no endpoint has auth/validator: the revoker checks only validated tokens, so it refuses nothing',
      'add auth/validator to the endpoints that take tokens, or remove auth/revoker',
    )
}

function parseLuaConfig(f: Fields): LuaConfig {
  return luaComponent().parseLua(f)
}

/** Service-level auth/validator configures only KrakenD's shared JWK cache: anything else would look like protection. */
function parseSharedKeyCache(f: Fields): true {
  for (const key of Object.keys(f.raw))
    if (key !== 'shared_cache_duration' && !/^[@$_#]/.test(key)) {
      f.handled(key)
      f.report.error(
        f.at(key),
        `at service level auth/validator only sets "shared_cache_duration"; "${key}" would validate nothing`,
        'put the validator on each endpoint that needs it',
      )
    }
  f.number('shared_cache_duration')
  f.report.warn(
    f.path,
    'the shared JWK cache is not implemented: each endpoint trusts only the keys of its own jwk_url, kept for its cache_duration',
    // Checked on KrakenD CE 2.13.8: a token of endpoint A's JWKS passed at B, whose JWKS lacks its kid.
    'with it KrakenD lets an endpoint with "cache" take a key another endpoint\'s JWKS listed (same kid) and keeps a key the set dropped for shared_cache_duration; those tokens get 401 here',
  )
  return true
}
