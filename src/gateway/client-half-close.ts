// A client that shuts down its sending side (shutdown(SHUT_WR): `nc -N`, some test tools) after its
// requests still reads the answers. Go's server reads that end of stream in the background while a
// handler runs and cancels the connection's context: the request under way, and every request
// pipelined behind it, runs with "context canceled" (lura answers 500), each answer is written, then
// the connection closes. node:http, not allowing half-open connections, ended the socket at once:
// the client got nothing.
import type { Socket } from 'node:net'
import type { Cancellation } from './cancellation.ts'

/** The cancellation of the request being served on each HTTP/1 connection (Go serves one at a time). */
const serving = new WeakMap<Socket, Cancellation>()

/** Keeps `socket` writable after the client's end of stream and cancels its request then. */
export function cancelOnClientEnd(socket: Socket): void {
  socket.allowHalfOpen = true
  socket.once('end', () => serving.get(socket)?.abort(clientGone()))
}

/** Ties `cancel` to the end of `socket`'s stream: aborted at once if the client has ended it already. */
export function servingOn(socket: Socket, cancel: Cancellation): void {
  if (socket.readableEnded) cancel.abort(clientGone())
  else serving.set(socket, cancel)
}

const clientGone = () => new Error('client gone')
