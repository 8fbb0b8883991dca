/** One backend of an endpoint: its URL pattern, hosts, method and per-backend options. */

import { formatKeyPath, type KeyPath } from '../../core/source-text.ts'
import { isAmqpBackend, readAmqpBackend } from '../backend-amqp/backend.ts'
import { isPubsubBackend, readPubsub } from '../backend-pubsub/config.ts'
import { parseBackendComponents } from '../components/index.ts'
import { isObject } from '../components/types.ts'
import { goToTitle } from '../go-unicode-case.ts'
import { goParseUrl } from '../go-url-parse.ts'
import { backendWireMethod } from './backend-method.ts'
import { readSrvTarget } from './backend-sd.ts'
import { checkCollectionPaths } from './collection-paths.ts'
import { readBackendEncoding } from './encodings.ts'
import { PARAM } from './endpoint-paths.ts'
import type { FieldReader, ProblemAt } from './field-reader.ts'
import { flatmapAt, PROXY_KEYS, shadowTimeoutMs } from './proxy-options.ts'
import { type BackendConfig, isServedMethod } from './types.ts'
import { hasCredentials, quoteUrl } from './url-credentials.ts'

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
const SEQUENTIAL_PARAM = /^resp(\d+)_(.+)$/

/** What a backend takes from its endpoint. */
export interface BackendContext {
  /** `METHOD /path`, naming the endpoint in messages. */
  label: string
  path: string
  method: string
  /** The endpoint's method as written (`post`): lura copies it to a backend that names none. */
  writtenMethod?: string
  /** The endpoint path's {params}. */
  params: Set<string>
  /** The endpoint validates a JWT (auth/validator), so {JWT.claim} params are filled. */
  hasJwt: boolean
  sequential: boolean
  timeoutMs: number
  /** The root `host` list, for a backend that lists none. */
  rootHosts: string[] | undefined
  /** The root lists hosts and each was refused (already reported). */
  rootHostsRefused?: boolean
}

