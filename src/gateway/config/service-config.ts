/**
 * The service level of a KrakenD v3 config: root keys and the `router`, `gwdeploy/runtime` and
 * `telemetry/logging` namespaces, read into the server, runtime and logging options.
 */

import { isIP } from 'node:net'
import type { KeyPath } from '../../core/source-text.ts'
import { parseServiceComponents } from '../components/index.ts'
import { isObject } from '../components/types.ts'
import { parseGoIp, parseTrustedNets } from '../go-ip.ts'
import { hostsAt, listedHosts } from './backend-config.ts'
import { readClientTls } from './client-tls.ts'
import { MAX_TIMER_MS } from './duration.ts'
import { readServiceOutputEncoding } from './encodings.ts'
import { createFieldReader, type FieldReader, type ProblemAt } from './field-reader.ts'
import {
  errorBodySpellings,
  ginUndecodable,
  ROUTER_KEYS,
  readRouterKeys,
  routerReport,
} from './router-keys.ts'
import { checkServiceSettings } from './service-settings.ts'
import { readTransport } from './transport-config.ts'
import type { GatewayConfig, LogFormat, LoggingOptions, LogLevel } from './types.ts'

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
/** The bound on a request body read whole into memory when router.max_payload is unset. */
const BUFFERED_BODY_BYTES = 10 * 1024 * 1024

const LOG_LEVELS: LogLevel[] = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL']

export type ServiceConfig = Pick<
  GatewayConfig,
  | 'name'
  | 'port'
  | 'listenIp'
  | 'timeoutMs'
  | 'cacheTtlMs'
  | 'outputEncoding'
  | 'server'
  | 'runtime'
  | 'transport'
  | 'clientTls'
  | 'logging'
  | 'components'
> & {
  /** The root `host` list: the hosts of every backend that lists none. */
  hosts: string[] | undefined
  /** The root lists hosts and each was refused (reported): backends need not report that they have none. */
  hostsRefused: boolean
}

