/**
 * The `format` values KrakenD asserts in draft-04/06/07 schemas: santhosh-tekuri/jsonschema v6's
 * own validators, rewritten here with their exact rules (which are not ajv-formats': `a.b@c` is an
 * email, `http://a/b c` a uri, `+1.2.3.4` an ipv4 through Go's strconv.Atoi, and `int32`, `byte`
 * or `password` are unknown, so never asserted). Each returns the reason a string fails, in
 * santhosh-tekuri's words, or undefined. They read the UTF-8 bytes (one character per byte) as Go
 * indexes strings.
 */
import { goQuoteBytes, goSingleQuote } from '../go-quote.ts'
import { daysIn, goTimeQuote } from '../go-time.ts'
import { type GoUrl, goParseUrl, ipKind, parseIPv6 } from '../go-url-parse.ts'
import { goUnescapePath } from '../router.ts'
import { compileGoRegExp, GoRegExpError } from './go-regexp.ts'

type Check = (bytes: string) => string | undefined

/** Go's strconv.Atoi: an optional sign and decimal digits within int64, or its error. */
function atoi(s: string): number | string {
  const failed = (reason: string) => `strconv.Atoi: parsing ${goQuoteBytes(s)}: ${reason}`
  if (!/^[+-]?[0-9]+$/.test(s)) return failed('invalid syntax')
  const n = BigInt(s)
  return n > 9223372036854775807n || n < -9223372036854775808n ? failed('value out of range') : Number(n)
}

/** The first character of a byte string (UTF-8, as Go's range reads it) outside `allowed`, quoted as %q quotes a rune. */
function firstOutside(bytes: string, allowed: RegExp): string | undefined {
  for (const ch of Buffer.from(bytes, 'latin1').toString('utf8'))
    if (!allowed.test(ch)) return goSingleQuote(ch)
  return undefined
}

const leadingDigits = (s: string) => /^[0-9]*/.exec(s)?.[0].length ?? 0

const jsonPointer: Check = (s) => {
  if (s === '') return undefined
  if (!s.startsWith('/')) return 'not starting with /'
  for (const token of s.split('/').slice(1)) {
    // Every byte but '/' is allowed (the split removed those); only '~' escapes are checked.
    if (/~(?![01])/.test(token)) return '~ must be followed by 0 or 1'
  }
  return undefined
}

const relativeJsonPointer: Check = (s) => {
  const digits = leadingDigits(s)
  if (digits === 0) return 'must start with non-negative integer'
  if (digits > 1 && s.startsWith('0')) return 'starts with zero'
  const rest = s.slice(digits)
  return rest === '#' ? undefined : jsonPointer(rest)
}

const uuid: Check = (s) => {
  const lengths = [8, 4, 4, 4, 12]
  const groups = s.split('-')
  if (groups.length !== lengths.length) return 'must have 5 elements'
  for (const [i, group] of groups.entries()) {
    if (group.length !== lengths[i]) return `element ${i + 1} must be ${lengths[i]} characters long`
    const bad = firstOutside(group, /^[0-9a-fA-F]$/)
    if (bad !== undefined) return `non-hex character ${bad}`
  }
  return undefined
}

const duration: Check = (input) => {
  if (!input.startsWith('P')) return 'must start with P'
  const s = input.slice(1)
  if (s === '') return 'nothing after P'
  if (s.endsWith('W')) {
    const weeks = s.slice(0, -1)
    if (weeks === '') return 'no number in week'
    return /^[0-9]+$/.test(weeks) ? undefined : 'invalid week'
  }
  const allUnits = ['YMD', 'HMS']
  for (const [i, part] of s.split('T').entries()) {
    if (i !== 0 && part === '') return 'no time elements'
    if (i >= allUnits.length) return 'more than one T'
    let units = allUnits[i] as string
    let rest = part
    while (rest !== '') {
      const digits = leadingDigits(rest)
      if (digits === 0) return 'missing number'
      rest = rest.slice(digits)
      if (rest === '') return 'missing unit'
      const unit = rest[0] as string
      const j = units.indexOf(unit)
      if (j === -1)
        return (allUnits[i] as string).includes(unit)
          ? `unit ${goSingleQuote(unit)} out of order`
          : `invalid unit ${goSingleQuote(unit)}`
      units = units.slice(j + 1)
      rest = rest.slice(1)
    }
  }
  return undefined
}

