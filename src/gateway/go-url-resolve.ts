// A request URL as Go's net/url holds it, and a reference (a Location) resolved against it as
// URL.Parse does: url.Parse, then URL.ResolveReference (resolvePath, setPath, EscapedPath), and
// URL.String (Go 1.26). Texts are byte strings (one character per byte), as Go holds them. Used
// by the backend client's redirect hops (backend-redirects.ts) and by martian's answer side, which
// reads the last hop's URL (components/martian-redirect.ts).
import { goParseUrl } from './go-url-parse.ts'
import { goEscapePath } from './router.ts'

/** A request URL: the parts of Go's url.URL a request is made of. */
export interface RequestUrl {
  scheme: string
  /** URL.User as URL.String writes it (escaped, without its `@`); undefined when there is none. */
  user?: string | undefined
  /** URL.Host, decoded (as written otherwise: Go neither lowercases it nor drops a default port). */
  host: string
  /** EscapedPath, then `?` and RawQuery when there is a query (or ForceQuery). */
  target: string
  /** The fragment as written ('' for none); URL.String escapes it as EscapedFragment does. */
  fragment: string
  /** URL.Opaque (`scheme:opaque`): such a URL has no host and no path. */
  opaque?: string | undefined
}

/** A Location as url.Parse reads it, in the parts ResolveReference uses. */
export interface Reference {
  scheme: string
  user: string | undefined
  host: string
  /** EscapedPath ('' for none). */
  path: string
  /** RawQuery; '' for ForceQuery (a lone `?` at the end); undefined for no query. */
  query: string | undefined
  fragment: string
  /** URL.Opaque ('' for none). */
  opaque: string
}

/** URL.Parse(location): `location` resolved against `base`, or url.Parse's error (Go's words). */
export function resolveLocation(base: RequestUrl, location: string): RequestUrl | string {
  const ref = parseReference(location)
  return typeof ref === 'string' ? ref : resolveReference(base, ref)
}

/** URL.ResolveReference. */
export function resolveReference(base: RequestUrl, ref: Reference): RequestUrl {
  const scheme = ref.scheme !== '' ? ref.scheme : base.scheme
  // The absolute-URI and net-path cases: the reference's authority, its path with dots resolved.
  if (ref.scheme !== '' || ref.host !== '' || ref.user !== undefined)
    return {
      scheme,
      user: ref.user,
      host: ref.host,
      target: withQuery(ref.opaque !== '' ? '' : escapedPath(resolvePath(ref.path, '')), ref.query),
      fragment: ref.fragment,
      opaque: ref.opaque === '' ? undefined : ref.opaque,
    }
  const current = splitTarget(base.target)
  let query = ref.query
  let fragment = ref.fragment
  if (ref.path === '' && ref.query === undefined) {
    // The base's RawQuery, without its ForceQuery.
    query = current.query === '' ? undefined : current.query
    if (fragment === '') fragment = base.fragment
  }
  return {
    scheme,
    user: base.user,
    host: base.host,
    target: withQuery(escapedPath(resolvePath(current.path, ref.path)), query),
    fragment,
  }
}

const withQuery = (path: string, query: string | undefined) =>
  query === undefined ? path : `${path}?${query}`

/** url.Parse of a Location, or its error as Go words it (`parse "...": ...`). */
export function parseReference(location: string): Reference | string {
  const parsed = goParseUrl(location)
  if (typeof parsed === 'string') return parsed
  const hash = location.indexOf('#')
  const main = hash === -1 ? location : location.slice(0, hash)
  let rest = parsed.scheme === '' ? main : main.slice(parsed.scheme.length + 1)
  let query: string | undefined
  const q = rest.indexOf('?')
  if (q !== -1) {
    query = q === rest.length - 1 ? '' : rest.slice(q + 1)
    rest = rest.slice(0, q)
  }
  let user: string | undefined
  if ((parsed.scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2)
    const authority = slash === -1 ? rest.slice(2) : rest.slice(2, slash)
    const at = authority.lastIndexOf('@')
    if (at !== -1) user = userText(authority.slice(0, at))
  }
  const path =
    parsed.rawPath !== '' && VALID_ENCODED_PATH.test(parsed.rawPath)
      ? parsed.rawPath
      : parsed.path === '*'
        ? '*'
        : goEscapePath(parsed.path)
  return {
    scheme: parsed.scheme,
    user,
    host: parsed.host,
    // An opaque Location (`scheme:text`) has no path.
    path: parsed.opaque !== '' ? '' : path,
    query,
    fragment: hash === -1 ? '' : location.slice(hash + 1),
    opaque: parsed.opaque,
  }
}