export function readServiceConfig(value: Record<string, unknown>, fields: FieldReader): ServiceConfig {
  const { error, warn, checkKeys, checkNamespaces, namespace } = fields
  const { timerAt, intAt, stringAt, boolAt } = fields
  checkKeys(value, [], ROOT_KEYS, 'root')
  checkServiceSettings(value, fields.runtime, error, warn)
  checkNamespaces(value.extra_config, ['extra_config'], 'service')
  const components = parseServiceComponents(
    value.extra_config,
    ['extra_config'],
    fields.report,
    fields.componentChecks,
  )

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
  let name = stringAt(value, 'name', []) ?? ''
  if (value.name === undefined) {
    warn(
      ['name'],
      'no "name": /__health and metrics will report an empty name',
      'gwdeploy stamps it on release',
    )
    name = ''
  }
  const port = intAt(value, 'port', [], 8080, 0, 65535)
  const listenIp = stringAt(value, 'listen_ip', []) ?? '0.0.0.0'
  // lura's Init: a listen_ip Go's net.ParseIP refuses (a name, a zone) stops KrakenD from starting.
  if (listenIp !== '' && (isIP(listenIp) === 0 || listenIp.includes('%')))
    error(
      ['listen_ip'],
      `"listen_ip" ${JSON.stringify(listenIp)} is not an IP address: KrakenD does not start ("invalid ip address")`,
      'write an IP such as "0.0.0.0", or remove it',
    )
  // Read for their type only (this runtime has no use for them): KrakenD does not start with another.
  for (const key of ['use_h2c', 'sequential_start', 'disable_rest']) boolAt(value, key, [], false)
  const hosts = hostsAt(value, ['host'], error)
  // lura's Init: a service timeout of 0 is its default, 2s.
  const timeoutMs = fields.requestTimeoutAt(value, [], 2000)
  const cacheTtlMs = fields.cacheTtlAt(value, [])
  const outputEncoding = readServiceOutputEncoding(fields, value)

  const routerAsWritten = namespace(value, 'router', [])
  const runtimeNs = namespace(value, 'gwdeploy/runtime', [])
  const loggingNs = namespace(value, 'telemetry/logging', [])
  const rp = ['extra_config', 'router']
  // lura decodes the router options with encoding/json: "Max_Payload" is max_payload there.
  const { read: router, rest: routerRest, written } = readRouterKeys(routerAsWritten, rp, warn)
  ginUndecodable(routerAsWritten, rp, error)
  errorBodySpellings(routerAsWritten, rp, error)
  checkKeys(routerRest, rp, ROUTER_KEYS, 'router')
  const routerFields =
    written.size === 0 ? fields : createFieldReader(routerReport(fields.report, rp, written), fields.runtime)
  const routerError = routerFields.report.error
  const gp = ['extra_config', 'gwdeploy/runtime']
  // The runtime's own listeners bind to an address, never a name to resolve at start.
  const ipAt = (obj: Record<string, unknown>, key: string): string | undefined => {
    const ip = stringAt(obj, key, gp)
    if (ip === undefined || isIP(ip) !== 0) return ip
    error(
      [...gp, key],
      `"${key}" must be an IP address, got ${JSON.stringify(ip)}`,
      'e.g. "127.0.0.1" or "0.0.0.0"',
    )
    return undefined
  }
  const healthPath = routerFields.stringAt(router, 'health_path', rp) ?? '/__health'
  if (!healthPath.startsWith('/')) error([...rp, 'health_path'], '"health_path" must start with "/"')

  // max_payload is KrakenD EE's (CE ignores it): a body streamed to one backend has no bound
  // unless it is set; one read whole first (see request-stream.ts) is held in memory, 10 MiB at most.
  const maxPayload = routerFields.intAt(router, 'max_payload', rp, BUFFERED_BODY_BYTES, 0)
  // lura hands these to Go's http.Server as written, unset being 0: no deadline at all (a slow
  // client, an idle keep-alive connection wait forever) unless the config sets one.
  const readTimeoutMs = noDeadline(timerAt(value, 'read_timeout', [], 0), 0)
  const idleTimeoutMs = timerAt(value, 'idle_timeout', [], 0)
  const server = {
    // Go's http.Server sets no deadline for a negative one (d > 0 checks); a 0 read_header_timeout
    // is the read_timeout's (server.ts), a negative one none, though read_timeout still bounds the headers.
    readHeaderTimeoutMs: noDeadline(timerAt(value, 'read_header_timeout', [], 0), MAX_TIMER_MS),
    readTimeoutMs,
    writeTimeoutMs: noDeadline(timerAt(value, 'write_timeout', [], 0), 0),
    idleTimeoutMs: noDeadline(idleTimeoutMs, 0),
    keepAliveTimeoutMs: idleTimeoutMs === 0 ? readTimeoutMs : noDeadline(idleTimeoutMs, 0),
    // Go's http.DefaultMaxHeaderBytes (KrakenD leaves it at 0, so Go's 1 MB applies).
    maxHeaderBytes: maxHeaderBytesAt(value, fields),
    maxBodyBytes: maxPayload,
    streamedBodyBytes: router.max_payload === undefined ? Number.POSITIVE_INFINITY : maxPayload,
    maxBackendBodyBytes: intAt(runtimeNs, 'max_backend_body_bytes', gp, 32 * 1024 * 1024, 1),
    returnErrorMsg: routerFields.boolAt(router, 'return_error_msg', rp, false),
    disableAccessLog: routerFields.boolAt(router, 'disable_access_log', rp, false),
    healthPath,
    disableHealth: routerFields.boolAt(router, 'disable_health', rp, false),
    autoOptions: routerFields.boolAt(router, 'auto_options', rp, false),
    removeExtraSlash: routerFields.boolAt(router, 'remove_extra_slash', rp, false),
    disablePathDecoding: routerFields.boolAt(router, 'disable_path_decoding', rp, false),
    appEngine: routerFields.boolAt(router, 'app_engine', rp, false),
    loggerSkipPaths: routerFields.stringListAt(router, 'logger_skip_paths', rp) ?? [],
    disableCompression: boolAt(value, 'disable_compression', [], false),
    redirectTrailingSlash: !routerFields.boolAt(router, 'disable_redirect_trailing_slash', rp, false),
    redirectFixedPath: !routerFields.boolAt(router, 'disable_redirect_fixed_path', rp, false),
    handleMethodNotAllowed: !routerFields.boolAt(router, 'disable_handle_method_not_allowed', rp, false),
    hideVersionHeader: routerFields.boolAt(router, 'hide_version_header', rp, false),
    forwardedByClientIp: routerFields.boolAt(router, 'forwarded_by_client_ip', rp, true),
    remoteIpHeaders: remoteIpHeadersAt(routerFields.stringListAt(router, 'remote_ip_headers', rp)),
    ...errorBodies(router.error_body, rp, routerError),
    ...trustedProxiesAt(router, rp, routerError, routerFields.report.warn),
  }
  const runtime = {
    workers: intAt(runtimeNs, 'workers', gp, 0, 0, 1024),
    drainGraceMs: fields.ownTimerAt(runtimeNs, 'drain_grace', gp, 5000),
    // lura's max_shutdown_wait_time bounds the same wait; 0 (its default) or below waits for the
    // requests in flight however long they take (Shutdown with no deadline): as long as a timer holds.
    drainTimeoutMs: fields.ownTimerAt(
      runtimeNs,
      'drain_timeout',
      gp,
      Math.max(timerAt(value, 'max_shutdown_wait_time', [], 0), 0) || MAX_TIMER_MS,
    ),
    metricsPort: intAt(runtimeNs, 'metrics_port', gp, 0, 0, 65535),
    metricsListenIp: ipAt(runtimeNs, 'metrics_listen_ip'),
    revokerListenIp: ipAt(runtimeNs, 'revoker_listen_ip'),
  }
  const transport = readTransport(value, fields)
  const clientTls = fields.runtime === 'krakend' ? undefined : readClientTls(value, fields)
  const logging = loggingAt(loggingNs, fields)
  return {
    name,
    port,
    listenIp,
    hosts,
    hostsRefused: hosts?.length === 0 && listedHosts(value.host) > 0,
    timeoutMs,
    cacheTtlMs,
    outputEncoding,
    server,
    runtime,
    transport,
    clientTls,
    logging,
    components,
  }
}