/** The backend at bp (the j-th of its endpoint); undefined when it is too broken to read on. */
export function readBackend(
  rawBackend: unknown,
  bp: KeyPath,
  j: number,
  endpoint: BackendContext,
  fields: FieldReader,
): BackendConfig | undefined {
  const { error, warn, namespace, stringAt, stringListAt, boolAt } = fields
  const what = `endpoint ${endpoint.label}, backend ${j}`
  if (!isObject(rawBackend)) {
    error(bp, `${what} must be an object`)
    return undefined
  }
  fields.checkKeys(rawBackend, bp, BACKEND_KEYS, 'backend', ['allow', 'deny'])
  fields.checkNamespaces(rawBackend.extra_config, [...bp, 'extra_config'], 'backend')
  const backendComponents = parseBackendComponents(
    rawBackend.extra_config,
    [...bp, 'extra_config'],
    fields.report,
    fields.componentChecks,
  )
  const writtenPattern = rawBackend.url_pattern
  if (typeof writtenPattern !== 'string' || writtenPattern === '') {
    error([...bp, 'url_pattern'], `${what}: "url_pattern" is required`)
    return undefined
  }
  // lura's CleanPath: a pattern without its leading `/` gets one (`t/{id}`, `http://x/y` is the path `/http://x/y`).
  const urlPattern = writtenPattern.startsWith('/') ? writtenPattern : `/${writtenPattern}`
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters Go's url.Parse refuses
  if (/[\x00-\x1f\x7f]/.test(urlPattern))
    error(
      [...bp, 'url_pattern'],
      `${what}: "url_pattern" holds a control character, which Go's url.Parse refuses: KrakenD would fail every call to this backend`,
      'remove the character (write it percent-encoded if the backend expects it)',
    )
  checkUrlPatternParams(urlPattern, bp, j, what, endpoint, fields)
  // A value mapstructure cannot read as a bool stops KrakenD; it was read as false here.
  const sanitizeOff = fields.boolAt(rawBackend, 'disable_host_sanitize', bp, false)
  // backend/amqp/*: the first host is the broker's URL (backend-amqp/backend.ts), no HTTP host
  const amqp = readAmqpBackend(rawBackend, bp, sanitizeOff, what, fields)
  // backend/pubsub/*: host[0] + topic_url (or subscription_url) is the driver's URL, no HTTP host
  const pubsub = readPubsub(rawBackend, bp, sanitizeOff, fields.report, fields.componentChecks.caseVariants)
  const http = !isAmqpBackend(rawBackend) && !isPubsubBackend(rawBackend)
  const srv =
    http && rawBackend.sd === 'dns' ? readSrvTarget(rawBackend, bp, what, sanitizeOff, fields) : undefined
  const hosts =
    !http || rawBackend.sd === 'dns' ? [] : staticHosts(rawBackend, bp, what, sanitizeOff, endpoint, error)
  if (
    http &&
    rawBackend.sd !== undefined &&
    rawBackend.sd !== 'static' &&
    rawBackend.sd !== '' &&
    rawBackend.sd !== 'dns'
  )
    error(
      [...bp, 'sd'],
      `${what}: service discovery "sd": ${JSON.stringify(rawBackend.sd)} is not supported: the hosts would be called as they are written`,
      'write "dns" (SRV records) or "static", or list the backend instances in "host" and remove "sd"',
    )
  const bMethodRaw = rawBackend.method ?? endpoint.writtenMethod ?? endpoint.method
  // An endpoint KrakenD does not serve (endpoint-config.ts) lends its method to no backend call.
  const inheritsUnserved = rawBackend.method === undefined && !isServedMethod(endpoint.method)
  let bMethod = typeof bMethodRaw === 'string' ? goToTitle(bMethodRaw) : ''
  if (typeof bMethodRaw === 'string' && !inheritsUnserved)
    bMethod = backendWireMethod(bMethodRaw, [...bp, 'method'], what, error) ?? bMethod
  else if (!inheritsUnserved)
    error([...bp, 'method'], `${what}: unsupported method ${JSON.stringify(bMethodRaw)}`)
  const httpNs = namespace(rawBackend, 'backend/http', bp)
  const hp = [...bp, 'extra_config', 'backend/http']
  const group = stringAt(rawBackend, 'group', bp)
  const target = stringAt(rawBackend, 'target', bp)
  const allow = stringListAt(rawBackend, 'allow', bp)
  const deny = stringListAt(rawBackend, 'deny', bp)
  const returnErrorDetails = stringAt(httpNs, 'return_error_details', hp)
  const backendProxyNs = namespace(rawBackend, 'proxy', bp)
  fields.checkExactKeyCase(backendProxyNs, [...bp, 'extra_config', 'proxy'], PROXY_KEYS, 'proxy')
  fields.checkExactKeyCase(httpNs, hp, ['return_error_code', 'return_error_details'], 'backend/http')
  const flatmap = flatmapAt(backendProxyNs, [...bp, 'extra_config', 'proxy'], error)
  const shadowMs = shadowTimeoutMs(backendProxyNs, endpoint.timeoutMs)
  let mapping: Record<string, string> | undefined
  if (rawBackend.mapping !== undefined) {
    if (!isObject(rawBackend.mapping) || Object.values(rawBackend.mapping).some((v) => typeof v !== 'string'))
      error([...bp, 'mapping'], `${what}: "mapping" must map field names to new names (strings)`)
    else mapping = rawBackend.mapping as Record<string, string>
  }
  const backend: BackendConfig = {
    urlPattern,
    hosts,
    ...(srv ? { srv } : {}),
    method: bMethod,
    ...(typeof bMethodRaw === 'string' && bMethodRaw !== bMethod ? { methodAsWritten: bMethodRaw } : {}),
    encoding: readBackendEncoding(fields, rawBackend, bp),
    isCollection: boolAt(rawBackend, 'is_collection', bp, false),
    inputHeaders: stringListAt(rawBackend, 'input_headers', bp) ?? [],
    inputQueryStrings: stringListAt(rawBackend, 'input_query_strings', bp) ?? [],
    // lura picks the status handler by return_error_details first: written at all (even ""), it
    // does not look at return_error_code.
    returnErrorCode: returnErrorDetails !== '' && boolAt(httpNs, 'return_error_code', hp, false),
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
    ...(amqp ? { amqp } : {}),
    ...(pubsub ? { pubsub } : {}),
  }
  if (allow?.length && deny?.length) checkDenyBesideAllow(allow, deny, bp, what, fields)
  if (flatmap) checkBesideFlatmap(backend, bp, what, fields)
  checkCollectionPaths(backend, bp, what, fields)
  if (returnErrorDetails === '' && httpNs.return_error_code === true)
    warn(
      [...hp, 'return_error_code'],
      `${what}: "return_error_code" is ignored: KrakenD reads "return_error_details" first, and an empty one means neither (a failing status answers 500)`,
    )
  return backend
}

/**
 * lura runs a backend's flatmap_filter in place of allow, deny and mapping, which it then never
 * applies: a field allow/deny would remove reaches the client. Refused (a guard is never silently
 * off); a mapping left out only warns.
 */
