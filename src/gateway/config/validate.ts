import { isIP } from 'node:net'
import { distance } from 'fastest-levenshtein'
import { classifyNamespace, type NamespaceLevel } from '../../config/gateway-namespaces.ts'
import type { Problem } from '../../core/errors.ts'
import { formatKeyPath, type KeyPath } from '../../core/source-text.ts'
import {
  checkComponents,
  parseBackendComponents,
  parseEndpointComponents,
  parseServiceComponents,
} from '../components/index.ts'
import { type PropagatedParam, parsePropagated } from '../sequential-params.ts'
import { MAX_TIMER_MS, parseDuration } from './duration.ts'
import { isSequential, shadowTimeoutMs } from './proxy-options.ts'
import { checkServiceSettings } from './service-settings.ts'
import {
  type BackendConfig,
  type BackendEncoding,
  type EndpointConfig,
  type FlatmapOp,
  type GatewayConfig,
  HTTP_METHODS,
  type HttpMethod,
  type Locate,
  type LogFormat,
  type LogLevel,
  type OutputEncoding,
  STATIC_STRATEGIES,
  type StaticResponse,
  type StaticStrategy,
} from './types.ts'

export interface ValidateOptions {
  /** Source file name used in problem locations. */
  file?: string
  /** Maps a key path to file:line:column (from parseSourceDocument). */
  locate?: Locate
  /** `krakend`: the official KrakenD image runs the config, so KrakenD's namespaces are not refused. */
  runtime?: 'bundled' | 'krakend'
}

export interface ValidationResult {
  /** The normalised config; undefined when there are errors. */
  config: GatewayConfig | undefined
  errors: Problem[]
  warnings: Problem[]
}

/** Reserved paths the gateway answers itself; no endpoint may use them. */
export const RESERVED_PATHS = ['/__health', '/__debug', '/__echo'] as const

const ROOT_KEYS = [
  'version',
  'name',
  'port',
  'listen_ip',
  'host',
  'timeout',
  'cache_ttl',
  'output_encoding',
  'endpoints',
  'extra_config',
  'plugin',
  'tls',
  'read_timeout',
  'write_timeout',
  'idle_timeout',
  'read_header_timeout',
  'max_header_bytes',
  'max_idle_connections',
  'max_idle_connections_per_host',
  'idle_connection_timeout',
  'response_header_timeout',
  'expect_continue_timeout',
  'dialer_timeout',
  'dialer_keep_alive',
  'dialer_fallback_delay',
  'disable_compression',
  'disable_keep_alives',
  'disable_rest',
  'debug_endpoint',
  'echo_endpoint',
  'sequential_start',
  'async_agent',
  'use_h2c',
  'client_tls',
  'dns_cache_ttl',
  'allow_insecure_connections',
  'max_shutdown_wait_time',
]
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
const BACKEND_KEYS = [
  'url_pattern',
  'host',
  'method',
  'encoding',
  'group',
  'target',
  'allow',
  'deny',
  'mapping',
  'is_collection',
  'extra_config',
  'sd',
  'sd_scheme',
  'disable_host_sanitize',
  'input_headers',
  'input_query_strings',
]
/** KrakenD v2 keys a v3 KrakenD silently ignores, with their replacement. */
const V2_KEYS: Record<string, string> = {
  headers_to_pass: 'input_headers',
  querystring_params: 'input_query_strings',
  whitelist: 'allow',
  blacklist: 'deny',
}

const BACKEND_ENCODINGS: BackendEncoding[] = ['json', 'safejson', 'string', 'no-op', 'xml', 'rss']
const OUTPUT_ENCODINGS: OutputEncoding[] = [
  'json',
  'json-collection',
  'string',
  'no-op',
  'xml',
  'yaml',
  'negotiate',
]
const LOG_LEVELS: LogLevel[] = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL']
const PARAM = /\{([^{}]+)\}/g
const SEQUENTIAL_PARAM = /^resp(\d+)_(.+)$/

