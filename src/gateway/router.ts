// The route table with the path fixing KrakenD configures in gin: an exact match first; else, for
// a method that has routes, a redirect to the same path with/without its trailing slash
// (RedirectTrailingSlash), then to the cleaned, case-insensitively matched path
// (RedirectFixedPath); 301 for GET, 307 otherwise; else 405 with Allow when another method has the
// path (HandleMethodNotAllowed); else 404.
//
// gin routes on Go's decoded URL.Path, where `#` is an ordinary character (a request target has
// no fragment) and a parameter at the end of a route never matches an empty segment (`/u/` is not
// `/u/{id}`). find-my-way cuts the path at `#` and takes the empty segment: both are undone here.
// The redirect decisions (a cold path) work on the decoded path, as gin's do, and the Location is
// written as Go's URL.String() and http.Redirect write it.
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
  /**
   * gin's RemoveExtraSlash: routes on cleanPath of the decoded path (`/a/%2e%2e/b` is `/b`,
   * `/v/%2Fb` is `/v/b`). A path without escapes arrives cleaned already.
   */
  removeExtraSlash?: boolean
}

/** A static segment: as written, lower-cased (text), and as its UTF-8 bytes (one character each). */
type Segment = { static: string; lower: string; bytes: string } | 'param' | 'wildcard'

export interface Router<T> {
  /** `path` in KrakenD form: `/users/{id}`; a final `*` matches the rest (gin's `*param`). */
  add(method: string, path: string, store: T): void
  match(method: string, url: string): RouteMatch<T>
}

/** What find-my-way stores per route: the value, whether the route ends with a parameter, and the name at each parameter segment. */
interface Entry<T> {
  value: T
  lastParam: boolean
  names: Array<string | undefined>
}

const NOT_FOUND = { kind: 'not-found' } as const
const noop = () => {}
const SLASH = 47
const NON_ASCII = /[\u0080-\uffff]/

