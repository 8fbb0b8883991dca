import { guardingNamespace } from '../../config/gateway-namespaces.ts'
import { jsonFold } from '../../config/json-keys.ts'
import { closestKey } from '../../config/suggest.ts'
import { isGoYamlInt } from '../../core/go-yaml-ints.ts'
import type { KeyPath } from '../../core/source-text.ts'
import { beyondGoDuration, goDurationMs, parseDuration } from '../config/duration.ts'
import { caseVariantMessage, sameKeyOtherCase } from '../config/field-reader.ts'
import {
  droppedSpellings,
  FOLDS_KEYS,
  foldedKeys,
  losingSpellingMessage,
  undecodableSpellingMessage,
  undecodableSpellings,
} from './fields-spellings.ts'
import { isObject, type Report } from './types.ts'

/**
 * Namespaces whose readers take a `null` value as the key left out: krakend-botdetector and
 * krakend-jose (validator, signer) decode into a struct with encoding/json (null leaves a field at
 * its zero value); krakend-cors, -httpsecure,
 * -circuitbreaker, -ratelimit and -lua read each key with a type assertion that null fails, keeping
 * the default. KrakenD runs such a config with the setting unset, and so does this runtime.
 */
const NULL_IS_UNSET = new Set([
  'auth/validator',
  'auth/signer',
  'security/bot-detector',
  'security/cors',
  'security/http',
  'qos/circuit-breaker',
  'qos/ratelimit/router',
  'qos/ratelimit/proxy',
  'modifier/lua-endpoint',
  'modifier/lua-proxy',
  'modifier/lua-backend',
  'backend/pubsub/publisher',
  'backend/pubsub/subscriber',
  'backend/lambda',
  'backend/amqp/consumer',
  'backend/amqp/producer',
])

/** Typed reads of one namespace object; every wrong type is reported at its JSON path. */
export class Fields {
  /** The namespace object; every key a parser reads from it is noted (see caseVariants). */
  readonly raw: Record<string, unknown>
  readonly path: KeyPath
  readonly report: Report
  readonly #read = new Set<string>()
  /** Keys a parser reported itself or knows KrakenD ignores: not unknown (see unknownKeys). */
  readonly #handled = new Set<string>()
  readonly #own: string[]
  readonly #namespace: string
  readonly #object: Record<string, unknown>
  /** Per encoding/json fold, the JSON kind the parser read the setting as. */
  readonly #kinds = new Map<string, string>()