const ipv4: Check = (s) => {
  const groups = s.split('.')
  if (groups.length !== 4) return 'expected four decimals'
  for (const group of groups) {
    if (group.length > 1 && group[0] === '0') return 'leading zeros'
    const n = atoi(group)
    if (typeof n === 'string') return n
    if (n < 0 || n > 255) return 'decimal must be between 0 and 255'
  }
  return undefined
}

const ipv6: Check = (s) => {
  if (!s.includes(':')) return 'missing colon'
  if (ipKind(s) === undefined) {
    const error = parseIPv6(s)
    const at = error?.at === undefined ? '' : ` (at ${goQuoteBytes(error.at)})`
    return `ParseAddr(${goQuoteBytes(s)}): ${error?.message ?? 'unable to parse IP'}${at}`
  }
  return s.includes('%') ? 'zone id is not a part of ipv6 address' : undefined
}

const hostname: Check = (input) => {
  const s = input.endsWith('.') ? input.slice(0, -1) : input
  if (s.length > 253) return 'more than 253 characters long'
  for (const label of s.split('.')) {
    if (label.length < 1 || label.length > 63) return 'label must be 1 to 63 characters long'
    if (label.startsWith('-')) return 'label starts with hyphen'
    if (label.endsWith('-')) return 'label ends with hyphen'
    const bad = firstOutside(label, /^[A-Za-z0-9-]$/)
    if (bad !== undefined) return `invalid character ${bad}`
  }
  return undefined
}

