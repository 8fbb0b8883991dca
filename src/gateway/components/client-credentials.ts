/**
 * `auth/client-credentials` (backend level), as krakend-oauth2-clientcredentials v2.2.0 over
 * golang.org/x/oauth2/clientcredentials: the gateway fetches a token from `token_url`
 * (grant_type=client_credentials, `scopes` split on commas and sent space-separated,
 * `endpoint_params`; body encoded like Go's url.Values, keys sorted; client id and secret as HTTP
 * Basic first, then in the body if that fails), reads the answer as x/oauth2 does (JSON, or a
 * form for `application/x-www-form-urlencoded` and `text/plain`; an `error` field fails even
 * with a 2xx), keeps the token until 10 s before it expires, and sends `Authorization: <type>
 * <token>` to the backend. When no token can be had the backend call fails with x/oauth2's
 * error. The secret never appears in messages.
 */

import { BackendCallError } from '../backend-call-error.ts'
import type { BackendBody, Hop, HopRequest } from '../backend-client.ts'
import type { CallAt, RedirectingRequest } from '../backend-redirects.ts'
import { quoteUrl } from '../config/url-credentials.ts'
import { GO_USER_AGENT, goReason } from '../go-http.ts'
import { goQuote } from '../go-quote.ts'
import { encodeGoQuery, goQueryEscape } from '../go-url.ts'
import type { Agent } from '../undici.ts'
import type { Fields } from './fields.ts'

export interface ClientCredentialsConfig {
  clientId: string
  clientSecret: string
  tokenUrl: string
  scopes: string[]
  endpointParams: Record<string, string[]>
}

export function parseClientCredentials(f: Fields): ClientCredentialsConfig | undefined {
  // krakend-oauth2-clientcredentials type-asserts every field (a wrong type panics at startup),
  // disabled or not: the types are checked first.
  const disabled = f.bool('is_disabled')
  const tokenUrl = f.string('token_url') ?? ''
  const clientId = f.string('client_id') ?? ''
  const clientSecret = f.string('client_secret') ?? ''
  const scopes = f.string('scopes') ?? ''
  const params: Record<string, string[]> = {}
  const raw = f.raw.endpoint_params
  if (raw !== undefined) {
    if (
      typeof raw !== 'object' ||
      raw === null ||
      Array.isArray(raw) ||
      Object.values(raw).some((v) => !Array.isArray(v) || v.some((s) => typeof s !== 'string'))
    )
      f.report.error(f.at('endpoint_params'), '"endpoint_params" must map names to lists of strings')
    else Object.assign(params, raw)
  }
  if (disabled) return undefined
  try {
    const url = new URL(tokenUrl)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme')
  } catch {
    f.report.error(f.at('token_url'), `"token_url" must be an http(s) URL, got ${quoteUrl(tokenUrl)}`)
  }
  // x/oauth2 always sends a scope (krakend splits "" into [""]) and refuses to overwrite it.
  if (Object.hasOwn(params, 'scope'))
    f.report.error(
      [...f.at('endpoint_params'), 'scope'],
      'endpoint_params cannot set "scope": KrakenD fails every token request with it (oauth2: cannot overwrite parameter)',
      'list the scopes in "scopes", comma-separated',
    )
  if (clientSecret !== '')
    f.report.warn(
      f.at('client_secret'),
      'client_secret is part of the gateway config: it is stamped into the release and baked into the image',
      'keep the config repository and the image registry private, and rotate the secret if either leaks',
    )
  return { clientId, clientSecret, tokenUrl, scopes: scopes.split(','), endpointParams: params }
}

interface Token {
  header: string
  /** ms since the epoch; undefined when the server gave no expiry (kept for good). */
  expiresAt: number | undefined
}

type AuthStyle = 'header' | 'params'

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
/** x/oauth2 reads at most 1 MB of the answer. */
const MAX_BODY = 1 << 20
/** Go's client sets no timeout here; this bounds a token endpoint that never answers. */
const TOKEN_TIMEOUT_MS = 10_000
/** x/oauth2's defaultExpiryDelta. */
const EXPIRY_DELTA_MS = 10_000

interface Answer {
  status: number
  statusLine: string
  contentType: string
  body: Buffer
}

/**
 * The token POST as Go's http.DefaultClient makes it (no fetch: it refuses some ports Go allows),
 * redirects followed as for a backend call (Go's Client.do: backend-redirects.ts); errors are Go's
 * url.Error, the URL's password as `***`.
 */