/** validEncoded(s, encodePath): bytes EscapedPath writes as they are. */
const VALID_ENCODED_PATH = /^[A-Za-z0-9\-._~!$&'()*+,;=:@[\]%/]*$/

/** setPath then EscapedPath: the path as written when it is validly encoded, else Go's escaping. */
export const escapedPath = (path: string): string =>
  VALID_ENCODED_PATH.test(path) ? path : goEscapePath(decodePath(path) ?? path)

/** Userinfo.String of what parseAuthority read: user name and password unescaped, then escaped. */
export function userText(userinfo: string): string {
  const colon = userinfo.indexOf(':')
  const escapePart = (part: string) =>
    (decodePath(part) ?? part).replace(
      /[^A-Za-z0-9\-._~$&+,;=]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
    )
  return colon === -1
    ? escapePart(userinfo)
    : `${escapePart(userinfo.slice(0, colon))}:${escapePart(userinfo.slice(colon + 1))}`
}

/** net/url's resolvePath: the reference against the base path, `.` and `..` segments resolved. */
export function resolvePath(base: string, ref: string): string {
  const full = ref === '' ? base : ref[0] !== '/' ? base.slice(0, base.lastIndexOf('/') + 1) + ref : ref
  if (full === '') return ''
  let dst = '/'
  let first = true
  const elems = full.split('/')
  for (const elem of elems) {
    if (elem === '.') {
      first = false
      continue
    }
    if (elem === '..') {
      const i = dst.slice(1).lastIndexOf('/')
      dst = i >= 0 ? dst.slice(0, i + 1) : '/'
      first = dst.length === 1
      continue
    }
    if (!first) dst += '/'
    dst += elem
    first = false
  }
  const last = elems[elems.length - 1]
  if (last === '.' || last === '..') dst += '/'
  return dst.length > 1 && dst[1] === '/' ? dst.slice(1) : dst
}

/** URL.String. `user` replaces the URL's user info when given ('' for none). */
export function urlString(url: RequestUrl, user: string | undefined = url.user): string {
  if (url.opaque !== undefined)
    return `${url.scheme}:${url.opaque}${url.target}${url.fragment === '' ? '' : `#${goFragment(url.fragment)}`}`
  return goUrlString(url.scheme, url.host, url.target, url.fragment, user === '' ? undefined : user)
}

/**
 * URL.String of a request target as Go's server parsed it (url.ParseRequestURI, which takes no
 * fragment: a `#` stays in the path, escaped `%23`, or in the raw query), an absolute-form
 * target's scheme (lower case), user info and host kept. `target` is one Go's server took.
 */
export function requestUrlString(target: string): string {
  if (target === '*') return target
  const q = target.indexOf('?')
  const query = q === -1 ? '' : target.slice(q)
  const beforeQuery = q === -1 ? target : target.slice(0, q)
  if (beforeQuery.startsWith('/')) return escapedPath(beforeQuery) + query
  const colon = beforeQuery.indexOf(':')
  const scheme = beforeQuery.slice(0, colon).toLowerCase()
  const rest = beforeQuery.slice(colon + 1)
  if (!rest.startsWith('//')) return `${scheme}:${rest.startsWith('/') ? escapedPath(rest) : rest}${query}`
  const slash = rest.indexOf('/', 2)
  const authority = slash === -1 ? rest.slice(2) : rest.slice(2, slash)
  const at = authority.lastIndexOf('@')
  const path = slash === -1 ? '' : rest.slice(slash)
  const user = at === -1 ? undefined : userText(authority.slice(0, at))
  return goUrlString(scheme, authority.slice(at + 1), escapedPath(path) + query, '', user)
}

/** net/http's stripPassword: URL.String with the password (if any) written `***` after the user name, unescaped. */
export function stripPassword(url: RequestUrl): string {
  const colon = url.user?.indexOf(':') ?? -1
  if (url.user === undefined || colon === -1) return urlString(url)
  const name = url.user.slice(0, colon)
  return urlString(url, `${decodePath(name) ?? name}:***`)
}

/** URL.RequestURI: what Go writes in the request line (`/` for an empty path). */
export function requestUri(url: RequestUrl): string {
  if (url.opaque !== undefined)
    return `${url.opaque.startsWith('//') ? `${url.scheme}:` : ''}${url.opaque}${url.target}`
  return url.target === '' || url.target[0] === '?' ? `/${url.target}` : url.target
}

/** url's splitHostPort: URL.Hostname() and URL.Port() of a URL.Host. */
export function splitHost(host: string): { hostname: string; port: string } {
  let hostname = host
  let port = ''
  const colon = host.lastIndexOf(':')
  if (colon !== -1 && /^:[0-9]*$/.test(host.slice(colon))) {
    hostname = host.slice(0, colon)
    port = host.slice(colon + 1)
  }
  if (hostname.startsWith('[') && hostname.endsWith(']')) hostname = hostname.slice(1, -1)
  return { hostname, port }
}

/** Go's unescape(path, encodePath): the path's bytes, or undefined for a bad `%` escape. */
export function decodePath(escaped: string): string | undefined {
  if (/%(?![0-9A-Fa-f]{2})/.test(escaped)) return undefined
  return escaped.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  )
}

/** A request target's escaped path and its query (undefined when there is no `?`). */
export function splitTarget(target: string): { path: string; query: string | undefined } {
  const q = target.indexOf('?')
  return q === -1
    ? { path: target, query: undefined }
    : { path: target.slice(0, q), query: target.slice(q + 1) }
}

/**
 * The fragment as Go's URL.EscapedFragment writes what url.Parse read: as written when every byte
 * may stand in a fragment (validEncoded), else decoded and escaped (encodeFragment).
 */
export function goFragment(raw: string): string {
  if (/^[A-Za-z0-9\-._~$&+,/:;=?@!()*'[\]%]*$/.test(raw)) return raw
  const bytes = Buffer.from(
    raw.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
    'latin1',
  )
  let out = ''
  for (const byte of bytes) {
    const c = String.fromCharCode(byte)
    out += /[A-Za-z0-9\-._~$&+,/:;=?@!()*]/.test(c)
      ? c
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/**
 * URL.String of the backend URL: `scheme://`, the user info if any, the host (bytes it may not
 * hold as they are escaped), the request target (escaped path and raw query, as the request line
 * has them) and `#fragment`.
 */
export const goUrlString = (
  scheme: string,
  host: string,
  target: string,
  fragment: string,
  user?: string,
): string =>
  `${scheme}://${user === undefined ? '' : `${user}@`}${/[%\x80-\xff]/.test(host) ? escapeHost(host) : host}${target}${fragment === '' ? '' : `#${goFragment(fragment)}`}`

/** escape(host, encodeHost) of a host url.Parse read: `%` and bytes past ASCII escaped. */
const escapeHost = (host: string) =>
  host.replace(/[%\x80-\xff]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
