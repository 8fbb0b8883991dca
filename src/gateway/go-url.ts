// Query strings and header names the way Go's net/url and net/textproto handle them, so what
// backends and the echo endpoint see matches KrakenD byte for byte.
import { bytesOfText, compareGoText, hasEscapedByte, textOfBytes } from './byte-text.ts'
import { HTTP_TOKEN } from './http-token.ts'

/** url.ParseQuery: `&`-separated, `+` is a space, pieces with `;` or bad escapes are dropped. */
export const parseGoQuery = (raw: string): Map<string, string[]> => parseQuery(raw, unescapeQuery)

/**
 * url.ParseQuery with keys and values as the bytes Go unescapes them to: bytes that are not UTF-8
 * held escaped (byte-text.ts), so `%FF` and `%FE` stay two different one-character values.
 */
export const parseGoQueryBytes = (raw: string): Map<string, string[]> =>
  parseQuery(raw, (text) => {
    const bytes = unescapeQueryBytes(text)
    return bytes === undefined ? undefined : textOfBytes(bytes)
  })

/** url.ParseQuery's splitting with `decode` as its unescaping (undefined drops the piece). */
export function parseQuery(raw: string, decode: (text: string) => string | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>()
  if (raw === '') return out
  for (const piece of raw.split('&')) {
    if (piece === '' || piece.includes(';')) continue
    const eq = piece.indexOf('=')
    const key = decode(eq === -1 ? piece : piece.slice(0, eq))
    const value = decode(eq === -1 ? '' : piece.slice(eq + 1))
    if (key === undefined || value === undefined) continue
    const list = out.get(key)
    if (list) list.push(value)
    else out.set(key, [value])
  }
  return out
}

/**
 * Go unescapes to bytes: escapes that are not UTF-8 (`%FF`) still make a key or value (here with
 * U+FFFD for those bytes), so a guard looking a key up finds it as KrakenD's does; only a malformed
 * escape drops the piece.
 */
function unescapeQuery(text: string): string | undefined {
  if (!text.includes('%') && !text.includes('+')) return text
  const spaced = text.replaceAll('+', ' ')
  try {
    return decodeURIComponent(spaced)
  } catch {
    if (MALFORMED_ESCAPE.test(spaced)) return undefined
    return spaced.replace(ESCAPE_RUN, (run) => Buffer.from(run.replaceAll('%', ''), 'hex').toString('utf8'))
  }
}

const MALFORMED_ESCAPE = /%(?![0-9A-Fa-f]{2})/
const ESCAPE_RUN = /(?:%[0-9A-Fa-f]{2})+/g

