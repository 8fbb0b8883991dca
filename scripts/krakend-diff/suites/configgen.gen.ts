// Seeded config mutations for the configgen suites: one guard per unit (a component's settings at
// the level KrakenD reads them, with requests the guard must stop and one it lets through), mutated
// one way — a key in another case or Unicode fold (KELVIN SIGN, long s), a key written twice, a
// value of another JSON type (string "5" for 5, "true"/1 for true, a single string for a list, null,
// "", an object, a float, negative, huge), the namespace at another level or misspelt, an unknown
// or `@comment` key. configgen-start.ts runs each unit alone on KrakenD and here (does it start, is
// the guard enforced); configgen.config.ts serves the units both accept together under run.ts.
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import type { Case } from '../run.ts'
import { type Guard, guards, type Level, type Settings } from './configgen-guards.ts'

export interface Unit {
  id: number
  guard: string
  mutation: string
  /** Service-level extra_config this unit needs (then it runs alone in configgen.config.ts). */
  service?: Record<string, unknown>
  endpoint: Record<string, unknown>
  probes: Case[]
  /** The same guard unmutated, at the same path: what its probes get when the guard is on. */
  plain?: Unit
}

/** A key written twice: JSON.stringify writes `"\u0000dup:KEY"` and dupText makes it `"KEY"` again. */
const DUP = '\u0000dup:'
export const dupText = (text: string) => text.replaceAll(`"\\u0000dup:`, '"')

/** `obj` rewritten from `entries` with `key` written twice: `other` before or after its value. */
function writeTwice(
  obj: Record<string, unknown>,
  entries: Array<[string, unknown]>,
  key: string,
  other: unknown,
  first: boolean,
) {
  for (const k of Object.keys(obj)) delete obj[k]
  for (const [k, v] of entries) {
    if (k !== key) obj[k] = v
    else if (first) {
      obj[DUP + k] = other
      obj[k] = v
    } else {
      obj[k] = v
      obj[DUP + k] = other
    }
  }
}

/**
 * SPELLINGS=1: every mutation of a guard's settings writes one key a second time under another
 * spelling (case or Unicode fold), holding another value or an empty one.
 */
const SPELLINGS = process.env.SPELLINGS === '1'

/** Go's folds JavaScript's toLowerCase does not make: KELVIN SIGN for k, long s for s. */
function unicodeFold(key: string, rnd: () => number): string | undefined {
  const spots = [...key].flatMap((ch, i) => (ch === 'k' || ch === 's' ? [i] : []))
  if (spots.length === 0) return undefined
  const at = spots[Math.floor(rnd() * spots.length)] as number
  const chars = [...key]
  chars[at] = chars[at] === 'k' ? '\u212a' : '\u017f'
  return chars.join('')
}

/** Other JSON types for a value, as a user might write them. */
function otherValues(value: unknown): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [
    ['null', null],
    ['object', { v: value }],
  ]
  if (typeof value === 'number')
    out.push(
      ['string', String(value)],
      ['float', value + 0.5],
      ['negative', -value - 1],
      ['zero', 0],
      ['huge', 1e20],
      ['bool', true],
      ['hex string', `0x${value.toString(16)}`],
    )
  else if (typeof value === 'boolean')
    out.push(['string', String(value)], ['number', value ? 1 : 0], ['string 1', value ? '1' : '0'])
  else if (typeof value === 'string')
    out.push(['list of one', [value]], ['empty', ''], ['number', 5], ['bool', true])
  else if (Array.isArray(value))
    out.push(
      ['single', value[0]],
      ['empty list', []],
      ['empty', ''],
      ['with null item', [...value, null]],
      ['with number item', [...value, 5]],
      ['joined', value.join(',')],
    )
  return out
}

const NS_MISSPELT: Record<string, string[]> = {
  'qos/ratelimit/router': ['qos/ratelimit/routers', 'QoS/ratelimit/router', 'qos/rate-limit/router'],
  'qos/ratelimit/proxy': ['qos/ratelimit/proxys', 'qos/ratelimit/Proxy'],
  'security/bot-detector': [
    'security/botdetector',
    'security/Bot-detector',
    'github_com/devopsfaith/krakend-botdetector',
  ],
  'validation/cel': ['validation/CEL', 'github_com/devopsfaith/krakend-cel'],
  'validation/json-schema': ['validation/jsonschema', 'github_com/devopsfaith/krakend-jsonschema'],
  'qos/circuit-breaker': ['qos/circuitbreaker', 'github_com/devopsfaith/krakend-circuitbreaker/gobreaker'],
  'modifier/lua-endpoint': ['modifier/lua-router', 'github_com/devopsfaith/krakend-lua/router'],
  'modifier/lua-proxy': ['modifier/lua', 'github_com/devopsfaith/krakend-lua/proxy'],
  'modifier/lua-backend': ['github_com/devopsfaith/krakend-lua/proxy/backend'],
  'modifier/martian': ['github_com/devopsfaith/krakend-martian', 'modifier/Martian'],
  'auth/validator': ['github_com/devopsfaith/krakend-jose/validator', 'auth/validators'],
  'security/cors': ['github_com/devopsfaith/krakend-cors', 'security/CORS'],
  'security/http': ['github_com/devopsfaith/krakend-httpsecure', 'security/https'],
}
const OTHER_LEVEL: Record<Level, Level[]> = {
  service: ['endpoint', 'backend'],
  endpoint: ['service', 'backend'],
  backend: ['endpoint', 'service'],
}