const isComment = (key: string) => /^[@$_#]/.test(key)
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Validates a parsed KrakenD v3 document. Pure: no I/O, never throws on bad input. */
export function validateGatewayConfig(value: unknown, options: ValidateOptions = {}): ValidationResult {
  const errors: Problem[] = []
  const warnings: Problem[] = []
  const where = (path: KeyPath) => {
    if (options.locate) return options.locate(path)
    const keyPath = formatKeyPath(path)
    return { ...(options.file ? { file: options.file } : {}), ...(keyPath ? { path: keyPath } : {}) }
  }
  const error = (path: KeyPath, message: string, hint?: string) =>
    errors.push({ message, location: where(path), ...(hint ? { hint } : {}) })
  const warn = (path: KeyPath, message: string, hint?: string) =>
    warnings.push({ message, location: where(path), ...(hint ? { hint } : {}) })

  if (!isObject(value)) {
    error([], 'the gateway configuration must be an object with "version": 3 and "endpoints"')
    return { config: undefined, errors, warnings }
  }

  const checkKeys = (obj: Record<string, unknown>, path: KeyPath, known: string[], what: string) => {
    for (const key of Object.keys(obj)) {
      if (known.includes(key) || isComment(key)) continue
      const replacement = V2_KEYS[key]
      if (replacement) {
        warn(
          [...path, key],
          `"${key}" is a KrakenD v2 key that v3 silently ignores`,
          `rename it to "${replacement}"`,
        )
        continue
      }
      const suggestion = closest(key, known)
      if (suggestion)
        warn([...path, key], `unknown ${what} key "${key}" is ignored`, `did you mean "${suggestion}"?`)
    }
  }
  const checkNamespaces = (extra: unknown, path: KeyPath, level: NamespaceLevel) => {
    if (extra === undefined) return
    if (!isObject(extra)) {
      error(path, 'extra_config must be an object')
      return
    }
    for (const key of Object.keys(extra)) {
      const verdict = classifyNamespace(key, level, options.runtime)
      if (verdict.kind === 'error') error([...path, key], verdict.message, verdict.hint)
      else if (verdict.kind === 'warning') warn([...path, key], verdict.message, verdict.hint)
    }
  }

  const durationAt = (obj: Record<string, unknown>, key: string, path: KeyPath, fallback: number) => {
    const raw = obj[key]
    if (raw === undefined) return fallback
    const ms = parseDuration(raw)
    if (ms === undefined) {
      error(
        [...path, key],
        `"${key}" is not a duration: ${JSON.stringify(raw)}`,
        'write it like "2s", "1500ms" or "1m"',
      )
      return fallback
    }
    return ms
  }
  /** A duration the runtime waits with a timer: Node's timers hold at most MAX_TIMER_MS. */
  const timerAt = (obj: Record<string, unknown>, key: string, path: KeyPath, fallback: number) => {
    const ms = durationAt(obj, key, path, fallback)
    if (ms <= MAX_TIMER_MS) return ms
    warn(
      [...path, key],
      `"${key}" is longer than the longest wait Node can time (24.8 days): the gateway waits 24.8 days`,
      'write at most "596h" to say what the gateway does',
    )
    return MAX_TIMER_MS
  }
  const intAt = (
    obj: Record<string, unknown>,
    key: string,
    path: KeyPath,
    fallback: number,
    min = 0,
    max = Infinity,
  ) => {
    const raw = obj[key]
    if (raw === undefined) return fallback
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min || raw > max) {
      error(
        [...path, key],
        `"${key}" must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`,
      )
      return fallback
    }
    return raw
  }
  const stringListAt = (obj: Record<string, unknown>, key: string, path: KeyPath): string[] | undefined => {
    const raw = obj[key]
    if (raw === undefined) return undefined
    if (!Array.isArray(raw) || raw.some((item) => typeof item !== 'string')) {
      error([...path, key], `"${key}" must be a list of strings`)
      return undefined
    }
    return raw as string[]
  }
  const stringAt = (obj: Record<string, unknown>, key: string, path: KeyPath): string | undefined => {
    const raw = obj[key]
    if (raw === undefined) return undefined
    if (typeof raw !== 'string') {
      error([...path, key], `"${key}" must be a string, got ${JSON.stringify(raw)}`)
      return undefined
    }
    return raw
  }
  const boolAt = (obj: Record<string, unknown>, key: string, path: KeyPath, fallback: boolean) => {
    const raw = obj[key]
    if (raw === undefined) return fallback
    if (typeof raw !== 'boolean') {
      error([...path, key], `"${key}" must be true or false, got ${JSON.stringify(raw)}`)
      return fallback
    }
    return raw
  }
  const namespace = (obj: Record<string, unknown>, ns: string, path: KeyPath): Record<string, unknown> => {
    const extra = obj.extra_config
    if (!isObject(extra)) return {}
    const section = extra[ns]
    if (section === undefined) return {}
    if (!isObject(section)) {
      error([...path, 'extra_config', ns], `extra_config "${ns}" must be an object`)
      return {}
    }
    return section
  }

  checkKeys(value, [], ROOT_KEYS, 'root')
  checkServiceSettings(value, options.runtime, error, warn)
  checkNamespaces(value.extra_config, ['extra_config'], 'service')
  const report = { error, warn }
  const serviceComponents = parseServiceComponents(value.extra_config, ['extra_config'], report)

  if (value.version !== 3) {
    error(
      ['version'],
      value.version === undefined
        ? 'missing "version": this runtime reads KrakenD v3 configurations'
        : `"version" must be 3, got ${JSON.stringify(value.version)}`,
      value.version === 2 || value.version === 1
        ? 'migrate the file to v3 (see the KrakenD migration guide: renamed keys and namespaces), then set "version": 3'
        : 'set "version": 3',
    )
  }
  let name = stringAt(value, 'name', ['name']) ?? ''
  if (value.name === undefined) {
    warn(
      ['name'],
      'no "name": /__health and metrics will report an empty name',
      'gwdeploy stamps it on release',
    )
    name = ''
  }
  const port = intAt(value, 'port', [], 8080, 0, 65535)
  const listenIp = stringAt(value, 'listen_ip', ['listen_ip']) ?? '0.0.0.0'
  const rootHosts = hostsAt(value, ['host'], error)
  const timeoutMs = timerAt(value, 'timeout', [], 2000)
  if (timeoutMs <= 0 && value.timeout !== undefined) error(['timeout'], '"timeout" must be greater than 0')
  const cacheTtlS = cacheTtlAt(value, [], durationAt)
  const rootOutput = encodingAt(value, 'output_encoding', [], OUTPUT_ENCODINGS, 'json', error)

  const router = namespace(value, 'router', [])
  const runtimeNs = namespace(value, 'gwdeploy/runtime', [])
  const loggingNs = namespace(value, 'telemetry/logging', [])
  const rp = ['extra_config', 'router']
  const gp = ['extra_config', 'gwdeploy/runtime']
  const healthPath = stringAt(router, 'health_path', rp) ?? '/__health'
  if (!healthPath.startsWith('/')) error([...rp, 'health_path'], '"health_path" must start with "/"')

  const server = {
    readHeaderTimeoutMs: timerAt(value, 'read_header_timeout', [], 10_000),
    readTimeoutMs: timerAt(value, 'read_timeout', [], 30_000),
    writeTimeoutMs: timerAt(value, 'write_timeout', [], 0),
    idleTimeoutMs: timerAt(value, 'idle_timeout', [], 65_000),
    // Go's http.DefaultMaxHeaderBytes (KrakenD leaves it at 0, so Go's 1 MB applies).
    maxHeaderBytes: intAt(value, 'max_header_bytes', [], 1 << 20, 1024, 1 << 24),
    maxBodyBytes: intAt(router, 'max_payload', rp, 10 * 1024 * 1024, 0),
    maxBackendBodyBytes: intAt(runtimeNs, 'max_backend_body_bytes', gp, 32 * 1024 * 1024, 1),
    returnErrorMsg: boolAt(router, 'return_error_msg', rp, false),
    disableAccessLog: boolAt(router, 'disable_access_log', rp, false),
    healthPath,
    disableHealth: boolAt(router, 'disable_health', rp, false),
    autoOptions: boolAt(router, 'auto_options', rp, false),
    removeExtraSlash: boolAt(router, 'remove_extra_slash', rp, false),
    appEngine: boolAt(router, 'app_engine', rp, false),
    loggerSkipPaths: stringListAt(router, 'logger_skip_paths', rp) ?? [],
    disableCompression: boolAt(value, 'disable_compression', [], false),
    redirectTrailingSlash: !boolAt(router, 'disable_redirect_trailing_slash', rp, false),
    redirectFixedPath: !boolAt(router, 'disable_redirect_fixed_path', rp, false),
    handleMethodNotAllowed: !boolAt(router, 'disable_handle_method_not_allowed', rp, false),
    hideVersionHeader: boolAt(router, 'hide_version_header', rp, false),
    forwardedByClientIp: boolAt(router, 'forwarded_by_client_ip', rp, true),
    remoteIpHeaders: (stringListAt(router, 'remote_ip_headers', rp) ?? ['X-Forwarded-For', 'X-Real-IP']).map(
      (h) => h.toLowerCase(),
    ),
    ...errorBodies(router.error_body, rp, error),
    ...trustedProxiesAt(router, rp, error),
  }
  const runtime = {
    workers: intAt(runtimeNs, 'workers', gp, 0, 0, 1024),
    drainGraceMs: timerAt(runtimeNs, 'drain_grace', gp, 5000),
    // lura's max_shutdown_wait_time bounds the same wait (0, KrakenD's default, waits forever).
    drainTimeoutMs: timerAt(
      runtimeNs,
      'drain_timeout',
      gp,
      timerAt(value, 'max_shutdown_wait_time', [], 0) || 30_000,
    ),
    metricsPort: intAt(runtimeNs, 'metrics_port', gp, 0, 0, 65535),
    metricsListenIp: stringAt(runtimeNs, 'metrics_listen_ip', gp),
  }
  const lp = ['extra_config', 'telemetry/logging']
  const levelRaw = stringAt(loggingNs, 'level', lp)?.toUpperCase() ?? 'INFO'
  const level = (levelRaw === 'WARN' ? 'WARNING' : levelRaw) as LogLevel
  if (!LOG_LEVELS.includes(level))
    error([...lp, 'level'], `unknown log level "${levelRaw}"`, `use one of ${LOG_LEVELS.join(', ')}`)
  const formatRaw = stringAt(loggingNs, 'format', lp) ?? 'default'
  const format: LogFormat = formatRaw === 'json' || formatRaw === 'logstash' ? 'json' : 'default'
  if (!['default', 'json', 'logstash', 'custom'].includes(formatRaw))
    error(
      [...lp, 'format'],
      `unknown log format "${formatRaw}"`,
      'use "default" or "json" (alias "logstash")',
    )
  const logging = { level, format, prefix: stringAt(loggingNs, 'prefix', lp) ?? '[GATEWAY]' }

  const endpoints: EndpointConfig[] = []
  const rawEndpoints = value.endpoints
  if (rawEndpoints !== undefined && !Array.isArray(rawEndpoints))
    error(['endpoints'], '"endpoints" must be a list')
  const seen = new Map<string, string>()
  const paramNames = new Map<string, { name: string; at: string }>()
  const reserved = new Set<string>([...RESERVED_PATHS, healthPath])
  for (const [i, raw] of (Array.isArray(rawEndpoints) ? rawEndpoints : []).entries()) {
    const ep: KeyPath = ['endpoints', i]
    if (!isObject(raw)) {
      error(ep, 'an endpoint must be an object')
      continue
    }
    checkKeys(raw, ep, ENDPOINT_KEYS, 'endpoint')
    checkNamespaces(raw.extra_config, [...ep, 'extra_config'], 'endpoint')
    const endpointComponents = parseEndpointComponents(raw.extra_config, [...ep, 'extra_config'], report)
    const path = raw.endpoint
    if (typeof path !== 'string' || !path.startsWith('/')) {
      error([...ep, 'endpoint'], `"endpoint" must be a path starting with "/", got ${JSON.stringify(path)}`)
      continue
    }
    const label = `${typeof raw.method === 'string' ? raw.method.toUpperCase() : 'GET'} ${path}`
    const methodRaw = raw.method === undefined ? 'GET' : raw.method
    const method = typeof methodRaw === 'string' ? methodRaw.toUpperCase() : ''
    if (!(HTTP_METHODS as readonly string[]).includes(method))
      error(
        [...ep, 'method'],
        `endpoint ${path}: unsupported method ${JSON.stringify(methodRaw)}`,
        `use one of ${HTTP_METHODS.join(', ')}`,
      )
    const pathProblem = checkEndpointPath(path)
    if (pathProblem) error([...ep, 'endpoint'], `endpoint ${label}: ${pathProblem}`)
    const basePath = path.replace(/\/+$/, '') || '/'
    if (reserved.has(basePath) || [...reserved].some((r) => basePath.startsWith(`${r}/`)))
      error(
        [...ep, 'endpoint'],
        `endpoint ${label}: ${path} is reserved for the gateway itself`,
        'choose another path',
      )
    const key = `${method} ${normalisePattern(path)}`
    const first = seen.get(key)
    if (first)
      error(
        [...ep, 'endpoint'],
        `endpoint ${label} is declared twice (first at ${first})`,
        'remove or merge one of them',
      )
    else seen.set(key, formatKeyPath(ep))
    const conflict = wildcardConflict(method, path, paramNames)
    if (conflict && !first)
      error(
        [...ep, 'endpoint'],
        `endpoint ${label}: {${conflict.name}} is where ${conflict.at} has {${conflict.other}}; gin cannot register both and KrakenD does not start`,
        `name the parameter {${conflict.other}} as ${conflict.at} does`,
      )
    const endpointParams = new Set([...path.matchAll(PARAM)].map((m) => m[1] as string))

    const proxyNs = namespace(raw, 'proxy', ep)
    const pp = [...ep, 'extra_config', 'proxy']
    const sequential = isSequential(proxyNs, pp, boolAt(proxyNs, 'sequential', pp, false), warn)
    const staticResponse = staticAt(proxyNs, pp, error, warn)
    const endpointFlatmap = flatmapAt(proxyNs, pp, error)
    const outputEncoding = encodingAt(raw, 'output_encoding', ep, OUTPUT_ENCODINGS, rootOutput, error)
    const endpointTimeout = timerAt(raw, 'timeout', ep, timeoutMs)
    if (endpointTimeout <= 0 && raw.timeout !== undefined)
      error([...ep, 'timeout'], '"timeout" must be greater than 0')
    const concurrentCalls = intAt(raw, 'concurrent_calls', ep, 1, 1, 16)

    const backends: BackendConfig[] = []
    // lura's shadow factory takes shadow backends out of the endpoint: they only get a copy of the request.
    const shadows: BackendConfig[] = []
    const rawBackends = raw.backend
    if (!Array.isArray(rawBackends) || rawBackends.length === 0) {
      error(
        rawBackends === undefined ? ep : [...ep, 'backend'],
        `endpoint ${label} has no backend`,
        'add at least one entry to "backend" with a "url_pattern"',
      )
    }
    for (const [j, rawBackend] of (Array.isArray(rawBackends) ? rawBackends : []).entries()) {
      const bp: KeyPath = [...ep, 'backend', j]
      const what = `endpoint ${label}, backend ${j}`
      if (!isObject(rawBackend)) {
        error(bp, `${what} must be an object`)
        continue
      }
      checkKeys(rawBackend, bp, BACKEND_KEYS, 'backend')
      checkNamespaces(rawBackend.extra_config, [...bp, 'extra_config'], 'backend')
      const backendComponents = parseBackendComponents(
        rawBackend.extra_config,
        [...bp, 'extra_config'],
        report,
      )
      const urlPattern = rawBackend.url_pattern
      if (typeof urlPattern !== 'string' || urlPattern === '') {
        error([...bp, 'url_pattern'], `${what}: "url_pattern" is required`)
        continue
      }
      if (!urlPattern.startsWith('/'))
        error([...bp, 'url_pattern'], `${what}: "url_pattern" must start with "/"`)
      for (const match of urlPattern.matchAll(PARAM)) {
        const param = match[1] as string
        if (endpointParams.has(param)) continue
        // {JWT.claim}: filled from the validated token (auth/validator), as lura allows.
        if (/^JWT\.[\w\-.:/]+$/.test(param)) {
          if (!endpointComponents?.jwt)
            warn(
              [...bp, 'url_pattern'],
              `${what}: {${param}} is empty without "auth/validator" on the endpoint`,
              'add auth/validator to the endpoint',
            )
          continue
        }
        const seq = SEQUENTIAL_PARAM.exec(param)
        if (seq) {
          if (!sequential)
            error(
              [...bp, 'url_pattern'],
              `${what}: {${param}} uses a previous response but the endpoint is not sequential`,
              'set extra_config.proxy.sequential: true on the endpoint',
            )
          else if (Number(seq[1]) >= j)
            error(
              [...bp, 'url_pattern'],
              `${what}: {${param}} refers to backend ${seq[1]}, which does not run before it`,
            )
          continue
        }
        error(
          [...bp, 'url_pattern'],
          `${what}: {${param}} in url_pattern "${urlPattern}" is not a parameter of the endpoint ${path}`,
          endpointParams.size
            ? `the endpoint declares ${[...endpointParams].map((p) => `{${p}}`).join(', ')}`
            : 'declare it in the endpoint path',
        )
      }
      let hosts = hostsAt(rawBackend, [...bp, 'host'], error)
      if (hosts === undefined || hosts.length === 0) hosts = rootHosts
      if (hosts === undefined || hosts.length === 0) {
        error(
          [...bp, 'host'],
          `${what} has no host and there is no root "host" list`,
          'add "host": ["http://service:8080"]',
        )
        hosts = []
      }
      // lura's "dns" service discovery resolves SRV records: the hosts would mean something else here.
      if (rawBackend.sd !== undefined && rawBackend.sd !== 'static' && rawBackend.sd !== '')
        error(
          [...bp, 'sd'],
          `${what}: service discovery "sd": ${JSON.stringify(rawBackend.sd)} is not supported: the hosts would be called as they are written`,
          'list the backend instances in "host" (or a name your DNS resolves to them) and remove "sd"',
        )
      const bMethodRaw = rawBackend.method ?? method
      const bMethod = typeof bMethodRaw === 'string' ? bMethodRaw.toUpperCase() : ''
      if (!(HTTP_METHODS as readonly string[]).includes(bMethod))
        error([...bp, 'method'], `${what}: unsupported method ${JSON.stringify(bMethodRaw)}`)
      const httpNs = namespace(rawBackend, 'backend/http', bp)
      const hp = [...bp, 'extra_config', 'backend/http']
      const group = stringAt(rawBackend, 'group', bp)
      const target = stringAt(rawBackend, 'target', bp)
      const allow = stringListAt(rawBackend, 'allow', bp)
      const deny = stringListAt(rawBackend, 'deny', bp)
      const returnErrorDetails = stringAt(httpNs, 'return_error_details', hp)
      const backendProxyNs = namespace(rawBackend, 'proxy', bp)
      const flatmap = flatmapAt(backendProxyNs, [...bp, 'extra_config', 'proxy'], error)
      const shadowMs = shadowTimeoutMs(backendProxyNs, endpointTimeout)
      let mapping: Record<string, string> | undefined
      if (rawBackend.mapping !== undefined) {
        if (
          !isObject(rawBackend.mapping) ||
          Object.values(rawBackend.mapping).some((v) => typeof v !== 'string')
        )
          error([...bp, 'mapping'], `${what}: "mapping" must map field names to new names (strings)`)
        else mapping = rawBackend.mapping as Record<string, string>
      }
      const backend: BackendConfig = {
        urlPattern,
        hosts,
        method: bMethod as HttpMethod,
        encoding: encodingAt(rawBackend, 'encoding', bp, BACKEND_ENCODINGS, 'json', error),
        isCollection: boolAt(rawBackend, 'is_collection', bp, false),
        inputHeaders: stringListAt(rawBackend, 'input_headers', bp) ?? [],
        inputQueryStrings: stringListAt(rawBackend, 'input_query_strings', bp) ?? [],
        returnErrorCode: boolAt(httpNs, 'return_error_code', hp, false),
        path: formatKeyPath(bp),
        ...(group !== undefined ? { group } : {}),
        ...(target !== undefined ? { target } : {}),
        ...(allow !== undefined ? { allow } : {}),
        ...(deny !== undefined ? { deny } : {}),
        ...(mapping !== undefined ? { mapping } : {}),
        ...(returnErrorDetails ? { returnErrorDetails } : {}),
        ...(flatmap ? { flatmap } : {}),
        ...(shadowMs !== undefined ? { shadowTimeoutMs: shadowMs } : {}),
        ...(backendComponents ? { components: backendComponents } : {}),
      }
      if (allow && deny) warn([...bp, 'deny'], `${what}: both "allow" and "deny" are set; "allow" wins`)
      if (shadowMs === undefined) backends.push(backend)
      else shadows.push(backend)
    }
    if (shadows.length > 0 && backends.length === 0)
      error(
        [...ep, 'backend'],
        `endpoint ${label}: every backend is a shadow (proxy.shadow), so KrakenD cannot build it`,
        'keep at least one backend without "shadow": true',
      )
    // lura: only the endpoint's output_encoding makes a pass-through, and it forces its backend to no-op.
    const noop = outputEncoding === 'no-op'
    if (noop && backends.length > 1)
      error(
        [...ep, 'backend'],
        `endpoint ${label} uses the no-op encoding but has ${backends.length} backends`,
        'a no-op endpoint passes one backend through unchanged; keep exactly one backend or use json',
      )
    if (noop) for (const b of backends) b.encoding = 'no-op'
    else
      for (const [j, b] of backends.entries())
        if (b.encoding === 'no-op')
          warn(
            [...ep, 'backend', j, 'encoding'],
            `endpoint ${label}: backend ${j} uses no-op but the endpoint renders ${outputEncoding}: KrakenD discards that backend's answer (any status counts as an empty success)`,
            'set "output_encoding": "no-op" on the endpoint to pass the answer through',
          )
    const propagatedRaw = proxyNs.sequential_propagated_params
    let propagated: PropagatedParam[] = []
    if (propagatedRaw !== undefined) {
      const at = [...pp, 'sequential_propagated_params']
      if (!Array.isArray(propagatedRaw) || propagatedRaw.some((e) => typeof e !== 'string'))
        error(at, 'sequential_propagated_params must be a list of strings like "resp0_a.b" or "resp0"')
      else if (!sequential)
        warn(
          at,
          'sequential_propagated_params is ignored without "sequential": true',
          'set proxy.sequential: true',
        )
      else propagated = parsePropagated(propagatedRaw as string[], backends.length)
    }
    endpoints.push({
      endpoint: path,
      method: method as HttpMethod,
      backends,
      ...(shadows.length > 0 ? { shadows } : {}),
      inputHeaders: stringListAt(raw, 'input_headers', ep) ?? [],
      inputQueryStrings: stringListAt(raw, 'input_query_strings', ep) ?? [],
      outputEncoding: noop ? 'no-op' : outputEncoding,
      concurrentCalls,
      timeoutMs: endpointTimeout,
      cacheTtlS: cacheTtlAt(raw, ep, durationAt, cacheTtlS),
      sequential,
      ...(propagated.length > 0 ? { propagated } : {}),
      noop,
      ...(staticResponse ? { static: staticResponse } : {}),
      ...(endpointFlatmap ? { flatmap: endpointFlatmap } : {}),
      path: formatKeyPath(ep),
      ...(endpointComponents ? { components: endpointComponents } : {}),
    })
  }

  if (errors.length > 0) return { config: undefined, errors, warnings }
  const config: GatewayConfig = {
    version: 3,
    name,
    port,
    listenIp,
    timeoutMs,
    cacheTtlS,
    outputEncoding: rootOutput,
    endpoints,
    debugEndpoint: boolAt(value, 'debug_endpoint', [], false),
    echoEndpoint: boolAt(value, 'echo_endpoint', [], false),
    server,
    runtime,
    logging,
    ...(options.file ? { file: options.file } : {}),
    ...(serviceComponents ? { components: serviceComponents } : {}),
  }
  checkComponents(config, report)
  return { config, errors, warnings }
}

