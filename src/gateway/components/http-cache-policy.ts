/**
 * The rules of github.com/krakend/httpcache v1.1.1 (the cache behind KrakenD's `qos/http-cache`),
 * written for one backend hop: freshness, Vary matching, what may be stored, stale-if-error, the
 * 304 merge, and how Go's httputil.DumpResponse/http.ReadResponse round trip reshapes an answer
 * (its size is what the LRU counts). Parsing follows Go's own quirks (time.RFC1123, ParseDuration).
 */

import { daysIn, goParseDuration } from '../go-time.ts'
import { setOwnKey } from '../own-keys.ts'

export type Headers = Record<string, string | string[] | undefined>

/** An answer as Go's transport hands it to the cache (headers with lowercase names). */
export interface GoAnswer {
  status: number
  /** The reason phrase of the status line. */
  reason: string
  headers: Headers
  /** -1 when unknown (chunked, close-delimited or decompressed by the transport). */
  contentLength: number
  chunked: boolean
  close: boolean
  /** Go's transport decompressed the gzip it asked for. */
  uncompressed: boolean
}

/** An answer as the cache gives it back: Go's http.ReadResponse of the stored dump. */
export interface CachedAnswer extends GoAnswer {
  body: Buffer
}

/** Go's Header.Get: the first value. */
export function first(headers: Headers, name: string): string {
  const value = headers[name]
  return (Array.isArray(value) ? value[0] : value) ?? ''
}

const values = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value]

/** httpcache's parseCacheControl: the first Cache-Control line, directives split on commas. */
export function parseCacheControl(line: string): Map<string, string> {
  const cc = new Map<string, string>()
  for (const raw of line.split(',')) {
    const part = trimSpaces(raw)
    if (part === '') continue
    if (part.includes('=')) {
      const [key, value] = part.split('=') as [string, string]
      cc.set(trimSpaces(key), value)
    } else cc.set(part, '')
  }
  return cc
}

const trimSpaces = (s: string) => s.replace(/^ +| +$/g, '')

/** time.ParseDuration(value + "s") in milliseconds; undefined where Go returns an error. */
function directiveSeconds(value: string): number | undefined {
  const ns = goParseDuration(`${value}s`)
  return typeof ns === 'string' ? undefined : Number(ns) / 1e6
}

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
const RFC1123 =
  /^([A-Za-z]{3}), +(\d\d) +([A-Za-z]{3}) +(\d{4}) +(\d{1,2}):(\d\d):(\d\d)(?:[.,](\d+))? +(.*)$/

/**
 * Go's time.Parse(time.RFC1123, text) as an instant in ms. Any zone name reads as UTC (KrakenD's
 * image runs in UTC, and Go gives unknown abbreviations a zero offset); the weekday is not checked.
 */
export function goParseHttpDate(text: string): number | undefined {
  const m = RFC1123.exec(text)
  if (!m) return undefined
  const [, day, dd, mon, yyyy, hh, mi, ss, frac, zone] = m as unknown as string[]
  const month = MONTHS.indexOf((mon as string).toLowerCase())
  if (!DAYS.includes((day as string).toLowerCase()) || month === -1 || !isZone(zone as string))
    return undefined
  const [year, date, hour, minute, second] = [yyyy, dd, hh, mi, ss].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ]
  if (hour >= 24 || minute >= 60 || second >= 60) return undefined
  if (date < 1 || date > daysIn(month + 1, year)) return undefined
  const at = new Date(0)
  at.setUTCFullYear(year, month, date)
  at.setUTCHours(hour, minute, second, frac ? Number(`0.${frac}`) * 1000 : 0)
  return at.getTime()
}

/** Go's parseTimeZone (after its "UTC" special case), the whole rest of the value. */
function isZone(zone: string): boolean {
  if (zone.startsWith('UTC')) return zone === 'UTC'
  if (zone === 'ChST' || zone === 'MeST') return true
  const offset = (s: string) => {
    const m = /^[+-](\d+)/.exec(s)
    return m && Number(m[1]) <= 23 ? m[0].length : 0
  }
  if (zone.startsWith('GMT')) return zone.length === 3 || offset(zone.slice(3)) === zone.length - 3
  if (zone[0] === '+' || zone[0] === '-') return offset(zone) > 0 && offset(zone) === zone.length
  const upper = /^[A-Z]*/.exec(zone)?.[0].length ?? 0
  if (upper !== zone.length) return false
  return (
    upper === 3 || (upper === 4 && (zone[3] === 'T' || zone === 'WITA')) || (upper === 5 && zone[4] === 'T')
  )
}

