/**
 * KrakenD CE decodes the service, endpoint and backend settings with krakend-koanf, whose
 * mapstructure decoder runs with WeaklyTypedInput: `"port": "8080"` is 8080, `"host": "http://a"`
 * is `["http://a"]`, `"input_headers": "Authorization"` is a list of one, `"is_collection":
 * "false"` is false, `"name": 5` is "5", null is the field's zero (unset). This converts such values the same way before they are
 * validated (a value mapstructure cannot convert either is left for the validator to refuse).
 * Durations need nothing: a number is nanoseconds there and here. extra_config is not touched:
 * each component decodes its own namespace.
 */

import { jsonFold } from '../../config/json-keys.ts'
import type { KeyPath } from '../../core/source-text.ts'
import { isObject } from '../components/types.ts'

type Kind = 'string' | 'bool' | 'int' | 'strings' | 'stringMap' | 'objects' | 'map'

const SERVICE: Record<string, Kind> = {
  name: 'string',
  host: 'strings',
  port: 'int',
  listen_ip: 'string',
  version: 'int',
  output_encoding: 'string',
  max_header_bytes: 'int',
  disable_keep_alives: 'bool',
  disable_compression: 'bool',
  max_idle_connections: 'int',
  max_idle_connections_per_host: 'int',
  disable_rest: 'bool',
  use_h2c: 'bool',
  debug_endpoint: 'bool',
  echo_endpoint: 'bool',
  sequential_start: 'bool',
  allow_insecure_connections: 'bool',
  endpoints: 'objects',
  extra_config: 'map',
}
const ENDPOINT: Record<string, Kind> = {
  endpoint: 'string',
  method: 'string',
  concurrent_calls: 'int',
  input_query_strings: 'strings',
  input_headers: 'strings',
  output_encoding: 'string',
  backend: 'objects',
  extra_config: 'map',
}
const BACKEND: Record<string, Kind> = {
  group: 'string',
  method: 'string',
  host: 'strings',
  disable_host_sanitize: 'bool',
  url_pattern: 'string',
  allow: 'strings',
  deny: 'strings',
  mapping: 'stringMap',
  encoding: 'string',
  is_collection: 'bool',
  target: 'string',
  sd: 'string',
  sd_scheme: 'string',
  input_headers: 'strings',
  input_query_strings: 'strings',
  extra_config: 'map',
}

/** lura's other mapstructure fields at each level (durations, objects, lists of objects). */
const SERVICE_OTHER = [
  'async_agent',
  'timeout',
  'cache_ttl',
  'read_timeout',
  'write_timeout',
  'idle_timeout',
  'read_header_timeout',
  'idle_connection_timeout',
  'response_header_timeout',
  'expect_continue_timeout',
  'dialer_timeout',
  'dialer_fallback_delay',
  'dialer_keep_alive',
  'plugin',
  'tls',
  'client_tls',
  'dns_cache_ttl',
  'max_shutdown_wait_time',
]
const ENDPOINT_OTHER = ['timeout', 'cache_ttl']
const BACKEND_OTHER: string[] = []

/** Settings lura's Init gives a default when they are "" (an encoding, a method). */
const UNSET_WHEN_EMPTY = new Set(['output_encoding', 'encoding', 'method'])

/** strconv.FormatFloat(f, 'f', -1, 64): the shortest digits, never an exponent. */
function formatFixed(n: number): string {
  if (!Number.isFinite(n)) return String(n)
  const [mantissa, exponentText] = Math.abs(n).toExponential().split('e') as [string, string]
  const digits = mantissa.replace('.', '')
  const point = Number(exponentText) + 1
  const text =
    point <= 0
      ? `0.${'0'.repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + '0'.repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`
  return n < 0 ? `-${text}` : text
}

