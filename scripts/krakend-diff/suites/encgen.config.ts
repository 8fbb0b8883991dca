// Seeded output encodings over response manipulation (SEED=, N= endpoints, 30 by default), for
// encgen.cases.ts. Each endpoint renders with an `output_encoding` drawn from json, yaml, xml,
// negotiate (asked with many Accept forms in encgen.cases.ts), string, json-collection, no-op and
// names lura does not know (`fast-json` — KrakenD CE has no such encoding —, `JSON`, `XML`,
// `noop`...: lura's fallback, the one backend's encoding render, else JSON), or none (the
// service's, drawn per seed). One to three backends answer scripted bodies at the writers' edges
// (encgen.bodies.ts: keys that are no XML names, mxj's `-attr`/`#text`, keys UTF-8 and UTF-16 sort
// apart, YAML look-alikes, number texts Go keeps whole, nested nulls, mixed arrays, deep nesting,
// top-level scalars, single-key roots, answers near Go's 2 KB chunking threshold; texts and bytes
// that are no UTF-8 for `string`) or XML and feeds (encodings.bodies.ts), decoded as json,
// safejson, string, xml, rss, no-op or names lura lower-cases (`XML`, `String`) or does not know
// (`yaml`, `fast-json`: JSON). Each backend with a drawn `is_collection`, `group`, `target`,
// `mapping`, `allow`/`deny` or `flatmap_filter` (paths from its body, bent), and with
// `return_error_code`/`return_error_details`; a 201 now and then, and one backend of an endpoint
// may fail (204, 206, 302, 304, 4xx, 5xx, a body it cannot decode, a refused connection on
// REFUSED_PORT, PORT_BASE+49 unless told) and one may be slow past the endpoint's 1 s timeout
// (backend.ts's /slow): partial answers with X-KrakenD-Completed false. As in manipgen.config.ts,
// what KrakenD does at random is not drawn: backends after the first get a group of their own,
// mappings never chain, at most one backend may fail fast; an rss answer is never rendered as XML
// or YAML (a documented deviation). Still random in KrakenD, and left in: a flatmap operation whose
// `*` walks an object's keys (Go's map order). Over --h2c KrakenD resets many no-op answers' streams
// (documented). Some answers come gzip-encoded. SKIP_KEYS=k1,k2 leaves keys out of the bodies, to
// see past a difference already reported.
import { gzipSync } from 'node:zlib'
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import { denyOutsideAllow } from './allow-deny.ts'
import { type Draw, EDGE_KEYS, edgeBody, textBody } from './encgen.bodies.ts'
import { feedBody, xmlBody } from './encodings.bodies.ts'
import { scripted } from './scripted.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 6000) * 2654435 + 97)
for (let i = 0; i < 7; i += 1) rnd()
const maybe = (p: number) => rnd() < p
/** A port nothing listens on (REFUSED_PORT, else run.ts's PORT_BASE + 49): a refused connection. */
const REFUSED = `http://127.0.0.1:${Number(process.env.REFUSED_PORT ?? Number(process.env.PORT_BASE ?? 19000) + 49)}`

/** SKIP_KEYS=k1,k2 leaves keys out of the bodies (a difference already reported, to see past it). */
const skipped = new Set((process.env.SKIP_KEYS ?? '').split(',').filter(Boolean))
const KEYS = EDGE_KEYS.filter((k) => !skipped.has(k))
const SEGMENTS = [
  'a',
  'b',
  'id',
  'items',
  'data',
  'content',
  'collection',
  'x',
  'y',
  '0',
  '1',
  '-k',
  '#text',
].filter((k) => !skipped.has(k))
const SPECIAL = ['*', '*', '0', '1', '5', '-1', '', 'ü', '1a', 'a b']

/** Dot paths the body being drawn holds (under `collection`/`content` where it lands). */
let present: string[] = []
/** Those of `present` that hold a list. */
let lists = new Set<string>()

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
    if (Array.isArray(v)) lists.add(prefix.join('.'))
    if (depth > 4 || typeof v !== 'object' || v === null) return
    for (const key of Object.keys(v)) walk((v as Record<string, unknown>)[key], [...prefix, key], depth + 1)
  }
  walk(value, under === undefined ? [] : [under], 0)
  return out
}

