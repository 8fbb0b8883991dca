/**
 * Go's url.URL.String() escaping of a URL's parts, on text holding one byte per character (Node's
 * latin1 reading of a request's bytes): security/http's redirect and gin's redirect of an
 * absolute-form target write their Location with it.
 */

/** The bytes escape(host, encodeHost) leaves as they are. */
export const HOST_KEPT = /[A-Za-z0-9\-._~!$&'()*+,;=:[\]<>"]/
/** The bytes escape(path, encodePath) leaves as they are. */
export const PATH_KEPT = /[A-Za-z0-9\-._~$&+,/:;=@]/
/** The bytes escape(s, encodeUserPassword) leaves as they are. */
const USERINFO_KEPT = /[A-Za-z0-9\-._~$&+,;=]/

/** Every %XX as the byte it stands for (a `%` not followed by two hex digits stays). */
export const unescapeBytes = (text: string) =>
  text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))

/** Each byte outside `kept` as %XX (upper-case hex). */
export function escapeBytes(s: string, kept: RegExp): string {
  let out = ''
  for (const c of s) out += kept.test(c) ? c : percent(c)
  return out
}

const percent = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`

/**
 * url.User(info).String() of a userinfo as a URL carried it: the name and password unescaped,
 * then escaped for userinfo (`:`, `@`, `/`, `?` and what is not unreserved or `$&+,;=` as %XX).
 */
export function goUserinfoString(info: string): string {
  const colon = info.indexOf(':')
  const part = (text: string) => escapeBytes(unescapeBytes(text), USERINFO_KEPT)
  return colon === -1 ? part(info) : `${part(info.slice(0, colon))}:${part(info.slice(colon + 1))}`
}

/**
 * The `[userinfo@]host` of an absolute-form target as url.Parse then String() writes it: the
 * userinfo (up to the last `@`) and the host unescaped, then escaped again (`b%c3%bc` and a raw
 * `b\xc3\xbc` both as `b%C3%BC`).
 */
export function goAuthorityString(authority: string): string {
  const at = authority.lastIndexOf('@')
  const host = escapeBytes(unescapeBytes(authority.slice(at + 1)), HOST_KEPT)
  return at === -1 ? host : `${goUserinfoString(authority.slice(0, at))}@${host}`
}