const email: Check = (s) => {
  if (s.length > 254) return 'more than 255 characters long'
  const at = s.lastIndexOf('@')
  if (at === -1) return 'missing @'
  const local = s.slice(0, at)
  let domain = s.slice(at + 1)
  if (local.length > 64) return 'local part more than 64 characters long'
  if (local.length > 1 && local.startsWith('"')) {
    // santhosh-tekuri tests the opening quote twice: any local part starting with one is "quoted".
    if (/[\\"]/.test(local.slice(1, -1)))
      return 'backslash and quote are not allowed within quoted local part'
  } else {
    if (local.startsWith('.')) return 'starts with dot'
    if (local.endsWith('.')) return 'ends with dot'
    if (local.includes('..')) return 'consecutive dots'
    const bad = firstOutside(local, /^[A-Za-z0-9.!#$%&'*+\-/=?^_`{|}~]$/)
    if (bad !== undefined) return `invalid character ${bad}`
  }
  if (domain.startsWith('[') && domain.endsWith(']')) {
    domain = domain.slice(1, -1)
    if (domain.startsWith('IPv6:')) {
      const error = ipv6(domain.slice(5))
      return error === undefined ? undefined : `invalid ipv6 address: ${error}`
    }
    const error = ipv4(domain)
    return error === undefined ? undefined : `invalid ipv4 address: ${error}`
  }
  const error = hostname(domain)
  return error === undefined ? undefined : `invalid domain: ${error}`
}

/** Go's time.Parse("2006-01-02", s), element by element as it reads the layout, with its errors. */
const date: Check = (s) => {
  const cannot = (rest: string, element: string) =>
    `parsing time ${goTimeQuote(s)} as "2006-01-02": cannot parse ${goTimeQuote(rest)} as ${goTimeQuote(element)}`
  const outOfRange = (what: string) => `parsing time ${goTimeQuote(s)}: ${what} out of range`
  let v = s
  if (!/^[0-9]{4}/.test(v)) return cannot(v, '2006')
  const year = Number(v.slice(0, 4))
  v = v.slice(4)
  if (!v.startsWith('-')) return cannot(v, '-')
  v = v.slice(1)
  if (!/^[0-9]{2}/.test(v)) return cannot(v, '01')
  const month = Number(v.slice(0, 2))
  if (month < 1 || month > 12) return outOfRange('month')
  v = v.slice(2)
  if (!v.startsWith('-')) return cannot(v, '-')
  v = v.slice(1)
  if (!/^[0-9]{2}/.test(v)) return cannot(v, '02')
  const day = Number(v.slice(0, 2))
  if (day > 31) return outOfRange('day')
  v = v.slice(2)
  if (v !== '') return `parsing time ${goTimeQuote(s)}: extra text: ${goTimeQuote(v)}`
  return day < 1 || day > daysIn(month, year) ? outOfRange('day') : undefined
}

const time: Check = (input) => {
  if (input.length < 9) return 'less than 9 characters long'
  if (input[2] !== ':' || input[5] !== ':') return 'missing colon in correct place'
  const hms: number[] = []
  for (const token of [input.slice(0, 2), input.slice(3, 5), input.slice(6, 8)]) {
    const n = atoi(token)
    if (typeof n === 'string') return 'invalid hour/min/sec'
    if (n < 0) return 'non-positive hour/min/sec'
    hms.push(n)
  }
  let [h, m] = hms as [number, number, number]
  const s = hms[2] as number
  if (h > 23 || m > 59 || s > 60) return 'hour/min/sec out of range'
  let rest = input.slice(8)
  if (rest.startsWith('.')) {
    const digits = leadingDigits(rest.slice(1))
    if (digits === 0) return 'no digits in second fraction'
    rest = rest.slice(1 + digits)
  }
  if (rest !== 'z' && rest !== 'Z') {
    if (rest.length !== 6) return 'offset must be 6 characters long'
    const sign = rest[0] === '+' ? -1 : rest[0] === '-' ? 1 : 0
    if (sign === 0) return 'offset must begin with plus/minus'
    if (rest[3] !== ':') return 'missing colon in offset in correct place'
    const zh = atoi(rest.slice(1, 3))
    const zm = atoi(rest.slice(4))
    if (typeof zh === 'string' || typeof zm === 'string') return 'invalid hour/min in offset'
    if (zh < 0 || zm < 0) return 'non-positive hour/min in offset'
    if (zh > 23 || zm > 59) return 'hour/min in offset out of range'
    let hm = h * 60 + m + sign * (zh * 60 + zm)
    if (hm < 0) hm += 24 * 60
    h = Math.trunc(hm / 60)
    m = hm % 60
  }
  if (s >= 60 && (h !== 23 || m !== 59)) return 'invalid leap second'
  return undefined
}

const dateTime: Check = (s) => {
  if (s.length < 20) return 'less than 20 characters long'
  if (s[10] !== 't' && s[10] !== 'T') return '11th character must be t or T'
  const dateError = date(s.slice(0, 10))
  if (dateError !== undefined) return `invalid date element: ${dateError}`
  const timeError = time(s.slice(11))
  return timeError === undefined ? undefined : `invalid time element: ${timeError}`
}

/** santhosh-tekuri's parseURL: Go's url.Parse, and a host with colons must be a bracketed IPv6. */
function parseUrl(s: string): GoUrl | string {
  const url = goParseUrl(s)
  if (typeof url === 'string') return url
  const host = hostnameOf(url.host)
  if (host.includes(':')) {
    if (!url.host.includes('[') || !url.host.includes(']')) return 'ipv6 address not enclosed in brackets'
    const error = ipv6(host)
    if (error !== undefined) return `invalid ipv6 address: ${error}`
  }
  return url
}

/** Go's URL.Hostname(). */
function hostnameOf(hostPort: string): string {
  let host = hostPort
  const colon = host.lastIndexOf(':')
  if (colon !== -1 && /^:[0-9]*$/.test(host.slice(colon))) host = host.slice(0, colon)
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
}

const uri: Check = (s) => {
  const url = parseUrl(s)
  if (typeof url === 'string') return url
  return url.scheme === '' ? 'relative url' : undefined
}

const uriReference: Check = (s) => {
  if (s.includes('\\')) return 'contains \\'
  const url = parseUrl(s)
  return typeof url === 'string' ? url : undefined
}

const uriTemplate: Check = (s) => {
  const url = parseUrl(s)
  if (typeof url === 'string') return url
  for (const raw of url.rawPath.split('/')) {
    const token = goUnescapePath(raw)
    if (token === undefined) return 'percent decode failed'
    let open = true
    for (const c of token) {
      if (c !== '{' && c !== '}') continue
      if ((c === '{') !== open) return 'nested curly braces'
      open = !open
    }
    if (!open) return 'no matching closing brace'
  }
  return undefined
}

const period: Check = (s) => {
  const slash = s.indexOf('/')
  if (slash === -1) return 'missing slash'
  const [start, end] = [s.slice(0, slash), s.slice(slash + 1)]
  if (start.startsWith('P')) {
    const error = duration(start)
    if (error !== undefined) return `invalid start duration: ${error}`
    const endError = dateTime(end)
    return endError === undefined ? undefined : `invalid end date-time: ${endError}`
  }
  const startError = dateTime(start)
  if (startError !== undefined) return `invalid start date-time: ${startError}`
  const endError = end.startsWith('P') ? duration(end) : dateTime(end)
  if (endError === undefined) return undefined
  return end.startsWith('P') ? `invalid end duration: ${endError}` : `invalid end date-time: ${endError}`
}

const semver: Check = (input) => {
  let s = input
  const plus = s.indexOf('+')
  if (plus !== -1) {
    const build = s.slice(plus + 1)
    if (build === '') return 'build is empty'
    for (const id of build.split('.')) {
      if (id === '') return 'build identifier is empty'
      const bad = firstOutside(id, /^[0-9A-Za-z-]$/)
      if (bad !== undefined) return `invalid character ${bad} in build identifier`
    }
    s = s.slice(0, plus)
  }
  const dash = s.indexOf('-')
  if (dash !== -1) {
    for (const id of s.slice(dash + 1).split('.')) {
      if (id === '') return 'pre-release identifier is empty'
      const bad = firstOutside(id, /^[0-9A-Za-z-]$/)
      if (bad !== undefined) return `invalid character ${bad} in pre-release identifier`
      if (/^[0-9]+$/.test(id) && id.length > 1 && id[0] === '0')
        return 'pre-release numeric identifier starts with zero'
    }
    s = s.slice(0, dash)
  }
  const versions = s.split('.')
  if (versions.length !== 3) return 'versionCore must have 3 numbers separated by dot'
  for (const [i, version] of versions.entries()) {
    const name = ['major', 'minor', 'patch'][i]
    if (version === '') return `${name} is empty`
    if (version.length > 1 && version[0] === '0') return `${name} starts with zero`
    if (!/^[0-9]+$/.test(version)) return `${name} contains non-digit`
  }
  return undefined
}

/** `regex` is "compiles as a Go regular expression" (its syntax, whatever this runtime matches). */
const regex: Check = (s) => {
  try {
    compileGoRegExp(Buffer.from(s, 'latin1').toString('utf8'))
    return undefined
  } catch (error) {
    if (error instanceof GoRegExpError && error.goAccepts) return undefined
    return (error as Error).message
  }
}

export const GO_FORMATS: Record<string, Check> = {
  'json-pointer': jsonPointer,
  'relative-json-pointer': relativeJsonPointer,
  uuid,
  duration,
  period,
  ipv4,
  ipv6,
  hostname,
  email,
  date,
  time,
  'date-time': dateTime,
  uri,
  iri: uri,
  'uri-reference': uriReference,
  'iri-reference': uriReference,
  'uri-template': uriTemplate,
  semver,
  regex,
}

/** The reason `value` is not of `format` (undefined: it is, or the format is unknown). */
export function formatError(format: string, value: string): string | undefined {
  const check = Object.hasOwn(GO_FORMATS, format) ? GO_FORMATS[format] : undefined
  return check?.(Buffer.from(value, 'utf8').toString('latin1'))
}
