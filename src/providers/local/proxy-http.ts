/**
 * The front proxy's HTTP plumbing, for HTTP/1.1 and h2c responses alike: the headers it
 * forwards, short answers, aborting, backpressure, reading an admin request's body, listening.
 */
import type http from 'node:http'
import type { IncomingHttpHeaders } from 'node:http'
import type http2 from 'node:http2'
import type net from 'node:net'
import type { MaintenanceState } from '../types.ts'

export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
  'http2-settings',
  'host',
  // The front proxy already answered `Expect: 100-continue`; undici refuses the header.
  'expect',
])

/** Only the admin channel reads whole bodies (routing tables). */
const MAX_ADMIN_BODY = 1024 * 1024

/** The maintenance answer; the request body (if any) is not read, and nothing may cache it. */
export function sendPage(
  res: http.ServerResponse | http2.Http2ServerResponse,
  page: MaintenanceState,
  head: boolean,
): void {
  const body = Buffer.from(page.body, 'utf8')
  const headers: Record<string, string | number> = {
    'content-type': page.contentType,
    'content-length': body.length,
    'cache-control': 'no-store',
  }
  if (page.retryAfter !== undefined) headers['retry-after'] = page.retryAfter
  ;(res as http.ServerResponse).writeHead(page.status, headers)
  if (head) res.end()
  else res.end(body)
}

export function forwardHeaders(
  incoming: IncomingHttpHeaders,
  req: http.IncomingMessage | http2.Http2ServerRequest,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || name.startsWith(':') || HOP_BY_HOP.has(name)) continue
    out[name] = value
  }
  const host = incoming[':authority'] ?? incoming.host
  if (typeof host === 'string') out['x-forwarded-host'] = host
  const remote = req.socket?.remoteAddress
  if (remote) {
    const prior = incoming['x-forwarded-for']
    out['x-forwarded-for'] = prior ? `${String(prior)}, ${remote}` : remote
  }
  return out
}

export function send(
  res: http.ServerResponse | http2.Http2ServerResponse,
  status: number,
  text: string,
): void {
  if (res.headersSent) {
    abort(res)
    return
  }
  ;(res as http.ServerResponse).writeHead(status, { 'content-type': 'text/plain; charset=utf-8' })
  res.end(text)
}

export function abort(res: http.ServerResponse | http2.Http2ServerResponse): void {
  if ('stream' in res) res.stream.destroy()
  else res.destroy()
}

export function drained(res: http.ServerResponse | http2.Http2ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}

export async function readBody(req: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
    size += buffer.length
    if (size > MAX_ADMIN_BODY) throw new Error('body too large')
    chunks.push(buffer)
  }
  return Buffer.concat(chunks)
}

export function listen(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error)
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      resolve()
    })
  })
}

export function clientGone(
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
): boolean {
  return req.destroyed || res.destroyed || ('stream' in res && res.stream.destroyed)
}
