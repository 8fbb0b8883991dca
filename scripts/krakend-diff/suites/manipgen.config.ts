// Seeded response-manipulation configs (SEED=, N= endpoints, 30 by default) for manipgen.cases.ts:
// each endpoint has one to three backends answering scripted JSON (suites/scripted.ts; bodies from
// manipgen.bodies.ts: objects, top-level arrays, scalars, null, float64 edges, huge integers,
// duplicate keys, escapes, dotted, unicode, empty and `__proto__` keys, deep nesting, trailing text),
// each backend with drawn `target` (deep, missing, through arrays and scalars), `allow` and/or `deny`
// (deep and dotted paths, `*`, prefixes of each other), `mapping` (onto existing keys, nested names,
// itself), `group`, `is_collection`, `encoding` json / safejson / string / xml / rss / no-op and
// names lura does not know, a `proxy.flatmap_filter` (move / del / append with `*` at any depth,
// array indexes in and out of range, on scalars and missing paths, several in a row; without
// allow/deny, which lura would not apply and this runtime refuses) and now and then
// `return_error_details` over a failing status; endpoints with `output_encoding` json /
// json-collection / string / xml / yaml / negotiate / no-op / unknown names and an endpoint-level
// `proxy.flatmap_filter` (on one backend, never run, without `del`). Paths are mostly drawn from the
// body the backend answers, then bent (a `*`, a step more or less, an index out of range), so that
// the operations hit.
// In KrakenD two backends writing one top-level key race (the last to answer wins), two failing
// backends' errors come in arrival order and mappings are applied in Go's random map order: so
// backends after the first get a group of their own, at most one backend per endpoint fails to
// decode, and mappings never chain (a target that is another pair's source); OVERLAP=1 lifts the
// first and the last. Still random in KrakenD, and left in: a flatmap `append` whose source walks
// an object's keys with `*` (the items come in Go's map order) and a move or relabel onto a key that
// exists (which of the two edges is written last). Against KrakenD CE 2.13.8, SEED=1..80 (3,180
// cases) differ in three, all of those.
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import { denyOutsideAllow, dropPathsIntoCollection, endpointOpsOutsideCollections } from './allow-deny.ts'
import { feedBody } from './encodings.bodies.ts'
import { type BodyDraw, body } from './manipgen.bodies.ts'
import { scripted } from './scripted.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 1) * 15485863 + 71)
for (let i = 0; i < 5; i += 1) rnd()
const maybe = (p: number) => rnd() < p
const OVERLAP = process.env.OVERLAP === '1'

export const KEYS = [
  'a',
  'b',
  'c',
  'id',
  'items',
  'data',
  'x.y',
  'ü',
  'collection',
  'content',
  '',
  'A',
  '__proto__',
  '0',
  '1',
  'a.b',
  'n',
  'k',
]
/** Path segments: the keys' own (a dotted key is two), `*`, array indexes in and out of range. */
const SEGMENTS = ['a', 'b', 'c', 'id', 'items', 'data', 'x', 'y', 'collection', 'content', 'n', 'k', '0', '1']
const SPECIAL = ['*', '*', '0', '1', '2', '7', '-1', '', 'ü', '__proto__', 'A']

/** Dot paths the body holds (array items by index), under `collection` / `content` where it lands. */
let present: string[] = []

function bodyPaths(text: string, under: string | undefined): string[] {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return []
  }
  const out: string[] = []
  const walk = (v: unknown, prefix: string[], depth: number) => {
    if (prefix.length > 0) out.push(prefix.join('.'))
    if (depth > 4 || typeof v !== 'object' || v === null) return
    for (const key of Object.keys(v)) walk((v as Record<string, unknown>)[key], [...prefix, key], depth + 1)
  }
  walk(value, under === undefined ? [] : [under], 0)
  return out
}

