// A backend that records each request exactly as it came over the socket (request line, header
// lines in their order and case, body with its framing) and answers JSON (`{"ok":true}` unless told): what the
// backend-side tests compare with the request lura's Go client writes.
import { once } from 'node:events'
import { type AddressInfo, createServer, type Socket } from 'node:net'

export interface RawBackend {
  origin: string
  /** Every request read so far, as latin1 text (one character per byte). */
  requests: string[]
  /** The request head (request line and header lines, without the blank line) of request `i` (default: the last). */
  head(i?: number): string
  /** The header lines of the last request named `name` (case-insensitive), as written. */
  lines(name: string): string[]
  close(): Promise<void>
}

/** A 200 JSON answer with `body`. */
const answer = (body: string) =>
  `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`

/** Bytes of one whole request at the start of `buf` (head plus a Content-Length or chunked body); 0 when incomplete. */
function requestLength(buf: Buffer): number {
  const end = buf.indexOf('\r\n\r\n')
  if (end === -1) return 0
  const head = buf.subarray(0, end).toString('latin1')
  if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
    const last = buf.indexOf('\r\n0\r\n\r\n', end + 2)
    return last === -1 ? 0 : last + 7
  }
  const length = /\r\ncontent-length: *(\d+)/i.exec(head)
  const total = end + 4 + (length ? Number(length[1]) : 0)
  return buf.length >= total ? total : 0
}

/** `bodies`: the JSON a request whose target starts with the key gets (default `{"ok":true}`). */
export async function startRawBackend(bodies: Record<string, string> = {}): Promise<RawBackend> {
  const requests: string[] = []
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    let buf = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk])
      for (let size = requestLength(buf); size > 0; size = requestLength(buf)) {
        const request = buf.subarray(0, size).toString('latin1')
        requests.push(request)
        buf = buf.subarray(size)
        const target = request.split(' ')[1] ?? ''
        socket.write(
          answer(Object.entries(bodies).find(([prefix]) => target.startsWith(prefix))?.[1] ?? '{"ok":true}'),
        )
      }
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const head = (i = requests.length - 1) => (requests[i] ?? '').split('\r\n\r\n')[0] as string
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    head,
    lines: (name) =>
      head()
        .split('\r\n')
        .slice(1)
        .filter((line) => line.slice(0, line.indexOf(':')).toLowerCase() === name.toLowerCase()),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
