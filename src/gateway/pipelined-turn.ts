// Go's server reads a connection's next request only once the answer to the one before is written,
// and reads none after an answer that closes the connection (an `Expect: 100-continue` body left
// unread, a request head Go refuses, a no-op answer passing a backend's close...). node:http parses
// pipelined requests as they arrive and hands each over at once, its answer queued behind the
// earlier ones: the gateway called backends for requests KrakenD never reads, and before the
// answers ahead of them were out. node:http gives a queued answer its socket once the answer before
// it is finished and the connection kept: a request is served then, or never.
import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

/** Runs `serve` when `res` may be written: at once, or when the answers ahead of it are out. */
export function inTurn(res: ServerResponse, serve: () => void): void {
  if (res.socket !== null) serve()
  else res.once('socket', serve)
}

/**
 * Requests waiting for their turn on one connection past which it is read no further until their
 * answers are out. node:http stops reading a connection only while its queued answers hold written
 * bytes, and these hold none (they wait, as Go's server does): a client pipelining requests without
 * reading answers filled the heap until the process died, and its close then took node:http seconds.
 */
const MAX_WAITING = 16

type ReadSocket = Socket & { _paused?: boolean; parser?: { pause(): void; resume(): void } | null }

const waitingOn = new WeakMap<Socket, number>()
const heldHere = new WeakSet<Socket>()

/** Counts `res`'s request among those waiting on its connection (once per request, as node:http hands it over). */
export function countWaiting(socket: Socket, res: ServerResponse): void {
  if (res.socket !== null) return
  const waiting = (waitingOn.get(socket) ?? 0) + 1
  waitingOn.set(socket, waiting)
  if (waiting >= MAX_WAITING && !heldHere.has(socket)) hold(socket as ReadSocket)
  res.once('socket', () => {
    const left = (waitingOn.get(socket) ?? 1) - 1
    waitingOn.set(socket, left)
    if (left <= MAX_WAITING / 2 && heldHere.has(socket)) release(socket as ReadSocket)
  })
}

/**
 * Stops reading as node:http does for a connection it cannot answer fast enough (`_paused`: its
 * parser stops after the packet being read, the socket's handle stops reading); node:http resumes
 * such a connection whenever its answers' written bytes are low, so it is held again then.
 */
function hold(socket: ReadSocket): void {
  heldHere.add(socket)
  if (!resumeWatched.has(socket)) {
    resumeWatched.add(socket)
    socket.on('resume', () => {
      if (!heldHere.has(socket) || socket._paused) return
      socket._paused = true
      socket.parser?.pause()
      socket.pause()
    })
  }
  if (socket._paused) return
  socket._paused = true
  socket.pause()
}

function release(socket: ReadSocket): void {
  heldHere.delete(socket)
  if (!socket._paused) return
  socket._paused = false
  socket.parser?.resume()
  socket.resume()
}

const resumeWatched = new WeakSet<Socket>()
