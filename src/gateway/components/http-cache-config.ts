/**
 * `qos/http-cache`'s options as krakend-httpcache reads them, and the warnings where KrakenD would
 * cache without the bounds the config seems to set (http-cache.ts is the cache itself).
 */
import { closestKey } from '../../config/suggest.ts'
import type { KeyPath } from '../../core/source-text.ts'
import { isObject, type Report } from './types.ts'

export interface HttpCacheConfig {
  shared: boolean
  /** Bytes; 0 when not set. */
  maxSize: number
  /** 0 when not set. */
  maxItems: number
}

const OPTION_NAMES: Record<string, keyof HttpCacheConfig> = {
  SHARED: 'shared',
  MAX_SIZE: 'maxSize',
  MAX_ITEMS: 'maxItems',
}
/**
 * lura's config holds numbers as float64 and krakend-httpcache re-marshals them: 2^64 (what
 * 18446744073709551615 reads as) no longer fits a uint64, everything below it does.
 */
const UINT64_END = 2 ** 64
/** From here on Go's int(maxSize) is negative: krakend/lru stores nothing. */
export const MAX_INT64 = 2 ** 63

/** encoding/json's folding of a key onto a field name: ASCII case and Unicode simple folds. */
function foldKey(key: string): string {
  let out = ''
  for (const c of key) {
    const folded = c.toLowerCase().toUpperCase()
    out += [...folded].length === 1 ? folded : c
  }
  return out
}

/**
 * krakend-httpcache's options, read as json.Unmarshal reads them: keys match case-insensitively,
 * null leaves a field alone, and any value of the wrong type makes KrakenD drop the whole config for
 * an unbounded cache of this backend's own. KrakenD refuses nothing here, so neither do we: what
 * changes the cache's bounds is a warning.
 */
export function parseHttpCache(raw: unknown, path: KeyPath, report: Report): HttpCacheConfig {
  const cfg: HttpCacheConfig = { shared: false, maxSize: 0, maxItems: 0 }
  let readable = true
  if (raw !== null && !isObject(raw)) {
    readable = false
    report.warn(
      path,
      `KrakenD cannot read "qos/http-cache" as an object (got ${JSON.stringify(raw)}), so it caches this backend's answers in memory with no limit`,
      'write {} or {"max_size": <bytes>, "max_items": <count>}',
    )
  }
  for (const [key, value] of Object.entries(isObject(raw) ? raw : {})) {
    const folded = foldKey(key)
    const field = Object.hasOwn(OPTION_NAMES, folded) ? OPTION_NAMES[folded] : undefined
    if (field === undefined && !/^[@$_#]/.test(key)) {
      const meant = closestKey(key, ['shared', 'max_size', 'max_items'])
      report.warn(
        [...path, key],
        `unknown key "${key}" in "qos/http-cache" is ignored (by KrakenD too)`,
        meant ? `did you mean "${meant}"?` : 'the options are "shared", "max_size" and "max_items"',
      )
    }
    if (field === undefined || value === null) continue
    if (field === 'shared') {
      if (typeof value === 'boolean') cfg.shared = value
      else readable = badOption(report, [...path, key], key, value, 'true or false')
    } else if (
      typeof value === 'number' &&
      Number.isInteger(value) &&
      value >= 0 &&
      !Object.is(value, -0) &&
      value < UINT64_END
    )
      cfg[field] = value
    else readable = badOption(report, [...path, key], key, value, 'a whole number >= 0')
  }
  if (!readable) return { shared: false, maxSize: 0, maxItems: 0 }
  warnBounds(cfg, path, report)
  return cfg
}

function badOption(report: Report, at: KeyPath, key: string, value: unknown, wanted: string): false {
  report.warn(
    at,
    `"${key}" must be ${wanted} for KrakenD (got ${JSON.stringify(value)}): KrakenD then ignores the whole "qos/http-cache" config and caches this backend's answers in memory with no limit`,
    `fix "${key}"`,
  )
  return false
}

function warnBounds(cfg: HttpCacheConfig, path: KeyPath, report: Report): void {
  if (cfg.maxSize === 0 || cfg.maxItems === 0) {
    const half =
      cfg.maxSize !== 0
        ? ' ("max_size" alone is ignored)'
        : cfg.maxItems !== 0
          ? ' ("max_items" alone is ignored)'
          : ''
    report.warn(
      path,
      `${cfg.shared ? 'the cache shared by every "shared" backend' : "this backend's cache"} keeps every cacheable answer in memory with no limit${half}`,
      'set both "max_size" (bytes) and "max_items" for a bounded LRU cache',
    )
  } else if (cfg.maxSize >= MAX_INT64)
    report.warn(
      [...path, 'max_size'],
      '"max_size" is 2^63 or more: KrakenD\'s LRU then stores nothing',
      'use a smaller size in bytes',
    )
}

/**
 * Backends sharing the LRU get the sizes of the first one built (KrakenD creates the global LRU
 * once); later different sizes are ignored.
 */
export function checkSharedSizes(
  caches: Array<{ cfg: HttpCacheConfig; path: KeyPath }>,
  report: Report,
): void {
  let firstShared: HttpCacheConfig | undefined
  for (const { cfg, path } of caches) {
    if (!cfg.shared || cfg.maxSize === 0 || cfg.maxItems === 0) continue
    if (!firstShared) firstShared = cfg
    else if (cfg.maxSize !== firstShared.maxSize || cfg.maxItems !== firstShared.maxItems)
      report.warn(
        path,
        `the shared LRU cache is created with the first shared backend's sizes (max_size ${firstShared.maxSize}, max_items ${firstShared.maxItems}); these are ignored`,
        'give every shared backend the same sizes',
      )
  }
}
