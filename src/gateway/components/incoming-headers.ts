/**
 * A header of the incoming request replaced as Go's `Header[key] = values` (Header.Set for one
 * value) replaces it: every later reader of the request (a client rate limit's key, gin's
 * ClientIP, content negotiation) sees the new lines and none of the client's.
 */
import { canonicalHeaderKey } from '../go-url.ts'
import { NODE_FIRST_LINE_ONLY } from '../request-headers.ts'
import type { IncomingLike } from './types.ts'

interface WritableIncoming extends IncomingLike {
  rawHeaders?: string[]
  headersDistinct?: Record<string, string[]>
}

/**
 * Go reads the body by r.ContentLength and the host from r.Host: writing these names into the
 * header map changes neither, so Node's fields (which frame the body and name the host) stay, and
 * the header map's lines for them are kept beside (goOnlyHeaders).
 */
export const FRAMING_AND_HOST = new Set(['host', 'content-length', 'transfer-encoding'])

const GO_ONLY = Symbol('goOnlyHeaders')
interface GoOnlyCarrier {
  [GO_ONLY]?: Record<string, string[]>
}

/**
 * The lines Go's header map holds for Host, Content-Length or Transfer-Encoding once a component
 * set them (krakend-jose's propagate_claims, a Lua script), by lower-case name ([] once deleted);
 * undefined when none did. Every reader of Go's map (a rate limit's key, Lua, lura's input_headers)
 * sees these, not the client's.
 */
export function goOnlyHeaders(req: IncomingLike): Record<string, string[]> | undefined {
  return (req as GoOnlyCarrier)[GO_ONLY]
}

export function setGoOnlyHeader(req: IncomingLike, lower: string, values: string[]): void {
  const carrier = req as GoOnlyCarrier
  const own = carrier[GO_ONLY] ?? Object.create(null)
  own[lower] = values
  carrier[GO_ONLY] = own
}

export function replaceIncomingHeader(req: IncomingLike, name: string, values: string[]): void {
  const incoming = req as WritableIncoming
  const lower = name.toLowerCase()
  if (lower.startsWith(':')) return
  if (FRAMING_AND_HOST.has(lower)) {
    setGoOnlyHeader(req, lower, values)
    return
  }
  const headers = incoming.headers as Record<string, string | string[] | undefined>
  const raw: string[] = []
  const old = incoming.rawHeaders ?? []
  for (let i = 0; i + 1 < old.length; i += 2)
    if ((old[i] as string).toLowerCase() !== lower) raw.push(old[i] as string, old[i + 1] as string)
  const key = canonicalHeaderKey(name)
  for (const value of values) raw.push(key, value)
  if (values.length === 0) delete headers[lower]
  else headers[lower] = nodeHeaderValue(lower, values)
  // node:http computes headersDistinct from its own fields once: the request's own copy replaces it.
  const distinct: Record<string, string[]> = Object.create(null)
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = (raw[i] as string).toLowerCase()
    const lines = distinct[k] ?? []
    lines.push(raw[i + 1] as string)
    distinct[k] = lines
  }
  setOwn(incoming, 'rawHeaders', raw)
  setOwn(incoming, 'headersDistinct', distinct)
}

/** node:http's `headers[name]` for these lines: Set-Cookie a list, some names their first line, Cookie joined by "; ". */
export function nodeHeaderValue(lower: string, values: string[]): string | string[] | undefined {
  if (lower === 'set-cookie') return [...values]
  if (NODE_FIRST_LINE_ONLY.has(lower)) return values[0]
  return values.join(lower === 'cookie' ? '; ' : ', ')
}

/** Replaces a request property node:http defines (some as getters) with the request's own value. */
export function setOwn(req: object, prop: string, value: unknown): void {
  Object.defineProperty(req, prop, { value, writable: true, configurable: true, enumerable: true })
}

/**
 * The size lura gives Go's request from a forwarded Content-Length (proxy/http.go): strconv.Atoi of
 * the only line, unless it is "chunked"; undefined when that sizes nothing (several lines, no
 * number, beyond int64). 0 or less is an unknown size to Go's transport (sent chunked).
 */
export function luraDeclaredLength(value: string | string[]): number | undefined {
  const line = typeof value === 'string' ? value : value.length === 1 ? value[0] : undefined
  if (line === undefined || !/^[+-]?\d+$/.test(line)) return undefined
  const n = BigInt(line)
  return n > INT64_MAX || n < -INT64_MAX - 1n ? undefined : Number(n)
}

const INT64_MAX = 2n ** 63n - 1n
