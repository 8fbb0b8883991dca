// Random configs (seeded: SEED=, ENDPOINTS= how many): endpoints that combine what the other suites
// test one at a time — encodings in and out, groups, targets, mappings, allow/deny, collections,
// flatmap, sequential and static proxies, error codes and details, several backends per endpoint,
// martian headers, the HTTP cache, CEL checks and cache_ttl. EXTRA=1 adds service-level
// output_encoding and cache_ttl, backend input_query_strings/input_headers and names in another case
// (and, in mixed.cases.ts, more Accept forms, methods, query strings and bodies).
// No `input_headers: ["*"]`: it passes the client's Connection header on in KrakenD, which this
// runtime deliberately does not (core.json covers it).
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import { dropPathsIntoCollection } from './allow-deny.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 11) * 7919 + 1)
const chance = (p: number) => rnd() < p
// EXTRA=1: settings drawn from a stream of their own, so a seed's other draws stay as they were.
const extraDraws = process.env.EXTRA === '1'
const extraStream = seededRandom(Number(process.env.SEED ?? 11) * 7919 + 5)
const extraChance = (p: number) => extraDraws && extraStream.next() < p
const extraSome = <T>(list: readonly T[]): T[] => [
  ...new Set([extraStream.pick(list), extraStream.pick(list)]),
]
const some = <T>(list: readonly T[], max: number): T[] => {
  const out = new Set<T>()
  const n = 1 + Math.floor(rnd() * max)
  for (let i = 0; i < n; i++) out.add(pick(list))
  return [...out]
}

// The recording backend's answers (backend.ts) and what their bodies hold.
const OBJECT_PATHS = ['/obj', '/yamlish', '/setcookie', '/big', '/gz', '/echo/x']
const OTHER_PATHS = ['/arr', '/numbers', '/text', '/xml', '/badjson', '/empty', '/null', '/str', '/headers']
const STATUS_PATHS = [
  '/status/200',
  '/status/201',
  '/status/204',
  '/status/400',
  '/status/404',
  '/status/500',
]
const KEYS = [
  'a',
  'b',
  'nested',
  'nested.y',
  'nested.z',
  'nested.a',
  'big',
  'num',
  's',
  'e',
  'l',
  'ok',
  'zipped',
  'n',
  'list',
  'data',
  'method',
  'url',
  'headers',
  'collection',
  'root',
  'content',
]
const FLATMAP = [
  { type: 'move', args: ['a', 'moved'] },
  { type: 'move', args: ['nested.y', 'ys'] },
  { type: 'del', args: ['nested.y.2'] },
  { type: 'del', args: ['b'] },
  { type: 'append', args: ['l', 'nested.y'] },
  { type: 'move', args: ['collection.*.k', 'collection.*.key'] },
  { type: 'del', args: ['collection.*.n'] },
  { type: 'move', args: ['list.*.i', 'list.*.index'] },
]

function backend(i: number, sequentialFrom: boolean) {
  const roll = rnd()
  let url = roll < 0.55 ? pick(OBJECT_PATHS) : roll < 0.85 ? pick(OTHER_PATHS) : pick(STATUS_PATHS)
  if (chance(0.3)) url += '?p={p}'
  if (sequentialFrom && i > 0 && chance(0.7)) url = `/echo/seq?prev={resp0_a}`
  const b: Record<string, unknown> = { url_pattern: url }
  if (chance(0.25)) b.encoding = pick(['json', 'safejson', 'string', 'xml', 'json'])
  if (url === '/arr' || url === '/numbers') {
    if (chance(0.7)) b.is_collection = true
  } else if (chance(0.05)) b.is_collection = true
  // One group per backend: two backends in one group overwrite each other in arrival order (timing).
  if (chance(0.3)) b.group = `g${i}`
  if (chance(0.15)) b.target = pick(['nested', 'headers', 'collection', 'missing'])
  if (chance(0.25)) b.mapping = Object.fromEntries(some(KEYS, 3).map((k) => [k, `${k.replace('.', '_')}_m`]))
  const filter = rnd()
  if (filter < 0.2) b.allow = some(KEYS, 4)
  else if (filter < 0.4) b.deny = some(KEYS, 3)
  if (chance(0.15)) b.method = pick(['GET', 'POST', 'PUT'])
  const extra: Record<string, unknown> = {}
  if (chance(0.15))
    extra['backend/http'] = chance(0.5) ? { return_error_code: true } : { return_error_details: `be${i}` }
  if (chance(0.15)) {
    extra.proxy = { flatmap_filter: some(FLATMAP, 2) }
    // lura never applies allow/deny beside a flatmap_filter: this runtime refuses that config.
    delete b.allow
    delete b.deny
  }
  if (chance(0.15))
    extra['modifier/martian'] = pick([
      { 'header.Modifier': { scope: ['request', 'response'], name: 'X-Martian', value: `m${i}` } },
      { 'cookie.Modifier': { scope: ['request', 'response'], name: `c${i}`, value: 'v w', maxAge: 60 } },
      {
        'header.Filter': {
          scope: ['request', 'response'],
          name: 'X-A',
          value: 'v1',
          modifier: { 'querystring.Modifier': { scope: ['request'], name: 'xa', value: '1' } },
          else: { 'header.Blacklist': { scope: ['request', 'response'], names: ['Cookie', 'Set-Cookie'] } },
        },
      },
      {
        'body.Modifier': {
          scope: pick([['request'], ['response'], ['request', 'response']]),
          body: Buffer.from('{"static":true,"n":1.50}').toString('base64'),
          contentType: 'application/json',
        },
      },
    ])
  if (chance(0.1)) extra['qos/http-cache'] = {}
  if (extraChance(0.15)) extra['backend/http'] = { return_error_code: true, return_error_details: `be${i}` }
  if (Object.keys(extra).length > 0) b.extra_config = extra
  if (extraChance(0.2)) b.input_query_strings = extraSome(['a', 'B', 'p', '*'])
  if (extraChance(0.2)) b.input_headers = extraSome(['x-a', 'Accept', 'X-B', '*'])
  dropPathsIntoCollection(b)
  return b
}

