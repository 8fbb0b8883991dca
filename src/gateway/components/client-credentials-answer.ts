/**
 * x/oauth2's reading of a token endpoint's answer (internal.doTokenRoundTrip): JSON, or a form for
 * `application/x-www-form-urlencoded` and `text/plain`; an `error` field fails even with a 2xx; the
 * failures worded as x/oauth2 words them.
 */

import { goUnmarshalSyntaxError } from '../go-json-unmarshal-error.ts'
import { goQuote, goQuoteBytes } from '../go-quote.ts'
export interface Token {
  header: string
  /** ms since the epoch; undefined when the server gave no expiry (kept for good). */
  expiresAt: number | undefined
}

/** What x/oauth2 keeps of a token answer (refresh_token is read, type-checked and unused). */
interface TokenFields {
  access_token: string
  token_type: string
  error: string
  error_description: string
  error_uri: string
  /** Seconds; 0 means no expiry. */
  expires_in: number
}

const STRING_FIELDS = [
  'access_token',
  'token_type',
  'refresh_token',
  'error',
  'error_description',
  'error_uri',
]
const MAX_INT32 = 2 ** 31 - 1

/** A failure worded as x/oauth2 words it. */
export class TokenError extends Error {}

/** Go's json key matching (bytes.EqualFold): any case, ſ as s, the Kelvin sign as k. */
const fold = (key: string) => key.toLowerCase().replaceAll('ſ', 's')

/** internal.RetrieveError's message. */
function retrieveError(status: string, body: string, fields?: Partial<TokenFields>): TokenError {
  if (fields?.error) {
    let message = `oauth2: ${goQuoteBytes(fields.error)}`
    if (fields.error_description) message += ` ${goQuoteBytes(fields.error_description)}`
    if (fields.error_uri) message += ` ${goQuoteBytes(fields.error_uri)}`
    return new TokenError(message)
  }
  return new TokenError(`oauth2: cannot fetch token: ${status}\nResponse: ${body}`)
}

/** mime.ParseMediaType's media type, as far as x/oauth2 looks at it. */
const mediaType = (contentType: string) => (contentType.split(';')[0] as string).trim().toLowerCase()

/** url.ParseQuery over bytes (one character per byte): the values, or the first error (Go drops the bad pieces). */
function parseForm(bytes: string): { values: Map<string, string[]>; error?: string } {
  const values = new Map<string, string[]>()
  let error: string | undefined
  for (const piece of bytes.split('&')) {
    if (piece.includes(';')) {
      error ??= 'invalid semicolon separator in query'
      continue
    }
    if (piece === '') continue
    const eq = piece.indexOf('=')
    const key = queryUnescape(eq === -1 ? piece : piece.slice(0, eq))
    const value = queryUnescape(eq === -1 ? '' : piece.slice(eq + 1))
    const bad = typeof key === 'string' ? value : key
    if (typeof bad !== 'string') {
      error ??= bad.error
      continue
    }
    values.set(key as string, [...(values.get(key as string) ?? []), value as string])
  }
  return error === undefined ? { values } : { values, error }
}

/** url.QueryUnescape over bytes: `+` as a space, `%XX` as its byte (any byte), or Go's EscapeError. */
function queryUnescape(s: string): string | { error: string } {
  if (!s.includes('%') && !s.includes('+')) return s
  let out = ''
  for (let i = 0; i < s.length; i += 1) {
    const c = s[i] as string
    if (c === '%') {
      const hex = s.slice(i + 1, i + 3)
      if (!/^[0-9A-Fa-f]{2}$/.test(hex))
        return { error: `invalid URL escape ${goQuoteBytes(s.slice(i, i + 3))}` }
      out += String.fromCharCode(Number.parseInt(hex, 16))
      i += 2
    } else out += c === '+' ? ' ' : c
  }
  return out
}

/** A decoded string's UTF-8 bytes, one character per byte (what Go's strings hold and its transport writes). */
const utf8Bytes = (text: string) =>
  /[\u0080-\uffff]/.test(text) ? Buffer.from(text, 'utf8').toString('latin1') : text

/** strconv.Atoi, errors as 0 (x/oauth2 ignores them for a form's expires_in). */
function atoi(text: string): number {
  if (!/^[+-]?\d+$/.test(text)) return 0
  const n = BigInt(text)
  const max = 2n ** 63n - 1n
  return Number(n > max ? max : n < -max - 1n ? -max - 1n : n)
}

/**
 * x/oauth2's expirationTime: a JSON number or numeric string (json.Number), an integer in int64,
 * capped at int32; `source` is the value's JSON text, as Go's errors quote it.
 */