export type Freshness = 'fresh' | 'stale' | 'transparent'

/** httpcache's getFreshness; `request` reads the request's first header line. */
export function freshness(cached: Headers, request: (name: string) => string, now: number): Freshness {
  const resp = parseCacheControl(first(cached, 'cache-control'))
  const req = parseCacheControl(request('cache-control'))
  if (req.has('no-cache')) return 'transparent'
  if (resp.has('no-cache')) return 'stale'
  if (req.has('only-if-cached')) return 'fresh'
  const date = goParseHttpDate(first(cached, 'date'))
  if (date === undefined) return 'stale'
  let age = now - date
  let lifetime = 0
  const maxAge = resp.get('max-age')
  if (maxAge !== undefined) lifetime = directiveSeconds(maxAge) ?? 0
  else {
    const expires = first(cached, 'expires')
    if (expires !== '') {
      const at = goParseHttpDate(expires)
      lifetime = at === undefined ? 0 : at - date
    }
  }
  const reqMaxAge = req.get('max-age')
  if (reqMaxAge !== undefined) lifetime = directiveSeconds(reqMaxAge) ?? 0
  const minFresh = req.get('min-fresh')
  if (minFresh !== undefined) age += directiveSeconds(minFresh) ?? 0
  const maxStale = req.get('max-stale')
  if (maxStale !== undefined) {
    if (maxStale === '') return 'fresh'
    age -= directiveSeconds(maxStale) ?? 0
  }
  return lifetime > age ? 'fresh' : 'stale'
}

/** httpcache's canStaleOnError: the cached answer may stand in for a failed call or a 5xx. */
export function canStaleOnError(cached: Headers, request: (name: string) => string, now: number): boolean {
  let lifetime = -1
  for (const cc of [
    parseCacheControl(first(cached, 'cache-control')),
    parseCacheControl(request('cache-control')),
  ]) {
    const value = cc.get('stale-if-error')
    if (value === undefined) continue
    if (value === '') return true
    const ms = directiveSeconds(value)
    if (ms === undefined) return false
    lifetime = ms
  }
  if (lifetime < 0) return false
  const date = goParseHttpDate(first(cached, 'date'))
  return date !== undefined && lifetime > now - date
}

/** httpcache's canStore: no `no-store` on either side. */
export function canStore(request: (name: string) => string, answer: Headers): boolean {
  return (
    !parseCacheControl(first(answer, 'cache-control')).has('no-store') &&
    !parseCacheControl(request('cache-control')).has('no-store')
  )
}

/** The names listed in every Vary line, canonical (Go's headerAllCommaSepValues). */
export function varyNames(headers: Headers): string[] {
  const names: string[] = []
  for (const line of values(headers.vary))
    for (const name of line.split(',')) {
      const trimmed = name.trim()
      if (trimmed !== '') names.push(trimmed.toLowerCase())
    }
  return names
}

/** httpcache's varyMatches: each Vary header of the request equals the value stored with the answer. */
export function varyMatches(cached: Headers, request: (name: string) => string): boolean {
  for (const name of varyNames(cached)) if (request(name) !== first(cached, `x-varied-${name}`)) return false
  return true
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailers',
  'transfer-encoding',
  'upgrade',
])

/** httpcache's getEndToEndHeaders: the names of a 304 that replace the cached ones. */
export function endToEndNames(headers: Headers): string[] {
  const hop = new Set(HOP_BY_HOP)
  for (const name of first(headers, 'connection').split(','))
    if (trimSpaces(name) !== '') hop.add(trimSpaces(name).toLowerCase())
  return Object.keys(headers).filter((name) => headers[name] !== undefined && !hop.has(name))
}

const bodyAllowed = (status: number) => !(status < 200 || status === 204 || status === 304)

/**
 * How Go's transport frames a backend answer for the cache: `headers` as undici gives them (with
 * Transfer-Encoding and Content-Length as sent); `gunzipped` when the transport's own gzip was undone.
 */