function endpoint(i: number) {
  const withParam = chance(0.4)
  const e: Record<string, unknown> = { endpoint: withParam ? `/m${i}/{p}` : `/m${i}` }
  if (chance(0.25)) e.method = pick(['POST', 'PUT', 'DELETE', 'PATCH'])
  const count = chance(0.5) ? 1 : chance(0.6) ? 2 : 3
  const sequential = count > 1 && (e.method === undefined || e.method === 'GET') && chance(0.2)
  let backends = Array.from({ length: count }, (_, n) => backend(n, sequential))
  if (!withParam)
    backends = backends.map((b) => ({ ...b, url_pattern: String(b.url_pattern).replace('?p={p}', '') }))
  const noop = count === 1 && chance(0.1)
  if (noop) {
    e.output_encoding = 'no-op'
    backends = [{ url_pattern: backends[0]?.url_pattern, encoding: 'no-op' }]
  } else if (chance(0.35))
    e.output_encoding = pick(['negotiate', 'string', 'xml', 'yaml', 'json-collection', 'json'])
  e.backend = backends
  if (chance(0.3)) e.input_query_strings = some(['a', 'b', 'p', '*'], 2)
  if (chance(0.3)) e.input_headers = some(['X-A', 'Content-Type', 'Accept', 'Cookie'], 2)
  if (count > 1 && chance(0.15)) e.concurrent_calls = 2
  const proxy: Record<string, unknown> = {}
  if (sequential) proxy.sequential = true
  if (!noop && chance(0.15))
    proxy.static = {
      strategy: pick(['always', 'success', 'errored', 'complete', 'incomplete']),
      data: { st: 1, a: 'static' },
    }
  if (!noop && count === 1 && chance(0.1)) {
    // Never applied on one backend: a `del` there is refused here (its field would reach the client).
    const ops = some(FLATMAP, 2).filter((op) => op.type !== 'del')
    if (ops.length > 0) proxy.flatmap_filter = ops
  }
  const extra: Record<string, unknown> = {}
  if (Object.keys(proxy).length > 0) extra.proxy = proxy
  if (chance(0.1))
    extra['validation/cel'] = [{ check_expr: pick(["!('b' in req_querystring)", "req_method == 'GET'"]) }]
  if (Object.keys(extra).length > 0) e.extra_config = extra
  if (chance(0.1)) e.cache_ttl = '30s'
  if (extraChance(0.2)) e.input_query_strings = [extraStream.pick(['A', 'P', 'b', 'p'])]
  if (extraChance(0.2)) e.input_headers = [extraStream.pick(['x-a', 'ACCEPT', 'If-None-Match', 'Range'])]
  return e
}

export const config = {
  version: 3,
  name: 'mixed',
  host: ['BACKEND'],
  timeout: '3s',
  extra_config: {
    router: { disable_access_log: true, ...(chance(0.5) ? { return_error_msg: true } : {}) },
  },
  endpoints: Array.from({ length: Number(process.env.ENDPOINTS ?? 30) }, (_, i) => endpoint(i)),
  // The default every endpoint without an output_encoding of its own takes (lura's service level).
  ...(extraChance(0.6)
    ? { output_encoding: extraStream.pick(['negotiate', 'string', 'xml', 'yaml', 'json-collection', 'json']) }
    : {}),
  ...(extraChance(0.3) ? { cache_ttl: '1m' } : {}),
}