type WarnFn = (path: KeyPath, message: string, hint?: string) => void

/** proxy.static: `data` (an object) merged in when `strategy` matches (default "always"). */
function staticAt(
  proxyNs: Record<string, unknown>,
  path: KeyPath,
  error: ErrorFn,
  warn: WarnFn,
): StaticResponse | undefined {
  const raw = proxyNs.static
  if (raw === undefined) return undefined
  const sp = [...path, 'static']
  if (!isObject(raw) || !isObject(raw.data)) {
    error(
      isObject(raw) ? [...sp, 'data'] : sp,
      'proxy.static needs "data": an object merged into the response',
    )
    return undefined
  }
  let strategy: StaticStrategy = 'always'
  if (raw.strategy !== undefined) {
    if (typeof raw.strategy === 'string' && (STATIC_STRATEGIES as readonly string[]).includes(raw.strategy))
      strategy = raw.strategy as StaticStrategy
    else
      warn(
        [...sp, 'strategy'],
        `unknown static strategy ${JSON.stringify(raw.strategy)}: KrakenD applies the data always`,
        `use one of ${STATIC_STRATEGIES.join(', ')}`,
      )
  }
  return { strategy, data: raw.data }
}

/** proxy.flatmap_filter: [{type: move|del|append, args: [dot paths]}]. */
function flatmapAt(proxyNs: Record<string, unknown>, path: KeyPath, error: ErrorFn): FlatmapOp[] | undefined {
  const raw = proxyNs.flatmap_filter
  if (raw === undefined) return undefined
  const fp = [...path, 'flatmap_filter']
  if (!Array.isArray(raw)) {
    error(fp, 'flatmap_filter must be a list of {"type", "args"} operations')
    return undefined
  }
  const ops: FlatmapOp[] = []
  for (const [i, op] of raw.entries()) {
    const args = isObject(op) ? op.args : undefined
    if (
      !isObject(op) ||
      (op.type !== 'move' && op.type !== 'del' && op.type !== 'append') ||
      !Array.isArray(args) ||
      args.some((a) => typeof a !== 'string') ||
      (op.type === 'del' ? args.length === 0 : args.length !== 2)
    ) {
      error(
        [...fp, i],
        'a flatmap operation is {"type": "move"|"append", "args": [from, to]} or {"type": "del", "args": [path, ...]}',
      )
      continue
    }
    ops.push({ type: op.type, args: (args as string[]).map((a) => a.split('.')) })
  }
  return ops.length > 0 ? ops : undefined
}

