/** The interim head Go's server writes for a 1xx status (not 101) before the answer. */
import { type ServerResponse, STATUS_CODES } from 'node:http'
import type { GatewayRequest } from './app.ts'
import { goStatusLineText } from './go-http.ts'
import { listOf } from './noop-switch.ts'

/**
 * A 1xx head (not 101) as Go's WriteHeader writes it before the answer: the status line and the
 * handler's headers in key order but the framing ones, no Date; node:http's own writer keeps it in
 * turn with the answer's head (a pipelined answer's bytes wait for those before it).
 */
export function writeInterimHead(
  req: GatewayRequest,
  res: ServerResponse,
  status: number,
  headers: Record<string, string | string[]>,
): void {
  const version = req.httpVersionMinor >= 1 ? 'HTTP/1.1' : 'HTTP/1.0'
  let head = `${version} ${status} ${goStatusLineText(status, STATUS_CODES[status]) ?? STATUS_CODES[status]}\r\n`
  // the headers the gateway set before (CORS, security/http) are in Go's handler map too
  const all: Record<string, string | string[]> = {}
  const raw = res as unknown as { getRawHeaderNames(): string[] }
  for (const name of raw.getRawHeaderNames()) all[name] = listOf(res.getHeader(name) as string | string[])
  for (const key of Object.keys(headers))
    all[key] = [...listOf(all[key] ?? []), ...listOf(headers[key] as string | string[])]
  for (const key of Object.keys(all).sort()) {
    if (key === 'Content-Length' || key === 'Transfer-Encoding') continue
    for (const value of listOf(all[key] as string | string[])) head += `${key}: ${value}\r\n`
  }
  ;(res as unknown as { _writeRaw(data: string, encoding: string): boolean })._writeRaw(
    `${head}\r\n`,
    'latin1',
  )
}
