/**
 * Typed reads of config fields: each returns the value, or reports a problem at the field's key path
 * and returns the fallback, so one validation run lists every problem in the file.
 */
import { classifyNamespace, guardingNamespace, type NamespaceLevel } from '../../config/gateway-namespaces.ts'
import { jsonFold } from '../../config/json-keys.ts'
import { closestKey } from '../../config/suggest.ts'
import type { KeyPath } from '../../core/source-text.ts'
import { isObject, type Report } from '../components/types.ts'
import { GUARDING_KEYS } from './duplicate-keys.ts'
import { MAX_TIMER_MS, readKrakendDuration } from './duration.ts'

export type ProblemAt = (path: KeyPath, message: string, hint?: string) => void
type Fields = Record<string, unknown>

/** KrakenD v2 keys a v3 KrakenD silently ignores, with their replacement. */
const V2_KEYS: Record<string, string> = {
  headers_to_pass: 'input_headers',
  querystring_params: 'input_query_strings',
  whitelist: 'allow',
  blacklist: 'deny',
}

const isComment = (key: string) => /^[@$_#]/.test(key)

/** A value that sets nothing: null, "", [] or {}. */
export const setsNothing = (value: unknown) =>
  value === null || value === '' || (typeof value === 'object' && Object.keys(value as object).length === 0)

/** The known key `key` spells in another case: KrakenD's Go decoders match keys case-insensitively. */
export const sameKeyOtherCase = (key: string, known: Iterable<string>): string | undefined => {
  const folded = jsonFold(key)
  for (const k of known) if (k !== key && jsonFold(k) === folded) return k
  return undefined
}

/** Why a key written in another case is refused rather than read or ignored. */
export const caseVariantMessage = (key: string, spelled: string) =>
  `"${key}" is read by KrakenD as "${spelled}" (Go matches these keys in any case); this runtime reads keys as written`

/**
 * Why an unknown key holds a guard nobody reads: it is a guarding namespace written beside
 * `extra_config` instead of inside it, or an object holding such namespaces under a name that is
 * not `extra_config`.
 */
function strayGuards(key: string, value: unknown): { message: string; hint: string } | undefined {
  const own = guardingNamespace(key)
  if (own !== undefined)
    return {
      message: `"${key}" is an extra_config namespace written outside "extra_config": KrakenD ignores it here, so "${own}" would guard nothing`,
      hint: 'move it into the "extra_config" object beside it',
    }
  if (!isObject(value)) return undefined
  const inside = Object.keys(value).filter((name) => guardingNamespace(name) !== undefined)
  if (inside.length === 0) return undefined
  return {
    message: `"${key}" holds ${inside.map((name) => `"${name}"`).join(', ')} but is not "extra_config": KrakenD ignores it, so ${inside.length === 1 ? 'that namespace guards' : 'those namespaces guard'} nothing`,
    hint: 'rename it to "extra_config" (or move its namespaces there)',
  }
}

const integerRange = (min: number, max: number) =>
  min === Number.MIN_SAFE_INTEGER
    ? max === Number.POSITIVE_INFINITY
      ? 'an integer'
      : `an integer of at most ${max}`
    : max === Number.POSITIVE_INFINITY
      ? `an integer of at least ${min}`
      : `an integer between ${min} and ${max}`

export type FieldReader = ReturnType<typeof createFieldReader>

export function createFieldReader(report: Report, runtime: 'bundled' | 'krakend' | undefined) {
  const { error, warn } = report

  /**
   * Refuses known keys written in another case, warns about v2 leftovers and likely typos; other
   * unknown keys (vendor extensions) pass. A likely typo of a `guards` key that is absent is
   * refused: what looks like a filter (a backend's "deyn" for "deny") would filter nothing.
   */
  const checkKeys = (obj: Fields, path: KeyPath, known: string[], what: string, guards: string[] = []) => {
    for (const key of Object.keys(obj)) {
      if (known.includes(key) || isComment(key)) continue
      const spelled = sameKeyOtherCase(key, known)
      // mapstructure (krakend-koanf) takes the exact key, else the one key matching it in any case.
      if (spelled !== undefined && Object.hasOwn(obj, spelled)) {
        // What a guarding key's ignored spelling holds is dropped without a word, in KrakenD too.
        if (
          GUARDING_KEYS.has(spelled) &&
          !setsNothing(obj[key]) &&
          JSON.stringify(obj[key]) !== JSON.stringify(obj[spelled])
        ) {
          error(
            [...path, key],
            `"${key}" is ignored: "${spelled}" is written beside it, and KrakenD reads the exact key over another case, so what "${key}" sets is silently dropped`,
            `merge it into "${spelled}"`,
          )
          continue
        }
        warn(
          [...path, key],
          `"${key}" is ignored: "${spelled}" is written beside it, and KrakenD reads the exact key over another case`,
          `remove "${key}"`,
        )
        continue
      }
      if (spelled !== undefined && runtime !== 'krakend') {
        const spellings = Object.keys(obj).filter((k) => jsonFold(k) === jsonFold(spelled))
        if (spellings.length === 1)
          error([...path, key], caseVariantMessage(key, spelled), `write "${spelled}"`)
        else if (spellings[0] === key)
          error(
            [...path, key],
            `${spellings.map((k) => `"${k}"`).join(' and ')} spell "${spelled}" in another case: KrakenD reads one of them, which one changing from run to run (Go's map order)`,
            `keep one of them, written "${spelled}"`,
          )
        continue
      }
      // KrakenD (lura's mapstructure) drops keys it does not know: a guard written here, or
      // under a misspelt "extra_config", is read by nobody.
      const stray = spelled === undefined ? strayGuards(key, obj[key]) : undefined
      if (stray) {
        error([...path, key], stray.message, stray.hint)
        continue
      }
      const replacement = Object.hasOwn(V2_KEYS, key) ? V2_KEYS[key] : undefined
      if (replacement) {
        warn(
          [...path, key],
          `"${key}" is a KrakenD v2 key that v3 silently ignores`,
          `rename it to "${replacement}"`,
        )
        continue
      }
      const suggestion = closestKey(key, known)
      if (suggestion && guards.includes(suggestion) && !Object.hasOwn(obj, suggestion))
        error(
          [...path, key],
          `unknown ${what} key "${key}": KrakenD ignores it, so "${suggestion}" is not set`,
          `did you mean "${suggestion}"?`,
        )
      else if (suggestion)
        warn([...path, key], `unknown ${what} key "${key}" is ignored`, `did you mean "${suggestion}"?`)
    }
  }
  /**
   * Keys of a namespace lura looks up in its map by their exact names (`proxy`, `backend/http`)
   * written in another case: KrakenD ignores them, and so does this runtime; a warning says so.
   */
  const checkExactKeyCase = (obj: Fields, path: KeyPath, known: string[], namespace: string) => {
    for (const key of Object.keys(obj)) {
      const spelled = known.includes(key) ? undefined : sameKeyOtherCase(key, known)
      if (spelled === undefined) continue
      warn(
        [...path, key],
        `"${key}" is ignored: KrakenD looks "${namespace}" keys up by their exact names, so "${spelled}" is not set, there or here`,
        `write "${spelled}"`,
      )
    }
  }
  const checkNamespaces = (extra: unknown, path: KeyPath, level: NamespaceLevel) => {
    if (extra === undefined) return
    if (!isObject(extra)) {
      error(path, 'extra_config must be an object')
      return
    }
    for (const key of Object.keys(extra)) {
      const verdict = classifyNamespace(key, level, runtime)
      if (verdict.kind === 'error') error([...path, key], verdict.message, verdict.hint)
      else if (verdict.kind === 'warning') warn([...path, key], verdict.message, verdict.hint)
    }
  }
  /** The `extra_config` section `ns` of obj; {} when absent or not an object. */
  const namespace = (obj: Fields, ns: string, path: KeyPath): Fields => {
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

  /**
   * A duration as KrakenD decodes it (duration.ts): ms, negative ones kept for the caller to read as
   * Go does; the fallback when absent or null (KrakenD's zero); refused where KrakenD fails to start.
   */
  const durationAt = (obj: Fields, key: string, path: KeyPath, fallback: number) => {
    const read = readKrakendDuration(obj[key])
    if (read === undefined) return fallback
    if ('ms' in read) return read.ms
    error([...path, key], `"${key}" is not a duration: ${read.refused}`, read.hint)
    return fallback
  }
  /** A duration the runtime waits with a timer: Node's timers hold at most MAX_TIMER_MS. */
  const timerAt = (obj: Fields, key: string, path: KeyPath, fallback: number) => {
    const ms = durationAt(obj, key, path, fallback)
    if (ms <= MAX_TIMER_MS) return ms
    warn(
      [...path, key],
      `"${key}" is longer than the longest wait Node can time (24.8 days): the gateway waits 24.8 days`,
      'write at most "596h" to say what the gateway does',
    )
    return MAX_TIMER_MS
  }
  /**
   * A service or endpoint `timeout`: lura reads 0 as unset (`fallback`). A negative one is a
   * deadline already past in KrakenD (every call fails before it is sent, as with 1 ns): read as 1 ns.
   */
  const requestTimeoutAt = (obj: Fields, path: KeyPath, fallback: number) => {
    const ms = timerAt(obj, 'timeout', path, fallback)
    if (ms === 0) return fallback
    if (ms > 0) return ms
    warn(
      [...path, 'timeout'],
      `"timeout" is negative (${JSON.stringify(obj.timeout)}): KrakenD's deadline is then already past, so every request here fails (500) without a backend call, there and here`,
      'give a positive duration like "3s"',
    )
    return 1e-6
  }
  /** A duration of this runtime's own settings, which are never negative. */
  const ownTimerAt = (obj: Fields, key: string, path: KeyPath, fallback: number) => {
    const ms = timerAt(obj, key, path, fallback)
    if (ms >= 0) return ms
    error([...path, key], `"${key}" must not be negative, got ${JSON.stringify(obj[key])}`)
    return fallback
  }
  /** `cache_ttl` in ms; lura reads an endpoint's 0 as unset (the service's applies). */
  const cacheTtlAt = (obj: Fields, path: KeyPath, fallbackMs = 0): number =>
    durationAt(obj, 'cache_ttl', path, fallbackMs) || fallbackMs
  const intAt = (obj: Fields, key: string, path: KeyPath, fallback: number, min = 0, max = Infinity) => {
    const raw = obj[key]
    // null is mapstructure's zero, which lura reads as unset.
    if (raw === undefined || raw === null) return fallback
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min || raw > max) {
      error([...path, key], `"${key}" must be ${integerRange(min, max)}, got ${JSON.stringify(raw)}`)
      return fallback
    }
    return raw
  }
  const stringAt = (obj: Fields, key: string, path: KeyPath): string | undefined => {
    const raw = obj[key]
    if (raw === undefined) return undefined
    if (typeof raw !== 'string') {
      error([...path, key], `"${key}" must be a string, got ${JSON.stringify(raw)}`)
      return undefined
    }
    return raw
  }
  const stringListAt = (obj: Fields, key: string, path: KeyPath): string[] | undefined => {
    const raw = obj[key]
    if (raw === undefined) return undefined
    if (!Array.isArray(raw) || raw.some((item) => typeof item !== 'string')) {
      error([...path, key], `"${key}" must be a list of strings`)
      return undefined
    }
    return raw as string[]
  }
  const boolAt = (obj: Fields, key: string, path: KeyPath, fallback: boolean) => {
    const raw = obj[key]
    if (raw === undefined) return fallback
    if (typeof raw !== 'boolean') {
      error([...path, key], `"${key}" must be true or false, got ${JSON.stringify(raw)}`)
      return fallback
    }
    return raw
  }
  return {
    report,
    runtime,
    componentChecks: { caseVariants: runtime !== 'krakend' },
    error,
    warn,
    checkKeys,
    checkExactKeyCase,
    checkNamespaces,
    namespace,
    durationAt,
    timerAt,
    requestTimeoutAt,
    ownTimerAt,
    cacheTtlAt,
    intAt,
    stringAt,
    stringListAt,
    boolAt,
  }
}
