// Seeded configs for seqgen.cases.ts (SEED=, N= endpoints, 10 by default): what backends receive.
// Each endpoint has one to four backends, sequential or not; every backend's url_pattern is a
// `/scripted/STATUS/HEADERS/BODY` answer (scripted.ts) followed by slots: the route's params
// (several, repeated, in the url_pattern's query, next to literal text) and, on sequential
// endpoints, `{respN_a.b}` of earlier answers whose JSON holds strings with `/ ? # %`, spaces and
// unicode, numbers as written (ints, floats, exponents, big), bools, null, arrays, objects, under
// deep, missing and non-map paths; an earlier backend that fails or answers no JSON now and then;
// `sequential_propagated_params`; an earlier backend's mapping, target, deny or allow (lura reads the
// formatted data). Beside them: endpoint and backend `input_query_strings` /
// `input_headers` (names in any case, `*`, repeated names), the url_pattern's own query, backend
// `method` overrides, `host` lists (with and without scheme, a trailing slash) and
// `disable_host_sanitize` with a base path. A value KrakenD inserts raw into a path where it
// changes the path (`/ ? # %`, a deliberate deviation here) only goes to a path slot with
// DEVIATIONS=1; elsewhere it goes to query slots.
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import { ports } from '../side-by-side.ts'
import { JSON_TYPE, scripted } from './scripted.ts'

const seed = Number(process.env.SEED ?? 1)
const deviations = process.env.DEVIATIONS === '1'
const { next: rnd, pick } = seededRandom(seed * 104729 + 13)
// The recording backend written without the BACKEND placeholder (host lists with and without scheme).
const BACKEND_HOST = `127.0.0.1:${ports().backend}`
for (let i = 0; i < 5; i += 1) rnd()
const chance = (p: number) => rnd() < p

/** JSON texts of answer values, written as a backend writes them (number spellings kept). */
const VALUES = [
  '"plain"',
  '"a/b/c"',
  '"q?x=1&y=2"',
  '"h#frag"',
  '"100%"',
  '"50%25"',
  '"sp ace"',
  '"ünï"',
  '"日本"',
  '"a+b"',
  '"a&b=c"',
  '""',
  '".."',
  '"x.y"',
  '"tab\\tin"',
  '"quote\\"d"',
  '"back\\\\slash"',
  '"\\u00e9"',
  '0',
  '42',
  '-7',
  '1.5',
  '1e21',
  '1E+3',
  '12345678901234567890',
  '1.0',
  '-0',
  '0.1',
  '2.50',
  'true',
  'false',
  'null',
  '[1,"a",null]',
  '[]',
  '["x/y"]',
  '[{"k":1}]',
  '{"k":"v"}',
  '{}',
  '{"b":{"c":3},"a":[1,2]}',
]
/** A value whose text, put raw into a path by KrakenD, changes the path. */
const PATH_CHANGING = /[/?#%]/

export interface Field {
  /** The dot path into the answer. */
  path: string
  /** The value's JSON text, or undefined for a path the answer lacks. */
  json?: string
}

/** An answer body with fields k0..kN and a nested d.e, and the paths a slot may name. */
function answerBody(): { body: string; fields: Field[] } {
  const fields: Field[] = []
  const top: string[] = []
  const inner: string[] = []
  const count = 2 + Math.floor(rnd() * 4)
  for (let k = 0; k < count; k += 1) {
    const json = pick(VALUES)
    top.push(`"k${k}":${json}`)
    fields.push({ path: `k${k}`, json })
  }
  for (let k = 0; k < 2; k += 1) {
    const json = pick(VALUES)
    inner.push(`"v${k}":${json}`)
    fields.push({ path: `d.e.v${k}`, json })
  }
  top.push(`"d":{"e":{${inner.join(',')}},"s":"str"}`)
  // A path through a string (lura stops the walk there and reads the last key at that level).
  fields.push({ path: 'd.s.k0' }, { path: 'missing' }, { path: 'd.missing' }, { path: 'k0.x' })
  return { body: `{${top.join(',')}}`, fields }
}

const ANSWERS = [
  [200, 200, 200, 200, 200, 201],
  [500, 404],
  ['text', 'badjson', 'array', 'empty'],
]

interface PlannedBackend {
  fields: Field[]
}

function scriptedAnswer(first: boolean): { path: string; fields: Field[] } {
  const { body, fields } = answerBody()
  const failing = first ? chance(0.1) : chance(0.05)
  const odd = !failing && chance(0.08)
  if (failing) return { path: scripted(pick(ANSWERS[1] as number[]), JSON_TYPE, body), fields }
  if (odd) {
    switch (pick(ANSWERS[2] as string[])) {
      case 'text':
        return { path: scripted(200, { 'Content-Type': 'text/plain' }, 'k0=1'), fields: [] }
      case 'badjson':
        return { path: scripted(200, JSON_TYPE, '{"k0":'), fields: [] }
      case 'array':
        return { path: scripted(200, JSON_TYPE, `[${body}]`), fields: [] }
      default:
        return { path: scripted(200, JSON_TYPE, ''), fields: [] }
    }
  }
  return { path: scripted(pick(ANSWERS[0] as number[]), JSON_TYPE, body), fields }
}

const LITERALS = ['', '', 'x-', '.json', 'v1/', 'a:b', '~', "it's", 'é', '%20', '%2F']
/**
 * Literal url_pattern text; a `%2F` only where no sequential value is (a path holding one that is
 * re-escaped keeps `%2F` here, where Go sends `/`: a deliberate deviation).
 */
const literal = (sequential: boolean) => {
  const text = pick(LITERALS)
  return text === '%2F' && sequential && !deviations ? 'x%2Cy' : text
}
const QUERY_KEYS = ['a', 'b', 'c', 'A', 'x y', 'k[]', 'é', 'empty']
const HEADER_NAMES = [
  'X-A',
  'x-b',
  'X-C',
  'Authorization',
  'Content-Type',
  'User-Agent',
  'Connection',
  'TE',
  'Keep-Alive',
  'X-Forwarded-For',
  'Accept-Encoding',
  'Cookie',
]
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH']
const BACKEND_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'get', 'post', 'HEAD']