interface Mutated {
  mutation: string
  ns: string
  level: Level
  settings: Settings
  endpoint: Record<string, unknown>
  backend: Record<string, unknown>
  /** The namespace written twice, the other copy `empty` first or last. */
  twice?: { first: boolean; empty: Settings }
}

/** The object a mutation edits: the settings, or for the core keys the endpoint or backend. */
function target(m: Mutated): Record<string, unknown> | undefined {
  if (Array.isArray(m.settings)) return m.settings[0] as Record<string, unknown>
  if (m.ns !== '') return m.settings
  return Object.keys(m.backend).some((k) => k === 'allow' || k === 'deny') ? m.backend : m.endpoint
}

function mutate(g: Guard, rnd: () => number, plain = false): Mutated {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T
  const m: Mutated = {
    mutation: 'none',
    ns: g.ns,
    level: g.level,
    settings: structuredClone(g.settings),
    endpoint: structuredClone(g.endpoint ?? {}),
    backend: structuredClone(g.backend ?? {}),
  }
  const obj = target(m)
  const keys = obj ? Object.keys(obj).filter((k) => k !== 'url_pattern' && k !== 'method') : []
  const kind = plain ? 0 : rnd()
  if (kind < 0.08) return m
  if ((kind < 0.2 || keys.length === 0) && g.ns !== '') {
    const how = rnd()
    if (how < 0.35) {
      m.level = pick(OTHER_LEVEL[g.level])
      m.mutation = `namespace at ${m.level} level`
    } else if (how < 0.5) {
      const other = pick([null, [], '', true, {}])
      m.settings = other as Settings
      m.mutation = `namespace value ${JSON.stringify(other)}`
    } else if (how < 0.65) {
      // The namespace twice in one extra_config, the other copy empty: Go's map keeps the last.
      const first = rnd() < 0.5
      const empty = Array.isArray(g.settings) ? [] : {}
      m.settings = structuredClone(g.settings)
      m.twice = { first, empty }
      m.mutation = `namespace written twice, the ${first ? 'first' : 'second'} ${JSON.stringify(empty)}`
    } else {
      m.ns = pick(NS_MISSPELT[g.ns] ?? [`${g.ns}s`])
      m.mutation = `namespace written "${m.ns}"`
    }
    return m
  }
  if (!obj || keys.length === 0) return m
  const key = pick(keys)
  const rename = (to: string, what: string) => {
    const entries = Object.entries(obj).map(([k, v]) => [k === key ? to : k, v] as const)
    for (const k of Object.keys(obj)) delete obj[k]
    Object.assign(obj, Object.fromEntries(entries))
    m.mutation = `${what}: "${key}" written "${to}"`
  }
  if (SPELLINGS) {
    // A second spelling beside the key (Go's encoding/json decodes both, in byte order; the readers
    // of exact keys take the one written as read), holding another value or an empty one.
    const [what, other] = pick([
      ...otherValues(obj[key]),
      ['empty string', ''],
      ['empty list', []],
      ['empty object', {}],
    ])
    const spelling = pick([
      key.toUpperCase(),
      key[0]?.toUpperCase() + key.slice(1),
      unicodeFold(key, rnd) ?? key.toUpperCase(),
    ])
    if (spelling !== key) obj[spelling] = other
    m.mutation = `"${key}" also written "${spelling}", ${what} ${JSON.stringify(other)}`
  } else if (kind < 0.3) rename(key.toUpperCase(), 'key case')
  else if (kind < 0.36) rename(key[0]?.toUpperCase() + key.slice(1), 'key case')
  else if (kind < 0.44) {
    const folded = unicodeFold(key, rnd)
    if (folded) rename(folded, 'Unicode fold')
    else rename(key.toUpperCase(), 'key case')
  } else if (kind < 0.52) {
    const [what, other] = pick(otherValues(obj[key]))
    const first = rnd() < 0.5
    writeTwice(obj, Object.entries(obj), key, other, first)
    m.mutation = `"${key}" written twice, the ${first ? 'first' : 'second'} ${what} ${JSON.stringify(other)}`
  } else if (kind < 0.85) {
    const [what, other] = pick(otherValues(obj[key]))
    obj[key] = other
    m.mutation = `"${key}" as ${what}: ${JSON.stringify(other)}`
  } else if (kind < 0.93) {
    const extra = pick(['@comment', 'unknown_key', `${key}s`, `${key.slice(0, -1)}`])
    obj[extra] = pick(['x', 1, true, ['y']])
    m.mutation = `extra key "${extra}"`
  } else {
    delete obj[key]
    m.mutation = `"${key}" left out`
  }
  return m
}

