// The route table with the path fixing KrakenD configures in gin: an exact match first; else, for
// a method that has routes, a redirect to the same path with/without its trailing slash
// (RedirectTrailingSlash), then to the cleaned, case-insensitively matched path
// (RedirectFixedPath); 301 for GET, 307 otherwise; else 405 with Allow when another method has the
// path (HandleMethodNotAllowed); else 404.
import FindMyWay from 'find-my-way'

export type RouteMatch<T> =
  | { kind: 'found'; store: T; params: Record<string, string | undefined> }
  | { kind: 'redirect'; status: 301 | 307; location: string }
  | { kind: 'not-allowed'; allow: string }
  | { kind: 'not-found' }

export interface RouterOptions {
  redirectTrailingSlash: boolean
  redirectFixedPath: boolean
  handleMethodNotAllowed: boolean
}

type Segment = { static: string; lower: string } | 'param' | 'wildcard'

export interface Router<T> {
  /** `path` in KrakenD form: `/users/{id}`; a final `*` matches the rest (gin's `*param`). */
  add(method: string, path: string, store: T): void
  match(method: string, url: string): RouteMatch<T>
}

const NOT_FOUND = { kind: 'not-found' } as const
const noop = () => {}

export function createRouter<T>(options: RouterOptions): Router<T> {
  const router = FindMyWay({ ignoreTrailingSlash: false, caseSensitive: true, maxParamLength: 1000 })
  const methods: string[] = []
  const templates = new Map<string, Segment[][]>()

  const find = (method: string, path: string) => router.find(method as 'GET', path)

  const fixedPath = (method: string, path: string): string | undefined => {
    const list = templates.get(method) ?? []
    const cleaned = cleanPath(path)
    const candidates = [cleaned, cleaned.endsWith('/') ? cleaned.slice(0, -1) || '/' : `${cleaned}/`]
    for (const candidate of candidates) {
      const parts = candidate.split('/')
      for (const template of list) {
        const fixed = matchIgnoringCase(template, parts)
        if (fixed !== undefined && find(method, fixed) !== null) return fixed
      }
    }
    return undefined
  }

  return {
    add(method, path, store) {
      const route = path.replace(/\{([^{}]+)\}/g, ':$1')
      router.on(method as 'GET', route, noop, store as object)
      if (!methods.includes(method)) methods.push(method)
      const list = templates.get(method) ?? []
      list.push(
        path.split('/').map((s): Segment => {
          if (s === '*') return 'wildcard'
          if (s.startsWith('{')) return 'param'
          return { static: s, lower: s.toLowerCase() }
        }),
      )
      templates.set(method, list)
    },
    match(method, url) {
      const q = url.indexOf('?')
      const path = q === -1 ? url : url.slice(0, q)
      const found = find(method, path)
      if (found !== null) return { kind: 'found', store: found.store as T, params: found.params }
      if (templates.has(method) && path !== '/') {
        const query = q === -1 ? '' : url.slice(q)
        const status = method === 'GET' ? 301 : 307
        if (options.redirectTrailingSlash) {
          const toggled = path.endsWith('/') ? path.slice(0, -1) : `${path}/`
          if (toggled !== '' && find(method, toggled) !== null)
            return { kind: 'redirect', status, location: toggled + query }
        }
        if (options.redirectFixedPath) {
          const fixed = fixedPath(method, path)
          if (fixed !== undefined) return { kind: 'redirect', status, location: fixed + query }
        }
      }
      if (options.handleMethodNotAllowed) {
        const allowed: string[] = []
        for (const m of methods) if (m !== method && find(m, path) !== null) allowed.push(m)
        if (allowed.length > 0) return { kind: 'not-allowed', allow: allowed.join(', ') }
      }
      return NOT_FOUND
    },
  }
}

/** The request path written with the route's own spelling, or undefined. */
function matchIgnoringCase(template: Segment[], parts: string[]): string | undefined {
  const out: string[] = []
  for (const [i, segment] of template.entries()) {
    if (segment === 'wildcard') return [...out, ...parts.slice(i)].join('/')
    const part = parts[i]
    if (part === undefined) return undefined
    if (segment === 'param') {
      if (part === '') return undefined
      out.push(part)
    } else if (part.toLowerCase() === segment.lower) out.push(segment.static)
    else return undefined
  }
  return out.length === parts.length ? out.join('/') : undefined
}

/** Go's path.Clean for URL paths, keeping a trailing slash (gin's cleanPath). */
export function cleanPath(path: string): string {
  if (path === '') return '/'
  const out: string[] = []
  const parts = path.split('/')
  for (const part of parts) {
    if (part === '' || part === '.') continue
    if (part === '..') out.pop()
    else out.push(part)
  }
  const last = parts[parts.length - 1]
  const trailing = path.length > 1 && (last === '' || last === '.' || last === '..')
  const cleaned = `/${out.join('/')}`
  return trailing && cleaned !== '/' ? `${cleaned}/` : cleaned
}