/** A slot for a route param, or for an earlier answer's field. */
function slot(params: string[], earlier: PlannedBackend[], sequential: boolean, inQuery: boolean): string {
  if (sequential && earlier.length > 0 && chance(0.7)) {
    const index = Math.floor(rnd() * earlier.length)
    // lura's merge writes a later answer's top-level keys into an earlier one's data, so `respN_p`
    // may read another earlier backend's value at p: none of them may change a path either.
    const changesPath = (f: Field) => f.json !== undefined && PATH_CHANGING.test(f.json)
    const candidates = (earlier[index] as PlannedBackend).fields.filter(
      (f) =>
        inQuery ||
        deviations ||
        !earlier.some((other) => other.fields.some((g) => g.path === f.path && changesPath(g))),
    )
    if (candidates.length > 0) return `{resp${index}_${pick(candidates).path}}`
    return `{resp${index}_missing}`
  }
  return params.length > 0 ? `{${pick(params)}}` : 'lit'
}

function listOf(names: string[]): string[] {
  if (chance(0.2)) return ['*']
  const out: string[] = []
  const count = 1 + Math.floor(rnd() * 3)
  for (let i = 0; i < count; i += 1) out.push(pick(names))
  return out
}

function backendConfig(
  j: number,
  params: string[],
  earlier: PlannedBackend[],
  sequential: boolean,
): { cfg: Record<string, unknown>; plan: PlannedBackend } {
  const answer = scriptedAnswer(j === 0)
  const formatting =
    sequential && answer.fields.length > 0 && chance(0.3) ? formatted(answer.fields) : undefined
  let pattern = answer.path
  const pathSlots = Math.floor(rnd() * 3)
  for (let s = 0; s < pathSlots; s += 1)
    pattern += `/${literal(sequential)}${slot(params, earlier, sequential, false)}${chance(0.2) ? literal(sequential) : ''}`
  if (chance(0.6)) {
    const pairs: string[] = []
    const count = 1 + Math.floor(rnd() * 3)
    for (let s = 0; s < count; s += 1)
      pairs.push(
        `${pick(['a', 'b', 'p', 'own', 'c'])}=${chance(0.8) ? slot(params, earlier, sequential, true) : pick(['', 'x', 'y%20z', 'é'])}`,
      )
    pattern += `?${pairs.join('&')}`
  }
  const cfg: Record<string, unknown> = { url_pattern: pattern, ...formatting?.cfg }
  if (chance(0.3)) cfg.method = pick(BACKEND_METHODS)
  if (chance(0.25)) cfg.input_query_strings = listOf(QUERY_KEYS)
  if (chance(0.25)) cfg.input_headers = listOf(HEADER_NAMES)
  if (chance(0.2))
    cfg.host = pick([
      [BACKEND_HOST],
      [`http://${BACKEND_HOST}/`],
      ['BACKEND', `http://${BACKEND_HOST}`],
      ['BACKEND', 'BACKEND', BACKEND_HOST],
    ])
  else if (chance(0.08)) {
    cfg.host = ['BACKEND/base']
    cfg.disable_host_sanitize = true
  }
  // Parallel answers writing the same keys race (the last to arrive wins): group them.
  if (earlier.length > 0 && (!sequential || chance(0.5))) cfg.group = `g${j}`
  return { cfg, plan: { fields: formatting?.fields ?? answer.fields } }
}