/** max_header_bytes: Go's http.Server reads 0 or below as its default, 1 MB. */
function maxHeaderBytesAt(value: Record<string, unknown>, { intAt, error }: FieldReader): number {
  const bytes = intAt(value, 'max_header_bytes', [], 1 << 20, Number.MIN_SAFE_INTEGER, 1 << 24)
  if (bytes <= 0) return 1 << 20
  if (bytes >= 1024) return bytes
  error(
    ['max_header_bytes'],
    `"max_header_bytes" must be 0 or below (Go's default, 1 MB) or between 1024 and ${1 << 24}, got ${bytes}`,
    'this runtime holds at least 1 KB of request head',
  )
  return 1 << 20
}

/** A server timeout below 0, which Go's http.Server reads as none: `none` here. */
const noDeadline = (ms: number, none: number) => (ms < 0 ? none : ms)

/** telemetry/logging: level, format and prefix. */
function loggingAt(loggingNs: Record<string, unknown>, { error, stringAt }: FieldReader): LoggingOptions {
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
  return { level, format, prefix: stringAt(loggingNs, 'prefix', lp) ?? '[GATEWAY]' }
}

/** lura keeps gin's X-Forwarded-For and X-Real-IP unless the list names at least one header. */
function remoteIpHeadersAt(list: string[] | undefined): string[] {
  return (list !== undefined && list.length > 0 ? list : ['X-Forwarded-For', 'X-Real-IP']).map((h) =>
    h.toLowerCase(),
  )
}

/**
 * router.trusted_proxies: IPs or CIDRs whose X-Forwarded-For / X-Real-IP are believed. lura sets
 * them only when the list names one: empty or null keeps gin's default, every proxy trusted.
 */
function trustedProxiesAt(
  router: Record<string, unknown>,
  path: KeyPath,
  error: ProblemAt,
  warn: ProblemAt,
): { trustedProxies?: string[] } {
  const raw = router.trusted_proxies
  if (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0)) return {}
  if (!Array.isArray(raw)) {
    // encoding/json fails the whole router block on it: KrakenD then trusts every proxy and drops
    // the other router options read with it.
    error(
      [...path, 'trusted_proxies'],
      `"trusted_proxies" must be a list of IPs or CIDRs, got ${JSON.stringify(raw)}`,
      'write it as a list, e.g. ["10.0.0.0/8"]',
    )
    return {}
  }
  const out: string[] = []
  for (const [i, item] of raw.entries()) {
    // gin stops at the first entry Go's net package cannot read and silently trusts only those before it.
    if (typeof item !== 'string' || parseTrustedNets([item]).bad !== undefined)
      error(
        [...path, 'trusted_proxies', i],
        `trusted_proxies entry ${JSON.stringify(item)} is not an IP or CIDR`,
        'KrakenD would silently drop it and every entry after it; write an IP like "10.0.0.1" or a CIDR like "10.0.0.0/8"',
      )
    else {
      const mapped = mappedIpv4Entry(item)
      if (mapped) warn([...path, 'trusted_proxies', i], mapped.message, mapped.hint)
      out.push(item)
    }
  }
  return { trustedProxies: out }
}

/**
 * An IPv4 address written in IPv6 form (`::ffff:10.0.0.1`) without a prefix: gin appends /32 as
 * for any IPv4 address, and Go reads `::ffff:10.0.0.1/32` as the IPv6 network ::/32, which matches
 * no IPv4 peer and IPv6 peers such as ::1. Kept as KrakenD reads it, with a warning.
 */
function mappedIpv4Entry(entry: string): { message: string; hint: string } | undefined {
  if (!entry.includes(':') || entry.includes('/')) return undefined
  const ip = parseGoIp(entry)
  if (ip?.length !== 4) return undefined
  return {
    message: `trusted_proxies entry ${JSON.stringify(entry)} is an IPv4 address written as IPv6: gin appends /32 to it and trusts the IPv6 network ::/32 (peers such as ::1), not the proxy ${ip.join('.')}, in KrakenD as here`,
    hint: `write "${ip.join('.')}"`,
  }
}

/** router.error_body: JSON bodies for the router's own 404 and 405. */
function errorBodies(
  raw: unknown,
  path: KeyPath,
  error: ProblemAt,
): { errorBody404?: unknown; errorBody405?: unknown } {
  if (raw === undefined) return {}
  if (!isObject(raw)) {
    error([...path, 'error_body'], 'error_body must be an object with "404" and/or "405" JSON bodies')
    return {}
  }
  // krakend-ce keeps gin's own answer for a body that is null (a nil interface{}).
  return {
    ...(raw['404'] !== undefined && raw['404'] !== null ? { errorBody404: raw['404'] } : {}),
    ...(raw['405'] !== undefined && raw['405'] !== null ? { errorBody405: raw['405'] } : {}),
  }
}
