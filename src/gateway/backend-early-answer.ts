// A backend that answers before it has read the request body and then closes (a 413, 401 or 417
// sent as soon as the head arrives): Go's transport writes the body and reads the answer in two
// goroutines, so the reader has the answer by the time the writer's next write fails with
// ECONNRESET or EPIPE, and roundTrip returns the answer. Node writes the next chunk before it polls
// the socket for reading: the failed write destroys the socket with the answer still unread in
// the kernel, and undici fails the call. Here a write that fails because the backend is gone is
// left pending, as Go's writeLoop stops there: nothing more of the body is taken (undici waits for
// the socket to drain or close), the read side goes on, so undici reads whatever the backend sent
// before closing, then the connection's end (a closed connection always ends its read side), and
// the socket closes.
import type { Socket } from 'node:net'

type WriteCallback = (error?: Error | null) => void
type WriteOne = (chunk: unknown, encoding: BufferEncoding, callback: WriteCallback) => void
type WriteMany = (chunks: unknown[], callback: WriteCallback) => void

/** Errors of a write to a connection the backend closed or reset. */
const backendGone = (error: Error | null | undefined): boolean => {
  const code = (error as NodeJS.ErrnoException | null | undefined)?.code
  return code === 'EPIPE' || code === 'ECONNRESET'
}

/** Keeps a backend socket's read side alive past a write that failed because the backend closed. */
export function readingPastWriteFailure(socket: Socket): void {
  const writeOne = socket._write as WriteOne
  const writeMany = socket._writev as WriteMany | undefined
  // Writable hands every write the same callback: one guard per connection, not per write.
  let given: WriteCallback | undefined
  let guarded: WriteCallback = () => {}
  const guard = (callback: WriteCallback): WriteCallback => {
    if (callback !== given) {
      given = callback
      guarded = (error) => {
        if (!backendGone(error)) callback(error)
        // Completed when the socket is gone, as node completes a write that ends after a destroy.
        else socket.once('close', () => callback())
      }
    }
    return guarded
  }
  socket._write = function (this: Socket, chunk, encoding, callback) {
    writeOne.call(this, chunk, encoding, guard(callback))
  }
  if (writeMany)
    socket._writev = function (this: Socket, chunks, callback) {
      writeMany.call(this, chunks, guard(callback))
    }
}
