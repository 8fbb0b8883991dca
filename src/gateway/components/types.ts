import type { IncomingHttpHeaders } from 'node:http'
import type { KeyPath } from '../../core/source-text.ts'
import { goServerKeeps } from '../go-url.ts'
import type { HeaderValues } from '../request-headers.ts'
import { goOnlyHeaders } from './incoming-headers.ts'

/** An answer a component gives instead of the backends (status, headers, body as written). */
export interface Reply {
  status: number
  headers: Record<string, string | string[]>
  /** undefined: no body at all (e.g. a 204 preflight). */
  body?: string | Buffer
  /**
   * The error lura's proxy stack returns for this refusal (krakend-cel's, krakend-jsonschema's,
   * krakend-lua's), set by the endpoint components that refuse inside it: what KrakenD's async
   * agent logs on its own line (async-agent/pipe.ts).
   */
  error?: string
}

/** How an endpoint guard's components log: an HTTP endpoint's, or an async agent's pipe's. */
export interface GuardLogging {
  /** The endpoint in krakend-cel's lines: lura's path for an endpoint, an agent's name as written. */
  celName: string
  /**
   * JSON schema and modifier/lua-proxy log their refusal (an endpoint: lura's handler logs the
   * error); an agent's pipe logs the Reply's `error` on the agent's line instead.
   */
  logsRefusals: boolean
}

/**
 * lura's Response.Metadata where something filled it: the headers and status a Lua post set, a
 * return_error_details status. Only a lone response keeps it: a merge of two makes a new one.
 */
export interface LuraMetadata {
  headers?: Record<string, string[]> | undefined
  status?: number | undefined
}

/** What a component sees of an incoming request (node:http and node:http2 compat requests). */
export interface IncomingLike {
  /** 2 over h2c (Go's HTTP/2 server joins the Cookie fields into one line). */
  httpVersionMajor?: number
  method?: string | undefined
  url?: string | undefined
  headers: IncomingHttpHeaders
  socket?: { remoteAddress?: string | undefined } | null
}

/** Something that can carry response headers before the gateway writes its answer. */
export interface HeaderSink {
  setHeader(name: string, value: string | string[]): unknown
}

/** The per-request state an endpoint guard may read and extend (the app's request context). */
export interface GuardContext {
  params: Record<string, string | undefined>
  /**
   * `JWT.<claim>` params of claims the token lacks: krakend-jose adds no gin param for them, so no
   * guard sees one; `params` keeps lura's placeholder for the backend URL only.
   */
  absentParams?: Set<string>
  /**
   * Params a proxy-level Lua script set under a name lura did not title-case (r:params('extra', ..)):
   * in lura's request params (what krakend-lambda, krakend-amqp, CEL and a later script read), in
   * no url_pattern slot.
   */
  scriptParams?: Record<string, string> | undefined
  /**
   * lura's proxy request method and path where a proxy-level Lua script changed them
   * (`r:method`, `r:path`): endpoint CEL reads them there, after the script (backends get theirs
   * from their own config).
   */
  proxyRequest?: { method: string; path: string } | undefined
  /** The query string passed to the backends (already filtered), without "?". */
  query: string
  /** Headers sent to the backends (a list where a header repeats). */
  headers: HeaderValues
  body: Buffer | undefined
}

/** Where a component reports problems in its configuration. */
export interface Report {
  error(path: KeyPath, message: string, hint?: string): void
  warn(path: KeyPath, message: string, hint?: string): void
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The params a guard sees (lura's request params): without placeholders of absent claims. */
export function presentParams(
  ctx: Pick<GuardContext, 'params' | 'absentParams'>,
): Record<string, string | undefined> {
  if (!ctx.absentParams || ctx.absentParams.size === 0) return ctx.params
  const out: Record<string, string | undefined> = {}
  for (const key in ctx.params) if (!ctx.absentParams.has(key)) out[key] = ctx.params[key]
  return out
}

/**
 * The first value of a header (arrays come from repeated headers). A configured name such as
 * `constructor` finds nothing but the client's header, not what Object.prototype has.
 */
export function header(req: IncomingLike, name: string): string | undefined {
  const value = req.headers[name]
  return typeof value === 'string' ? value : Array.isArray(value) ? value[0] : undefined
}

/**
 * Every line of a header, as Go's `Header[name]` holds them (undefined when there is none). Read
 * from the raw lines: Node joins repeated lines with ", " and keeps only the first of some names
 * (over HTTP/2 Access-Control-Request-Method among them).
 */
export function allLines(req: IncomingLike, name: string): string[] | undefined {
  const value = header(req, name)
  if (value === undefined) return undefined
  const raw = (req as { rawHeaders?: string[] }).rawHeaders
  if (!raw) return [value]
  const lines: string[] = []
  for (let i = 0; i + 1 < raw.length; i += 2)
    if (raw[i]?.toLowerCase() === name) lines.push(raw[i + 1] as string)
  return lines.length > 0 ? lines : [value]
}

/**
 * Go's Request.Header.Get as a component (krakend-ratelimit's key, krakend-jose's token header) reads
 * it: the first line, and nothing for the lines Go's server keeps out of its map (goServerKeeps:
 * Transfer-Encoding, Host over HTTP/1, a chunked request's Trailer...).
 * What a component wrote into the map under these names (a claim propagated into Host) is read.
 */
export function goHeaderGet(req: IncomingLike, lower: string): string | undefined {
  const own = goOnlyHeaders(req)
  if (own !== undefined && lower in own) return own[lower]?.[0]
  if (!goServerKeeps((req as { rawHeaders?: string[] }).rawHeaders ?? [], lower)) return undefined
  return firstLine(req, lower)
}

/**
 * A header as Go's Header.Get reads it: the first line only (Node joins repeated lines with ", ").
 */
export function firstLine(req: IncomingLike, name: string): string | undefined {
  const value = header(req, name)
  if (value === undefined) return value
  // Node joins Cookie lines with "; ": over HTTP/1 Go keeps them apart (the first is read), over
  // HTTP/2 its server joins the fields as Node does (that one line is read, commas and all).
  if (name === 'cookie')
    return req.httpVersionMajor === 2 || !value.includes('; ') ? value : rawFirst(req, name, value)
  if (!value.includes(',')) return value
  return rawFirst(req, name, value)
}

/** The first raw line of `name`; `value` (Node's) when the request has no raw lines. */
function rawFirst(req: IncomingLike, name: string, value: string): string {
  const raw = (req as { rawHeaders?: string[] }).rawHeaders
  if (!raw) return value
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]?.toLowerCase() === name) return raw[i + 1] as string
  return value
}