/** router.trusted_proxies: IPs or CIDRs whose X-Forwarded-For / X-Real-IP are believed. */
function trustedProxiesAt(
  router: Record<string, unknown>,
  path: KeyPath,
  error: ErrorFn,
): { trustedProxies?: string[] } {
  const raw = router.trusted_proxies
  if (raw === undefined) return {}
  const list = Array.isArray(raw) ? raw : [raw]
  const out: string[] = []
  for (const [i, item] of list.entries()) {
    const [ip, bits, extra] = typeof item === 'string' ? item.split('/') : []
    const family = ip ? isIP(ip) : 0
    const max = family === 6 ? 128 : 32
    if (
      family === 0 ||
      extra !== undefined ||
      (bits !== undefined && (!/^\d+$/.test(bits) || Number(bits) > max))
    )
      error(
        [...path, 'trusted_proxies', i],
        `trusted_proxies entry ${JSON.stringify(item)} is not an IP or CIDR`,
      )
    else out.push(item as string)
  }
  return { trustedProxies: out }
}

function errorBodies(
  raw: unknown,
  path: KeyPath,
  error: ErrorFn,
): { errorBody404?: unknown; errorBody405?: unknown } {
  if (raw === undefined) return {}
  if (!isObject(raw)) {
    error([...path, 'error_body'], 'error_body must be an object with "404" and/or "405" JSON bodies')
    return {}
  }
  return {
    ...(raw['404'] !== undefined ? { errorBody404: raw['404'] } : {}),
    ...(raw['405'] !== undefined ? { errorBody405: raw['405'] } : {}),
  }
}

