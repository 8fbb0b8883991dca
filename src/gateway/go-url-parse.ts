/**
 * Go's `url.Parse` (Go 1.25, the toolchain of KrakenD CE 2.13.8) as far as deciding whether a text parses
 * and reading back scheme, opaque part, host, path and raw path; the JSON schema formats `uri`,
 * `uri-reference` and `uri-template` are defined by it. Input and output are byte strings (one
 * character per UTF-8 byte), as Go indexes strings. Errors carry Go's wording.
 */
import { goQuoteBytes } from './go-quote.ts'
import { goEscapePath } from './router.ts'

export interface GoUrl {
  scheme: string
  opaque: string
  host: string
  path: string
  /** Set only when the path as written differs from Go's own escaping of it. */
  rawPath: string
}

export function goParseUrl(raw: string): GoUrl | string {
  const hash = raw.indexOf('#')
  const main = hash === -1 ? raw : raw.slice(0, hash)
  const url = parse(main)
  if (typeof url === 'string') return `parse ${goQuoteBytes(main)}: ${url}`
  if (hash !== -1) {
    const fragment = escapeError(raw.slice(hash + 1), 'other')
    if (fragment !== undefined) return `parse ${goQuoteBytes(raw)}: ${fragment}`
  }
  return url
}

/**
 * Go's `url.ParseRequestURI`: a request target (no fragment: `#` belongs to the path), either `*`,
 * a path from `/`, or absolute (`scheme:...`). The error text, without Go's `parse "..."` prefix.
 */
export function goParseRequestUri(raw: string): GoUrl | string {
  return parse(raw, true)
}

function parse(raw: string, viaRequest = false): GoUrl | string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: Go's stringContainsCTLByte
  if (/[\x00-\x1f\x7f]/.test(raw)) return 'net/url: invalid control character in URL'
  if (raw === '' && viaRequest) return 'empty url'
  const url: GoUrl = { scheme: '', opaque: '', host: '', path: '', rawPath: '' }
  if (raw === '*') return { ...url, path: '*' }
  const scheme = schemeOf(raw)
  if (scheme === undefined) return 'missing protocol scheme'
  url.scheme = scheme.toLowerCase()
  let rest = scheme === '' ? raw : raw.slice(scheme.length + 1)
  const question = rest.indexOf('?')
  if (question !== -1) rest = rest.slice(0, question)
  if (!rest.startsWith('/')) {
    if (url.scheme !== '') return { ...url, opaque: rest }
    if (viaRequest) return 'invalid URI for request'
    if ((rest.split('/')[0] as string).includes(':')) return 'first path segment in URL cannot contain colon'
  }
  if ((url.scheme !== '' || (!viaRequest && !rest.startsWith('///'))) && rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2)
    const authority = slash === -1 ? rest.slice(2) : rest.slice(2, slash)
    rest = slash === -1 ? '' : rest.slice(slash)
    const host = parseAuthority(authority)
    if (host.error !== undefined) return host.error
    url.host = host.host
  }
  const path = unescapePath(rest)
  if (typeof path !== 'string') return path.error
  url.path = path
  url.rawPath = goEscapePath(path) === rest ? '' : rest
  return url
}

/** The scheme before the first ':' ('' when there is none); undefined for a text starting with ':'. */
function schemeOf(raw: string): string | undefined {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string
    if (/[A-Za-z]/.test(c)) continue
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return ''
      continue
    }
    if (c === ':') return i === 0 ? undefined : raw.slice(0, i)
    return ''
  }
  return ''
}

function parseAuthority(authority: string): { host: string; error?: string } {
  const at = authority.lastIndexOf('@')
  const host = parseHost(at === -1 ? authority : authority.slice(at + 1))
  if (host.error !== undefined || at === -1) return host
  const userinfo = authority.slice(0, at)
  if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo))
    return { host: '', error: 'net/url: invalid userinfo' }
  const colon = userinfo.indexOf(':')
  for (const part of colon === -1 ? [userinfo] : [userinfo.slice(0, colon), userinfo.slice(colon + 1)]) {
    const error = escapeError(part, 'other')
    if (error !== undefined) return { host: '', error }
  }
  return host
}

function parseHost(host: string): { host: string; error?: string } {
  const open = host.lastIndexOf('[')
  if (open > 0) return { host: '', error: 'invalid IP-literal' }
  if (open === 0) {
    const close = host.lastIndexOf(']')
    if (close < 0) return { host: '', error: "missing ']' in host" }
    const colonPort = host.slice(close + 1)
    if (!validOptionalPort(colonPort))
      return { host: '', error: `invalid port ${goQuoteBytes(colonPort)} after host` }
    const name = host.slice(1, close)
    const zone = name.indexOf('%25')
    const error =
      zone === -1
        ? escapeError(name, 'host')
        : (escapeError(name.slice(0, zone), 'host') ?? escapeError(name.slice(zone), 'zone'))
    if (error !== undefined) return { host: '', error }
    const decoded = decodePercents(name)
    const kind = ipKind(decoded)
    if (kind === undefined) return { host: '', error: `invalid host: ParseAddr(${goQuoteBytes(decoded)})` }
    if (kind === 4) return { host: '', error: 'invalid IP-literal' }
    return { host: `[${decoded}]${colonPort}` }
  }
  const colon = host.lastIndexOf(':')
  if (colon !== -1) {
    const colonPort = host.slice(colon)
    if (!validOptionalPort(colonPort))
      return { host: '', error: `invalid port ${goQuoteBytes(colonPort)} after host` }
  }
  const error = escapeError(host, 'host')
  return error === undefined ? { host: decodePercents(host) } : { host: '', error }
}

