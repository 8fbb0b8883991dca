/**
 * `qos/http-cache`'s options as krakend-httpcache reads them, and the warnings where KrakenD would
 * cache without the bounds the config seems to set (http-cache.ts is the cache itself).
 */
import { goKeyOrder, jsonFold } from '../../config/json-keys.ts'
import { closestKey } from '../../config/suggest.ts'
import type { KeyPath } from '../../core/source-text.ts'
import {
  droppedSpellings,
  losingSpellingMessage,
  undecodableSpellingMessage,
  undecodableSpellings,
} from './fields-spellings.ts'
import { isObject, type Report } from './types.ts'

export interface HttpCacheConfig {
  shared: boolean
  /** Bytes; 0 when not set. */
  maxSize: number
  /** 0 when not set. */
  maxItems: number
}

type OptionKind = 'boolean' | 'number'
/** krakend-httpcache's options by their encoding/json fold, with the JSON kind each decodes. */
const OPTIONS: Record<string, { field: keyof HttpCacheConfig; kind: OptionKind }> = {
  shared: { field: 'shared', kind: 'boolean' },
  max_size: { field: 'maxSize', kind: 'number' },
  max_items: { field: 'maxItems', kind: 'number' },
}
const option = (fold: string) => (Object.hasOwn(OPTIONS, fold) ? OPTIONS[fold] : undefined)
/**
 * lura's config holds numbers as float64 and krakend-httpcache re-marshals them: 2^64 (what
 * 18446744073709551615 reads as) no longer fits a uint64, everything below it does.
 */
const UINT64_END = 2 ** 64
/** From here on Go's int(maxSize) is negative: krakend/lru stores nothing. */
export const MAX_INT64 = 2 ** 63

/** Whether encoding/json decodes `value` into the option's Go field: a bool, or a uint64 from lura's float64. */
const decodes = (kind: OptionKind, value: unknown) =>
  kind === 'boolean'
    ? typeof value === 'boolean'
    : typeof value === 'number' &&
      Number.isInteger(value) &&
      value >= 0 &&
      !Object.is(value, -0) &&
      value < UINT64_END
const WANTED: Record<OptionKind, string> = { boolean: 'true or false', number: 'a whole number >= 0' }

/**
 * krakend-httpcache's options, read as json.Unmarshal reads the map KrakenD re-encodes with sorted
 * keys: keys match case-insensitively, of two spellings the last in Go's byte order wins, null
 * leaves a field alone, and any value of the wrong type makes KrakenD drop the whole config for an
 * unbounded cache of this backend's own. KrakenD refuses nothing here, and a wrong type written
 * under the option's only key is a warning; two spellings of one option (`refuseSpellings`: off
 * when the official KrakenD image reads the config itself) are refused where KrakenD silently
 * drops one of them or, for an empty one of another type ("Shared": "" beside "shared": true),
 * the whole config.
 */
export function parseHttpCache(
  raw: unknown,
  path: KeyPath,
  report: Report,
  refuseSpellings = true,
): HttpCacheConfig {
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
  const options = isObject(raw) ? raw : {}
  const refused = refuseSpellings ? refuseTwoSpellings(options, path, report) : new Set<string>()
  for (const [key, value] of Object.entries(options).sort(([a], [b]) => goKeyOrder(a, b))) {
    const opt = option(jsonFold(key))
    if (opt === undefined && !/^[@$_#]/.test(key)) {
      const meant = closestKey(key, ['shared', 'max_size', 'max_items'])
      report.warn(
        [...path, key],
        `unknown key "${key}" in "qos/http-cache" is ignored (by KrakenD too)`,
        meant ? `did you mean "${meant}"?` : 'the options are "shared", "max_size" and "max_items"',
      )
    }
    if (opt === undefined || value === null) continue
    if (!decodes(opt.kind, value))
      readable = badOption(report, [...path, key], key, value, WANTED[opt.kind], refused)
    else if (opt.field === 'shared') cfg.shared = value as boolean
    else cfg[opt.field] = value as number
  }
  if (!readable) return { shared: false, maxSize: 0, maxItems: 0 }
  warnBounds(cfg, path, report)
  return cfg
}

/**
 * Refuses a spelling of an option that encoding/json reads before the one it keeps ("SHARED" before
 * "shared"): one that sets something else is silently dropped (read, where the kept one is null),
 * and one of another type fails the decoding, and KrakenD then ignores every option. The keys refused.
 */
function refuseTwoSpellings(options: Record<string, unknown>, path: KeyPath, report: Report): Set<string> {
  const refused = new Set<string>()
  const undecodable = (key: string, kept: string, kind: OptionKind) => {
    refused.add(key)
    report.error(
      [...path, key],
      undecodableSpellingMessage(key, kept, options[key], WANTED[kind], 'qos/http-cache'),
      `remove "${key}"`,
    )
  }
  for (const [key, kept] of droppedSpellings(options)) {
    const opt = option(jsonFold(key))
    if (opt === undefined) continue
    if (!decodes(opt.kind, options[key])) undecodable(key, kept, opt.kind)
    else {
      refused.add(key)
      report.error(
        [...path, key],
        losingSpellingMessage(key, kept, options, opt.kind, 'qos/http-cache'),
        'keep one of them',
      )
    }
  }
  for (const [key, kept] of undecodableSpellings(options, (fold) => option(fold)?.kind)) {
    const opt = option(jsonFold(key))
    if (opt !== undefined && !refused.has(key)) undecodable(key, kept, opt.kind)
  }
  return refused
}

/** A wrong type, warned about unless its key is already refused as a second spelling. */
function badOption(
  report: Report,
  at: KeyPath,
  key: string,
  value: unknown,
  wanted: string,
  refused: Set<string>,
): false {
  if (refused.has(key)) return false
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
