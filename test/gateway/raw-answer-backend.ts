// A backend that answers with exact bytes: the heads and bodies Go's transport and undici read
// their own ways (cut short, held open, reset, malformed). Each request head it reads (on any
// connection, kept alive or not) goes to `answer` with its path.
import { once } from 'node:events'
import { type AddressInfo, createServer, type Socket } from 'node:net'

export const NOT_FOUND = 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'

export interface AnsweringBackend {
  /** `http://127.0.0.1:port` */
  origin: string
  /** Destroys every connection (held ones too) and stops listening. */
  close(): void
}

/**
 * `answer` returns the bytes to write (latin1 when a string) and the connection ends after them;
 * or undefined when it writes (or holds, or resets) the socket itself.
 */
export async function startAnsweringBackend(
  answer: (path: string, socket: Socket) => string | Buffer | undefined,
): Promise<AnsweringBackend> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    let pending = ''
    socket.on('data', (data: Buffer) => {
      pending += data.toString('latin1')
      for (let end = pending.indexOf('\r\n\r\n'); end !== -1; end = pending.indexOf('\r\n\r\n')) {
        const path = pending.split(' ')[1] ?? ''
        pending = pending.slice(end + 4)
        const bytes = answer(path, socket)
        if (bytes !== undefined) socket.end(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes)
      }
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close() {
      for (const socket of sockets) socket.destroy()
      server.close()
    },
  }
}

/** Answers from a table of paths (a 404 for any other). */
export const fromTable =
  (table: Record<string, string | Buffer>) =>
  (path: string): string | Buffer =>
    table[path] ?? NOT_FOUND
