// Bytes written as they are on one HTTP/1.1 connection to a gateway, and what it writes back.
import { connect } from 'node:net'

/** Everything the server at `url` writes back to `bytes` until it closes the connection. */
export async function exchange(url: string, bytes: string): Promise<string> {
  const { port } = new URL(url)
  const socket = connect(Number(port), '127.0.0.1')
  socket.write(bytes)
  const chunks: Buffer[] = []
  for await (const chunk of socket) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('latin1')
}

/** The status lines of the answers in `answer`, in order. */
export const statusLines = (answer: string) => answer.match(/HTTP\/1\.1 \d{3} [^\r]*/g) ?? []
