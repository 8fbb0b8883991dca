// The route table with the path fixing KrakenD configures in gin, decided by gin's own tree
// (gin-tree.ts): an exact match first; else, for a method that has routes, the trailing-slash
// redirect when the tree hints at one (RedirectTrailingSlash), then the cleaned path matched
// case-insensitively (RedirectFixedPath); 301 for GET, 307 otherwise; else 405 with Allow when
// another method has the path (HandleMethodNotAllowed); else 404.
//
// gin routes on Go's decoded URL.Path (bytes; `#` is an ordinary character there), and gives up
// where its tree gives up: `/admin/y/x` beside `/admin/{id}` and `/{a}/{b}/{c}` is no match (a
// redirect loop in KrakenD), never the three-parameter route. The Location is written as Go's
// URL.String() and http.Redirect write it.
import { textOfBytes } from './byte-text.ts'
import { GinTree, type SkippedNode, SkippedNodesOverflow } from './gin-tree.ts'

export type RouteMatch<T> =
  | {
      kind: 'found'
      store: T
      params: Record<string, string | undefined>
      /** A route of ours (addOwn) on a path where gin answers 405: the Allow gin sets before its middleware. */
      allow?: string
    }
  | {
      kind: 'redirect'
      status: 301 | 307
      location: string
      /**
       * The path and query as gin sets them when they differ from `location`: Go's http.Redirect
       * cleans only a relative URL, so an absolute-form target's redirect keeps `//` and `.`.
       */
      uncleaned?: string
    }
  /**
   * `params`: what gin's lookup of the request's own method collected before it missed (gin keeps
   * them in c.Params, where lura's paramChecker, engine middleware, reads them on a 404 or 405).
   */
  | { kind: 'not-allowed'; allow: string; params?: Params }
  | { kind: 'not-found'; params?: Params }
  /** gin panicked while routing (see SkippedNodesOverflow): Go's server drops the connection. */
  | { kind: 'dropped'; reason: string }

type Params = Record<string, string | undefined>

/** A request target as the router reads it: `q` the index of its `?`, `path` what gin routes on. */
interface Target {
  url: string
  q: number
  rawPath: string
  /** The path's escapes decoded (bytes, one character each). */
  decoded: string
  path: string
}

export interface RouterOptions {
  redirectTrailingSlash: boolean
  redirectFixedPath: boolean
  handleMethodNotAllowed: boolean
  /**
   * gin's RemoveExtraSlash: routes on cleanPath of the decoded path (`/a/%2e%2e/b` is `/b`,
   * `/v/%2Fb` is `/v/b`); the redirects still start from the uncleaned path, as gin's do.
   */
  removeExtraSlash?: boolean
}

export interface Router<T> {
  /** `path` in KrakenD form: `/users/{id}`; a final `*` matches the rest (gin's `*param`). */
  add(method: string, path: string, store: T): void
  /**
   * A route KrakenD does not have (HEAD on the health path): served on exactly its path, and
   * otherwise absent, so gin's decisions (redirects, 405 and its Allow) stay as KrakenD makes them.
   */
  addOwn(method: string, path: string, store: T): void
  /** `forwardedPrefix`: the request's X-Forwarded-Prefix, which gin puts before a trailing-slash redirect. */
  match(method: string, url: string, forwardedPrefix?: string): RouteMatch<T>
}

const NOT_FOUND = { kind: 'not-found' } as const

