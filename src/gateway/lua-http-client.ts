/**
 * The client of Lua's http_response: Go's http.DefaultClient, whose transport lura configures from
 * the service (InitHTTPDefaultTransport: the same dialer, TLS, proxies from the environment,
 * response_header_timeout and compression as the backend calls). No timeout of its own: the call
 * ends with the request's context (lura's deadline in lua-proxy and lua-backend), redirects are
 * followed as Go's client follows them (a body sent again on 307/308), and Go's transport asks for
 * gzip and undoes it where the script set no Accept-Encoding or Range.
 */
import type { Readable } from 'node:stream'
import type { BackendClient, BackendRequest } from './backend-client.ts'
import { goHasBody, isGzip } from './backend-gzip.ts'
import { Cancellation } from './cancellation.ts'
import { isGoMethod } from './config/backend-method.ts'
import type { GatewayConfig } from './config/types.ts'
import { goOp } from './go-http.ts'
import { goQuote } from './go-quote.ts'
import { goParseUrl } from './go-url-parse.ts'
import { GoGunzip } from './gzip-stream.ts'
import { KRAKEND_USER_AGENT } from './krakend-compat.ts'
import { goHeaderMap } from './noop-lua.ts'
import type { HeaderValues } from './request-headers.ts'
import { goRequestTarget } from './url-pattern.ts'

export interface LuaHttpRequest {
  /** As the script gave it; undefined for `new(url)` (GET, no body). */
  method: string | undefined
  url: string
  /** Go's header map: canonical names, values in the order added. */
  headers: Record<string, string[]>
  /** undefined: http.NoBody. */
  body: Buffer | undefined
}

export interface LuaHttpAnswer {
  status: number
  /** Go's resp.Header. */
  headers: Record<string, string[]>
  /** The body read whole (a read error ends what was read, as io.ReadAll's ignored error). */
  read(): Promise<Buffer>
  /** Closes the body unread. */
  drop(): void
}

/** Go's client as http_response uses it: lura's http.DefaultTransport with the service's settings. */
export interface LuaHttpClient {
  /** The answer, or an Error worded as Go's (a GoNilPanic where KrakenD dereferences a nil request). */
  send(request: LuaHttpRequest, cancel: Cancellation | undefined): Promise<LuaHttpAnswer>
}

/** What a run's calls use: the client, and the request context that cancels them. */
export interface LuaHttpCall {
  client: LuaHttpClient
  cancel: Cancellation | undefined
}

/** `new(url)` with a URL http.NewRequest refuses: krakend-lua goes on with a nil request. */
export class GoNilPanic extends Error {
  constructor() {
    super(`runtime error: invalid memory address or nil pointer dereference`)
  }
}

const clients = new WeakMap<GatewayConfig, LuaHttpClient>()

/** Gives the Lua modifiers of a gateway serving `config` its client (app.ts, before compiling). */
export function provideLuaHttp(config: GatewayConfig, client: BackendClient): void {
  clients.set(config, createLuaHttpClient(client, config))
}

/** The client http_response calls with in a gateway serving `config` (none: its calls fail). */
export const luaHttpFor = (config: GatewayConfig): LuaHttpClient | undefined => clients.get(config)

/** No deadline of the client's own (Go's DefaultClient has none): the longest timer Node takes. */
const NO_DEADLINE_MS = 2 ** 31 - 1

