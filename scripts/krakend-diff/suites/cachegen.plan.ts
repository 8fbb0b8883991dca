// The seeded plan behind cachegen.config.ts and cachegen.cases.ts (SEED=, N= endpoints, 12 by
// default): qos/http-cache backends of every shape, each with a list of answers the recording
// backend gives call after call (per gateway), and each endpoint's ordered requests.
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'

export interface Reply {
  status: number
  headers: Record<string, string | string[]>
  /** The Date header: the answer's instant, two hours earlier, none, or not a date. */
  date: 'now' | 'past' | 'none' | 'bad'
  /** A request whose If-None-Match / If-Modified-Since names this answer gets a 304. */
  revalidates: boolean
  /** Gzipped when the request accepts gzip. */
  gzip: boolean
  /** Bytes of padding in the body (what the LRU counts). */
  pad: number
}

export interface BackendPlan {
  sid: string
  method: string
  encoding: 'json' | 'no-op' | 'string'
  collection: boolean
  cache: unknown
  modifier?: 'martian' | 'lua'
  replies: Reply[]
  /** The answers of the target of a 301. */
  target: Reply[]
}

export interface EndpointPlan {
  path: string
  method: string
  inputHeaders?: string[]
  inputQuery?: string[]
  backends: BackendPlan[]
  requests: Array<{ query: string; headers: Array<[string, string]> }>
  /**
   * Some answer lives three seconds: the endpoint's requests then go one after the other (well
   * within those seconds, so fresh), its backends' URLs are used by no other endpoint, and a pause
   * before a request makes what it stored stale.
   */
  short: boolean
}

const seed = Number(process.env.SEED ?? 1)
const { next: rnd, pick } = seededRandom(seed * 104729 + 17)
for (let i = 0; i < 5; i += 1) rnd()
const chance = (p: number) => rnd() < p
const some = <T>(list: readonly T[], p: number) => list.filter(() => chance(p))

const CACHE_OPTIONS: unknown[] = [
  {},
  {},
  { shared: true },
  { shared: true },
  { shared: false },
  { shared: 'true' },
  { shared: 1 },
  { shared: null },
  { shared: true, max_size: 100000, max_items: 100 },
  { max_size: 600, max_items: 2 },
  { shared: true, max_size: 900, max_items: 3 },
]
const CACHE_CONTROL = [
  'max-age=3600',
  'max-age=3600',
  'max-age=3600',
  'max-age=3600',
  'max-age=3600',
  'max-age=0',
  'max-age=3',
  'public, max-age=3600',
  'private, max-age=3600',
  'max-age=3',
  'max-age=0',
  's-maxage=3600',
  'no-cache',
  'no-store',
  'max-age=3600, must-revalidate',
  'max-age=0, stale-if-error=3600',
  'stale-if-error',
  'max-age=abc',
  'max-age=3600,,',
  'MAX-AGE=3600',
  ' max-age = 3600',
  'max-age="3600"',
  'max-age=3600.5',
  'max-age=3600, no-cache',
  'max-age=3600, no-store',
]
const VARY = [
  'X-User',
  'Accept',
  'Accept-Encoding',
  'Authorization',
  'Cookie',
  '*',
  'x-user, Accept',
  'X-M',
  'X-Lua',
  '',
]
const REQUEST_DIRECTIVES = [
  'no-cache',
  'no-store',
  'max-age=0',
  'max-age=3600',
  'max-stale',
  'max-stale=3600',
  'min-fresh=3600',
  'only-if-cached',
  'stale-if-error=3600',
]
const LAST_MODIFIED = 'Mon, 02 Jan 2006 15:04:05 GMT'

function reply(sid: string, body: boolean): Reply {
  const headers: Record<string, string | string[]> = { 'Content-Type': 'application/json' }
  const cc = chance(0.85) ? pick(CACHE_CONTROL) : undefined
  if (cc !== undefined) headers['Cache-Control'] = chance(0.08) ? [cc, 'no-store'] : cc
  if (chance(0.2)) headers.Expires = pick(['+3600', '-3600', 'not a date', '0'])
  if (chance(0.1)) headers.Age = pick(['100', '0', 'x'])
  if (chance(0.3)) headers.Vary = pick(VARY)
  if (chance(0.35)) headers.ETag = pick(['"v1"', 'W/"v1"', `"${sid}"`])
  if (chance(0.2)) headers['Last-Modified'] = LAST_MODIFIED
  if (chance(0.15)) headers['Set-Cookie'] = 'sid=abc; Path=/'
  if (chance(0.1)) headers.Pragma = 'no-cache'
  if (chance(0.15)) headers['Transfer-Encoding'] = 'chunked'
  if (chance(0.05)) headers.Connection = 'close'
  const status = body ? pick([200, 200, 200, 200, 200, 200, 200, 200, 200, 203, 301, 404, 500]) : 200
  return {
    status,
    headers,
    date: pick(['now', 'now', 'now', 'now', 'now', 'now', 'now', 'now', 'past', 'none', 'bad'] as const),
    revalidates: chance(0.7),
    gzip: chance(0.15),
    pad: chance(0.3) ? Math.floor(rnd() * 400) : 0,
  }
}

const replies = (sid: string, redirects: boolean) =>
  Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => reply(sid, redirects))

