/**
 * How KrakenD reads `extra_config.router`: lura's gin engine (router/gin/engine.go) and krakend-ce's
 * error_body (router_engine.go) decode it with encoding/json into structs, so "Max_Payload" or
 * "Health_Path" is read (of two spellings, the last in Go's byte order); only auto_options is looked
 * up in the map by its exact key (lura's router/gin/router.go), so "Auto_Options" enables nothing.
 */
import { jsonFold, jsonFoldedKey } from '../../config/json-keys.ts'
import type { KeyPath } from '../../core/source-text.ts'
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