/** A path the body holds, bent now and then (a `*`, an index out of range, one step more or less). */
function path(maxDepth: number): string {
  if (present.length > 0 && maybe(0.7)) {
    const steps = pick(present).split('.')
    const r = rnd()
    if (r < 0.25) steps[Math.floor(rnd() * steps.length)] = '*'
    else if (r < 0.35) steps.push(pick(SPECIAL))
    else if (r < 0.45 && steps.length > 1) steps.pop()
    else if (r < 0.5) steps[steps.length - 1] = pick(SPECIAL)
    return steps.join('.')
  }
  const n = 1 + Math.floor(rnd() * maxDepth)
  return Array.from({ length: n }, () => (maybe(0.25) ? pick(SPECIAL) : pick(SEGMENTS))).join('.')
}

const paths = (max: number, depth: number) =>
  Array.from({ length: 1 + Math.floor(rnd() * max) }, () => path(depth))

function mapping(): Record<string, string> {
  const out: Record<string, string> = {}
  const n = 1 + Math.floor(rnd() * 3)
  for (let i = 0; i < n; i += 1) {
    const from = present.length > 0 && maybe(0.6) ? (pick(present).split('.')[0] as string) : pick(KEYS)
    const to = maybe(0.25) ? `${pick(KEYS)}.${pick(SEGMENTS)}` : pick([...KEYS, 'renamed', 'other'])
    out[from] = to
  }
  if (OVERLAP) return out
  // No chains and no two names onto one: Go applies the pairs in random order.
  const sources = new Set(Object.keys(out))
  const targets = new Set<string>()
  for (const [from, to] of Object.entries(out)) {
    const first = to.split('.')[0] as string
    if ((first !== from && sources.has(first)) || targets.has(first)) delete out[from]
    else targets.add(first)
  }
  return out
}

const OPS = ['move', 'move', 'move', 'del', 'del', 'append', 'append']

function flatmap(): Array<Record<string, unknown>> {
  return Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => {
    const type = pick(OPS)
    if (type === 'del') return { type, args: paths(2, 4) }
    const src = path(4)
    // Destinations of the same depth (a rename), shorter (a promotion) and longer (an embedding).
    const dst = maybe(0.4) ? src.replace(/[^.]*$/, pick(SEGMENTS)) : path(4)
    return { type, args: [src, dst] }
  })
}

const XML_BODIES = [
  '<r><a>1</a><b x="y">t</b><a>2</a></r>',
  '<items><k>1</k><collection><n>0.1</n></collection></items>',
  '<?xml version="1.0"?><data id="7"><c/></data>',
]

/** Where krakend-rss's answer has values (typed ones lura's manipulations take whole). */
const RSS_PATHS = [
  'items',
  'items.0',
  'items.0.title',
  'author',
  'author.name',
  'categories',
  'categories.0',
  'custom',
  'title',
]

