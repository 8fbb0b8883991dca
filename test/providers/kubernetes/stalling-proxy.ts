import { connect, createServer, type Socket } from 'node:net'

export interface StallingProxy {
  /** The API server's URL through the proxy (TLS passes through untouched). */
  url: string
  /** While on, every connection that sends anything (a call) never gets an answer; others pass. */
  stall(on: boolean): void
  /** How many connections are held so far. */
  held(): number
  close(): Promise<void>
}

/**
 * A TCP proxy on 127.0.0.1 in front of a real API server that can get stuck on the calls made
 * while it stalls (an API server or load balancer that stops answering mid-run): those
 * connections stay open and silent for good, while calls on other connections, and every call
 * after `stall(false)`, reach the API server as usual.
 */
export async function stallingProxy(target: string): Promise<StallingProxy> {
  const upstreamUrl = new URL(target)
  let stalling = false
  let held = 0
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    const upstream = connect(Number(upstreamUrl.port || 443), upstreamUrl.hostname)
    let stuck = false
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => {})
      socket.on('close', () => {
        sockets.delete(socket)
        client.destroy()
        upstream.destroy()
      })
    }
    client.on('data', (chunk: Buffer) => {
      if (stalling && !stuck) {
        stuck = true
        held++
      }
      upstream.write(chunk)
    })
    upstream.on('data', (chunk: Buffer) => {
      if (!stuck) client.write(chunk)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `${upstreamUrl.protocol}//127.0.0.1:${port}`,
    stall(on) {
      stalling = on
    },
    held: () => held,
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
