// Seeded endpoint sets for the routegen suite: paths that share prefixes and differ by a trailing
// slash, a letter's case, a {param} against a static segment at the same depth, dots, unicode,
// long chains; several methods per path; gin's router options. `rawEndpointSet` keeps what gin
// may refuse (conflicting wildcards, duplicates, a `:` or `*` in the path, a param inside a
// segment), for routegen-starts.ts; routegen.config.ts keeps only what this runtime starts.
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'

export interface GenEndpoint {
  /** The endpoint as written in the config. */
  endpoint: string
  method: string
  /** The endpoint's number: its backend is /echo/e<id>/... so a wrong route shows. */
  id: number
  params: string[]
}

export interface GenSet {
  router: Record<string, unknown>
  endpoints: GenEndpoint[]
}

const STATIC = [
  'a',
  'b',
  'A',
  'users',
  'Users',
  'v1',
  'x.y',
  'ü',
  '日本',
  'a-b',
  'a_b',
  '~t',
  'café',
  'me',
  'm',
]
const ODD = ['.well-known', 'x:y', 'b{c}', '..', '.', 'a%20b', 'a b', '*', ':p', '{q}z', 'é{q}']
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']
const ROUTER_KEYS = [
  'disable_redirect_trailing_slash',
  'disable_redirect_fixed_path',
  'disable_handle_method_not_allowed',
  'remove_extra_slash',
  'auto_options',
  'disable_path_decoding',
] as const

/** `health`: now and then a health_path that endpoints may take, or disable_health (routegen-starts.ts). */
export function generate(seed: number, count: number, options: { odd: number; health?: boolean }): GenSet {
  const { next: rnd, pick } = seededRandom(seed * 48271 + 11)
  for (let i = 0; i < 3; i += 1) rnd()
  const chance = (p: number) => rnd() < p
  const router: Record<string, unknown> = { disable_access_log: true }
  for (const key of ROUTER_KEYS) if (chance(0.25)) router[key] = chance(0.85)
  if (options.health && chance(0.4)) router.health_path = pick(['/users', '/a', '/v1/', '/A/b', '/m/'])
  if (options.health && chance(0.15)) router.disable_health = true

  const paths: string[][] = []
  const segmentAt = (depth: number): string => {
    if (chance(options.odd)) return pick(ODD)
    // Mostly one name per depth (gin keeps one wildcard per position), now and then another.
    if (chance(0.3)) return chance(0.9) ? `{p${depth}}` : `{r${depth}}`
    return pick(STATIC)
  }
  const fresh = (): string[] => {
    const long = chance(0.05)
    const depth = long ? 8 + Math.floor(rnd() * 6) : 1 + Math.floor(rnd() * 4)
    return Array.from({ length: depth }, (_, d) => segmentAt(d))
  }
  const varied = (base: string[]): string[] => {
    const out = [...base]
    const at = Math.floor(rnd() * out.length)
    switch (Math.floor(rnd() * 6)) {
      case 0: // a trailing slash toggled
        if (out[out.length - 1] === '') out.pop()
        else out.push('')
        break
      case 1: {
        // a letter's case
        const s = out[at] as string
        out[at] = s === s.toUpperCase() ? s.toLowerCase() : s.toUpperCase()
        break
      }
      case 2: // a param where a static was, or the other way round
        out[at] = (out[at] as string).startsWith('{') ? pick(STATIC) : `{p${at}}`
        break
      case 3: // one more segment
        out.push(segmentAt(out.length))
        break
      case 4: // a prefix of it
        out.length = Math.max(1, at)
        break
      default:
        out[at] = segmentAt(at)
    }
    return out
  }
  const endpoints: GenEndpoint[] = []
  for (let id = 0; endpoints.length < count && id < count * 3; id += 1) {
    const base = paths.length > 0 && chance(0.7) ? varied(pick(paths)) : fresh()
    if (chance(0.15) && base[base.length - 1] !== '') base.push('')
    paths.push(base)
    const endpoint = `/${base.join('/')}`
    const params = base.flatMap((s) => /^\{([A-Za-z0-9_-]+)\}$/.exec(s)?.[1] ?? [])
    const methods = new Set<string>([pick(METHODS)])
    while (chance(0.35)) methods.add(pick(METHODS))
    for (const method of methods)
      endpoints.push({
        endpoint,
        method: chance(0.05) ? method.toLowerCase() : method,
        id: endpoints.length,
        params,
      })
  }
  return { router, endpoints }
}

/** The backend of one endpoint: its id and each of its params, so the call shows what was routed. */
export function backendOf(e: GenEndpoint): { url_pattern: string } {
  return { url_pattern: `/echo/e${e.id}${e.params.map((p) => `/{${p}}`).join('')}` }
}

export function configOf(set: GenSet, name: string) {
  return {
    version: 3,
    name,
    host: ['BACKEND'],
    timeout: '3s',
    extra_config: { router: set.router },
    endpoints: set.endpoints.map((e) => ({
      endpoint: e.endpoint,
      method: e.method,
      backend: [backendOf(e)],
    })),
  }
}