/**
 * lura's formatting of an answer (mapping, target, deny, allow) before a later backend reads it:
 * the config keys and the paths the formatted data holds (plus a few it no longer holds).
 */
function formatted(fields: Field[]): { cfg: Record<string, unknown>; fields: Field[] } {
  const json = (path: string) => fields.find((f) => f.path === path)?.json
  switch (Math.floor(rnd() * 4)) {
    case 0:
      return {
        cfg: { mapping: { k0: 'm0', d: 'dd' } },
        fields: [
          { path: 'm0', json: json('k0') },
          { path: 'dd.e.v0', json: json('d.e.v0') },
          { path: 'k1', json: json('k1') },
          { path: 'k0' },
          { path: 'd.e.v1' },
        ],
      }
    case 1:
      return {
        cfg: { target: 'd' },
        fields: [
          { path: 'e.v0', json: json('d.e.v0') },
          { path: 'e.v1', json: json('d.e.v1') },
          { path: 's', json: '"str"' },
          { path: 'k0' },
        ],
      }
    case 2:
      return {
        cfg: { deny: ['k0', 'd.e.v0'] },
        fields: [
          { path: 'k0' },
          { path: 'd.e.v0' },
          { path: 'd.e.v1', json: json('d.e.v1') },
          { path: 'k1', json: json('k1') },
        ],
      }
    default:
      return {
        cfg: { allow: ['k1', 'd.e.v1'] },
        fields: [
          { path: 'k0' },
          { path: 'd.e.v1', json: json('d.e.v1') },
          { path: 'k1', json: json('k1') },
          { path: 'd.s' },
        ],
      }
  }
}

export interface PlannedEndpoint {
  path: string
  method: string
  params: string[]
  queryNames: string[]
  headerNames: string[]
}

export const plan: PlannedEndpoint[] = []
const endpoints: Record<string, unknown>[] = []
const count = Number(process.env.N ?? 10)
for (let i = 0; i < count; i += 1) {
  const params = ['id', 'name', 'x'].slice(0, Math.floor(rnd() * 4))
  const path = `/s${i}${params.map((p) => `/${p === 'x' ? 'lit/' : ''}{${p}}`).join('')}`
  const size = pick([1, 1, 2, 2, 3, 4])
  const sequential = size > 1 && chance(0.7)
  const backends: Record<string, unknown>[] = []
  const planned: PlannedBackend[] = []
  for (let j = 0; j < size; j += 1) {
    const built = backendConfig(j, params, planned, sequential)
    backends.push(built.cfg)
    planned.push(built.plan)
  }
  const method = pick(METHODS)
  const endpoint: Record<string, unknown> = { endpoint: path, method, backend: backends }
  const queryNames = chance(0.6) ? listOf(QUERY_KEYS) : []
  const headerNames = chance(0.6) ? listOf(HEADER_NAMES) : []
  if (queryNames.length > 0) endpoint.input_query_strings = queryNames
  if (headerNames.length > 0) endpoint.input_headers = headerNames
  if (sequential) {
    const proxy: Record<string, unknown> = { sequential: true }
    if (chance(0.3))
      proxy.sequential_propagated_params = [
        pick(['resp0_k0', 'resp0_d.e.v1', 'resp0', 'resp1_k1', 'resp0_missing']),
      ]
    endpoint.extra_config = { proxy }
  }
  endpoints.push(endpoint)
  plan.push({ path, method, params, queryNames, headerNames })
}

export const config = {
  version: 3,
  name: 'seqgen',
  host: ['BACKEND'],
  timeout: '3s',
  extra_config: { router: { disable_access_log: true, return_error_msg: true } },
  endpoints,
}