function backend(index: number, endpointNoop: boolean, rssOk: boolean): Record<string, unknown> {
  const draw: BodyDraw = { rnd, pick, keys: KEYS }
  const out: Record<string, unknown> = { host: ['BACKEND'] }
  if (endpointNoop) {
    out.encoding = 'no-op'
    out.url_pattern = scripted(200, { 'Content-Type': 'application/json', 'X-Be': 'b' }, body(draw, false))
    return out
  }
  const r = rnd()
  const last = rssOk ? 'rss' : 'json'
  const encoding = r < 0.7 ? 'json' : r < 0.85 ? 'safejson' : r < 0.92 ? 'string' : r < 0.96 ? 'xml' : last
  if (encoding !== 'json') out.encoding = encoding
  // Names lura does not know decode as JSON.
  else if (maybe(0.1)) out.encoding = pick(['JSON', 'Json', 'foo', ''])
  const collection = encoding !== 'string' && encoding !== 'rss' && maybe(encoding === 'json' ? 0.2 : 0.1)
  if (collection) out.is_collection = true
  let text =
    encoding === 'xml'
      ? pick(XML_BODIES)
      : encoding === 'rss'
        ? feedBody(rnd)
        : body(draw, collection || maybe(0.1))
  // Two failing backends give their errors in arrival order (timing): one per endpoint.
  if (encoding === 'json' && !decodes(text, collection) && failures++ > 0) text = collection ? '[]' : '{}'
  const landsUnder = collection ? 'collection' : encoding === 'string' ? 'content' : undefined
  present = encoding === 'xml' ? [] : encoding === 'rss' ? RSS_PATHS : bodyPaths(text, landsUnder)
  const failing = maybe(0.06)
  if (failing) out.extra_config = { 'backend/http': { return_error_details: `e${index}` } }
  out.url_pattern = scripted(failing ? pick([400, 500]) : 200, { 'Content-Type': 'application/json' }, text)
  if (maybe(0.25)) out.target = path(3)
  if (maybe(0.3)) {
    const ops = flatmap()
    out.extra_config = { ...(out.extra_config as object), proxy: { flatmap_filter: ops } }
  } else {
    // Beside a flatmap_filter lura never applies them: refused here (their fields would leak).
    if (maybe(0.3)) out.allow = paths(4, 3)
    if (maybe(0.3)) out.deny = paths(4, 3)
    // A deny path the allow list keeps is refused here (lura applies allow alone: it would leak).
    if (out.allow && out.deny) out.deny = denyOutsideAllow(out.allow as string[], out.deny as string[])
  }
  // Beside a flatmap_filter not applied either (a warning).
  if (maybe(0.25)) out.mapping = mapping()
  if (index > 0 && !OVERLAP) out.group = `g${index}`
  else if (maybe(0.15)) out.group = pick(['g', 'data', 'a', 'collection', 'content', 'x.y'])
  const group = out.group as string | undefined
  merged.push(...(group === undefined ? present : [group, ...present.map((p) => `${group}.${p}`)]))
  dropPathsIntoCollection(out)
  return out
}

/** The paths of every backend of the endpoint being drawn, as they land in the merged answer. */
let merged: string[] = []
/** Backends of the endpoint being drawn whose body fails to decode. */
let failures = 0

/** Whether lura's JSON decoder takes the body: an object (an array with is_collection) or null. */
function decodes(text: string, collection: boolean): boolean {
  const first = text.trim()[0]
  return first === 'n' || first === (collection ? '[' : '{')
}

// Unknown names fall back to the one backend's encoding render, else json.
const OUTPUTS = [
  'json',
  'json',
  'json',
  'json',
  'json-collection',
  'string',
  'xml',
  'yaml',
  'negotiate',
  'no-op',
  'JSON',
  'foo',
]

export const endpoints = Array.from({ length: Number(process.env.N ?? 30) }, (_, i) => {
  const output = pick(OUTPUTS)
  const noop = output === 'no-op'
  const count = noop ? 1 : 1 + Math.floor(rnd() * (maybe(0.5) ? 1 : 3))
  merged = []
  failures = 0
  // An RSS answer rendered as XML or YAML is a known deviation (README): JSON renders only.
  const rssOk = ['json', 'json-collection', 'string', 'JSON', 'foo'].includes(output)
  const backends = Array.from({ length: count }, (_, j) => backend(j, noop, rssOk))
  present = merged
  // On one backend lura never runs it: a `del` there is refused (its fields would reach the client).
  const drawn = !noop && maybe(0.2) ? flatmap().filter((op) => count > 1 || op.type !== 'del') : []
  const ops = endpointOpsOutsideCollections(drawn, backends)
  const endpointFlatmap = ops.length > 0 ? { proxy: { flatmap_filter: ops } } : undefined
  return {
    endpoint: `/e${i}`,
    ...(output === 'json' ? {} : { output_encoding: output }),
    ...(endpointFlatmap ? { extra_config: endpointFlatmap } : {}),
    backend: backends,
  }
})

export const config = {
  version: 3,
  name: 'manipgen',
  timeout: '3s',
  extra_config: { router: { return_error_msg: true, disable_access_log: true } },
  endpoints,
}
