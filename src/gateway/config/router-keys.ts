/**
 * How KrakenD reads `extra_config.router`: lura's gin engine (router/gin/engine.go) and krakend-ce's
 * error_body (router_engine.go) decode it with encoding/json into structs, so "Max_Payload" or
 * "Health_Path" is read (of two spellings, the last in Go's byte order); only auto_options is looked
 * up in the map by its exact key (lura's router/gin/router.go), so "Auto_Options" enables nothing.
 */
import { jsonFold, jsonFoldedKey } from '../../config/json-keys.ts'
import type { KeyPath } from '../../core/source-text.ts'
import { droppedSpellings } from '../components/fields-spellings.ts'
import type { Report } from '../components/types.ts'
import type { ProblemAt } from './field-reader.ts'

export const ROUTER_KEYS = [
  'app_engine',
  'auto_options',
  'disable_access_log',
  'disable_handle_method_not_allowed',
  'disable_health',
  'disable_path_decoding',
  'disable_redirect_fixed_path',
  'disable_redirect_trailing_slash',
  'error_body',
  'forwarded_by_client_ip',
  'health_path',
  'hide_version_header',
  'logger_skip_paths',
  'max_multipart_memory',
  'max_payload',
  'remote_ip_headers',
  'remove_extra_slash',
  'return_error_msg',
  'trusted_proxies',
]
const EXACT_KEYS = new Set(['auto_options'])
const FOLDED_KEYS = new Set(ROUTER_KEYS.filter((key) => !EXACT_KEYS.has(key)))

export interface RouterKeys {
  /** The options under their exact names, each from the spelling KrakenD takes. */
  read: Record<string, unknown>
  /** The keys no option reads (unknown ones, and another case of an exact key, already warned). */
  rest: Record<string, unknown>
  /** Each option's key as written in the file, where it differs from the option's name. */
  written: Map<string, string>
}

/** The router options as KrakenD reads them; another case of auto_options is warned about. */
export function readRouterKeys(router: Record<string, unknown>, path: KeyPath, warn: ProblemAt): RouterKeys {
  const read: Record<string, unknown> = {}
  const rest: Record<string, unknown> = {}
  const written = new Map<string, string>()
  for (const key of FOLDED_KEYS) {
    const spelled = jsonFoldedKey(router, key)
    if (spelled === undefined) continue
    read[key] = router[spelled]
    if (spelled !== key) written.set(key, spelled)
  }
  for (const [key, value] of Object.entries(router)) {
    const fold = jsonFold(key)
    if (FOLDED_KEYS.has(fold)) continue
    if (EXACT_KEYS.has(key)) read[key] = value
    else if (EXACT_KEYS.has(fold))
      warn(
        [...path, key],
        `"${key}" is ignored: KrakenD reads "${fold}" with its exact key (lura's router looks it up in a map), so this option is not set there nor here`,
        `write "${fold}" to set it`,
      )
    else rest[key] = value
  }
  return { read, rest, written }
}

/** A report placing a problem inside the router at the option's key as written in the file. */
export function routerReport(report: Report, path: KeyPath, written: Map<string, string>): Report {
  if (written.size === 0) return report
  const at = (p: KeyPath): KeyPath => {
    const key = p[path.length]
    const spelled = typeof key === 'string' ? written.get(key) : undefined
    return spelled === undefined ? p : [...p.slice(0, path.length), spelled, ...p.slice(path.length + 1)]
  }
  return {
    error: (p, message, hint) => report.error(at(p), message, hint),
    warn: (p, message, hint) => report.warn(at(p), message, hint),
  }
}

