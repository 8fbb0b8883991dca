/**
 * Loopback TCP listeners into one pod port through the API server's port-forward subresource
 * (`pods/portforward`), the way `kubectl port-forward` does: each connection accepted on
 * 127.0.0.1 gets its own port-forward websocket (@kubernetes/client-node's PortForward, the
 * `v4.channel.k8s.io` protocol). The pod proxy (tunnel.ts) speaks HTTP only; this carries raw TCP,
 * e.g. auth/revoker's Go net/rpc, and gwdeploy still needs no network route into the cluster.
 */
import net, { type AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import type { KubeClient } from './client.ts'

export interface PortForwarder {
  /** The loopback port (on 127.0.0.1) that reaches the pod's port. */
  port: number
  /** Stops listening and closes every forwarded connection. */
  close(): Promise<void>
}

/** The part of the `ws` WebSocket the forwarder uses. */
interface Socketish {
  readyState: number
  on(event: 'close' | 'error', listener: (...args: unknown[]) => void): unknown
  terminate(): void
}

const ERROR_TEXT_MAX = 2_000
const CLOSED = 3

/**
 * Listens on 127.0.0.1 (a free port) and forwards each accepted connection to `port` of
 * `namespace/pod`. A connection whose forward fails (refused by the API server, pod gone, nothing
 * listening in the pod) is closed, and `onError` hears why; it never throws out of the listener.
 */
export async function openPortForward(
  client: KubeClient,
  target: { namespace: string; pod: string; port: number },
  onError: (message: string) => void = () => {},
): Promise<PortForwarder> {
  // Aborted by close(): a websocket handshake the API server never answers would otherwise keep
  // the process alive after an interrupt. PortForward opens its websocket with the config's HTTPS
  // options, which ws hands to https.request: the signal goes in there.
  const closing = new AbortController()
  const config = Object.create(client.config, {
    applyToHTTPSOptions: {
      value: async (options: object) => {
        await client.config.applyToHTTPSOptions(options)
        Object.assign(options, { signal: closing.signal })
      },
    },
  }) as typeof client.config
  const forwarder = new client.k8s.PortForward(config)
  const where = `pod ${target.namespace}/${target.pod} port ${target.port}`
  const sockets = new Set<net.Socket>()

  const forward = async (socket: net.Socket) => {
    let errorText = ''
    const output = new Writable({
      write(chunk: Buffer, _encoding, done) {
        if (socket.writable) socket.write(chunk)
        done()
      },
    })
    const errors = new Writable({
      write(chunk: Buffer, _encoding, done) {
        if (errorText.length < ERROR_TEXT_MAX) errorText += chunk.toString('utf8')
        done()
      },
    })
    let ws: Socketish
    try {
      // The socket's bytes stay buffered (no 'data' listener yet) until the websocket is open.
      const opened = await forwarder.portForward(
        target.namespace,
        target.pod,
        [target.port],
        output,
        errors,
        socket,
      )
      if (typeof opened === 'function') throw new Error('unexpected restartable port-forward')
      ws = opened as unknown as Socketish
    } catch (error) {
      onError(`port-forward to ${where}: ${describe(error)}`)
      socket.destroy()
      return
    }
    if (socket.destroyed) ws.terminate()
    ws.on('error', (error) => {
      onError(`port-forward to ${where}: ${describe(error)}`)
      socket.destroy()
    })
    ws.on('close', () => {
      if (errorText.trim()) {
        onError(`port-forward to ${where}: ${errorText.trim()}`)
        socket.destroy()
      } else socket.end()
    })
    socket.on('close', () => {
      if (ws.readyState !== CLOSED) ws.terminate()
    })
  }

  const server = net.createServer((socket) => {
    sockets.add(socket)
    // A reset by either side ends this connection only (the close handlers clean up).
    socket.on('error', () => socket.destroy())
    socket.on('close', () => sockets.delete(socket))
    forward(socket).catch((error) => {
      onError(`port-forward to ${where}: ${describe(error)}`)
      socket.destroy()
    })
  })
  server.on('error', (error) => onError(`port-forward listener for ${where}: ${error.message}`))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  server.unref()
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort()
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message
  // The websocket's failure before it opened is an ErrorEvent ({message, error}).
  const event = error as { message?: unknown; error?: unknown }
  if (typeof event?.message === 'string' && event.message) return event.message
  if (event?.error instanceof Error) return event.error.message
  return String(error)
}