function path(maxDepth: number): string {
  if (present.length > 0 && maybe(0.7)) {
    const steps = pick(present).split('.')
    const r = rnd()
    if (r < 0.25) steps[Math.floor(rnd() * steps.length)] = '*'
    else if (r < 0.35) steps.push(pick(SPECIAL))
    else if (r < 0.45 && steps.length > 1) steps.pop()
    return steps.join('.')
  }
  const n = 1 + Math.floor(rnd() * maxDepth)
  return Array.from({ length: n }, () => (maybe(0.25) ? pick(SPECIAL) : pick(SEGMENTS))).join('.')
}

const paths = (max: number, depth: number) =>
  Array.from({ length: 1 + Math.floor(rnd() * max) }, () => path(depth))

/** No chains and no two names onto one: Go applies the pairs in its random map order. */
function mapping(): Record<string, string> {
  const out: Record<string, string> = {}
  for (let i = 0; i < 1 + Math.floor(rnd() * 3); i += 1) {
    const from = present.length > 0 && maybe(0.6) ? (pick(present).split('.')[0] as string) : pick(KEYS)
    out[from] = maybe(0.2) ? `${pick(KEYS)}.${pick(SEGMENTS)}` : pick([...KEYS, 'renamed'])
  }
  const sources = new Set(Object.keys(out))
  const targets = new Set<string>()
  for (const [from, to] of Object.entries(out)) {
    const first = to.split('.')[0] as string
    if ((first !== from && sources.has(first)) || targets.has(first)) delete out[from]
    else targets.add(first)
  }
  return out
}

function flatmap(): Array<Record<string, unknown>> {
  return Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => {
    const type = pick(['move', 'move', 'del', 'del', 'append', 'append'])
    if (type === 'del') return { type, args: paths(2, 4) }
    let src = path(4)
    let dst = maybe(0.4) ? src.replace(/[^.]*$/, pick(SEGMENTS)) : path(4)
    // Go's map order decides what comes first (the items of an append, the last of several edges
    // moved onto one label) when a `*` walks an object: a `*` there becomes an index. Relabelling
    // in place keeps each edge where it is.
    if (type === 'append' || src.split('.').length !== dst.split('.').length) src = starsOnLists(src)
    // An append reads its destination's list the same way.
    if (type === 'append') dst = starsOnLists(dst)
    // A move onto a label that is there leaves two edges of one name: the one Go writes last wins.
    if (type === 'move' && present.includes(dst)) dst = dst.replace(/[^.]*$/, 'moved')
    return { type, args: [src, dst] }
  })
}

function starsOnLists(path: string): string {
  const steps = path.split('.')
  for (const [i, step] of steps.entries())
    if (step === '*' && !lists.has(steps.slice(0, i).join('.'))) steps[i] = '0'
  return steps.join('.')
}

/** Where krakend-rss's answer has values. */
const RSS_PATHS = ['items', 'items.0', 'items.0.title', 'author', 'categories', 'title', 'custom']

/** Whether lura's JSON decoder takes the body: an object (an array with is_collection) or null. */
function decodes(text: string, collection: boolean): boolean {
  const first = text.trim()[0]
  return first === 'n' || first === (collection ? '[' : '{')
}

/** What can go wrong with one backend of the endpoint being drawn. */
interface Troubles {
  failed: boolean
  slow: boolean
}