const validOptionalPort = (port: string) => port === '' || /^:[0-9]*$/.test(port)

/** Host bytes Go leaves as they are (its encodeHost / encodeZone table): the rest must be escaped. */
const HOST_SAFE = /[A-Za-z0-9\-._~!$&'()*+,;=:[\]<>"]/

/** Go's unescape check for one mode: the error text, or undefined when it unescapes. */
function escapeError(s: string, mode: 'host' | 'zone' | 'other'): string | undefined {
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string
    if (c === '%') {
      const sequence = s.slice(i, i + 3)
      if (!/^%[0-9A-Fa-f]{2}$/.test(sequence)) return `invalid URL escape ${goQuoteBytes(sequence)}`
      const byte = Number.parseInt(sequence.slice(1), 16)
      if (mode === 'host' && byte < 0x80 && sequence !== '%25')
        return `invalid URL escape ${goQuoteBytes(sequence)}`
      if (mode === 'zone' && sequence !== '%25' && byte !== 0x20 && !isHostSafe(byte))
        return `invalid URL escape ${goQuoteBytes(sequence)}`
      i += 2
    } else if (mode !== 'other' && c.charCodeAt(0) < 0x80 && !HOST_SAFE.test(c))
      return `invalid character ${goQuoteBytes(c)} in host name`
  }
  return undefined
}

const isHostSafe = (byte: number) => byte < 0x80 && HOST_SAFE.test(String.fromCharCode(byte))

function unescapePath(s: string): string | { error: string } {
  const error = escapeError(s, 'other')
  return error === undefined ? decodePercents(s) : { error }
}

/** `%XX` to its byte; the escapes are known to be well formed. */
const decodePercents = (s: string) =>
  s.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))

/** netip.ParseAddr's verdict on a byte string: 4, 6 (also 4-in-6 and zoned), or undefined. */
export function ipKind(s: string): 4 | 6 | undefined {
  for (const c of s) {
    if (c === '.') return parseIPv4(s) ? 4 : undefined
    if (c === ':') return parseIPv6(s) === undefined ? 6 : undefined
    if (c === '%') return undefined
  }
  return undefined
}

/** netip's IPv4: four decimal fields up to 255, no leading zeros. */
function parseIPv4(s: string): boolean {
  return ipv4FieldsError(s) === undefined
}

type AddrError = { message: string; at?: string }

/** netip's parseIPv4Fields: why `s` is not four decimal fields up to 255 without leading zeros. */
function ipv4FieldsError(s: string): AddrError | undefined {
  let value = 0
  let digits = 0
  let fields = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      if (digits === 1 && value === 0) return { message: 'IPv4 field has octet with leading zero' }
      value = value * 10 + c - 48
      digits += 1
      if (value > 255) return { message: 'IPv4 field has value >255' }
    } else if (c === 46) {
      if (i === 0 || i === s.length - 1 || s[i - 1] === '.')
        return { message: 'IPv4 field must have at least one digit', at: s.slice(i) }
      if (fields === 3) return { message: 'IPv4 address too long' }
      fields += 1
      value = 0
      digits = 0
    } else return { message: 'unexpected character', at: s.slice(i) }
  }
  return fields < 3 ? { message: 'IPv4 address too short' } : undefined
}

/** netip's IPv6 parser: why it refuses `in` (and where: the rest of the input), or undefined when it parses. */
export function parseIPv6(input: string): AddrError | undefined {
  const fail = (message: string, at?: string): AddrError => (at === undefined ? { message } : { message, at })
  let s = input
  const percent = s.indexOf('%')
  if (percent !== -1) {
    if (percent === s.length - 1) return fail('zone must be a non-empty string')
    s = s.slice(0, percent)
  }
  let fields = 0
  let ellipsis = -1
  if (s.startsWith('::')) {
    ellipsis = 0
    s = s.slice(2)
    if (s === '') return undefined
  }
  while (fields < 8) {
    const hex = /^[0-9A-Fa-f]*/.exec(s)?.[0] ?? ''
    if (hex.length > 4) return fail('each group must have 4 or less digits', s)
    if (hex.length === 0) return fail('each colon-separated field must have at least one digit', s)
    if (s[hex.length] === '.') {
      if (ellipsis < 0 && fields !== 6)
        return fail('embedded IPv4 address must replace the final 2 fields of the address', s)
      if (fields + 2 > 8)
        return fail('too many hex fields to fit an embedded IPv4 at the end of the address', s)
      const embedded = ipv4FieldsError(s)
      if (embedded !== undefined) return embedded
      s = ''
      fields += 2
      break
    }
    fields += 1
    s = s.slice(hex.length)
    if (s === '') break
    if (s[0] !== ':') return fail('unexpected character, want colon', s)
    if (s.length === 1) return fail('colon must be followed by more characters', s)
    s = s.slice(1)
    if (s[0] === ':') {
      if (ellipsis >= 0) return fail('multiple :: in address', s)
      ellipsis = fields
      s = s.slice(1)
      if (s === '') break
    }
  }
  if (s !== '') return fail('trailing garbage after address', s)
  if (fields < 8 && ellipsis < 0) return fail('address string too short')
  if (fields === 8 && ellipsis >= 0) return fail('the :: must expand to at least one field of zeros')
  return undefined
}