function closest(key: string, known: string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of known) {
    const d = distance(key.toLowerCase(), candidate)
    if (d < bestDistance) {
      bestDistance = d
      best = candidate
    }
  }
  const limit = key.length <= 4 ? 1 : key.length <= 8 ? 2 : 3
  return bestDistance <= limit ? best : undefined
}

type ErrorFn = (path: KeyPath, message: string, hint?: string) => void

function hostsAt(obj: Record<string, unknown>, path: KeyPath, error: ErrorFn): string[] | undefined {
  const raw = obj[path[path.length - 1] as string]
  if (raw === undefined) return undefined
  const list = typeof raw === 'string' ? [raw] : raw
  if (!Array.isArray(list)) {
    error(path, '"host" must be a list of URLs')
    return undefined
  }
  const hosts: string[] = []
  for (const [k, host] of list.entries()) {
    const origin = typeof host === 'string' ? normaliseHost(host) : undefined
    if (origin === undefined)
      error(
        [...path, k],
        `host ${JSON.stringify(host)} is not a valid URL`,
        'write it as "http://service:8080"',
      )
    else hosts.push(origin)
  }
  return hosts
}

/** `service:8080` -> `http://service:8080`; undefined when it is not an http(s) URL without path/query. */
export function normaliseHost(host: string): string | undefined {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host : `http://${host}`
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return undefined
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
  if (!url.hostname || url.username || url.password || url.search || url.hash) return undefined
  if (url.pathname !== '/' && url.pathname !== '') return undefined
  if (/\s/.test(host)) return undefined
  return url.origin
}

