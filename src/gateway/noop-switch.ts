// A backend's 101 Switching Protocols on a no-op endpoint, and the connection facts it needs.
import type { ServerResponse } from 'node:http'
import type { GatewayResponse } from './app.ts'
import type { BackendAnswer } from './backend-client.ts'
import { H2Response } from './h2-exchange.ts'
import { readUpTo } from './read-up-to.ts'

const NGHTTP2_PROTOCOL_ERROR = 1

/**
 * A backend's `101 Switching Protocols` passed on as lura's no-op does: Go's server writes a 101
 * as a final head without a body (no Date, no length) and refuses the body lura copies (its
 * io.Copy stops at the first bytes of a switched connection, or when it ends or the deadline
 * cuts it), so the client gets the head alone and its connection stays HTTP/1.1.
 */
export async function switchingProtocols(
  res: GatewayResponse,
  headers: Record<string, string | string[]>,
  body: BackendAnswer['body'],
  debug: (error: Error) => void,
): Promise<void> {
  await readUpTo(body, 0, debug)
  body.destroy()
  if (res instanceof H2Response) {
    // Go's HTTP/2 server sends the 101 as an informational head, which an HTTP/2 client refuses
    // (RFC 9113 8.6): the client sees its stream end in a PROTOCOL_ERROR. node:http2 cannot send a
    // 101 at all; the reset is what the client gets.
    res.stream.close(NGHTTP2_PROTOCOL_ERROR)
    return
  }
  const h1 = res as ServerResponse
  // A connection that ends with this answer (the client's close, an HTTP/1.0 client, draining):
  // node:http would keep it for a Connection header without `close` (a switch keeps the backend's).
  const closes = endsConnection(h1) || headers.Connection === 'close'
  h1.writeHead(101, headers)
  const socket = h1.socket
  if (closes && socket) h1.once('finish', () => socket.end())
  h1.end()
}

/** Go's isProtocolSwitchHeader on answer headers: an Upgrade value, and `upgrade` in a Connection line. */
export function isProtocolSwitch(headers: Record<string, string | string[]>): boolean {
  const upgrade = headers.Upgrade
  if ((upgrade === undefined ? '' : (listOf(upgrade)[0] ?? '')) === '') return false
  return listOf(headers.Connection ?? []).some((line) =>
    line.split(',').some((token) => token.trim().toLowerCase() === 'upgrade'),
  )
}

export const listOf = (value: string | number | string[]): string[] =>
  Array.isArray(value) ? value : [String(value)]

/** Whether node:http closes the connection after this HTTP/1.x answer (what the request asked for). */
export function endsConnection(res: GatewayResponse): boolean {
  return (res as ServerResponse).shouldKeepAlive === false
}
