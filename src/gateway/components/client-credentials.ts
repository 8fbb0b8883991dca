/**
 * `auth/client-credentials` (backend level), as krakend-oauth2-clientcredentials over
 * golang.org/x/oauth2/clientcredentials: the gateway fetches a token from `token_url`
 * (grant_type=client_credentials, `scopes` split on commas and sent space-separated,
 * `endpoint_params`; client id and secret as HTTP Basic first, then in the body if the server
 * refuses that), keeps it until 10 s before it expires, and sends `Authorization: Bearer <token>`
 * to the backend. When no token can be had the backend call fails. The secret never appears in
 * messages.
 */
import type { Fields } from './fields.ts'

export interface ClientCredentialsConfig {
  clientId: string
  clientSecret: string
  tokenUrl: string
  scopes: string[]
  endpointParams: Record<string, string[]>
}

export function parseClientCredentials(f: Fields): ClientCredentialsConfig | undefined {
  if (f.bool('is_disabled')) return undefined
  const tokenUrl = f.string('token_url') ?? ''
  try {
    const url = new URL(tokenUrl)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme')
  } catch {
    f.report.error(f.at('token_url'), `"token_url" must be an http(s) URL, got ${JSON.stringify(tokenUrl)}`)
  }
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
  const clientSecret = f.string('client_secret') ?? ''
  if (clientSecret !== '')
    f.report.warn(
      f.at('client_secret'),
      'client_secret is part of the gateway config: it is stamped into the release and baked into the image',
      'keep the config repository and the image registry private, and rotate the secret if either leaks',
    )
  return {
    clientId: f.string('client_id') ?? '',
    clientSecret,
    tokenUrl,
    scopes: (f.string('scopes') ?? '').split(','),
    endpointParams: params,
  }
}

interface Token {
  header: string
  /** ms since the epoch; Infinity when the server gave no expiry. */
  expiresAt: number
}

/** Go's url.QueryEscape (used for the Basic credentials, as x/oauth2 does). */
const queryEscape = (s: string) =>
  encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')

export interface ClientCredentials {
  /** Makes sure a token is at hand; an error message when none can be had. */
  prepare(): Promise<string | undefined>
  /** The Authorization header value of the current token. */
  header(): string | undefined
}

export function compileClientCredentials(
  cfg: ClientCredentialsConfig,
  log: (message: string) => void,
): ClientCredentials {
  let token: Token | undefined
  let pending: Promise<Token> | undefined
  let style: 'header' | 'params' | undefined
  const valid = () => token !== undefined && token.expiresAt - 10_000 > Date.now()

  const request = async (as: 'header' | 'params'): Promise<Token> => {
    const body = new URLSearchParams({ grant_type: 'client_credentials' })
    body.set('scope', cfg.scopes.join(' '))
    for (const [k, vs] of Object.entries(cfg.endpointParams)) {
      body.delete(k)
      for (const v of vs) body.append(k, v)
    }
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }
    if (as === 'header')
      headers.authorization = `Basic ${Buffer.from(`${queryEscape(cfg.clientId)}:${queryEscape(cfg.clientSecret)}`).toString('base64')}`
    else {
      body.set('client_id', cfg.clientId)
      if (cfg.clientSecret !== '') body.set('client_secret', cfg.clientSecret)
    }
    const response = await fetch(cfg.tokenUrl, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(10_000),
    })
    const text = await response.text()
    if (response.status < 200 || response.status > 299)
      throw new Error(`oauth2: cannot fetch token: ${response.status}`)
    const type = response.headers.get('content-type') ?? ''
    let fields: Record<string, unknown>
    if (/application\/(x-www-form-urlencoded|x-www-form)|text\/plain/.test(type))
      fields = Object.fromEntries(new URLSearchParams(text))
    else fields = JSON.parse(text) as Record<string, unknown>
    const access = fields.access_token
    if (typeof access !== 'string' || access === '')
      throw new Error('oauth2: server response missing access_token')
    const rawType = typeof fields.token_type === 'string' ? fields.token_type : ''
    const kind =
      /^bearer$/i.test(rawType) || rawType === ''
        ? 'Bearer'
        : /^basic$/i.test(rawType)
          ? 'Basic'
          : /^mac$/i.test(rawType)
            ? 'MAC'
            : rawType
    const expiresIn = Number(fields.expires_in)
    return {
      header: `${kind} ${access}`,
      expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? Date.now() + expiresIn * 1000 : Infinity,
    }
  }

  const fetchToken = async (): Promise<Token> => {
    if (style) return request(style)
    try {
      const t = await request('header')
      style = 'header'
      return t
    } catch {
      const t = await request('params')
      style = 'params'
      return t
    }
  }

  return {
    async prepare() {
      if (valid()) return undefined
      pending ??= fetchToken().finally(() => {
        pending = undefined
      })
      try {
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