export function createRouter<T>(options: RouterOptions): Router<T> {
  // No parameter length limit: gin has none (a longer one would be a 404 here and served there).
  const router = FindMyWay({ ignoreTrailingSlash: false, caseSensitive: true, maxParamLength: 2 ** 30 })
  const methods: string[] = []
  const templates = new Map<string, Segment[][]>()

  /** A raw request path (percent-encoded as sent) looked up as gin would match it. */
  const find = (method: string, rawPath: string) => {
    const path = rawPath.includes('#') ? rawPath.replaceAll('#', '%23') : rawPath
    const found = router.find(method as 'GET', path)
    if (found === null) return null
    const entry = found.store as Entry<T>
    // gin stops at the static node before a final parameter: `/u/` has no `{id}`.
    if (entry.lastParam && path.charCodeAt(path.length - 1) === SLASH) return null
    return found
  }
  /** A decoded path (one character per byte, as Go's URL.Path) looked up as gin would match it. */
  const findDecoded = (method: string, path: string) => find(method, escapeForLookup(path))
  /**
   * A raw path with escapes: gin routes on the decoded URL.Path (`/a%2Fb` is `/a/b`), and its
   * parameters are the decoded segments: text where the bytes are UTF-8 (as every other string
   * the gateway handles), else one character per byte.
   */
  const findEscaped = (method: string, rawPath: string) => {
    const unescaped = goUnescapePath(rawPath)
    if (unescaped === undefined) return find(method, rawPath) // Go's server refused it already
    const decoded = options.removeExtraSlash ? cleanPath(unescaped) : unescaped
    const found = findDecoded(method, decoded)
    if (found === null) return null
    const { names } = found.store as Entry<T>
    const parts = decoded.split('/')
    const params: Record<string, string | undefined> = {}
    for (const [i, name] of names.entries())
      if (name !== undefined) params[name] = utf8Text(name === '*' ? parts.slice(i).join('/') : parts[i])
    return { store: found.store, params }
  }

  /**
   * A raw request path looked up as gin does: by its decoded form when it has escapes or bytes
   * beyond ASCII (an h2c `:path` carries them raw, one character per byte: UTF-8 is text there).
   */
  const lookup = (method: string, path: string) =>
    path.includes('%') || NON_ASCII.test(path) ? findEscaped(method, path) : find(method, path)

  const fixedPath = (method: string, path: string): string | undefined => {
    const list = templates.get(method) ?? []
    const cleaned = cleanPath(path)
    const candidates = [cleaned, cleaned.endsWith('/') ? cleaned.slice(0, -1) || '/' : `${cleaned}/`]
    for (const candidate of candidates) {
      const parts = candidate.split('/')
      for (const template of list) {
        const fixed = matchIgnoringCase(template, parts)
        if (fixed !== undefined && findDecoded(method, fixed) !== null) return fixed
      }
    }
    return undefined
  }

  return {
    add(method, path, store) {
      const route = path.replace(/\{([^{}]+)\}/g, ':$1')
      const segments = path.split('/').map((s): Segment => {
        if (s === '*') return 'wildcard'
        if (s.startsWith('{') || s.startsWith(':')) return 'param'
        return { static: s, lower: s.toLowerCase(), bytes: Buffer.from(s, 'utf8').toString('latin1') }
      })
      const names = path
        .split('/')
        .map((s) => (s === '*' ? s : /^(?:\{([^{}]+)\}|:(.+))$/.exec(s)?.slice(1).find(Boolean)))
      const entry: Entry<T> = { value: store, lastParam: segments[segments.length - 1] === 'param', names }
      router.on(method as 'GET', route, noop, entry as object)
      if (!methods.includes(method)) methods.push(method)
      const list = templates.get(method) ?? []
      list.push(segments)
      templates.set(method, list)
    },
    match(method, url) {
      const q = url.indexOf('?')
      const path = q === -1 ? url : url.slice(0, q)
      const found = lookup(method, path)
      if (found !== null)
        return { kind: 'found', store: (found.store as Entry<T>).value, params: found.params }
      // gin never redirects CONNECT, nor the root path.
      if (templates.has(method) && path !== '/' && method !== 'CONNECT') {
        const decoded = goUnescapePath(path)
        const query = q === -1 ? '' : url.slice(q)
        const status = method === 'GET' ? 301 : 307
        if (options.redirectTrailingSlash && decoded !== undefined) {
          const toggled = decoded.endsWith('/') ? decoded.slice(0, -1) : `${decoded}/`
          if (toggled !== '' && findDecoded(method, toggled) !== null)
            return { kind: 'redirect', status, location: redirectLocation(toggled) + query }
        }
        if (options.redirectFixedPath && decoded !== undefined) {
          const fixed = fixedPath(method, decoded)
          if (fixed !== undefined)
            return { kind: 'redirect', status, location: redirectLocation(fixed) + query }
        }
      }
      if (options.handleMethodNotAllowed) {
        const allowed: string[] = []
        for (const m of methods) if (m !== method && lookup(m, path) !== null) allowed.push(m)
        if (allowed.length > 0) return { kind: 'not-allowed', allow: allowed.join(', ') }
      }
      return NOT_FOUND
    },
  }
}

/**
 * The request path (decoded, one character per byte) written with the route's own spelling, or
 * undefined; letters compare case-insensitively as text (gin's findCaseInsensitivePath on runes).
 */
function matchIgnoringCase(template: Segment[], parts: string[]): string | undefined {
  const out: string[] = []
  for (const [i, segment] of template.entries()) {
    if (segment === 'wildcard') return [...out, ...parts.slice(i)].join('/')
    const part = parts[i]
    if (part === undefined) return undefined
    if (segment === 'param') {
      if (part === '') return undefined
      out.push(part)
    } else if (caseFolds(part, segment.lower)) out.push(segment.bytes)
    else return undefined
  }
  return out.length === parts.length ? out.join('/') : undefined
}