/** strconv.ParseInt(s, 0, 64) without underscores: decimal, 0x, 0o, 0b, or a leading 0 for octal. */
function parseGoInt(text: string): number | undefined {
  const match = /^([+-]?)(?:0[xX]([0-9a-fA-F]+)|0[bB]([01]+)|0[oO]?([0-7]+)|([1-9][0-9]*|0))$/.exec(text)
  if (!match) return undefined
  const [, sign, hex, bin, oct, dec] = match
  const value = hex
    ? Number.parseInt(hex, 16)
    : bin
      ? Number.parseInt(bin, 2)
      : oct
        ? Number.parseInt(oct, 8)
        : Number(dec)
  return sign === '-' ? -value : value
}

const GO_BOOLS: Record<string, boolean> = {
  '1': true,
  t: true,
  T: true,
  TRUE: true,
  true: true,
  True: true,
  '0': false,
  f: false,
  F: false,
  FALSE: false,
  false: false,
  False: false,
  '': false,
}

/** mapstructure's weak conversion of `value` to `kind`; the value itself when it has none. */
function weak(value: unknown, kind: Kind): unknown {
  switch (kind) {
    case 'string':
      if (typeof value === 'boolean') return value ? '1' : '0'
      if (typeof value === 'number') return formatFixed(value)
      return value
    case 'bool':
      if (typeof value === 'number') return value !== 0
      if (typeof value === 'string' && Object.hasOwn(GO_BOOLS, value)) return GO_BOOLS[value]
      return value
    case 'int':
      if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : value
      if (typeof value === 'boolean') return value ? 1 : 0
      if (typeof value === 'string') return parseGoInt(value === '' ? '0' : value) ?? value
      return value
    case 'strings':
      if (Array.isArray(value)) {
        // A null item is left at its zero value: "".
        const items = value.map((item) => (item === null ? '' : weak(item, 'string')))
        return items.some((item, i) => item !== value[i]) ? items : value
      }
      if (isObject(value) && Object.keys(value).length === 0) return []
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
        return [weak(value, 'string')]
      return value
    case 'objects':
      // A single object where a list of them goes is a list of one ({} an empty list).
      if (isObject(value)) return Object.keys(value).length === 0 ? [] : [value]
      return value
    case 'map':
      return mergedMaps(value) ?? value
    case 'stringMap': {
      if (Array.isArray(value) && value.length === 0) return {}
      if (!isObject(value)) return value
      const entries = Object.entries(value).map(([k, v]) => [k, weak(v, 'string')] as const)
      return entries.some(([k, v]) => v !== value[k]) ? Object.fromEntries(entries) : value
    }
  }
}

/**
 * A list of objects where one object goes, as mapstructure decodes it: each item's keys into the
 * one map (`"extra_config": [{"security/cors": ...}, {"auth/validator": ...}]` runs both; [] is
 * {}). Undefined when an item is no object, or two items set one key to different values (the
 * later would drop the earlier without a word): left for the validator to refuse.
 */
function mergedMaps(value: unknown): Record<string, unknown> | undefined {
  if (!Array.isArray(value) || !value.every(isObject)) return undefined
  const merged: Record<string, unknown> = {}
  for (const item of value as Array<Record<string, unknown>>)
    for (const [key, entry] of Object.entries(item)) {
      if (Object.hasOwn(merged, key) && JSON.stringify(merged[key]) !== JSON.stringify(entry))
        return undefined
      merged[key] = entry
    }
  return merged
}

/** Where a list item of the file's stands for a field's key (merged maps), per the field's path. */
type Reshapes = Map<string, 'wrapped' | Map<string, number>>

/**
 * Per object (JSON of its key path): field name -> the key written in the file in another case.
 * mapstructure takes the exact key, else the one key that matches it in any case (strings.EqualFold);
 * of two such keys it takes either (Go map order), so those are left for the validator to refuse.
 */
type Renames = Map<string, Map<string, string>>

function renameKeys(owner: Record<string, unknown>, fields: string[], path: KeyPath, renames: Renames) {
  let out: Record<string, unknown> | undefined
  for (const field of fields) {
    if (Object.hasOwn(owner, field)) continue
    const variants = Object.keys(owner).filter((key) => jsonFold(key) === field)
    if (variants.length !== 1) continue
    const written = variants[0] as string
    out ??= { ...owner }
    // Same place in the object: the key order stays the file's.
    const entries = Object.entries(out).map(([k, v]) => [k === written ? field : k, v] as const)
    out = Object.fromEntries(entries)
    const at = JSON.stringify(path)
    const names = renames.get(at) ?? new Map<string, string>()
    names.set(field, written)
    renames.set(at, names)
  }
  return out ?? owner
}

