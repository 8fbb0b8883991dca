// Two spellings of one key in the namespaces KrakenD decodes with Go's encoding/json: which one it
// reads (the last in byte order), and which losing spellings fail the whole decoding there.
import { goKeyOrder, jsonFold } from '../../config/json-keys.ts'
import { setsNothing } from '../config/field-reader.ts'

/**
 * Namespaces KrakenD decodes with encoding/json (keys matched in any case): krakend-jose's
 * validator and signer, the bloom filter's revoker, krakend-botdetector, lura's GraphQL options. The other components read
 * their map's keys one by one (krakend-cors, -httpsecure, -ratelimit, -circuitbreaker,
 * -oauth2-clientcredentials, -lua).
 */
export const FOLDS_KEYS = new Set([
  'auth/validator',
  'auth/signer',
  'auth/revoker',
  'security/bot-detector',
  'backend/graphql',
  'backend/pubsub/publisher',
  'backend/pubsub/subscriber',
  'backend/amqp/consumer',
  'backend/amqp/producer',
])

/**
 * The object's keys grouped by their encoding/json fold, each group in Go's byte order: KrakenD
 * re-encodes the map with sorted keys and decodes it into a struct, where the last key matching a
 * field sets it, so `{"N": 1, "n": 2}` sets n to 2 and `{"TTL": 60}` sets ttl.
 */
export function foldedKeys(keys: string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>()
  for (const key of [...keys].sort(goKeyOrder)) {
    const fold = jsonFold(key)
    const group = groups.get(fold)
    if (group === undefined) groups.set(fold, [key])
    else group.push(key)
  }
  return groups
}

/**
 * Two spellings of one field in an object KrakenD decodes with encoding/json: it reads the last in
 * byte order and drops the other without a word (`"Deny": ["BadBot"]` beside `"deny": ["Other"]`
 * lets BadBot through). [dropped, kept] for each dropped one that sets something else, but for one
 * encoding/json cannot decode where the setting takes `kindOf(fold)` (see undecodableSpellings).
 */
export function droppedSpellings(
  object: Record<string, unknown>,
  kindOf?: (fold: string) => string | undefined,
): Array<[dropped: string, kept: string]> {
  const out: Array<[string, string]> = []
  for (const [fold, group] of foldedKeys(Object.keys(object))) {
    const kept = group.at(-1) as string
    const kind = kindOf === undefined ? undefined : settingKind(kindOf(fold), object[kept])
    for (const key of group.slice(0, -1)) {
      const value = object[key]
      if (setsNothing(value) || JSON.stringify(value) === JSON.stringify(object[kept])) continue
      if (kind === undefined || jsonKind(value) === kind) out.push([key, kept])
    }
  }
  return out
}

/** The JSON kind of a value, as encoding/json matches it to a Go field's type (it converts none). */
const jsonKind = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value)

/** The kind the setting takes: what its reader took it as, else the kept value's (unknown for null). */
const settingKind = (read: string | undefined, keptValue: unknown) =>
  read ?? (keptValue === null ? undefined : jsonKind(keptValue))

/**
 * Dropped spellings of another JSON kind than the setting (`kindOf(fold)`, else the kept value's),
 * null aside: encoding/json still decodes them, in byte order, and a type error fails the whole
 * namespace (KrakenD 2.13.8 answered 401 to every token with `"Roles": {}` beside `"roles":
 * ["admin"]`, and ran the endpoint without its bot detector with `"patterns": {}` beside
 * `"patternſ": []` or `"Deny": "BadBot"` beside `"deny": ["Other"]`). [dropped, kept, the kind the
 * setting takes].
 */
export function undecodableSpellings(
  object: Record<string, unknown>,
  kindOf: (fold: string) => string | undefined,
): Array<[dropped: string, kept: string, kind: string]> {
  const out: Array<[string, string, string]> = []
  for (const [fold, group] of foldedKeys(Object.keys(object))) {
    const kept = group.at(-1) as string
    const kind = settingKind(kindOf(fold), object[kept])
    if (kind === undefined) continue
    for (const key of group.slice(0, -1)) {
      const value = object[key]
      if (value !== null && jsonKind(value) !== kind) out.push([key, kept, kind])
    }
  }
  return out
}

export const droppedSpellingMessage = (key: string, kept: string, namespace: string) =>
  `"${key}" and "${kept}" spell one setting of "${namespace}": KrakenD decodes it with Go's encoding/json, which reads only "${kept}" (the last in byte order) and silently drops "${key}"`

const SCALAR_KINDS = new Set(['string', 'boolean', 'number'])

/**
 * Why `key`, a spelling that loses to `kept` in byte order and sets something else (see
 * droppedSpellings), is refused. encoding/json decodes both: a null in `kept` leaves a string,
 * number or boolean field as `key` set it (KrakenD 2.13.8 took `"Empty_user_agent_is_bot": true`
 * beside `"empty_user_agent_is_bot": null` as true) and empties a list or map; any other value
 * of `kept` replaces `key`'s. `kind`: the JSON kind the setting takes, undefined when unknown.
 */
export function losingSpellingMessage(
  key: string,
  kept: string,
  object: Record<string, unknown>,
  kind: string | undefined,
  namespace: string,
): string {
  if (object[kept] !== null) return droppedSpellingMessage(key, kept, namespace)
  const decodes = `"${key}" and "${kept}" spell one setting of "${namespace}": KrakenD decodes both with Go's encoding/json, in byte order, and the null of "${kept}" (the last)`
  const value = JSON.stringify(object[key])
  if (kind !== undefined && SCALAR_KINDS.has(kind))
    return `${decodes} leaves the setting as "${key}" set it: KrakenD reads ${value}`
  if (kind === 'array' || kind === 'object')
    return `${decodes} empties what "${key}" set: KrakenD silently drops ${value}`
  return `${decodes} leaves a string, number or true/false setting as "${key}" set it (${value}) and empties a list or object`
}

/** What KrakenD does when encoding/json cannot decode the namespace. */
const UNDECODED: Record<string, string> = {
  'auth/validator': 'KrakenD then answers 401 to every request',
  'auth/signer': 'KrakenD then answers 401 to every request',
  'auth/revoker': 'KrakenD then runs no revoker, and revoked tokens pass',
  'security/bot-detector': 'KrakenD then runs the endpoint without a bot detector',
  'qos/http-cache':
    "KrakenD then ignores all of its options and caches this backend's answers in memory, unshared and with no limit",
}

const KIND_NAMES: Record<string, string> = {
  string: 'a string',
  boolean: 'true or false',
  number: 'a number',
  array: 'a list',
  object: 'an object',
}

/** Why `key`, a dropped spelling of `kept` holding `value` (see undecodableSpellings), is refused; `kind` a JSON kind or what the setting takes in words. */
export const undecodableSpellingMessage = (
  key: string,
  kept: string,
  value: unknown,
  kind: string,
  namespace: string,
) =>
  `"${key}" spells "${kept}" and holds ${JSON.stringify(value)}, where the setting takes ${KIND_NAMES[kind] ?? kind}: KrakenD decodes "${namespace}" with Go's encoding/json, which fails on it: ${UNDECODED[namespace] ?? 'it then drops the whole namespace'}`