function expiresIn(value: unknown, source: string | undefined): number {
  if (value === null) return 0
  if (typeof value !== 'string' && typeof value !== 'number')
    throw new Error(
      `json: cannot unmarshal ${goKind(value)} into Go struct field tokenJSON.expires_in of type json.Number`,
    )
  const text = typeof value === 'string' ? value : (source ?? String(value))
  if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text))
    throw new Error(
      `json: invalid number literal, trying to unmarshal ${goQuote(source ?? JSON.stringify(value))} into Number`,
    )
  if (!/^-?\d+$/.test(text)) throw new Error(`strconv.ParseInt: parsing ${goQuote(text)}: invalid syntax`)
  const n = BigInt(text)
  if (n > 2n ** 63n - 1n || n < -(2n ** 63n))
    throw new Error(`strconv.ParseInt: parsing ${goQuote(text)}: value out of range`)
  return n > BigInt(MAX_INT32) ? MAX_INT32 : Number(BigInt.asIntN(32, n))
}

/** The kind UnmarshalTypeError names: Go's word for a JSON value. */
const goKind = (value: unknown): string =>
  Array.isArray(value) ? 'array' : typeof value === 'boolean' ? 'bool' : (typeof value as string)

/** json.Unmarshal into x/oauth2's tokenJSON: fields in any case, the last one written wins, types checked. */
function parseTokenJson(text: string): TokenFields {
  // The JSON text of each expires_in value, by its object: Go reads the literal, not a float.
  const sources = new Map<unknown, Map<string, string>>()
  const reviver = function (this: unknown, key: string, value: unknown, context?: { source?: string }) {
    if (context?.source !== undefined && typeof value !== 'object' && fold(key) === 'expires_in') {
      const own = sources.get(this) ?? new Map<string, string>()
      own.set(key, context.source)
      sources.set(this, own)
    }
    return value
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text, reviver as (key: string, value: unknown) => unknown)
  } catch {
    throw new Error(goUnmarshalSyntaxError(Buffer.from(text)))
  }
  const fields: TokenFields = {
    access_token: '',
    token_type: '',
    error: '',
    error_description: '',
    error_uri: '',
    expires_in: 0,
  }
  if (parsed === null) return fields
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error(`json: cannot unmarshal ${goKind(parsed)} into Go value of type internal.tokenJSON`)
  let failure: Error | undefined
  for (const [key, value] of Object.entries(parsed)) {
    const name = fold(key)
    try {
      if (name === 'expires_in') fields.expires_in = expiresIn(value, sources.get(parsed)?.get(key))
      else if (STRING_FIELDS.includes(name)) {
        if (value === null) continue
        if (typeof value !== 'string')
          throw new Error(
            `json: cannot unmarshal ${goKind(value)} into Go struct field tokenJSON.${name} of type string`,
          )
        if (name in fields) (fields as unknown as Record<string, string>)[name] = value
      }
    } catch (error) {
      failure ??= error as Error
    }
  }
  if (failure) throw failure
  return fields
}

/**
 * The token from a 2xx or failed answer, as internal.doTokenRoundTrip reads it. Its strings are
 * bytes (one character per byte), as Go holds them: the header goes out as those bytes.
 */
export function readAnswer(status: number, statusLine: string, type: string, body: string): Token {
  const failed = status < 200 || status > 299
  let fields: TokenFields
  const media = mediaType(type)
  if (media === 'application/x-www-form-urlencoded' || media === 'text/plain') {
    const form = parseForm(utf8Bytes(body))
    if (form.error !== undefined) {
      if (failed) throw retrieveError(statusLine, body)
      throw new TokenError(`oauth2: cannot parse response: ${form.error}`)
    }
    const get = (key: string) => form.values.get(key)?.[0] ?? ''
    fields = {
      access_token: get('access_token'),
      token_type: get('token_type'),
      error: get('error'),
      error_description: get('error_description'),
      error_uri: get('error_uri'),
      expires_in: atoi(get('expires_in')),
    }
  } else {
    try {
      fields = parseTokenJson(body)
    } catch (error) {
      if (failed) throw retrieveError(statusLine, body)
      throw new TokenError(`oauth2: cannot parse json: ${(error as Error).message}`)
    }
    for (const name of ['access_token', 'token_type', 'error', 'error_description', 'error_uri'] as const)
      fields[name] = utf8Bytes(fields[name])
  }
  if (failed || fields.error !== '') throw retrieveError(statusLine, body, fields)
  if (fields.access_token === '') throw new TokenError('oauth2: server response missing access_token')
  return {
    header: `${tokenType(fields.token_type)} ${fields.access_token}`,
    expiresAt: fields.expires_in === 0 ? undefined : Date.now() + fields.expires_in * 1000,
  }
}

/** oauth2.Token.Type(). */
function tokenType(raw: string): string {
  if (/^bearer$/i.test(raw) || raw === '') return 'Bearer'
  if (/^mac$/i.test(raw)) return 'MAC'
  if (/^basic$/i.test(raw)) return 'Basic'
  return raw
}
