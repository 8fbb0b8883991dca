import type { GatewayResponse } from './app.ts'

/**
 * A Go runtime panic in KrakenD's request handler (lura's proxy stack runs in gin's handler): gin's
 * Recovery logs it and answers 500 without a body, keeping only the headers the handler set before
 * (X-KrakenD), not lura's X-KrakenD-Completed.
 */
export class GoPanic extends Error {}

const NGHTTP2_INTERNAL_ERROR = 2

/**
 * What Go's server does with a request whose handler panicked past gin's Recovery (or one this
 * runtime gives up on): its HTTP/1.1 server closes the connection, its HTTP/2 server resets the
 * stream with INTERNAL_ERROR (handlerPanicRST), never a clean end a client could take for an answer.
 */
export function abandonAnswer(res: GatewayResponse): void {
  if ('stream' in res) res.stream.close(NGHTTP2_INTERNAL_ERROR)
  else res.destroy()
}
