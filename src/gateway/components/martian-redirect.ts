// The URL of the request martian's answer side reads (Go's res.Request.URL): the request as sent,
// or after redirects the last hop's, which Go's http.Client makes with req.URL.Parse(Location)
// (net/http client.go Client.do; net/url Parse, ResolveReference, resolvePath, EscapedPath and
// String, Go 1.26). Texts are byte strings (one character per byte), as Go holds them.
import { goParseUrl } from '../go-url-parse.ts'
import { goEscapePath } from '../router.ts'
import { decodePath, splitTarget } from './martian-url.ts'

/** A request URL as martian's steps read it. */
export interface RequestUrl {
  scheme: string
  /** URL.User as URL.String writes it (escaped, without its `@`); undefined when there is none. */
  user?: string | undefined
  /** URL.Host, decoded. */
  host: string
  /** EscapedPath, then `?` and RawQuery when there is a query (or ForceQuery). */
  target: string
  /** The fragment as written ('' for none); URL.String escapes it as EscapedFragment does. */
  fragment: string
}

/** A Location as url.Parse reads it, in the parts ResolveReference uses. */
interface Reference {
  scheme: string
  user: string | undefined
  host: string
  /** EscapedPath ('' for none). */
  path: string
  /** RawQuery; '' for ForceQuery (a lone `?` at the end); undefined for no query. */
  query: string | undefined
  fragment: string
}

/**
 * The last hop's URL: each Location resolved against the URL before it. A Location Go's url.Parse
 * refuses ends the walk there (Go fails the call with it: martian never sees an answer).
 */
export function lastHopUrl(first: RequestUrl, locations: readonly string[]): RequestUrl {
  let url = first
  for (const location of locations) {
    const ref = parseReference(location)
    if (ref === undefined) break
    url = resolveReference(url, ref)
  }
  return url
}

/** URL.ResolveReference. */
function resolveReference(base: RequestUrl, ref: Reference): RequestUrl {
  const scheme = ref.scheme !== '' ? ref.scheme : base.scheme
  // The absolute-URI and net-path cases: the reference's authority, its path with dots resolved.
  if (ref.scheme !== '' || ref.host !== '' || ref.user !== undefined)
    return {
      scheme,
      user: ref.user,
      host: ref.host,
      target: withQuery(escapedPath(resolvePath(ref.path, '')), ref.query),
      fragment: ref.fragment,
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

/** url.Parse of a Location, undefined where Go refuses it. */
function parseReference(location: string): Reference | undefined {
  const parsed = goParseUrl(location)
  if (typeof parsed === 'string') return undefined
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
    // An opaque Location (`scheme:text`) has no path: Go's transport cannot call its URL anyway.
    path: parsed.opaque !== '' ? '' : path,
    query,
    fragment: hash === -1 ? '' : location.slice(hash + 1),
  }
}

/** validEncoded(s, encodePath): bytes EscapedPath writes as they are. */
const VALID_ENCODED_PATH = /^[A-Za-z0-9\-._~!$&'()*+,;=:@[\]%/]*$/

/** setPath then EscapedPath: the path as written when it is validly encoded, else Go's escaping. */
const escapedPath = (path: string): string =>
  VALID_ENCODED_PATH.test(path) ? path : goEscapePath(decodePath(path) ?? path)

/** Userinfo.String of what parseAuthority read: user name and password unescaped, then escaped. */
function userText(userinfo: string): string {
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
function resolvePath(base: string, ref: string): string {
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