/**
 * `alone`: the endpoint's only backend. KrakenD's Lua `pre` sets the header on the request its
 * sibling backends share too, or not, as they happen to run (racy): Lua only where there is none.
 */
function backend(sid: string, noop: boolean, alone: boolean): BackendPlan {
  const encoding = noop ? 'no-op' : pick(['json', 'json', 'json', 'string'] as const)
  return {
    sid,
    method: pick([
      'GET',
      'GET',
      'GET',
      'GET',
      'GET',
      'GET',
      'GET',
      'GET',
      'POST',
      noop ? 'HEAD' : 'GET',
      'PUT',
    ]),
    encoding,
    collection: encoding === 'json' && chance(0.15),
    cache: chance(0.92) ? pick(CACHE_OPTIONS) : undefined,
    ...(chance(0.2) ? { modifier: noop || !alone ? 'martian' : pick(['martian', 'lua'] as const) } : {}),
    replies: replies(sid, true),
    target: replies(`${sid}.r`, false),
  }
}

const HEADER_NAMES = [
  'Authorization',
  'Cookie',
  'Accept',
  'Accept-Encoding',
  'X-User',
  'Cache-Control',
  'Pragma',
]
const HEADER_VALUES: Record<string, string[]> = {
  Authorization: ['Bearer alice', 'Bearer bob'],
  Cookie: ['s=1', 's=2'],
  Accept: ['application/json', 'text/html', '*/*'],
  'Accept-Encoding': ['gzip', 'identity', 'gzip, deflate'],
  'X-User': ['alice', 'bob', ''],
  'Cache-Control': REQUEST_DIRECTIVES,
  Pragma: ['no-cache'],
}
const QUERIES = [
  '',
  '',
  '',
  '',
  '',
  '?a=1&b=2',
  '?a=1&b=2',
  '?b=2&a=1',
  '?a=1&a=2',
  '?a=2&a=1',
  '?a=%41',
  '?c=3',
  '?a=1',
]

function request(): { query: string; headers: Array<[string, string]> } {
  const headers: Array<[string, string]> = []
  for (const name of HEADER_NAMES)
    if (chance(name === 'Cache-Control' || name === 'Pragma' ? 0.1 : 0.35))
      headers.push([name, pick(HEADER_VALUES[name] as string[])])
  // A second line of one of them (the cache reads the first).
  const again = chance(0.12) ? headers[Math.floor(rnd() * headers.length)] : undefined
  if (again) headers.push([again[0], pick(HEADER_VALUES[again[0]] as string[])])
  return { query: pick(QUERIES), headers }
}

const lives3s = (b: BackendPlan) =>
  [...b.replies, ...b.target].some((r) => /max-age=3\b/.test(String(r.headers['Cache-Control'])))

const sids: string[] = []
function endpoint(i: number): EndpointPlan {
  const noop = chance(0.3)
  // KrakenD's backends of one call read the request body at once (each may get a part of it, or
  // "invalid Read on closed Body"): a POST endpoint has one backend here.
  const method = chance(0.85) ? 'GET' : 'POST'
  const count = noop || method === 'POST' ? 1 : 1 + Math.floor(rnd() * 3)
  const own = sids.length
  const used = new Set<string>()
  const backends = Array.from({ length: count }, (_, j) => {
    // Now and then the URL of another endpoint's backend: one cache entry for both (a shared
    // cache). Not a sibling's: which of two parallel calls the backend sees first is a race.
    const earlier = sids.slice(0, own).filter((sid) => !used.has(sid))
    const sid = earlier.length > 0 && chance(0.15) ? pick(earlier) : `e${i}b${j}`
    used.add(sid)
    const reuse = sid !== `e${i}b${j}`
    const b = backend(sid, noop, count === 1)
    if (!reuse && !lives3s(b)) sids.push(b.sid)
    return b
  })
  // Siblings call at once: two of them in the process-wide LRU would evict in a racy order.
  const sharedLru = (b: BackendPlan) => {
    const c = b.cache as { shared?: unknown; max_size?: unknown } | undefined
    return c?.shared === true && c.max_size !== undefined
  }
  for (const b of backends.filter(sharedLru).slice(1)) b.cache = { shared: true }
  const headerChoice = rnd()
  const inputHeaders =
    headerChoice < 0.3
      ? undefined
      : headerChoice < 0.5
        ? ['*']
        : some(
            ['Authorization', 'Cookie', 'Accept', 'Accept-Encoding', 'X-User', 'Cache-Control', 'Pragma'],
            0.5,
          )
  const queryChoice = rnd()
  const inputQuery = queryChoice < 0.4 ? undefined : queryChoice < 0.6 ? ['*'] : some(['a', 'b', 'c'], 0.6)
  return {
    path: `/cg${i}`,
    method,
    ...(inputHeaders ? { inputHeaders } : {}),
    ...(inputQuery ? { inputQuery } : {}),
    backends,
    requests: Array.from({ length: 3 + Math.floor(rnd() * 6) }, request),
    short: backends.some(lives3s),
  }
}

export const plan: EndpointPlan[] = Array.from({ length: Number(process.env.N ?? 12) }, (_, i) => endpoint(i))
export const random = { rnd, pick, chance }