/** A decoded segment (bytes) equal to `lower` but for case; bytes that are not UTF-8 match nothing. */
function caseFolds(part: string, lower: string): boolean {
  const text = utf8Text(part)
  if (text === part && NON_ASCII.test(part)) return false
  return text.toLowerCase() === lower
}

/**
 * gin's cleanPath: `//`, `.` and `..` elements resolved; a trailing slash is kept when the path
 * ends with `/` or with a `.` element (not after a final `..`: `/a/b/..` is `/a`).
 */
export function cleanPath(path: string): string {
  if (path === '') return '/'
  const parts = path.split('/')
  const out: string[] = []
  let trailing = path.length > 1 && path.charCodeAt(path.length - 1) === SLASH
  for (const [i, part] of parts.entries()) {
    if (part === '') continue
    if (part === '.') {
      if (i === parts.length - 1) trailing = true
    } else if (part === '..') out.pop()
    else out.push(part)
  }
  const cleaned = `/${out.join('/')}`
  return trailing && out.length > 0 ? `${cleaned}/` : cleaned
}

const HEX = '0123456789ABCDEF'

/**
 * Go's url unescape in path mode over a raw request path: `%XX` becomes the byte (one character
 * per byte, as Node hands the request target over); undefined for a malformed escape.
 */
export function goUnescapePath(raw: string): string | undefined {
  if (!raw.includes('%')) return raw
  let out = ''
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string
    if (c !== '%') {
      out += c
      continue
    }
    const hi = hexValue(raw.charCodeAt(i + 1))
    const lo = hexValue(raw.charCodeAt(i + 2))
    if (hi === -1 || lo === -1) return undefined
    out += String.fromCharCode(hi * 16 + lo)
    i += 2
  }
  return out
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30
  if (code >= 0x41 && code <= 0x46) return code - 0x37
  if (code >= 0x61 && code <= 0x66) return code - 0x57
  return -1
}

/** Bytes Go's URL.EscapedPath writes as they are: unreserved characters and `$&+,/:;=@`. */
function pathSafe(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x30 && code <= 0x39) ||
    '-_.~$&+,/:;=@'.includes(String.fromCharCode(code))
  )
}

/** Go's escape(path, encodePath) over a decoded path (one character per byte). */
export function goEscapePath(path: string): string {
  let out = ''
  for (let i = 0; i < path.length; i++) {
    const code = path.charCodeAt(i) & 0xff
    out += pathSafe(code) ? path[i] : `%${HEX[code >> 4]}${HEX[code & 15]}`
  }
  return out
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * A decoded path (one character per byte) in a form find-my-way matches segment by segment as gin
 * does: UTF-8 read as text (so `/café` routes match), and each byte find-my-way would decode or cut
 * at (`%`, `#`, `?`, and bytes that are not UTF-8) written `%25`, a `%` to it, which no static
 * segment holds (endpoint paths cannot). Parameters are read from the decoded path itself.
 */
function escapeForLookup(path: string): string {
  const text = utf8Text(path)
  return (text === path ? path.replace(/[\u0080-\u00ff]/g, '%') : text).replace(/[%#?]/g, '%25')
}

/** Bytes (one character per byte) as text when they are UTF-8; else as they are. */
function utf8Text<S extends string | undefined>(bytes: S): S {
  if (bytes === undefined || !/[\u0080-\u00ff]/.test(bytes)) return bytes
  try {
    return utf8.decode(Buffer.from(bytes, 'latin1')) as S
  } catch {
    return bytes
  }
}

/**
 * The Location of gin's redirects: the changed URL.Path re-escaped (URL.String()), then cleaned by
 * http.Redirect (path.Clean, a trailing slash kept).
 */
function redirectLocation(decoded: string): string {
  const escaped = goEscapePath(decoded)
  const parts = escaped.split('/')
  const out: string[] = []
  for (const part of parts) {
    if (part === '' || part === '.') continue
    if (part === '..') out.pop()
    else out.push(part)
  }
  const cleaned = `/${out.join('/')}`
  return escaped.endsWith('/') && cleaned !== '/' ? `${cleaned}/` : cleaned
}