const QUERY_EXTRA = /[!'()*]/g
const hex = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`

/** url.QueryEscape. */
export function goQueryEscape(text: string): string {
  // Bytes that are not UTF-8, held escaped (byte-text.ts), go out as the bytes they were.
  if (hasEscapedByte(text)) return escapeQueryBytes(bytesOfText(text))
  return encodeURIComponent(text).replace(QUERY_EXTRA, hex).replaceAll('%20', '+')
}

/** url.Values.Encode: keys sorted, every value escaped. */
export const encodeGoQuery = (values: Map<string, string[]>): string => encodeQuery(values, goQueryEscape)

/** url.Values.Add of each pair to an encoded query, then Encode again (keys sorted). */
export function withQueryValues(query: string, pairs: Array<[string, string]>): string {
  const values = parseGoQuery(query)
  for (const [key, value] of pairs) values.set(key, [...(values.get(key) ?? []), value])
  return encodeGoQuery(values)
}

/** url.Values.Encode with `encode` as its escaping: keys sorted, `key=value` pairs joined by `&`. */
export function encodeQuery(values: Map<string, string[]>, encode: (text: string) => string): string {
  let out = ''
  for (const key of [...values.keys()].sort(compareGoText)) {
    const k = encode(key)
    for (const value of values.get(key) as string[]) {
      if (out !== '') out += '&'
      out += `${k}=${encode(value)}`
    }
  }
  return out
}

/** A query as a JSON-ready object (url.Values marshalled: keys sorted by the encoder). */
export function queryObject(values: Map<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(values)
}

/** textproto.CanonicalMIMEHeaderKey: `x-y-z` -> `X-Y-Z`; names with other characters stay as they are. */
export function canonicalHeaderKey(name: string): string {
  if (!HTTP_TOKEN.test(name)) return name
  let out = ''
  let upper = true
  for (const c of name) {
    out += upper ? c.toUpperCase() : c.toLowerCase()
    upper = c === '-'
  }
  return out
}

/** Header names and all values, canonicalised as Go's server stores them (goServerKeeps). */
export function goHeaders(rawHeaders: string[]): Record<string, string[]> {
  // No prototype: a client's `__proto__` header is a name like any other (Go's http.Header).
  const out: Record<string, string[]> = Object.create(null)
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string
    if (name.charCodeAt(0) === 58 /* ':' */) continue
    const key = canonicalHeaderKey(name)
    const takenOut = TAKEN_OUT.get(key)
    if (takenOut !== undefined && !goServerKeeps(rawHeaders, takenOut)) continue
    const list = out[key]
    if (list) list.push(rawHeaders[i + 1] as string)
    else out[key] = [rawHeaders[i + 1] as string]
  }
  return out
}

/** The canonical names Go's server may keep out of its header map, lower-cased for goServerKeeps. */
const TAKEN_OUT = new Map([
  ['Host', 'host'],
  ['Transfer-Encoding', 'transfer-encoding'],
  ['Trailer', 'trailer'],
  ['Expect', 'expect'],
])

const CONTINUE_TOKEN = /(?:^|[ \t,])100-continue(?:$|[ \t,])/i

/**
 * Whether Go's server leaves a client's request lines of this (lower-case) name in its header map,
 * the map components read and lura copies: never Transfer-Encoding; Host only over HTTP/2 (x/net's
 * server keeps a `host` field, beside :authority or standing for it; HTTP/1 moves Host to
 * Request.Host); Trailer but on a chunked HTTP/1.1 request (fixTrailer reads it into r.Trailer)
 * and over HTTP/2; Expect but over HTTP/2 when it holds the 100-continue token (x/net reads it).
 */
export function goServerKeeps(rawHeaders: string[], lower: string): boolean {
  const h2 = rawHeaders[0]?.charCodeAt(0) === 58 /* ':' */
  switch (lower) {
    case 'transfer-encoding':
      return false
    case 'host':
      return h2
    case 'trailer':
      return !h2 && !rawHeaders.some((name, i) => i % 2 === 0 && name.toLowerCase() === 'transfer-encoding')
    case 'expect':
      for (let i = 0; h2 && i + 1 < rawHeaders.length; i += 2)
        if (
          (rawHeaders[i] as string).toLowerCase() === 'expect' &&
          CONTINUE_TOKEN.test(rawHeaders[i + 1] as string)
        )
          return false
      return true
    default:
      return true
  }
}

/**
 * url.Values from the client, filtered by input_query_strings and re-encoded (sorted) as lura does.
 * Go's query functions work on bytes: keys and values are kept here as byte strings (one character
 * per byte), so one that is not UTF-8 once unescaped (`%FF`) is forwarded too, and keys sort by
 * their bytes.
 */
export function forwardQuery(rule: string[] | '*', raw: string): string {
  const parsed = parseQuery(byteString(raw), unescapeQueryBytes)
  if (rule === '*') return encodeQuery(parsed, escapeQueryBytes)
  return listedQuery(rule, parsed)
}

/**
 * lura's backend-level input_query_strings (NewFilterQueryStringsMiddleware) over the endpoint's
 * query: the listed keys, but the whole query when the listed names found in it, counted with
 * repeats, number as many as its keys. Only a list naming a key twice can meet that with a key it
 * does not name (`["c", "c"]` lets one other key through beside c).
 */
export function narrowQuery(rule: string[], raw: string): string {
  const parsed = parseQuery(byteString(raw), unescapeQueryBytes)
  let found = 0
  for (const name of rule) if (parsed.get(byteString(name))?.length) found += 1
  return found === parsed.size ? encodeQuery(parsed, escapeQueryBytes) : listedQuery(rule, parsed)
}

function listedQuery(rule: string[], parsed: Map<string, string[]>): string {
  const kept = new Map<string, string[]>()
  for (const name of rule) {
    const key = byteString(name)
    const values = parsed.get(key)
    if (values && values.length > 0) kept.set(key, values)
  }
  return encodeQuery(kept, escapeQueryBytes)
}

/** Text as its UTF-8 bytes, one character per byte. */
const byteString = (text: string) =>
  /[\u0080-\uffff]/.test(text) ? Buffer.from(text, 'utf8').toString('latin1') : text

/** Go's unescape(s, encodeQueryComponent) over bytes: `+` is a space; undefined for a bad escape. */
export function unescapeQueryBytes(text: string): string | undefined {
  if (!text.includes('%') && !text.includes('+')) return text
  let out = ''
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] as string
    if (c === '+') out += ' '
    else if (c !== '%') out += c
    else {
      const hex = text.slice(i + 1, i + 3)
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined
      out += String.fromCharCode(Number.parseInt(hex, 16))
      i += 2
    }
  }
  return out
}

/** Go's QueryEscape over bytes: letters, digits and `-_.~` kept, a space `+`, the rest `%XX`. */
export const escapeQueryBytes = (bytes: string) =>
  bytes
    .replace(/[^A-Za-z0-9\-_.~ ]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
    .replaceAll(' ', '+')