function paramsOf(list: Array<[string, string]>): Params {
  const params: Params = {}
  for (const [name, value] of list)
    if (name === REST) params['*'] = utf8Text(value.slice(1))
    else params[name] = utf8Text(value)
  return params
}
const SLASH = 47
/** What Go's validEncoded accepts in a RawPath (encodePath). */
const GO_VALID_ENCODED = /^[A-Za-z0-9\-._~!$&'()*+,;=:@[\]%/]*$/
/** The name a final `*` gets in the tree; its value is reported as the `*` parameter. */
const REST = 'rest\u0000'
const BEYOND_LATIN1 = /[\u0100-\uffff]/
const NON_ASCII = /[\u0080-\u00ff]/

export function createRouter<T>(options: RouterOptions): Router<T> {
  /** One tree per method, in the order methods were first registered (gin's trees). */
  const trees = new Map<string, GinTree<T>>()
  const own = new Map<string, Map<string, T>>()
  /** gin's maxSections: the most `/` in any route, the room of a request's skipped stack. */
  let maxSections = 0

  /** A decoded request path (bytes) looked up as gin does; the skipped stack is the request's. */
  const lookupIn = (tree: GinTree<T>, path: string, skipped: SkippedNode<T>[]) => {
    const found = tree.lookup(path, skipped, true, maxSections)
    if (found.value === undefined)
      return {
        found: undefined,
        tsr: found.tsr,
        missed: found.params.length > 0 ? paramsOf(found.params) : undefined,
      }
    const params = paramsOf(found.params)
    return { found: { kind: 'found', store: found.value, params } as const, tsr: false, missed: undefined }
  }

  return {
    add(method, path, store) {
      const route = ginRoutePath(path.replace(/\{([^{}]+)\}/g, ':$1')).replace(/\/\*$/, `/*${REST}`)
      let tree = trees.get(method)
      if (tree === undefined) {
        tree = new GinTree<T>()
        trees.set(method, tree)
      }
      tree.add(Buffer.from(route, 'utf8').toString('latin1'), store)
      maxSections = Math.max(maxSections, route.split('/').length - 1)
    },
    addOwn(method, path, store) {
      const paths = own.get(method) ?? new Map<string, T>()
      paths.set(Buffer.from(path, 'utf8').toString('latin1'), store)
      own.set(method, paths)
    },
    match(method, url, forwardedPrefix) {
      const q = url.indexOf('?')
      const rawPath = q === -1 ? url : url.slice(0, q)
      // A malformed escape never gets here (Go's server answers 400): it is looked up as sent.
      const decoded = toBytes(goUnescapePath(rawPath) ?? rawPath)
      const path = options.removeExtraSlash ? cleanPath(decoded) : decoded
      const mine = own.size === 0 ? undefined : own.get(method)?.get(path)
      if (mine !== undefined) {
        const gin = matchGin(method, { url, q, rawPath, decoded, path }, forwardedPrefix)
        return gin.kind === 'not-allowed'
          ? { kind: 'found', store: mine, params: {}, allow: gin.allow }
          : { kind: 'found', store: mine, params: {} }
      }
      return matchGin(method, { url, q, rawPath, decoded, path }, forwardedPrefix)
    },
  }

  /** What gin decides for the request, the routes of ours left out. */
  function matchGin(method: string, target: Target, forwardedPrefix: string | undefined): RouteMatch<T> {
    const { url, q, decoded, path } = target
    const skipped: SkippedNode<T>[] = []
    const tree = trees.get(method)
    let missed: Params | undefined
    if (tree !== undefined) {
      let lookup: ReturnType<typeof lookupIn>
      try {
        lookup = lookupIn(tree, path, skipped)
      } catch (error) {
        if (error instanceof SkippedNodesOverflow) return { kind: 'dropped', reason: error.message }
        throw error
      }
      const { found, tsr } = lookup
      if (found !== undefined) return found
      missed = lookup.missed
      // gin never redirects CONNECT, nor the root path.
      if (method !== 'CONNECT' && path !== '/') {
        const query = q === -1 ? '' : url.slice(q)
        const status = method === 'GET' ? 301 : 307
        if (tsr && options.redirectTrailingSlash) {
          const prefixed = withForwardedPrefix(decoded, forwardedPrefix)
          const toggled =
            prefixed.length > 1 && prefixed.endsWith('/') ? prefixed.slice(0, -1) : `${prefixed}/`
          return redirectTo(status, toggled, target, query)
        }
        if (options.redirectFixedPath) {
          const fixed = tree.findCaseInsensitive(cleanPath(decoded), true)
          if (fixed !== undefined) return redirectTo(status, fixed, target, query)
        }
      }
    }
    if (options.handleMethodNotAllowed) {
      const allowed: string[] = []
      try {
        for (const [m, other] of trees)
          if (m !== method && other.lookup(path, skipped, false, maxSections).value !== undefined)
            allowed.push(m)
      } catch (error) {
        if (error instanceof SkippedNodesOverflow) return { kind: 'dropped', reason: error.message }
        throw error
      }
      if (allowed.length > 0)
        return missed
          ? { kind: 'not-allowed', allow: allowed.join(', '), params: missed }
          : { kind: 'not-allowed', allow: allowed.join(', ') }
    }
    return missed ? { kind: 'not-found', params: missed } : NOT_FOUND
  }
}

/** A path as bytes, one character each: text beyond Latin-1 (an h2c `:path`) written as UTF-8. */
function toBytes(path: string): string {
  return BEYOND_LATIN1.test(path) ? Buffer.from(path, 'utf8').toString('latin1') : path
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

/** Bytes (one character per byte) as text; bytes that are not UTF-8 kept (see byte-text.ts). */
function utf8Text<S extends string | undefined>(bytes: S): S {
  if (bytes === undefined || !NON_ASCII.test(bytes)) return bytes
  return textOfBytes(bytes) as S
}

/**
 * gin's redirect to `path`: its Location (see redirectLocation) and, when it differs, the path and
 * query an absolute-form target's Location carries (uncleaned: with a host, `//x` is no other host).
 */
function redirectTo<T>(status: 301 | 307, path: string, target: Target, query: string): RouteMatch<T> {
  const url = redirectUrl(path, target.rawPath, target.decoded)
  const location = redirectLocation(url, path) + query
  // URL.String() puts a `/` before a path that lacks one when there is a host (not before an empty one).
  const uncleaned = (url === '' || url.startsWith('/') ? url : `/${url}`) + query
  return uncleaned === location
    ? { kind: 'redirect', status, location }
    : { kind: 'redirect', status, location, uncleaned }
}

/** The path gin redirects to as URL.EscapedPath writes it: as sent while it still decodes to it. */
function redirectUrl(path: string, rawPath: string, decoded: string): string {
  return path === decoded && GO_VALID_ENCODED.test(rawPath) ? rawPath : goEscapePath(path)
}

/**
 * The Location of gin's redirects: the changed URL.Path as URL.String() writes it (escaped again,
 * or the request's own escaping when the path is unchanged: EscapedPath keeps a RawPath that still
 * decodes to it), then cleaned by http.Redirect (path.Clean, a trailing slash kept).
 *
 * Deliberately not gin: where gin's Location reads as a network-path reference (`//evil.com`, from
 * `GET //evil.com/` or an `X-Forwarded-Prefix: !!!`), http.Redirect writes it uncleaned and the
 * browser goes to that host (an open redirect). Here it is cleaned like any path: `/evil.com`.
 */
function redirectLocation(url: string, path: string): string {
  // A relative one (after an X-Forwarded-Prefix without `/`) is joined to the path's directory;
  // An empty one (a fixed path of the root) counts from `/`.
  if (!url.startsWith('/')) {
    const oldPath = path === '' ? '/' : path
    url = oldPath.slice(0, oldPath.lastIndexOf('/') + 1) + url
  }
  const cleaned = goPathClean(url)
  return url.endsWith('/') && !cleaned.endsWith('/') ? `${cleaned}/` : cleaned
}

/**
 * The path gin registers a route at: RouterGroup.handle joins it to the group's "/" with
 * path.Join (`.`, `..` and `//` resolved), a trailing slash kept. KrakenD's `/a/{x}/.` is served
 * at `/a/:x`, `/a//b` at `/a/b`, `/m/..` at `/`.
 */
export function ginRoutePath(path: string): string {
  const joined = goPathClean(`/${path}`)
  return path.endsWith('/') && !joined.endsWith('/') ? `${joined}/` : joined
}

/** Go's path.Join: the non-empty elements joined with `/` and cleaned; '' when every one is empty. */
export function goPathJoin(...elements: string[]): string {
  const parts = elements.filter((element) => element !== '')
  return parts.length === 0 ? '' : goPathClean(parts.join('/'))
}

/** Go's path.Clean. */
function goPathClean(path: string): string {
  const rooted = path.startsWith('/')
  const out: string[] = []
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue
    if (part !== '..') out.push(part)
    else if (out.length > 0 && out[out.length - 1] !== '..') out.pop()
    else if (!rooted) out.push('..')
  }
  const joined = out.join('/')
  return rooted ? `/${joined}` : joined || '.'
}

/**
 * gin's redirectTrailingSlash prefix: X-Forwarded-Prefix cleaned, kept to letters, digits, `/`
 * and `-`, repeated slashes squeezed, then `/` and the path.
 */
function withForwardedPrefix(path: string, header: string | undefined): string {
  if (header === undefined) return path
  const prefix = goPathClean(header)
  if (prefix === '.') return path
  return `${prefix.replace(/[^A-Za-z0-9/-]/g, '').replace(/\/{2,}/g, '/')}/${path}`
}