function checkBesideFlatmap(backend: BackendConfig, bp: KeyPath, what: string, fields: FieldReader): void {
  for (const key of ['allow', 'deny'] as const)
    if ((backend[key]?.length ?? 0) > 0)
      fields.error(
        [...bp, key],
        `${what}: "${key}" is never applied beside extra_config.proxy.flatmap_filter: KrakenD runs the flatmap operations in its place, so the fields it names would reach the client`,
        key === 'deny'
          ? 'remove those fields with flatmap "del" operations, or drop the flatmap_filter'
          : 'drop the other fields with flatmap "del" operations, or drop the flatmap_filter',
      )
  if (backend.mapping && Object.keys(backend.mapping).length > 0)
    fields.warn(
      [...bp, 'mapping'],
      `${what}: "mapping" is not applied beside extra_config.proxy.flatmap_filter (KrakenD runs the flatmap operations in its place)`,
      'rename with flatmap "move" operations',
    )
}

/**
 * lura applies only `allow` when both lists are set. A `deny` path inside an allowed field (or over
 * one) would then reach the client though the operator listed it for removal: refused. One outside
 * every allowed field is removed by `allow` anyway: a warning.
 */
function checkDenyBesideAllow(
  allow: string[],
  deny: string[],
  bp: KeyPath,
  what: string,
  fields: FieldReader,
) {
  const related = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`)
  for (const [i, path] of deny.entries()) {
    const kept = allow.find((a) => related(path, a))
    if (kept === undefined)
      fields.warn(
        [...bp, 'deny', i],
        `${what}: "deny" is not applied beside "allow" (KrakenD applies the allow list alone); "${path}" is outside every allowed field, so it is dropped anyway`,
      )
    else
      fields.error(
        [...bp, 'deny', i],
        `${what}: "deny" is never applied beside "allow": KrakenD applies the allow list alone, and "${kept}" in it keeps "${path}", so it would reach the client`,
        `list in "allow" only what the client may see (not "${path}"), or drop "allow" and use "deny" alone`,
      )
  }
}

/** Each {param} of url_pattern must come from the endpoint path, the JWT or an earlier response. */
function checkUrlPatternParams(
  urlPattern: string,
  bp: KeyPath,
  j: number,
  what: string,
  endpoint: BackendContext,
  { error, warn }: FieldReader,
): void {
  for (const match of urlPattern.matchAll(PARAM)) {
    const param = match[1] as string
    if (!/^[\w\-.:/]+$/.test(param)) {
      warn(
        [...bp, 'url_pattern'],
        `${what}: {${param}} in url_pattern "${urlPattern}" is no parameter for lura (a name is letters, digits and _ - . : /): it is sent as written`,
        'rename the parameter, or write the text without braces',
      )
      continue
    }
    if (endpoint.params.has(param)) continue
    // {JWT.claim}: filled from the validated token (auth/validator), as lura allows.
    if (/^JWT\.[\w\-.:/]+$/.test(param)) {
      if (!endpoint.hasJwt)
        warn(
          [...bp, 'url_pattern'],
          `${what}: {${param}} is empty without "auth/validator" on the endpoint`,
          'add auth/validator to the endpoint',
        )
      continue
    }
    const seq = SEQUENTIAL_PARAM.exec(param)
    if (seq) {
      if (!endpoint.sequential)
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
      `${what}: {${param}} in url_pattern "${urlPattern}" is not a parameter of the endpoint ${endpoint.path}`,
      endpoint.params.size
        ? `the endpoint declares ${[...endpoint.params].map((p) => `{${p}}`).join(', ')}`
        : 'declare it in the endpoint path',
    )
  }
}

/** The `host` list at path (a single string counts as a list of one), each as KrakenD builds URLs from it. */
/** The hosts a backend calls as written (its own, else the root's), reporting a backend left with none. */
function staticHosts(
  rawBackend: Record<string, unknown>,
  bp: KeyPath,
  what: string,
  sanitizeOff: boolean,
  endpoint: BackendContext,
  error: ProblemAt,
): string[] {
  let hosts = hostsAt(rawBackend, [...bp, 'host'], error, !sanitizeOff)
  // Hosts written (here or at the root) and each refused: no second problem about the hosts it does not have.
  const refused = hosts?.length === 0 && listedHosts(rawBackend.host) > 0
  if (hosts === undefined || hosts.length === 0) hosts = refused ? [] : endpoint.rootHosts
  const rootRefused = !refused && (hosts === undefined || hosts.length === 0) && endpoint.rootHostsRefused
  if ((hosts === undefined || hosts.length === 0) && !refused && !rootRefused) {
    error(
      [...bp, 'host'],
      `${what} has no host and there is no root "host" list`,
      'add "host": ["http://service:8080"]',
    )
  }
  return hosts ?? []
}

export function hostsAt(
  obj: Record<string, unknown>,
  path: KeyPath,
  error: ProblemAt,
  sanitized = true,
): string[] | undefined {
  const raw = obj[path[path.length - 1] as string]
  if (raw === undefined) return undefined
  const list = typeof raw === 'string' ? [raw] : raw
  if (!Array.isArray(list)) {
    error(path, '"host" must be a list of URLs')
    return undefined
  }
  const hosts: string[] = []
  for (const [k, host] of list.entries()) {
    const written = typeof host === 'string' ? normaliseHost(host, sanitized) : undefined
    if (written !== undefined && sanitized && luraRefusesHost(host as string))
      error(
        [...path, k],
        `host ${quoteUrl(host as string)} is refused by KrakenD's host check (lura: "invalid host"), so KrakenD would not start`,
        'write it as http(s)://name:port: a lower-case scheme, a name of letters, digits, ".", "_" or "-" (no {placeholder}, no [IPv6]) and a port',
      )
    else if (written !== undefined && !sanitized && typeof goParseUrl(written) === 'string')
      error(
        [...path, k],
        `host ${quoteUrl(written)} is refused by Go's url.Parse (${goParseUrl(written) as string}) and "disable_host_sanitize" is set: KrakenD fails every call to it (500)`,
        'write a host name of letters, digits, ".", "_" or "-" (percent escapes in a path must be valid)',
      )
    else if (written !== undefined) hosts.push(written)
    // lura's host pattern has no room for user info: KrakenD refuses the config (errInvalidHost).
    else if (typeof host === 'string' && hasCredentials(host))
      error(
        [...path, k],
        `host ${quoteUrl(host)} carries credentials, which a host cannot hold (KrakenD refuses it too)`,
        'write only scheme, host and port ("https://api.internal:8443"); send credentials with auth/client-credentials (OAuth2) or an "Authorization" header (modifier/martian header.Modifier), and rotate this password: it is in the config',
      )
    // Without the sanitizer lura adds no scheme: Go reads "svc:8080/a" as scheme "svc" and fails every call.
    else if (
      typeof host === 'string' &&
      !sanitized &&
      !SCHEME.test(host) &&
      normaliseHost(host) !== undefined
    )
      error(
        [...path, k],
        `host ${quoteUrl(host)} has no "http://" and "disable_host_sanitize" is set: KrakenD uses the host as written, and Go's transport fails every call to it (500, unsupported protocol scheme)`,
        `write it as ${JSON.stringify(`http://${host}`)}, or remove "disable_host_sanitize"`,
      )
    else error([...path, k], `host ${quoteUrl(host)} is not a valid URL`, 'write it as "http://service:8080"')
  }
  return hosts
}