function encodingAt<T extends string>(
  obj: Record<string, unknown>,
  key: string,
  path: KeyPath,
  allowed: T[],
  fallback: T,
  error: ErrorFn,
): T {
  const raw = obj[key]
  if (raw === undefined) return fallback
  if (typeof raw !== 'string' || !(allowed as string[]).includes(raw)) {
    error(
      [...path, key],
      `unsupported ${key} ${JSON.stringify(raw)}`,
      `this runtime supports ${allowed.join(', ')}`,
    )
    return fallback
  }
  return raw as T
}

function cacheTtlAt(
  obj: Record<string, unknown>,
  path: KeyPath,
  durationAt: (obj: Record<string, unknown>, key: string, path: KeyPath, fallback: number) => number,
  fallbackS = 0,
): number {
  if (obj.cache_ttl === undefined) return fallbackS
  return Math.floor(durationAt(obj, 'cache_ttl', path, fallbackS * 1000) / 1000)
}

/** The endpoint path with params renamed, so `/a/{x}` and `/a/{y}` count as the same route. */
/** The route's shape: gin tells `/a` and `/a/` apart, and parameters by position only. */
function normalisePattern(path: string): string {
  return path.replace(PARAM, '{}')
}

/**
 * gin's tree keeps one wildcard per position in a method's routes: `/a/{x}` and `/a/{y}/b` make it
 * panic ("conflicts with existing wildcard"). Records each parameter's name by method and prefix.
 */