async function post(
  agent: Agent,
  tokenUrl: string,
  headers: Record<string, string>,
  body: string,
): Promise<Answer> {
  // Loaded with the first token: config validation (a cluster primary too) imports this file.
  const [{ requestOn }, { callFollowingRedirects }] = await Promise.all([
    import('../undici.ts'),
    import('../backend-redirects.ts'),
  ])
  const url = new URL(tokenUrl)
  const req: RedirectingRequest = {
    origin: url.origin,
    pool: agent,
    path: url.pathname + url.search,
    method: 'POST',
    headers,
    body: Buffer.from(body),
    // x/oauth2 sends a strings.Reader, which Go's client can send again to a 307/308.
    replaysBody: true,
  }
  const { origin, path, method, body: payload } = req
  const hop: HopRequest = { dispatcher: agent, origin, path, method, headers, body: payload }
  const at: CallAt = { url: url.href, errorUrl: url.href }
  const signal = AbortSignal.timeout(TOKEN_TIMEOUT_MS)
  // Go's resp.Status: the code and the reason phrase the server sent (of the last hop, the answer).
  let status = ''
  const send = async (next: HopRequest): Promise<Hop<BackendBody>> => {
    const response = await requestOn(next.dispatcher, {
      origin: next.origin,
      path: next.path,
      method: next.method,
      headers: next.headers,
      // A token request's own form bytes, never a streamed client body.
      body: next.body as Buffer | undefined,
      signal,
    })
    status = response.statusText ? `${response.statusCode} ${response.statusText}` : `${response.statusCode}`
    return {
      statusCode: response.statusCode,
      headers: response.headers,
      answer: response.body,
      discard: () => void response.body.dump().catch(() => {}),
    }
  }
  let response: Hop<BackendBody>
  try {
    response = await callFollowingRedirects(req, hop, send, () => agent, at)
  } catch (error) {
    if (error instanceof BackendCallError) throw new TokenError(error.message)
    throw new TokenError(`Post ${goQuote(at.errorUrl)}: ${goReason(error, hop.origin)}`)
  }
  const type = response.headers['content-type']
  return {
    status: response.statusCode,
    statusLine: status,
    contentType: (Array.isArray(type) ? type[0] : type) ?? '',
    body: await readLimited(response.answer),
  }
}

/** x/oauth2's io.LimitReader: the first MAX_BODY bytes, the rest not read. */
async function readLimited(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    chunks.push(chunk)
    size += chunk.length
    if (size >= MAX_BODY) {
      body.destroy()
      break
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY)
}

/** A failure worded as x/oauth2 words it. */
class TokenError extends Error {}

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
function readAnswer(status: number, statusLine: string, type: string, body: string): Token {
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

export interface ClientCredentials {
  /** Makes sure a token is at hand; an error message when none can be had. */
  prepare(): Promise<string | undefined>
  /** The Authorization header value of the current token. */
  header(): string | undefined
}

export function compileClientCredentials(
  cfg: ClientCredentialsConfig,
  log: (message: string) => void,
  /** x/oauth2 calls through http.DefaultTransport: lura's, with client_tls and the environment's proxies. */
  agent: () => Agent,
): ClientCredentials {
  let token: Token | undefined
  let pending: Promise<Token> | undefined
  let style: AuthStyle | undefined
  const valid = () =>
    token !== undefined && (token.expiresAt === undefined || token.expiresAt - EXPIRY_DELTA_MS >= Date.now())

  /** clientcredentials' url.Values: grant_type, scope, then endpoint_params (grant_type may be replaced). */
  const baseValues = (): Map<string, string[]> => {
    const values = new Map<string, string[]>([
      ['grant_type', ['client_credentials']],
      ['scope', [cfg.scopes.join(' ')]],
    ])
    for (const [k, vs] of Object.entries(cfg.endpointParams)) values.set(k, [...vs])
    return values
  }

  const request = async (as: AuthStyle): Promise<Token> => {
    const values = baseValues()
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      // Go also asks for gzip (and inflates it); this client asks for none.
      'user-agent': GO_USER_AGENT,
    }
    if (as === 'header')
      headers.authorization = `Basic ${Buffer.from(`${goQueryEscape(cfg.clientId)}:${goQueryEscape(cfg.clientSecret)}`).toString('base64')}`
    else {
      if (cfg.clientId !== '') values.set('client_id', [cfg.clientId])
      if (cfg.clientSecret !== '') values.set('client_secret', [cfg.clientSecret])
    }
    const answer = await post(agent(), cfg.tokenUrl, headers, encodeGoQuery(values))
    return readAnswer(answer.status, answer.statusLine, answer.contentType, answer.body.toString('utf8'))
  }

  /** AuthStyleAutoDetect: Basic, then the body on any failure; the style that worked is kept. */
  const fetchToken = async (): Promise<Token> => {
    if (style) return request(style)
    let t: Token
    try {
      t = await request('header')
      style = 'header'
    } catch {
      t = await request('params')
      style = 'params'
    }
    return t
  }

  return {
    async prepare() {
      if (valid()) return undefined
      pending ??= fetchToken().finally(() => {
        pending = undefined
      })
      try {
        // Like oauth2.ReuseTokenSource, a fresh token is used even if already within the delta.
        token = await pending
        return undefined
      } catch (error) {
        const message = (error as Error).message
        log(`[auth/client-credentials] ${message}`)
        return message
      }
    },
    header: () => token?.header,
  }
}