/**
 * `count` units of SEED `seed`; with `twice` (MULTI=1) the settings of each are mutated a second
 * time (two mutations at once, the second on what the first left).
 */
export function generateUnits(seed: number, count: number, origin: string, twice = false): Unit[] {
  const { next: rnd } = seededRandom(seed * 104729 + 7)
  const all = guards(origin)
  const units: Unit[] = []
  for (let id = 0; id < count; id++) {
    const g = all[Math.floor(rnd() * all.length)] as Guard
    let m = mutate(g, rnd)
    if (twice && !m.twice) {
      const again = mutate(
        { ...g, ns: m.ns, level: m.level, settings: m.settings, endpoint: m.endpoint, backend: m.backend },
        rnd,
      )
      m = { ...again, mutation: `${m.mutation}; then ${again.mutation}` }
    }
    const core = m.mutation !== 'none' && rnd() < 0.2 ? rnd : undefined
    const mutated = core ? unitOf(g, mutate(g, rnd, true), id, origin, core) : unitOf(g, m, id, origin)
    units.push({ ...mutated, plain: unitOf(g, mutate(g, rnd, true), id, origin) })
  }
  return units
}

function unitOf(g: Guard, m: Mutated, id: number, origin: string, rnd?: () => number): Unit {
  const extra: Record<string, unknown> = {}
  if (m.twice?.first) extra[DUP + m.ns] = m.twice.empty
  if (m.ns !== '') extra[m.ns] = m.settings
  if (m.twice && !m.twice.first) extra[DUP + m.ns] = m.twice.empty
  const backend: Record<string, unknown> = {
    host: [origin],
    url_pattern: '/obj',
    ...m.backend,
    ...(m.level === 'backend' ? { extra_config: extra } : {}),
  }
  const path = `/u${id}`
  const endpoint: Record<string, unknown> = {
    endpoint: path,
    ...m.endpoint,
    backend: [backend],
    ...(m.level === 'endpoint' ? { extra_config: extra } : {}),
  }
  const mutation = rnd ? coreKeyMutation(endpoint, backend, rnd) : undefined
  const probes = g.probes.map((c) => ({ ...c, path: c.path.replace(/^P/, path) }))
  return {
    id,
    guard: g.name,
    mutation: mutation ?? m.mutation,
    ...(m.level === 'service' ? { service: extra } : {}),
    endpoint,
    probes,
  }
}

const CORE_KEYS = [
  'extra_config',
  'backend',
  'input_headers',
  'input_query_strings',
  'method',
  'url_pattern',
  'host',
  'allow',
  'deny',
]

/**
 * An endpoint or backend key (lura's, decoded by mapstructure) in another case or fold, or written
 * twice with another value: the key as a whole, where mutate() edits a component's settings.
 */
function coreKeyMutation(
  endpoint: Record<string, unknown>,
  backend: Record<string, unknown>,
  rnd: () => number,
): string | undefined {
  const spots = [endpoint, backend].flatMap((obj) =>
    Object.keys(obj)
      .filter((k) => CORE_KEYS.includes(k))
      .map((k) => [obj, k] as const),
  )
  if (spots.length === 0) return undefined
  const [obj, key] = spots[Math.floor(rnd() * spots.length)] as (typeof spots)[number]
  const how = rnd()
  // mapstructure's weak shapes: one object for a list of them, a list of objects for one map.
  if (how > 0.85 && key === 'backend' && Array.isArray(obj[key])) {
    obj[key] = (obj[key] as unknown[])[0]
    return 'core key "backend" as one object'
  }
  if (how > 0.85 && key === 'extra_config' && typeof obj[key] === 'object') {
    const entries = Object.entries(obj[key] as Record<string, unknown>)
    obj[key] = entries.length === 0 ? [] : entries.map(([k, v]) => ({ [k]: v }))
    return 'core key "extra_config" as a list of one-namespace objects'
  }
  const folded = unicodeFold(key, rnd)
  const to =
    how < 0.3
      ? key.toUpperCase()
      : how < 0.5
        ? `${key[0]?.toUpperCase()}${key.slice(1)}`
        : how < 0.75 && folded
          ? folded
          : undefined
  const entries = Object.entries(obj)
  for (const k of Object.keys(obj)) delete obj[k]
  if (to !== undefined) {
    for (const [k, v] of entries) obj[k === key ? to : k] = v
    return `core key "${key}" written "${to}"`
  }
  // Written twice: the other copy empty (or, for extra_config, without the guard).
  const empty = Array.isArray(obj === endpoint ? endpoint[key] : entries.find(([k]) => k === key)?.[1])
    ? []
    : key === 'extra_config'
      ? {}
      : ''
  const first = rnd() < 0.5
  writeTwice(obj, entries, key, empty, first)
  return `core key "${key}" written twice, the ${first ? 'first' : 'second'} ${JSON.stringify(empty)}`
}
