import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { createServer as createH2Server, type Http2Server, type ServerHttp2Session } from 'node:http2'
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net'
import type { Gateway } from './app.ts'

/** The HTTP/2 connection preface; a connection starting with it speaks h2c (prior knowledge). */
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')

export interface ListenOptions {
  port?: number
  host?: string
  /** Share the port with other cluster workers (default true; node:cluster balances). */
  exclusive?: boolean
}

export interface GatewayServer {
  readonly port: number
  readonly host: string
  /**
   * Graceful stop: health turns 503 at once, then after `graceMs` the listener closes, idle
   * connections close, in-flight requests finish (h1 responses carry `Connection: close`, h2
   * sessions get GOAWAY), bounded by `timeoutMs` after which remaining connections are cut.
   * Resolves true when everything finished in time.
   */
  shutdown(options: { graceMs: number; timeoutMs: number }): Promise<boolean>
  /** Immediate stop (tests): closes the listener and every connection. */
  close(): Promise<void>
}

/**
 * Listens for HTTP/1.1 and h2c prior-knowledge on one port: the first bytes of each connection
 * decide which server gets it.
 */
export async function listen(gateway: Gateway, options: ListenOptions = {}): Promise<GatewayServer> {
  const { server: s } = gateway.config
  const http = createHttpServer(
    {
      maxHeaderSize: s.maxHeaderBytes,
      headersTimeout: s.readHeaderTimeoutMs || 60_000,
      requestTimeout: s.readTimeoutMs,
      keepAliveTimeout: s.idleTimeoutMs,
      connectionsCheckingInterval: 1000,
      noDelay: true,
    },
    gateway.handle,
  )
  if (s.writeTimeoutMs > 0) http.timeout = s.writeTimeoutMs
  // node:http only tracks connections (closeIdleConnections, headers/request timeouts) once it
  // has emitted 'listening'; this server never listens itself: the net server below feeds it.
  http.emit('listening')
  const h2: Http2Server = createH2Server(
    {
      maxSessionMemory: 32,
      settings: { maxHeaderListSize: s.maxHeaderBytes },
      maxSendHeaderBlockLength: s.maxHeaderBytes,
    },
    gateway.handle,
  )
  h2.setTimeout(s.idleTimeoutMs)
  const sessions = new Set<ServerHttp2Session>()
  h2.on('session', (session) => {
    sessions.add(session)
    session.on('close', () => sessions.delete(session))
    session.on('error', () => {})
  })
  h2.on('sessionError', () => {})

  const sockets = new Set<Socket>()
  const net: NetServer = createNetServer({ noDelay: true, pauseOnConnect: false }, (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    socket.once('data', (chunk: Buffer) => {
      socket.pause()
      socket.unshift(chunk)
      const n = Math.min(chunk.length, PREFACE.length)
      if (n >= 4 && chunk.subarray(0, n).equals(PREFACE.subarray(0, n))) h2.emit('connection', socket)
      else {
        http.emit('connection', socket)
        socket.resume()
      }
    })
  })

  const port = options.port ?? gateway.config.port
  const host = options.host ?? gateway.config.listenIp
  await new Promise<void>((resolve, reject) => {
    net.once('error', reject)
    net.listen({ port, host, exclusive: options.exclusive ?? false }, () => {
      net.off('error', reject)
      resolve()
    })
  })
  const address = net.address()
  const boundPort = typeof address === 'object' && address ? address.port : port

  let closed: Promise<void> | undefined
  const closeListener = () => {
    closed ??= new Promise<void>((resolve) => net.close(() => resolve()))
    return closed
  }

  return {
    port: boundPort,
    host,
    async shutdown({ graceMs, timeoutMs }) {
      gateway.drain()
      if (graceMs > 0) await new Promise((resolve) => setTimeout(resolve, graceMs))
      gateway.logger.info('closing the listener; finishing in-flight requests')
      const listenerClosed = closeListener()
      http.closeIdleConnections()
      for (const session of sessions) session.close()
      // Keep-alive connections that go idle after their last response are closed as they do.
      const sweep = setInterval(() => http.closeIdleConnections(), 50)
      let timer: NodeJS.Timeout | undefined
      const inTime = await Promise.race([
        Promise.all([listenerClosed, gateway.idle()]).then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), timeoutMs)
        }),
      ])
      clearInterval(sweep)
      clearTimeout(timer)
      http.close()
      if (!inTime) {
        gateway.logger.warning(`drain timeout: cutting ${sockets.size} connection(s)`)
        http.closeAllConnections()
        for (const session of sessions) session.destroy()
        for (const socket of sockets) socket.destroy()
      }
      await gateway.close({ force: !inTime })
      return inTime
    },
    async close() {
      const listenerClosed = closeListener()
      http.closeAllConnections()
      for (const session of sessions) session.destroy()
      for (const socket of sockets) socket.destroy()
      await listenerClosed
      http.close()
      await gateway.close({ force: true })
    },
  }
}

export type { HttpServer }
