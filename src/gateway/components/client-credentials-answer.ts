/**
 * x/oauth2's reading of a token endpoint's answer (internal.doTokenRoundTrip): JSON, or a form for
 * `application/x-www-form-urlencoded` and `text/plain`; an `error` field fails even with a 2xx; the
 * failures worded as x/oauth2 words them.
 */

import { goQuote } from '../go-quote.ts'
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
    let message = `oauth2: ${goQuote(fields.error)}`
    if (fields.error_description) message += ` ${goQuote(fields.error_description)}`
    if (fields.error_uri) message += ` ${goQuote(fields.error_uri)}`
    return new TokenError(message)
  }
  return new TokenError(`oauth2: cannot fetch token: ${status}\nResponse: ${body}`)
}

/** mime.ParseMediaType's media type, as far as x/oauth2 looks at it. */
const mediaType = (contentType: string) => (contentType.split(';')[0] as string).trim().toLowerCase()

/** url.ParseQuery: the values, or the error it reports (Go drops the bad pieces and says so). */
function parseForm(text: string): { values: Map<string, string[]>; error?: string } {
  const values = new Map<string, string[]>()
  let error: string | undefined
  for (const piece of text.split('&')) {
    if (piece.includes(';')) {
      error ??= 'invalid semicolon separator in query'
      continue
    }
    if (piece === '') continue
    const eq = piece.indexOf('=')
    const [key, value] = [eq === -1 ? piece : piece.slice(0, eq), eq === -1 ? '' : piece.slice(eq + 1)].map(
      (part) => {
        try {
          return decodeURIComponent(part.replaceAll('+', ' '))
        } catch {
          error ??= `invalid URL escape in ${goQuote(part)}`
          return undefined
        }
      },
    )
    if (key === undefined || value === undefined) continue
    values.set(key, [...(values.get(key) ?? []), value])
  }
  return error === undefined ? { values } : { values, error }
}

/** strconv.Atoi, errors as 0 (x/oauth2 ignores them for a form's expires_in). */
function atoi(text: string): number {
  if (!/^[+-]?\d+$/.test(text)) return 0
  const n = BigInt(text)
  const max = 2n ** 63n - 1n
  return Number(n > max ? max : n < -max - 1n ? -max - 1n : n)
}

/** x/oauth2's expirationTime: a JSON number or numeric string, an integer in int64, capped at int32. */
function expiresIn(value: unknown, source: string | undefined): number {
  if (value === null) return 0
  const text = typeof value === 'string' ? value : typeof value === 'number' ? source : undefined
  if (text === undefined || !/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text))
    throw new Error(`json: cannot unmarshal ${JSON.stringify(value)} into expires_in`)
  if (!/^-?\d+$/.test(text)) throw new Error(`strconv.ParseInt: parsing ${goQuote(text)}: invalid syntax`)
  const n = BigInt(text)
  if (n > 2n ** 63n - 1n || n < -(2n ** 63n))
    throw new Error(`strconv.ParseInt: parsing ${goQuote(text)}: value out of range`)
  return n > BigInt(MAX_INT32) ? MAX_INT32 : Number(BigInt.asIntN(32, n))
}

/** json.Unmarshal into x/oauth2's tokenJSON: fields in any case, the last one written wins, types checked. */
function parseTokenJson(text: string): TokenFields {
  // The text of each expires_in number, by its object: Go reads the literal, not a float.
  const sources = new Map<unknown, Map<string, string>>()
  const reviver = function (this: unknown, key: string, value: unknown, context?: { source?: string }) {
    if (typeof value === 'number' && context?.source !== undefined && fold(key) === 'expires_in') {
      const own = sources.get(this) ?? new Map<string, string>()
      own.set(key, context.source)
      sources.set(this, own)
    }
    return value
  }
  const parsed = JSON.parse(text, reviver as (key: string, value: unknown) => unknown) as unknown
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
    throw new Error(`json: cannot unmarshal ${Array.isArray(parsed) ? 'array' : typeof parsed} into a token`)
  let failure: Error | undefined
  for (const [key, value] of Object.entries(parsed)) {
    const name = fold(key)
    try {
      if (name === 'expires_in') fields.expires_in = expiresIn(value, sources.get(parsed)?.get(key))
      else if (STRING_FIELDS.includes(name)) {
        if (value === null) continue
        if (typeof value !== 'string') throw new Error(`json: cannot unmarshal ${typeof value} into ${name}`)
        if (name in fields) (fields as unknown as Record<string, string>)[name] = value
      }
    } catch (error) {
      failure ??= error as Error
    }
  }
  if (failure) throw failure
  return fields
}

/** The token from a 2xx or failed answer, as internal.doTokenRoundTrip reads it. */
export function readAnswer(status: number, statusLine: string, type: string, body: string): Token {
  const failed = status < 200 || status > 299
  let fields: TokenFields
  const media = mediaType(type)
  if (media === 'application/x-www-form-urlencoded' || media === 'text/plain') {
    const form = parseForm(body)
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