export function createLuaHttpClient(client: BackendClient, service: GatewayConfig): LuaHttpClient {
  const asksGzip = !service.server.disableCompression
  return {
    async send(request, cancel) {
      const method = request.method === undefined || request.method === '' ? 'GET' : request.method
      // http.NewRequest: a method that is no token, then a URL url.Parse refuses.
      if (request.method !== undefined && !isGoMethod(method))
        throw new Error(`net/http: invalid method ${goQuote(method)}`)
      const parsed = goParseUrl(request.url)
      if (typeof parsed === 'string') {
        if (request.method === undefined) throw new GoNilPanic()
        throw new Error(parsed)
      }
      const user = userInfo(request.url)
      // Go's client names the URL in its errors with the password as ***.
      const shown =
        user?.password === undefined ? request.url : request.url.replace(`${user.raw}@`, `${user.name}:***@`)
      const named = `${goOp(method)} ${goQuote(shown)}`
      if (parsed.scheme !== 'http' && parsed.scheme !== 'https')
        throw new Error(`${named}: unsupported protocol scheme ${goQuote(parsed.scheme)}`)
      if (parsed.host === '') throw new Error(`${named}: http: no Host in request URL`)
      const origin = `${parsed.scheme}://${parsed.host}`
      const headers = wireHeaders(request)
      // Go's client sends the URL's user info as basic auth, unless the request has an Authorization.
      if (user && headers.authorization === undefined)
        headers.authorization = `Basic ${Buffer.from(`${user.name}:${user.password ?? ''}`).toString('base64')}`
      const gzip =
        asksGzip &&
        method !== 'HEAD' &&
        headers['accept-encoding'] === undefined &&
        headers.range === undefined
      if (gzip) headers['accept-encoding'] = 'gzip'
      const call: BackendRequest = {
        origin,
        pool: client.poolFor(origin),
        path: requestTarget(request.url),
        method,
        headers,
        body: request.body,
        chunked: false,
        chunksEmptyBody: false,
        cancel: cancel ?? new Cancellation(),
        timeoutMs: NO_DEADLINE_MS,
        // http.NewRequest sets GetBody for its bytes: Go's client sends them again on 307/308.
        replaysBody: true,
      }
      let answer: Awaited<ReturnType<BackendClient['request']>>
      try {
        answer = await client.request(call)
      } catch (error) {
        const message = (error as Error).message
        // The backend client words a cancelled call as lura returns it; Go's client as a url.Error.
        const worded = message.startsWith(`${goOp(method)} "`) ? message : `${named}: ${message}`
        throw new Error(
          user
            ? worded.replace(
                `"${origin}`,
                `"${shown.slice(0, shown.indexOf(parsed.host) + parsed.host.length)}`,
              )
            : worded,
        )
      }
      let fields = answer.headers
      let body: Readable = answer.body
      if (gzip && isGzip(fields) && goHasBody(answer.status, method, fields)) {
        const { 'content-encoding': _encoding, 'content-length': _length, ...decoded } = fields
        fields = decoded
        // Go's gzip.Reader: io.ReadAll keeps what came before garbage, a bad checksum or a cut member.
        body = new GoGunzip(answer.body)
      }
      return luaAnswer(
        answer.status,
        goHeaderMap(fields),
        body,
        () => void answer.body.dump().catch(() => {}),
      )
    },
  }
}

function luaAnswer(
  status: number,
  headers: Record<string, string[]>,
  body: Readable,
  drop: () => void,
): LuaHttpAnswer {
  return {
    status,
    headers,
    async read() {
      const chunks: Buffer[] = []
      try {
        for await (const chunk of body) chunks.push(chunk as Buffer)
      } catch {}
      return Buffer.concat(chunks)
    },
    drop,
  }
}

/** Lines of the header map Go's Request.write leaves out: it writes its own (the URL's host, the body's framing). */
const NOT_WRITTEN = new Set(['host', 'content-length', 'transfer-encoding', 'trailer'])

/** The script's header map, then krakend-lua's User-Agent added after it (Go sends the first). */
function wireHeaders(request: LuaHttpRequest): HeaderValues {
  const out: HeaderValues = {}
  for (const [name, values] of Object.entries(request.headers)) {
    const lower = name.toLowerCase()
    if (NOT_WRITTEN.has(lower)) continue
    const wire = values.map((value) => Buffer.from(value, 'utf8').toString('latin1'))
    out[lower] = wire.length === 1 ? (wire[0] as string) : wire
  }
  const agent = out['user-agent']
  out['user-agent'] = agent === undefined ? KRAKEND_USER_AGENT : [agent, KRAKEND_USER_AGENT].flat()
  return out
}

/** The request target Go writes for the URL: its path (re-escaped where Go would) and query. */
function requestTarget(url: string): string {
  const hash = url.indexOf('#')
  const whole = hash === -1 ? url : url.slice(0, hash)
  const authority = whole.indexOf('//') + 2
  const end = whole.slice(authority).search(/[/?]/)
  const rest = end === -1 ? '' : whole.slice(authority + end)
  const target = goRequestTarget(rest.startsWith('?') ? `/${rest}` : rest, '')
  return target === '' ? '/' : target
}

/** The URL's user info (url.Userinfo): the name and password unescaped, and as written. */
function userInfo(url: string): { name: string; password: string | undefined; raw: string } | undefined {
  const start = url.indexOf('//')
  if (start === -1) return undefined
  const rest = url.slice(start + 2)
  const end = rest.search(/[/?#]/)
  const authority = end === -1 ? rest : rest.slice(0, end)
  const at = authority.lastIndexOf('@')
  if (at === -1) return undefined
  const raw = authority.slice(0, at)
  const colon = raw.indexOf(':')
  if (colon === -1) return { name: unescaped(raw), password: undefined, raw }
  return { name: unescaped(raw.slice(0, colon)), password: unescaped(raw.slice(colon + 1)), raw }
}

function unescaped(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
