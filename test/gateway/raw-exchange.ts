// Bytes written as they are on one HTTP/1.1 connection to a gateway, and what it writes back.
import { connect, type Socket } from 'node:net'

/** Everything the server at `url` writes back to `bytes` until it closes the connection. */
export async function exchange(url: string, bytes: string): Promise<string> {
  const { port } = new URL(url)
  const socket = connect(Number(port), '127.0.0.1')
  socket.write(bytes)
  const chunks: Buffer[] = []
  for await (const chunk of socket) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('latin1')
}

/**
 * Connects to the server at `url`, lets `drive` write to the connection once it is open, and reads
 * until the server closes it (`closed: false` when it has not within `boundMs`).
 */
export function readUntilClosed(
  url: string,
  drive: (socket: Socket) => void,
  boundMs = 8000,
): Promise<{ answer: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(Number(new URL(url).port), '127.0.0.1', () => drive(socket))
    let answer = ''
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1')
    })
    socket.on('error', () => {})
    const bound = setTimeout(() => {
      socket.destroy()
      resolve({ answer, closed: false })
    }, boundMs)
    socket.on('close', () => {
      clearTimeout(bound)
      resolve({ answer, closed: true })
    })
  })
}

/** The status lines of the answers in `answer`, in order. */
export const statusLines = (answer: string) => answer.match(/HTTP\/1\.1 \d{3} [^\r]*/g) ?? []
