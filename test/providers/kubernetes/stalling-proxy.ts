import { connect, createServer, type Socket } from 'node:net'

export interface StallingProxy {
  /** The API server's URL through the proxy (TLS passes through untouched). */
  url: string
  /** While on, every connection that sends a request (a call) never gets an answer; others pass. */
  stall(on: boolean): void
  /** How many connections are held so far. */
  held(): number
  close(): Promise<void>
}

/**
 * A TCP proxy on 127.0.0.1 in front of a real API server that can get stuck on the calls made
 * while it stalls (an API server or load balancer that stops answering mid-run): the request
 * reaches the API server, its answer never comes back, and the connection stays open and silent
 * for good. Calls on other connections, and every call after `stall(false)`, pass as usual.
 * TLS passes through: a request is the client's first application-data record (TLS 1.3 sends the
 * client's Finished as one too, right before the request), so a new connection's handshake
 * completes and its request goes out before the answers are held.
 */
export async function stallingProxy(target: string): Promise<StallingProxy> {
  const upstreamUrl = new URL(target)
  let stalling = false
  let held = 0
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    const upstream = connect(Number(upstreamUrl.port || 443), upstreamUrl.hostname)
    let stuck = false
    const records = tlsRecordTypes()
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
      if (stalling && !stuck && records(chunk).includes(APPLICATION_DATA)) {
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

const APPLICATION_DATA = 23

/** Follows one direction of a TLS stream: the content types of the records each chunk starts. */
function tlsRecordTypes(): (chunk: Buffer) => number[] {
  let pending = Buffer.alloc(0)
  let skip = 0
  return (chunk) => {
    const types: number[] = []
    pending = Buffer.concat([pending, chunk])
    for (;;) {
      if (skip > 0) {
        const dropped = Math.min(skip, pending.length)
        pending = pending.subarray(dropped)
        skip -= dropped
        if (skip > 0) return types
      }
      if (pending.length < 5) return types
      types.push(pending[0] ?? 0)
      skip = 5 + pending.readUInt16BE(3)
    }
  }
}