export function goAnswer(
  status: number,
  reason: string,
  headers: Headers,
  method: string,
  gunzipped = false,
): GoAnswer {
  const out: Headers = {}
  const chunked = /(^|,)\s*chunked\s*$/i.test(first(headers, 'transfer-encoding'))
  const close = hasCloseToken(headers)
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name === 'transfer-encoding') continue
    if (name === 'connection' && close) continue
    if (name === 'content-length' && (chunked || gunzipped)) continue
    if (name === 'content-encoding' && gunzipped) continue
    setOwnKey<string | string[] | undefined>(out, name, value)
  }
  const declared = first(out, 'content-length')
  const noBody = method === 'HEAD' || !bodyAllowed(status)
  const contentLength =
    method === 'HEAD'
      ? declared === '' || chunked
        ? -1
        : Number(declared)
      : !bodyAllowed(status)
        ? 0
        : chunked || gunzipped || declared === ''
          ? -1
          : Number(declared)
  return {
    status,
    reason,
    headers: out,
    contentLength,
    chunked,
    // An answer with neither length nor chunks ends when the connection closes.
    close: close || (!noBody && !chunked && !gunzipped && declared === ''),
    uncompressed: gunzipped,
  }
}

function hasCloseToken(headers: Headers): boolean {
  return values(headers.connection).some((line) =>
    line.split(',').some((token) => token.trim().toLowerCase() === 'close'),
  )
}

/**
 * What httputil.DumpResponse writes for `answer` with `body` (its length is what the LRU counts)
 * and what http.ReadResponse reads back from it; undefined where the dump fails (a body shorter or
 * longer than its Content-Length).
 */
export function dumpAndReadBack(
  answer: GoAnswer,
  body: Buffer,
  method: string,
): { size: number; readBack: CachedAnswer } | undefined {
  const head = method === 'HEAD'
  let contentLength = answer.contentLength
  let close = answer.close
  const chunked = answer.chunked
  // Response.Write: a zero length with bytes behind it is an unknown length.
  if (contentLength === 0 && !head && body.length > 0) contentLength = -1
  if (contentLength === -1 && !close && !chunked && !answer.uncompressed) close = true
  if (chunked) contentLength = -1
  const sendsLength = !chunked && contentLength > 0
  const zeroLine = contentLength === 0 && !chunked && bodyAllowed(answer.status)
  if (!head && contentLength !== -1 && contentLength !== body.length) return undefined

  let size = `HTTP/1.1 ${String(answer.status).padStart(3, '0')} ${answer.reason}\r\n`.length
  if (close) size += 'Connection: close\r\n'.length
  if (sendsLength) size += `Content-Length: ${contentLength}\r\n`.length
  else if (chunked) size += 'Transfer-Encoding: chunked\r\n'.length
  const kept: Headers = {}
  for (const [name, value] of Object.entries(answer.headers)) {
    if (
      value === undefined ||
      name === 'content-length' ||
      name === 'transfer-encoding' ||
      name === 'trailer'
    )
      continue
    setOwnKey<string | string[] | undefined>(kept, name, value)
    for (const line of values(value))
      size += Buffer.byteLength(name) + 2 + Buffer.byteLength(goHeaderValue(line)) + 2
  }
  if (zeroLine) size += 'Content-Length: 0\r\n'.length
  size += 2
  if (!head) {
    if (chunked) size += (body.length > 0 ? body.length.toString(16).length + 4 + body.length : 0) + 5
    else size += body.length
  }

  // http.ReadResponse of those bytes
  const written = sendsLength ? contentLength : zeroLine ? 0 : undefined
  if (written !== undefined) kept['content-length'] = String(written)
  const readLength = head ? (written ?? -1) : !bodyAllowed(answer.status) ? 0 : chunked ? -1 : (written ?? -1)
  const readBody = head || !bodyAllowed(answer.status) ? Buffer.alloc(0) : body
  return {
    size,
    readBack: {
      status: answer.status,
      reason: answer.reason,
      headers: kept,
      contentLength: readLength,
      chunked,
      close: close || (!head && readLength === -1 && !chunked && bodyAllowed(answer.status)),
      uncompressed: false,
      body: readBody,
    },
  }
}

/** A header value as Go writes it: line breaks turned into spaces, outer whitespace trimmed. */
const goHeaderValue = (value: string) => value.replace(/[\r\n]/g, ' ').replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '')