function wildcardConflict(
  method: string,
  path: string,
  names: Map<string, { name: string; at: string }>,
): { name: string; other: string; at: string } | undefined {
  const segments = path.split('/')
  for (const [i, segment] of segments.entries()) {
    const param = /^\{([^{}]+)\}$/.exec(segment)?.[1]
    if (param === undefined) continue
    const prefix = `${method} ${normalisePattern(segments.slice(0, i).join('/'))}/`
    const known = names.get(prefix)
    if (!known) names.set(prefix, { name: param, at: path })
    else if (known.name !== param) return { name: param, other: known.name, at: known.at }
  }
  return undefined
}

function checkEndpointPath(path: string): string | undefined {
  if (/[?#%\s]/.test(path)) return 'the path may not contain "?", "#", "%" or spaces'
  for (const segment of path.split('/')) {
    const opens = segment.split('{').length - 1
    const closes = segment.split('}').length - 1
    if (opens !== closes) return `unbalanced braces in "${segment}"`
    if (opens > 1) return `only one {param} per path segment is supported ("${segment}")`
    if (opens === 1 && !/^\{[A-Za-z_][A-Za-z0-9_-]*\}$/.test(segment))
      return `a {param} must fill the whole path segment and be a plain name ("${segment}")`
  }
  const names = [...path.matchAll(PARAM)].map((m) => m[1] as string)
  const repeated = names.find((name, i) => names.indexOf(name) !== i)
  if (repeated !== undefined)
    return `{${repeated}} appears twice in the path: the second value would silently replace the first`
  return undefined
}