/** `owner` with its keys in lura's case and its `fields` converted; the object itself when nothing changes. */
function convert(
  owner: unknown,
  fields: Record<string, Kind>,
  other: string[],
  path: KeyPath,
  renames: Renames,
  reshapes: Reshapes,
): unknown {
  if (!isObject(owner)) return owner
  const named = renameKeys(owner, [...Object.keys(fields), ...other], path, renames)
  let out: Record<string, unknown> | undefined
  for (const key of [...Object.keys(fields), ...other]) {
    if (!Object.hasOwn(named, key)) continue
    const kind = Object.hasOwn(fields, key) ? fields[key] : undefined
    // mapstructure leaves a field at its zero value for null, which lura reads as unset; so is ""
    // for the encodings and methods (lura's Init puts its defaults there).
    if (named[key] === null || (named[key] === '' && UNSET_WHEN_EMPTY.has(key))) {
      out ??= { ...named }
      delete out[key]
      continue
    }
    if (kind === undefined) continue
    const value = weak(named[key], kind)
    if (value === named[key]) continue
    const at = JSON.stringify([...path, key])
    if (kind === 'objects' && isObject(named[key])) reshapes.set(at, 'wrapped')
    if (kind === 'map' && Array.isArray(named[key]))
      reshapes.set(
        at,
        new Map(
          (named[key] as Array<Record<string, unknown>>).flatMap((item, i) =>
            Object.keys(item).map((k) => [k, i] as const),
          ),
        ),
      )
    out ??= { ...named }
    out[key] = value
  }
  return out ?? named
}

export interface WeakInput {
  value: Record<string, unknown>
  /** The path as written in the file (a key renamed from another case under its own spelling). */
  written(path: KeyPath): KeyPath
}

/** The config with its service, endpoint and backend settings read as KrakenD's decoder reads them. */
export function readWeakInput(value: Record<string, unknown>): WeakInput {
  const renames: Renames = new Map()
  const reshapes: Reshapes = new Map()
  const root = convert(value, SERVICE, SERVICE_OTHER, [], renames, reshapes) as Record<string, unknown>
  const written = (path: KeyPath): KeyPath => {
    if (renames.size === 0 && reshapes.size === 0) return path
    const out: Array<string | number> = []
    for (let i = 0; i < path.length; i++) {
      const segment = path[i] as string | number
      out.push(
        typeof segment === 'string'
          ? (renames.get(JSON.stringify(path.slice(0, i)))?.get(segment) ?? segment)
          : segment,
      )
      const reshape = reshapes.get(JSON.stringify(path.slice(0, i + 1)))
      const next = path[i + 1]
      // A single object read as a list of one: the file has no index there.
      if (reshape === 'wrapped' && next === 0) i += 1
      else if (reshape instanceof Map && typeof next === 'string' && reshape.has(next))
        out.push(reshape.get(next) as number)
    }
    return out
  }
  if (!Array.isArray(root.endpoints)) return { value: root, written }
  const list = root.endpoints
  const endpoints = list.map((endpoint, i) => {
    let ep = convert(endpoint, ENDPOINT, ENDPOINT_OTHER, ['endpoints', i], renames, reshapes)
    if (isObject(ep) && Array.isArray(ep.backend)) {
      const original = ep.backend
      const backends = original.map((backend, j) =>
        convert(backend, BACKEND, BACKEND_OTHER, ['endpoints', i, 'backend', j], renames, reshapes),
      )
      if (backends.some((b, j) => b !== original[j])) ep = { ...ep, backend: backends }
    }
    return ep
  })
  const changed = endpoints.some((ep, i) => ep !== list[i])
  return { value: changed ? { ...root, endpoints } : root, written }
}
