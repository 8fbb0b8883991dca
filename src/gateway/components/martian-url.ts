// martian's url.Modifier and url.Filter on the backend request target (path and query), and
// cookie.Filter's matcher, as google/martian (the commit KrakenD CE 2.13.8 builds) applies them to
// Go's *url.URL and net/http's cookie parsing (Go 1.26). Texts here are byte strings (one
// character per byte), as the request target is.

import { HTTP_TOKEN } from '../go-http.ts'
import { decodePath, splitTarget } from '../go-url-resolve.ts'
import { goEscapePath } from '../router.ts'

/** A config text as its UTF-8 bytes, one character per byte (how Go holds the string). */
export const utf8Bytes = (text: string): string =>
  /[\u0080-\uffff]/.test(text) ? Buffer.from(text, 'utf8').toString('latin1') : text

/**
 * url.Modifier on the request target: a non-empty `path` becomes URL.Path, which Go writes as the
 * original raw path when that still decodes to it (EscapedPath) and escaped otherwise; a non-empty
 * `query` becomes RawQuery, written as it is. `original` is the escaped path lura built.
 */
export function modifyTarget(target: string, original: string, path: string, query: string): string {
  const current = splitTarget(target)
  let escaped = current.path
  if (path !== '') escaped = decodePath(original) === path ? original : goEscapePath(path)
  const rawQuery = query !== '' ? query : current.query
  return rawQuery === undefined ? escaped : `${escaped}?${rawQuery}`
}

/** url.Filter's matcher on the request target: each non-empty field equal to URL.Path / RawQuery. */
export function targetMatches(target: string, path: string, query: string): boolean {
  const current = splitTarget(target)
  if (path !== '' && decodePath(current.path) !== path) return false
  return query === '' || (current.query ?? '') === query
}

/** textproto.TrimString: ASCII space, tab, CR and LF off both ends. */
const trim = (s: string) => s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '')

/** parseCookieValue(raw, true): the value without its quotes, or undefined when a byte is not allowed. */
function cookieValue(raw: string): string | undefined {
  const value = raw.length > 1 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw
  // validCookieValueByte: 0x20-0x7e but `"`, `;` and `\`.
  return /^[\x20\x21\x23-\x3a\x3c-\x5b\x5d-\x7e]*$/.test(value) ? value : undefined
}

/** net/http's limit on the cookies it reads (httpcookiemaxnum's default): past it, none. */
const MAX_COOKIES = 3000

const lines = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value]

/** Request.Cookies(): every valid name=value pair of every Cookie line. */
export function requestCookies(cookie: string | string[] | undefined): Array<[string, string]> {
  const all = lines(cookie)
  let count = 0
  for (const line of all) count += line.split(';').length
  if (count > MAX_COOKIES) return []
  const out: Array<[string, string]> = []
  for (const line of all)
    for (const piece of line.split(';')) {
      const part = trim(piece)
      if (part === '') continue
      const eq = part.indexOf('=')
      const name = trim(eq === -1 ? part : part.slice(0, eq))
      if (!HTTP_TOKEN.test(name)) continue
      const value = cookieValue(eq === -1 ? '' : part.slice(eq + 1))
      if (value !== undefined) out.push([name, value])
    }
  return out
}

/** Response.Cookies(): the name and value of each Set-Cookie line ParseSetCookie accepts. */
export function responseCookies(setCookie: string | string[] | undefined): Array<[string, string]> {
  const all = lines(setCookie)
  if (all.length > MAX_COOKIES) return []
  const out: Array<[string, string]> = []
  for (const line of all) {
    const first = trim(trim(line).split(';')[0] as string)
    const eq = first.indexOf('=')
    if (eq === -1) continue
    const name = trim(first.slice(0, eq))
    if (!HTTP_TOKEN.test(name)) continue
    const value = cookieValue(first.slice(eq + 1))
    if (value !== undefined) out.push([name, value])
  }
  return out
}

/** cookie.Filter's matcher: a cookie of that name, with that value when `value` is not empty. */
export const cookieMatches = (cookies: Array<[string, string]>, name: string, value: string): boolean =>
  cookies.some(([n, v]) => n === name && (value === '' || v === value))