const SCHEME = /^https?:\/\//i

// lura's hostPattern (config/uri.go): a host it does not match exactly once is errInvalidHost.
// Its port is 2 to 6 digits: `http://svc:9` matches twice (`http://svc`, then `9`).
const LURA_HOST = /(https?:\/\/)?([a-zA-Z0-9._-]+)(:[0-9]{2,6})?\/?/g

/** Whether lura's host sanitizer refuses `host` at startup (every host but a backend's with disable_host_sanitize). */
export const luraRefusesHost = (host: string): boolean => [...host.matchAll(LURA_HOST)].length !== 1

/** lura's host pattern's one match in `host`, when it matches exactly once. */
function luraHostMatch(host: string): RegExpExecArray | undefined {
  const matches = [...host.matchAll(LURA_HOST)]
  return matches.length === 1 ? (matches[0] as RegExpExecArray) : undefined
}

/** How many hosts a `host` value lists (a string is one). */
export const listedHosts = (raw: unknown): number =>
  typeof raw === 'string' ? 1 : Array.isArray(raw) ? raw.length : 0

/**
 * The host as lura builds the backend URL from it: sanitized, lura's CleanHost (`service:8080` ->
 * `http://service:8080`, a trailing `/` dropped, case and an explicit default port kept); with
 * disable_host_sanitize, the text as written (a path after the authority is a base path).
 * Undefined when it is not an http(s) URL this runtime can call.
 */
export function normaliseHost(host: string, sanitized = true): string | undefined {
  // lura's CleanHost takes its pattern's one match and drops the rest (`http://svc:80//`, `{svc:80}`).
  const single = sanitized ? luraHostMatch(host) : undefined
  if (single !== undefined) return `${single[1] ?? 'http://'}${single[2]}${single[3] ?? ''}`
  if (/\s/.test(host)) return undefined
  let written = host
  if (sanitized) {
    const match = /^(https?:\/\/)?([^/?#]*)\/?$/i.exec(host)
    if (!match) return undefined
    written = `${match[1] ?? 'http://'}${match[2]}`
  } else if (!SCHEME.test(host)) return undefined
  let url: URL
  try {
    url = new URL(written)
  } catch {
    return undefined
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
  if (!url.hostname || url.username || url.password || url.search || url.hash) return undefined
  if (written.includes('?') || written.includes('#')) return undefined
  // Go's http.NewRequest drops an empty port (removeEmptyPort): `http://svc:/a` is called, sent
  // (Host) and named in errors as `http://svc/a`
  return written.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*):(?=\/|$)/, '$1')
}
