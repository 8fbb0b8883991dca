/**
 * KrakenD CE decodes the service, endpoint and backend settings with krakend-koanf, whose
 * mapstructure decoder runs with WeaklyTypedInput: `"port": "8080"` is 8080, `"host": "http://a"`
 * is `["http://a"]`, `"input_headers": "Authorization"` is a list of one, `"is_collection":
 * "false"` is false, `"name": 5` is "5". This converts such values the same way before they are
 * validated (a value mapstructure cannot convert either is left for the validator to refuse).
 * Durations need nothing: a number is nanoseconds there and here. extra_config is not touched:
 * each component decodes its own namespace.
 */
import { isObject } from '../components/types.ts'

type Kind = 'string' | 'bool' | 'int' | 'strings' | 'stringMap'

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
}
const ENDPOINT: Record<string, Kind> = {
  endpoint: 'string',
  method: 'string',
  concurrent_calls: 'int',
  input_query_strings: 'strings',
  input_headers: 'strings',
  output_encoding: 'string',
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
}

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
        const items = value.map((item) => weak(item, 'string'))
        return items.some((item, i) => item !== value[i]) ? items : value
      }
      if (isObject(value) && Object.keys(value).length === 0) return []
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
        return [weak(value, 'string')]
      return value
    case 'stringMap': {
      if (!isObject(value)) return value
      const entries = Object.entries(value).map(([k, v]) => [k, weak(v, 'string')] as const)
      return entries.some(([k, v]) => v !== value[k]) ? Object.fromEntries(entries) : value
    }
  }
}

/** `owner` with its `fields` converted; the object itself when nothing changes. */
function convert(owner: unknown, fields: Record<string, Kind>): unknown {
  if (!isObject(owner)) return owner
  let out: Record<string, unknown> | undefined
  for (const [key, kind] of Object.entries(fields)) {
    if (!Object.hasOwn(owner, key)) continue
    const value = weak(owner[key], kind)
    if (value === owner[key]) continue
    out ??= { ...owner }
    out[key] = value
  }
  return out ?? owner
}

/** The config with its service, endpoint and backend settings read as KrakenD's decoder reads them. */
export function readWeakInput(value: Record<string, unknown>): Record<string, unknown> {
  const root = convert(value, SERVICE) as Record<string, unknown>
  if (!Array.isArray(value.endpoints)) return root
  let changed = root !== value
  const endpoints = value.endpoints.map((endpoint) => {
    let ep = convert(endpoint, ENDPOINT)
    if (isObject(ep) && Array.isArray(ep.backend)) {
      const backends = ep.backend.map((backend) => convert(backend, BACKEND))
      if (backends.some((b, i) => b !== (ep as { backend: unknown[] }).backend[i]))
        ep = { ...ep, backend: backends }
    }
    if (ep !== endpoint) changed = true
    return ep
  })
  return changed ? { ...root, endpoints } : value
}