  constructor(raw: unknown, path: KeyPath, report: Report, namespace: string) {
    this.path = path
    this.report = report
    this.#namespace = namespace
    const object = isObject(raw) ? raw : {}
    if (!isObject(raw)) report.error(path, `extra_config "${namespace}" must be an object`)
    this.#own = Object.keys(object)
    this.#object = object
    const read = this.#read
    const folded = FOLDS_KEYS.has(namespace) ? foldedKeys(this.#own) : undefined
    // encoding/json namespaces: a field is read under whichever spelling KrakenD would take, and
    // every spelling of it counts as read.
    const own = (key: string | symbol) => {
      if (typeof key !== 'string') return key
      read.add(key)
      const variants = folded?.get(jsonFold(key))
      if (variants === undefined) return key
      for (const variant of variants) read.add(variant)
      return variants[variants.length - 1] as string
    }
    const nullIsUnset = NULL_IS_UNSET.has(namespace)
    this.raw = new Proxy(object, {
      get(target, key, receiver) {
        const value = Reflect.get(target, own(key), receiver)
        return value === null && nullIsUnset ? undefined : value
      },
      has(target, key) {
        const name = own(key)
        return Reflect.has(target, name) && !(nullIsUnset && Reflect.get(target, name) === null)
      },
    })
  }

  /**
   * Refuses the keys no parser read that spell a key it did read in another case. Components that
   * decode their namespace with Go's encoding/json match field names in any case, so KrakenD would
   * read (and enforce) what this runtime would skip; the others read exact keys, so KrakenD skips
   * such a key too, and a setting that looks applied would not be, in either runtime.
   */
  caseVariants(): void {
    for (const key of this.#own) {
      if (this.#read.has(key)) continue
      const spelled = sameKeyOtherCase(key, this.#read)
      if (spelled === undefined) continue
      const message = FOLDS_KEYS.has(this.#namespace)
        ? caseVariantMessage(key, spelled)
        : `"${key}" is not "${spelled}": KrakenD reads "${this.#namespace}" keys exactly as written and would skip it, so the setting would look applied and not be`
      this.report.error(this.at(key), message, `write "${spelled}"`)
    }
    if (FOLDS_KEYS.has(this.#namespace)) this.#droppedSpellings()
  }

  /** Two spellings of one setting KrakenD reads with encoding/json, the dropped one read here too. */
  #droppedSpellings(): void {
    const kindOf = (fold: string) => this.#kinds.get(fold)
    for (const [key, kept] of droppedSpellings(this.#object, kindOf))
      if (this.#read.has(key))
        this.report.error(
          this.at(key),
          losingSpellingMessage(key, kept, this.#object, kindOf(jsonFold(key)), this.#namespace),
          'keep one of them',
        )
    for (const [key, kept, kind] of undecodableSpellings(this.#object, kindOf))
      if (this.#read.has(key))
        this.report.error(
          this.at(key),
          undecodableSpellingMessage(key, kept, this.#object[key], kind, this.#namespace),
          `remove "${key}"`,
        )
  }

  /** The JSON kind a reader took `key` as (encoding/json namespaces: checked against dropped spellings). */
  #expect(key: string, kind: string): void {
    this.#kinds.set(jsonFold(key), kind)
  }

  /**
   * Reports the keys no parser read, handled or declared: KrakenD ignores them, so what they meant
   * to set is not set. A likely typo of a key the namespace reads that is absent (`"rols"` for
   * `"roles"`, `"max_rat"` for `"max_rate"`) is an error: the guard would run without that
   * setting; any other unknown key is a warning. `@`, `$`, `_` and `#` keys are comments.
   * `caseVariantsReported`: caseVariants ran, so keys in another case are already refused; without
   * it (the official KrakenD image) they are KrakenD's to read in the namespaces it reads in any case.
   */
  unknownKeys(caseVariantsReported: boolean): void {
    const known = [...this.#read].filter((key) => !this.#handled.has(key))
    for (const key of this.#own) {
      if (this.#read.has(key) || this.#handled.has(key) || /^[@$_#]/.test(key)) continue
      const otherCase = sameKeyOtherCase(key, this.#read)
      if (otherCase !== undefined && (caseVariantsReported || FOLDS_KEYS.has(this.#namespace))) continue
      const nested = guardingNamespace(key)
      if (nested !== undefined) {
        this.report.error(
          this.at(key),
          `"${key}" is a namespace nested inside "${this.#namespace}": KrakenD reads namespaces only directly in extra_config, so "${nested}" would guard nothing`,
          'move it up, beside this namespace in the same extra_config',
        )
        continue
      }
      const meant = closestKey(key, known)
      if (meant !== undefined && !this.#own.includes(meant))
        this.report.error(
          this.at(key),
          `unknown key "${key}" in "${this.#namespace}": KrakenD ignores it, so "${meant}" is not set`,
          `did you mean "${meant}"?`,
        )
      else
        this.report.warn(
          this.at(key),
          `unknown key "${key}" in "${this.#namespace}" is ignored (by KrakenD too)`,
          meant !== undefined
            ? `did you mean "${meant}"?`
            : 'remove it, or start it with "@" to keep it as a comment',
        )
    }
  }

  /** An unread key spells `key` in another case or is a likely typo of it (reported by caseVariants / unknownKeys). */
  misspells(key: string): boolean {
    return this.#own.some(
      (own) =>
        !this.#read.has(own) && (own.toLowerCase() === key.toLowerCase() || closestKey(own, [key]) === key),
    )
  }

  /** Keys this parser reported itself, or that KrakenD reads and ignores: not reported as unknown. */
  handled(...keys: string[]): void {
    for (const key of keys) this.#handled.add(key)
  }

  /** The value of `key` exactly as written, null included (`raw` reads null as unset where KrakenD does). */
  asWritten(key: string): unknown {
    return this.#object[key]
  }

  /** Whether `key` was written as an integer in a YAML config: a Go int there, which a float64 assertion skips. */
  yamlInt(key: string): boolean {
    return isGoYamlInt(this.#object, key)
  }

  /** Keys the namespace has, read or not (unknownKeys names them in its hints). */
  declare(...keys: string[]): void {
    for (const key of keys) this.#read.add(key)
  }

  at(key: string): KeyPath {
    return [...this.path, key]
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined
  }

  string(key: string): string | undefined {
    this.#expect(key, 'string')
    const v = this.raw[key]
    if (v === undefined) return undefined
    if (typeof v !== 'string') {
      this.report.error(this.at(key), `"${key}" must be a string, got ${JSON.stringify(v)}`)
      return undefined
    }
    return v
  }

  bool(key: string, fallback = false): boolean {
    this.#expect(key, 'boolean')
    const v = this.raw[key]
    if (v === undefined) return fallback
    if (typeof v !== 'boolean') {
      this.report.error(this.at(key), `"${key}" must be true or false, got ${JSON.stringify(v)}`)
      return fallback
    }
    return v
  }

  number(key: string, min = 0): number | undefined {
    this.#expect(key, 'number')
    const v = this.raw[key]
    if (v === undefined) return undefined
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
      const wanted = min === Number.NEGATIVE_INFINITY ? 'a number' : `a number >= ${min}`
      this.report.error(this.at(key), `"${key}" must be ${wanted}, got ${JSON.stringify(v)}`)
      return undefined
    }
    return v
  }

  strings(key: string): string[] | undefined {
    this.#expect(key, 'array')
    const v = this.raw[key]
    if (v === undefined) return undefined
    if (!Array.isArray(v) || v.some((item) => typeof item !== 'string')) {
      this.report.error(this.at(key), `"${key}" must be a list of strings`)
      return undefined
    }
    return v as string[]
  }

  /**
   * A list as KrakenD's list readers (krakend-cors' getList, krakend-httpsecure's getStrings) take
   * it: the string items, any other item (null, a number, ...) skipped with a warning, as KrakenD
   * skips it. `emptyMeans`: what KrakenD does with a list left with no string (its widest default),
   * so a list that held items and no string is refused, saying so.
   */
  stringItems(key: string, emptyMeans?: { does: string; hint: string }): string[] {
    const list = this.raw[key]
    if (list === undefined) return []
    if (!Array.isArray(list)) return this.strings(key) ?? []
    const kept: string[] = []
    for (const [i, item] of list.entries())
      if (typeof item === 'string') kept.push(item)
      else
        this.report.warn(
          [...this.at(key), i],
          `${JSON.stringify(item)} is not a string: KrakenD skips it (and so does this runtime)`,
          'remove it, or write it as a string',
        )
    if (emptyMeans && list.length > 0 && kept.length === 0)
      this.report.error(
        this.at(key),
        `"${key}" holds no string: KrakenD would skip every item and ${emptyMeans.does}`,
        emptyMeans.hint,
      )
    return kept
  }

  /**
   * A Go duration as time.ParseDuration reads a string ("1s", "1m30s", ".5s", "-1s"), or a number of
   * nanoseconds; undefined when absent or invalid (reported); ±Infinity for a duration written in
   * Go's syntax past its range (Go fails to parse it: the caller says what KrakenD then does).
   */
  durationMs(key: string): number | undefined {
    const v = this.raw[key]
    if (v === undefined) return undefined
    if (typeof v === 'string' && beyondGoDuration(v)) return v.startsWith('-') ? -Infinity : Infinity
    const ms = typeof v === 'string' ? goDurationMs(v) : parseDuration(v)
    if (ms === undefined) {
      this.report.error(
        this.at(key),
        `"${key}" is not a duration: ${JSON.stringify(v)}`,
        'write it like "1s" or "1m"',
      )
      return undefined
    }
    return ms
  }

  /** Keys this runtime does not implement: refused, since each changes what the component lets through. */
  refuse(keys: string[], why: string): void {
    for (const key of keys)
      if (this.has(key))
        this.report.error(
          this.at(key),
          `"${key}" is not supported by this runtime (${why})`,
          'remove it, or set `image.runtime: krakend` in gwdeploy.yml to run the official KrakenD image',
        )
  }
}
