// Go's net/http cookie text (Go 1.25): what Request.AddCookie adds to a Cookie header and what
// Cookie.String writes as a Set-Cookie value, for the cookies martian's cookie.Modifier makes.
import { HTTP_TOKEN } from './go-http.ts'

export interface GoCookie {
  name: string
  value: string
  path: string
  domain: string
  /** Milliseconds since the epoch; undefined for Go's zero time (no Expires). */
  expiresMs: number | undefined
  secure: boolean
  httpOnly: boolean
  maxAge: number
}

/** isCookieNameValid: a non-empty token. */
export const validCookieName = (name: string) => HTTP_TOKEN.test(name)

/** sanitizeCookieValue: bytes outside 0x20-0x7e, `"`, `;` and `\` dropped; quoted when it holds a space or a comma. */
function cookieValue(value: string): string {
  let out = ''
  for (const byte of Buffer.from(value, 'utf8'))
    if (byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x3b && byte !== 0x5c)
      out += String.fromCharCode(byte)
  return out !== '' && /[ ,]/.test(out) ? `"${out}"` : out
}

/** sanitizeCookiePath: bytes outside 0x20-0x7e and `;` dropped. */
function cookiePath(path: string): string {
  let out = ''
  for (const byte of Buffer.from(path, 'utf8'))
    if (byte >= 0x20 && byte < 0x7f && byte !== 0x3b) out += String.fromCharCode(byte)
  return out
}

/** isCookieDomainName: dot-separated labels of letters, digits and inner hyphens, one letter at least. */
function cookieDomainName(domain: string): boolean {
  if (domain.length === 0 || domain.length > 255) return false
  const s = domain[0] === '.' ? domain.slice(1) : domain
  let last = '.'
  let letter = false
  let partLength = 0
  for (const c of s) {
    if (/[A-Za-z]/.test(c)) {
      letter = true
      partLength += 1
    } else if (/[0-9]/.test(c)) partLength += 1
    else if (c === '-') {
      if (last === '.') return false
      partLength += 1
    } else if (c === '.') {
      if (last === '.' || last === '-' || partLength > 63 || partLength === 0) return false
      partLength = 0
    } else return false
    last = c
  }
  return last !== '-' && partLength <= 63 && letter
}

/** validCookieDomain: a domain name, or an IPv4 address (Go drops any other Domain attribute). */
const validCookieDomain = (domain: string) =>
  cookieDomainName(domain) ||
  /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(domain)

/** Request.AddCookie's pair (sanitizeCookieName turns line breaks into `-`). */
export function cookiePair(cookie: GoCookie): string {
  return `${cookie.name.replace(/[\r\n]/g, '-')}=${cookieValue(cookie.value)}`
}

/** Cookie.String: the Set-Cookie value. */
export function setCookieLine(cookie: GoCookie): string {
  let out = `${cookie.name}=${cookieValue(cookie.value)}`
  if (cookie.path.length > 0) out += `; Path=${cookiePath(cookie.path)}`
  if (cookie.domain.length > 0 && validCookieDomain(cookie.domain))
    out += `; Domain=${cookie.domain[0] === '.' ? cookie.domain.slice(1) : cookie.domain}`
  // validCookieExpires: year 1601 and later.
  if (cookie.expiresMs !== undefined && new Date(cookie.expiresMs).getUTCFullYear() >= 1601)
    out += `; Expires=${new Date(cookie.expiresMs).toUTCString()}`
  if (cookie.maxAge > 0) out += `; Max-Age=${cookie.maxAge}`
  else if (cookie.maxAge < 0) out += '; Max-Age=0'
  if (cookie.httpOnly) out += '; HttpOnly'
  if (cookie.secure) out += '; Secure'
  return out
}

/** Go's defaultCookieMaxNum: a request with more cookies than this has none (readCookies). */
const MAX_COOKIES = 3000

/** textproto.TrimString: ASCII space, tab, CR and LF off both ends. */
const trimString = (s: string) => s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '')

/**
 * Request.Cookie(name)'s value: the first `name=value` pair of the Cookie lines (Node's "; "-joined
 * header splits into the same pairs) whose trimmed name is that token and whose value, unquoted,
 * has only cookie bytes; undefined for none, or when the lines carry more than 3000 cookies.
 */
export function requestCookie(header: string, name: string): string | undefined {
  let count = 1
  for (let i = header.indexOf(';'); i !== -1; i = header.indexOf(';', i + 1)) count += 1
  if (count > MAX_COOKIES) return undefined
  for (const rawPart of header.split(';')) {
    const part = trimString(rawPart)
    if (part === '') continue
    const eq = part.indexOf('=')
    const key = trimString(eq === -1 ? part : part.slice(0, eq))
    if (key !== name || !validCookieName(key)) continue
    let value = eq === -1 ? '' : part.slice(eq + 1)
    if (value.length > 1 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
    if (/[^\x20-\x7e]|["\\;]/.test(value)) continue
    return value
  }
  return undefined
}