/** The Go type of each field of lura's gin engineConfiguration (router/gin/engine.go). */
const GIN_FIELDS: Record<string, 'bool' | 'strings' | 'string' | 'int64'> = {
  disable_redirect_trailing_slash: 'bool',
  disable_redirect_fixed_path: 'bool',
  disable_handle_method_not_allowed: 'bool',
  forwarded_by_client_ip: 'bool',
  remote_ip_headers: 'strings',
  trusted_proxies: 'strings',
  app_engine: 'bool',
  max_multipart_memory: 'int64',
  remove_extra_slash: 'bool',
  logger_skip_paths: 'strings',
  auto_options: 'bool',
  return_error_msg: 'bool',
  disable_health: 'bool',
  health_path: 'string',
  disable_access_log: 'bool',
  disable_path_decoding: 'bool',
  hide_version_header: 'bool',
  use_h2c: 'bool',
}
const GO_TYPE_NAMES = {
  bool: 'true or false',
  strings: 'a list of strings',
  string: 'a string',
  int64: 'a whole number',
}
/** Fields no reader here type-checks: every spelling of them is checked against Go's type. */
const UNREAD = new Set(['max_multipart_memory', 'use_h2c'])

const decodes = (value: unknown, type: keyof typeof GO_TYPE_NAMES): boolean =>
  value === null ||
  (type === 'bool'
    ? typeof value === 'boolean'
    : type === 'string'
      ? typeof value === 'string'
      : type === 'int64'
        ? // KrakenD CE 2.13.8 fails on 2^63 (how 9223372036854775807 reads) and on -2^63 too
          Number.isInteger(value) && Math.abs(value as number) < 2 ** 63
        : Array.isArray(value) && value.every((item) => item === null || typeof item === 'string'))

/**
 * Router keys lura's gin engine cannot decode: it decodes the whole router namespace into one
 * struct and, on any type error, applies none of it — KrakenD CE 2.13.8 then trusted
 * X-Forwarded-For from every peer (gin's defaults) with `"Trusted_Proxies": ""` beside
 * `"trusted_proxies": ["10.0.0.0/8"]`. The spellings the readers here take are type-checked there;
 * this covers the rest: a spelling that loses to another, auto_options in another case (lura's
 * router reads only the exact key, gin's struct any), and the fields read by nobody here.
 */
export function ginUndecodable(router: Record<string, unknown>, path: KeyPath, error: ProblemAt): void {
  for (const [key, value] of Object.entries(router)) {
    const field = jsonFold(key)
    const type = GIN_FIELDS[field]
    if (type === undefined || decodes(value, type)) continue
    const readHere = EXACT_KEYS.has(field) ? key === field : jsonFoldedKey(router, field) === key
    if (readHere && !UNREAD.has(field)) continue
    error(
      [...path, key],
      `"${key}" holds ${JSON.stringify(value)}, not ${GO_TYPE_NAMES[type]}: lura's gin engine cannot decode the router options then, and KrakenD applies none of them (trusted_proxies, remote_ip_headers, forwarded_by_client_ip, the redirects, health_path, ...), trusting X-Forwarded-For from any peer`,
      key === field ? `write ${GO_TYPE_NAMES[type]}` : `remove "${key}"`,
    )
  }
}

/**
 * Two spellings of error_body that set different bodies ("ERROR_BODY" beside "error_body"):
 * krakend-ce decodes the router into one struct with encoding/json, in byte order, so the kept
 * spelling's "404" and "405" land on the other's and each one it lacks stays. KrakenD CE 2.13.8
 * answered a 405 with {"b":2} from "ERROR_BODY": {"405": {"b":2}} beside "error_body":
 * {"404": {"c":3}}; this runtime reads the kept spelling only, so such a pair is refused.
 */
export function errorBodySpellings(router: Record<string, unknown>, path: KeyPath, error: ProblemAt): void {
  for (const [key, kept] of droppedSpellings(router))
    if (jsonFold(key) === 'error_body')
      error(
        [...path, key],
        `"${key}" and "${kept}" both spell error_body: KrakenD decodes them one after the other (byte order) into the same bodies, so it serves the "404" or "405" of "${key}" that "${kept}" does not set (and skips "${key}" if it is not an object)`,
        `merge them into "${kept}"`,
      )
}
