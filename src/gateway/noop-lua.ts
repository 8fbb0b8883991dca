/**
 * Lua on an answer passed through unparsed (encoding no-op): lura's no-op parser hands the Lua
 * modifiers a response with empty data, IsComplete, the backend's status and header map (Go's
 * resp.Header) and its body as Response.Io. A script reads and changes them; `r:body()` reads the
 * body whole (an unread body streams on).
 */
import type { IncomingHttpHeaders } from 'node:http'
import { Readable } from 'node:stream'
import { bytesOfText } from './byte-text.ts'
import { goWrittenHeaderValue } from './components/go-header-value.ts'
import type { LuaResponse } from './components/lua-api.ts'
import { fromWire } from './components/lua-calls.ts'
import { canonicalBackendHeaderKey, HTTP_TOKEN } from './go-http.ts'
import type { ForwardRule, HeaderValues } from './request-headers.ts'
import type { Data } from './transform.ts'

type Fields = Record<string, string | string[] | undefined>

/** A no-op answer on its way to the client (lura's Response of the no-op parser). */
export interface NoopAnswer {
  ok: true
  status: number
  /** Lowercase names, values one character per byte. */
  headers: Fields
  /** Response.Io; undefined where there is none (a call skip_next skipped). */
  body: Readable | undefined
  /** The body read whole, once a script may read it. */
  bytes?: Buffer
  /** The script set the body: it goes out with its own length. */
  replaced?: boolean
  /** A script had the header map: its names and values go out as Go's server writes a handler's. */
  scripted?: boolean
  data: Data
  complete: boolean
}

/** proxy.Response{} as krakend-lua makes it for skip_next: no status, headers or body. */
export const skippedAnswer = (): NoopAnswer => ({
  ok: true,
  status: 0,
  headers: {},
  body: undefined,
  data: {},
  complete: false,
})

/**
 * The answer with its body read whole (io.ReadAll: a read error ends what was read). The body
 * handed on fails after those bytes as the backend's did, so that an answer cut short of its
 * length closes its connection as Go's server closes it.
 */
export async function readWhole<T extends NoopAnswer>(answer: T): Promise<T> {
  if (answer.bytes !== undefined || answer.body === undefined) return answer
  const chunks: Buffer[] = []
  let failure: unknown
  try {
    for await (const chunk of answer.body) chunks.push(chunk as Buffer)
  } catch (error) {
    failure = error
  }
  const bytes = Buffer.concat(chunks)
  const body =
    failure === undefined
      ? Readable.from(bytes.length > 0 ? [bytes] : [])
      : Readable.from(
          (function* () {
            if (bytes.length > 0) yield bytes
            throw failure
          })(),
        )
  return { ...answer, bytes, body }
}

/**
 * Go's resp.Header as a script sees it: canonical names, no Transfer-Encoding (Go's client takes it
 * out), values as text (their bytes: see lua-calls.ts fromWire).
 */
export function goHeaderMap(fields: Fields): Record<string, string[]> {
  const headers: Record<string, string[]> = Object.create(null)
  for (const key in fields) {
    const value = fields[key]
    if (value === undefined || key === 'transfer-encoding') continue
    const name = canonicalBackendHeaderKey(key)
    const values = (Array.isArray(value) ? value : [value]).map(fromWire)
    headers[name] = [...(headers[name] ?? []), ...values]
  }
  return headers
}

/** What a script sees of the answer. */
export function luaView(answer: NoopAnswer): LuaResponse {
  const view: LuaResponse = {
    data: answer.data,
    isComplete: answer.complete,
    statusCode: answer.status,
    headers: goHeaderMap(answer.headers),
    body: answer.bytes,
  }
  if (answer.bytes === undefined && answer.body !== undefined) view.bodyUnread = true
  return view
}

/** Whether the gzip a no-op backend was asked for came from Go's transport (then it is undone) or the client. */
export function transportAskedGzip(
  sent: HeaderValues,
  client: IncomingHttpHeaders,
  rule: ForwardRule,
): boolean {
  if (!rule.transportGzip || sent['accept-encoding'] === undefined) return false
  return !(rule.forwardsAcceptEncoding && client['accept-encoding'] !== undefined)
}

/** The answer as the script left it. */
export function fromLuaView<T extends NoopAnswer>(answer: T, response: LuaResponse): T {
  const headers: Record<string, string[]> = Object.create(null)
  for (const [name, values] of Object.entries(response.headers)) {
    if (values.length === 0) continue
    const key = name.toLowerCase()
    headers[key] = [...(headers[key] ?? []), ...values.map(bytesOfText)]
  }
  const out: T = {
    ...answer,
    status: response.statusCode,
    headers,
    scripted: true,
    data: response.data,
    complete: response.isComplete,
  }
  if (response.body !== undefined && response.body !== answer.bytes) {
    const bytes = Buffer.from(response.body)
    out.bytes = bytes
    out.body = Readable.from(bytes.length > 0 ? [bytes] : [])
    out.replaced = true
  }
  return out
}

/**
 * The header map a script left, as Go's server writes a handler's: a name that is no HTTP token is
 * left out, and each value as goWrittenHeaderValue has it.
 */
export function scriptedFields(headers: Fields, http1: boolean): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null)
  for (const key in headers) {
    const value = headers[key]
    if (value === undefined || !HTTP_TOKEN.test(key)) continue
    const values: string[] = []
    for (const bytes of Array.isArray(value) ? value : [value]) {
      const written = goWrittenHeaderValue(bytes, http1)
      if (written !== undefined) values.push(written)
    }
    if (values.length > 0) out[key] = values
  }
  return out
}
