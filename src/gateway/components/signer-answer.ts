/**
 * How krakend-jose's TokenSigner writes the signed data: each of the response's metadata headers
 * with gin's c.Header (its first value; an empty one deletes the header), then c.JSON with the
 * metadata's status, which gin and Go's server read as below (Go's server leaves out a header it
 * cannot write: see withLuaHeaders).
 */
import { bytesOfText } from '../byte-text.ts'
import { HTTP_TOKEN } from '../go-http.ts'
import { goWrittenHeaderValue } from './go-header-value.ts'
import type { LuraMetadata, Reply } from './types.ts'

const JSON_TYPE = 'application/json; charset=utf-8'
/** A header a Lua script set to an empty luaList: krakend-jose's v[0] panics, gin's Recovery answers 500. */
const RECOVERED: Reply = { status: 500, headers: {}, body: '' }

export function signedAnswer(json: string, meta: LuraMetadata | undefined, http1: boolean): Reply {
  const set: Record<string, string> = {}
  let typed = false
  for (const key in meta?.headers) {
    const values = meta.headers[key] as string[]
    if (values.length === 0) return RECOVERED
    const value = values[0] as string
    if (value === '') delete set[key]
    else set[key] = value
    if (key === 'Content-Type') typed = value !== ''
  }
  const headers: Record<string, string> = {}
  for (const key in set) {
    const value = HTTP_TOKEN.test(key)
      ? goWrittenHeaderValue(bytesOfText(set[key] as string), http1)
      : undefined
    if (value !== undefined) headers[key] = value
  }
  // gin writes its JSON type only where no Content-Type was set
  if (!typed) headers['Content-Type'] = JSON_TYPE
  const status = meta?.status ?? 0
  // gin leaves the status it has (200) for a code of 0 or less
  if (status <= 0) return { status: 200, headers, body: json }
  // net/http panics on a code it cannot write, once gin has set the type: Go answers 200, empty.
  // An informational code goes out as an interim answer and the handler's end writes the same
  // 200 (Go's 101 ends the exchange there: not reproduced).
  if (status < 200 || status > 999) return { status: 200, headers, body: '' }
  // gin's c.JSON writes no body where the status allows none
  if (status === 204 || status === 304) return { status, headers, body: undefined }
  return { status, headers, body: json }
}
