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
import type { HopAuthorization } from '../backend-hop-authorization.ts'
import type { CallAt, RedirectingRequest } from '../backend-redirects.ts'
import { quoteUrl } from '../config/url-credentials.ts'
import { GO_USER_AGENT, goReason } from '../go-http.ts'
import { goQuote } from '../go-quote.ts'
import { encodeGoQuery, goQueryEscape } from '../go-url.ts'
import type { Agent } from '../undici.ts'
import { readAnswer, type Token, TokenError } from './client-credentials-answer.ts'
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

type AuthStyle = 'header' | 'params'

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
  const hop: HopRequest = {
    dispatcher: agent,
    origin,
    path,
    method,
    headers: withUserinfo(url, headers),
    body: payload,
  }
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
    body: await readAnswerBody(response, hop.method),
  }
}

/**
 * Go's client sends a URL's user info as HTTP Basic when the request has no Authorization (the
 * credentials in the body): on that request only, its redirect hops copy the headers without it.
 */
function withUserinfo(url: URL, headers: Record<string, string>): Record<string, string> {
  if ((url.username === '' && url.password === '') || headers.authorization !== undefined) return headers
  const bytes = (text: string) =>
    Buffer.from(
      text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
      'latin1',
    )
  const pair = Buffer.concat([bytes(url.username), Buffer.from(':'), bytes(url.password)])
  return { ...headers, authorization: `Basic ${pair.toString('base64')}` }
}

/**
 * The answer's first MAX_BODY bytes as x/oauth2 reads them: inflated where Go's transport inflates
 * the gzip it asked for; a read error fails the token request in Go's words.
 */
async function readAnswerBody(response: Hop<BackendBody>, method: string): Promise<Buffer> {
  const { isGzip, goHasBody } = await import('../backend-gzip.ts')
  if (!isGzip(response.headers) || !goHasBody(response.statusCode, method, response.headers))
    return readLimited(response.answer).catch((error) => {
      throw new TokenError(`oauth2: cannot fetch token: ${goReadError(error, true)}`)
    })
  const [{ createGunzip }, { pipeline }, { goRefusalOfInflated }] = await Promise.all([
    import('node:zlib'),
    import('node:stream'),
    import('../gzip-members.ts'),
  ])
  let compressed = 0
  const kept: Buffer[] = []
  const counted = async function* () {
    for await (const chunk of response.answer as AsyncIterable<Buffer>) {
      compressed += chunk.length
      if (compressed <= MAX_BODY) kept.push(chunk)
      yield chunk
    }
  }
  const inflated = createGunzip()
  pipeline(counted, inflated, () => {})
  try {
    const body = await readLimited(inflated)
    // what zlib reads and Go's gzip reader refuses, unless Go stopped reading first (at MAX_BODY)
    const refused =
      body.length < MAX_BODY && compressed <= MAX_BODY
        ? goRefusalOfInflated(Buffer.concat(kept), body, inflated.bytesWritten, MAX_BODY)
        : undefined
    if (refused !== undefined) throw new Error(refused)
    return body
  } catch (error) {
    // Go's gzip reader meets EOF before a header in an empty body: an empty answer, no error.
    if (compressed === 0) return Buffer.alloc(0)
    throw new TokenError(`oauth2: cannot fetch token: ${goReadError(error, false)}`)
  }
}

/** A body read error as Go's transport and gzip reader word it. */
function goReadError(error: unknown, plain: boolean): string {
  const message = (error as Error)?.message ?? String(error)
  if (plain) return 'unexpected EOF'
  if (message === 'incorrect header check') return 'gzip: invalid header'
  if (message === 'incorrect data check') return 'gzip: invalid checksum'
  if (message === 'unexpected end of file') return 'unexpected EOF'
  return message
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

export interface ClientCredentials {
  /** A round trip's token, asked for as x/oauth2's Transport asks for it (every hop, below the cache). */
  authorizeHop(): Promise<HopAuthorization>
}

export function compileClientCredentials(
  cfg: ClientCredentialsConfig,
  log: (message: string) => void,
  /** x/oauth2 calls through http.DefaultTransport: lura's, with client_tls and the environment's proxies. */
  agent: () => Agent,
): ClientCredentials {
  let token: Token | undefined
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
      'user-agent': GO_USER_AGENT,
      // Go's transport asks for gzip on every hop (and inflates a gzip answer: readAnswerBody).
      'accept-encoding': 'gzip',
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

  /** The caller holding oauth2.ReuseTokenSource's mutex (or the last one queued for it). */
  let queue: Promise<unknown> = Promise.resolve()
  /** One caller's turn: a token still valid is kept, else this caller asks for one (its error is its own). */
  const turn = async (): Promise<string | undefined> => {
    if (valid()) return undefined
    try {
      // Like oauth2.ReuseTokenSource, a fresh token is used even if already within the delta.
      token = await fetchToken()
      return undefined
    } catch (error) {
      const message = (error as Error).message
      log(`[auth/client-credentials] ${message}`)
      return message
    }
  }

  const prepare = (): Promise<string | undefined> => {
    if (valid()) return Promise.resolve(undefined)
    // Callers take turns, as on Go's mutex: while the endpoint fails, each one asks again.
    const mine = queue.then(turn)
    queue = mine
    return mine
  }

  return {
    authorizeHop: async () => {
      const failed = await prepare()
      return failed === undefined ? { authorization: token?.header ?? '' } : { failed }
    },
  }
}