function backend(i: number, output: string, noop: boolean, t: Troubles): Record<string, unknown> {
  const draw: Draw = { rnd, pick, keys: KEYS }
  const out: Record<string, unknown> = { host: ['BACKEND'] }
  if (noop) {
    out.encoding = 'no-op'
    const type = pick(['application/json', 'application/xml', 'text/plain; charset=utf-8', 'x/y'])
    const text = edgeBody(draw, false)
    // Go's transport reads a gzip answer through, for no-op too (its Content-Encoding dropped).
    const zipped = maybe(0.1)
    out.url_pattern = scripted(
      pick([200, 200, 201, 404, 500]),
      zipped ? { 'Content-Type': type, 'Content-Encoding': 'gzip' } : { 'Content-Type': type },
      zipped ? gzipSync(text) : text,
    )
    return out
  }
  // An rss answer rendered as XML or YAML is a documented deviation: only where JSON or text renders.
  const rssOk = ['json', 'json-collection', 'string', 'fast-json', 'JSON'].includes(output)
  const r = rnd()
  const encoding =
    r < 0.45
      ? 'json'
      : r < 0.6
        ? 'safejson'
        : r < 0.7
          ? 'string'
          : r < 0.8
            ? 'xml'
            : r < 0.85 && rssOk
              ? 'rss'
              : r < 0.9
                ? pick(['yaml', 'fast-json', 'XML', 'JSON', 'String', 'SafeJSON'])
                : r < 0.93
                  ? 'no-op'
                  : 'json'
  if (encoding !== 'json') out.encoding = encoding
  // lura looks the decoder up by the lower-cased name (`XML` is xml); an unknown one is JSON.
  const decoder = encoding.toLowerCase()
  const collection = !['string', 'rss', 'no-op'].includes(decoder) && maybe(0.2)
  if (collection) out.is_collection = true
  let text: string | Buffer =
    decoder === 'xml'
      ? xmlBody(rnd)
      : decoder === 'rss'
        ? feedBody(rnd)
        : decoder === 'string' && maybe(0.5)
          ? textBody(draw)
          : edgeBody(draw, collection)
  // Two failing backends give their errors in arrival order: at most one that may fail per endpoint
  // (an xml or rss body may not parse).
  const jsonish = ['json', 'yaml', 'fast-json'].includes(decoder)
  const undecodable =
    (jsonish && typeof text === 'string' && !decodes(text, collection)) ||
    decoder === 'xml' ||
    decoder === 'rss'
  if (undecodable && t.failed) {
    if (decoder === 'xml') text = '<r><a>1</a><b/></r>'
    else if (decoder === 'rss') text = '<rss version="2.0"><channel><title>T</title></channel></rss>'
    else text = collection ? '[]' : '{}'
  } else if (undecodable) t.failed = true
  const landsUnder = collection ? 'collection' : decoder === 'string' ? 'content' : undefined
  lists = new Set()
  present =
    decoder === 'rss'
      ? RSS_PATHS
      : typeof text === 'string' && decoder !== 'xml'
        ? bodyPaths(text, landsUnder)
        : []
  const extra: Record<string, unknown> = {}
  // lura takes 200 and 201 only; the others fail (return_error_code passes them on, bodiless ones too).
  const status = maybe(0.05)
    ? 201
    : !t.failed && maybe(0.14)
      ? pick([204, 206, 302, 304, 400, 401, 404, 418, 500, 503])
      : 200
  if (status !== 200 && status !== 201) t.failed = true
  const errors = rnd()
  if (errors < 0.15) extra['backend/http'] = { return_error_code: true }
  else if (errors < 0.3) extra['backend/http'] = { return_error_details: pick([`e${i}`, 'x', 'a b']) }
  else if (errors < 0.35) extra['backend/http'] = { return_error_code: true, return_error_details: `e${i}` }
  if (!t.failed && maybe(0.05)) {
    t.failed = true
    out.host = [REFUSED]
    out.url_pattern = '/refused'
  } else if (!t.slow && i > 0 && maybe(0.12)) {
    t.slow = true
    out.url_pattern = '/slow'
    present = ['slow']
  } else if (maybe(0.08))
    // Go's transport asked for gzip and reads it through: every decoder gets the plain bytes.
    out.url_pattern = scripted(
      status,
      { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      gzipSync(text),
    )
  else out.url_pattern = scripted(status, { 'Content-Type': 'application/json' }, text)
  if (maybe(0.25)) out.target = path(3)
  // A collection (a list, or krakend-xml's mxj.Map) is never walked by lura's deny, nor the xml one by
  // flatmap: paths into it would leave their fields in KrakenD's answer, refused here. Not drawn.
  const walled = collection && out.target === undefined
  const xmlWalled = walled && decoder === 'xml'
  if (maybe(0.25)) {
    const ops = flatmap().filter(
      (op) => !xmlWalled || !(op.args as string[]).some((a) => into(a, ['collection'])),
    )
    if (ops.length > 0) extra.proxy = { flatmap_filter: ops }
  } else {
    // Beside a flatmap_filter lura never applies them: refused here.
    if (maybe(0.3)) out.allow = paths(3, 3)
    if (maybe(0.3)) out.deny = paths(3, 3).filter((d) => !walled || !into(d, ['collection'], false))
    if (out.allow && out.deny) out.deny = denyOutsideAllow(out.allow as string[], out.deny as string[])
  }
  if (maybe(0.25)) out.mapping = mapping()
  if (i > 0) out.group = `g${i}`
  else if (maybe(0.15)) out.group = pick(['g', 'content', 'collection', 'a b', '1a', 'x:y', '-k'])
  if (Object.keys(extra).length > 0) out.extra_config = extra
  const group = out.group as string | undefined
  if (xmlWalled) {
    // where the endpoint's flatmap finds it: after the backend's mapping and group
    const mapped = (out.mapping as Record<string, string> | undefined)?.collection?.split('.')[0]
    const name = extra.proxy === undefined ? (mapped ?? 'collection') : 'collection'
    xmlCollections.push(group === undefined ? [name] : [group, name])
  }
  const under = (p: string) => (group === undefined ? p : p === '' ? group : `${group}.${p}`)
  merged.push(...(group === undefined ? present : [group, ...present.map(under)]))
  for (const p of lists) mergedLists.add(under(p))
  return out
}

/** The paths of every backend of the endpoint being drawn, as they land in the merged answer. */
let merged: string[] = []
let mergedLists = new Set<string>()
/** Where the xml collections of the endpoint being drawn sit in its merged answer. */
let xmlCollections: string[][] = []

/** Whether a dot path goes through `prefix` to something inside it (`*` matching any key in flatmap). */
function into(path: string, prefix: string[], wildcards = true): boolean {
  const steps = path.split('.')
  return (
    steps.length > prefix.length && prefix.every((k, i) => steps[i] === k || (wildcards && steps[i] === '*'))
  )
}

const OUTPUTS = [
  'json',
  'json',
  'yaml',
  'yaml',
  'xml',
  'xml',
  'negotiate',
  'negotiate',
  'string',
  'json-collection',
  'no-op',
  'fast-json',
  'JSON',
  'foo',
  // names lura does not know either
  'XML',
  'Yaml',
  'NEGOTIATE',
  'noop',
  'json_collection',
  '',
]
// Service-level output_encoding (lura's default for endpoints without one); never no-op, which
// would make every endpoint of several backends a config error.
const serviceOutput = maybe(0.5)
  ? pick(['json', 'yaml', 'xml', 'negotiate', 'string', 'json-collection'])
  : ''

export const endpoints = Array.from({ length: Number(process.env.N ?? 30) }, (_, i) => {
  const own = pick(OUTPUTS)
  const output = own || serviceOutput || 'json'
  const noop = output === 'no-op'
  const count = noop ? 1 : 1 + Math.floor(rnd() * (maybe(0.4) ? 1 : 3))
  merged = []
  mergedLists = new Set()
  xmlCollections = []
  const troubles: Troubles = { failed: false, slow: false }
  const backends = Array.from({ length: count }, (_, j) => backend(j, output, noop, troubles))
  present = merged
  lists = mergedLists
  // On one backend lura never runs it: a `del` there is refused.
  const ops =
    !noop && maybe(0.15)
      ? flatmap().filter(
          (op) =>
            (count > 1 || op.type !== 'del') &&
            !(op.args as string[]).some((a) => xmlCollections.some((c) => into(a, c))),
        )
      : []
  return {
    endpoint: `/e${i}`,
    ...(own === '' ? {} : { output_encoding: own }),
    ...(troubles.slow ? { timeout: '1s' } : {}),
    ...(ops.length > 0 ? { extra_config: { proxy: { flatmap_filter: ops } } } : {}),
    backend: backends,
  }
})

/** Whether an endpoint renders by the client's Accept (its own negotiate, or the service's). */
export const negotiates = (e: { output_encoding?: string }) =>
  (e.output_encoding ?? serviceOutput) === 'negotiate'

export const config = {
  version: 3,
  name: 'encgen',
  timeout: '3s',
  ...(serviceOutput === '' ? {} : { output_encoding: serviceOutput }),
  extra_config: { router: { return_error_msg: maybe(0.6), disable_access_log: true } },
  endpoints,
}
