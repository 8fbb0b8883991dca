// Go's server reads a connection's next request only once the answer to the one before is written,
// and reads none after an answer that closes the connection (an `Expect: 100-continue` body left
// unread, a request head Go refuses, a no-op answer passing a backend's close...). node:http parses
// pipelined requests as they arrive and hands each over at once, its answer queued behind the
// earlier ones: the gateway called backends for requests KrakenD never reads, and before the
// answers ahead of them were out. node:http gives a queued answer its socket once the answer before
// it is finished and the connection kept: a request is served then, or never.
import type { ServerResponse } from 'node:http'

/** Runs `serve` when `res` may be written: at once, or when the answers ahead of it are out. */
export function inTurn(res: ServerResponse, serve: () => void): void {
  if (res.socket !== null) serve()
  else res.once('socket', serve)
}
