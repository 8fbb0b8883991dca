import type { Server as HttpServer, IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import type { Http2Server, ServerHttp2Session, ServerHttp2Stream } from 'node:http2'
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { Gateway } from './app.ts'
import { MAX_RESPONSE_HEADER_BYTES } from './backend-client.ts'
import { answeredBeforeGateway, type H2Peer, H2Request, H2Response } from './h2-exchange.ts'
import { armStreamDeadlines, goHeaderListLimit, refuseOversizedHeaders } from './h2-limits.ts'
import { H2_PREFACE } from './h2-preface.ts'
import { refuseBadTrailers } from './h2-trailers.ts'
import { http2Module } from './libraries.ts'
import { listenAt } from './listen-literal.ts'
import {
  answeredUnknownMethod,
  createServer as createHttpServer,
  servedDespiteTransferEncoding,
} from './node-http.ts'
import { watchOpenFiles } from './open-files.ts'
import { countRequestRead, timedOutBehindAnswers } from './pipelined-deadline.ts'
import { inTurn } from './pipelined-turn.ts'
import { reparsedRawByteTarget } from './raw-byte-target.ts'

/** Go's HTTP/2 server: receive windows (each stream's and the connection's) and largest frame read. */
const GO_RECEIVE_WINDOW = 1 << 20
/** Go's HTTP/2 server: how long a client may take to send its SETTINGS after its preface. */
const GO_FIRST_SETTINGS_MS = 2000

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
  // KrakenD looks its SRV records up before it serves
  await gateway.ready()
  const { server: s } = gateway.config
  // Go's rule: without a read_header_timeout the read_timeout bounds the headers; neither set (0) is
  // no bound. node:http refuses a header timeout longer than the whole request's, so a read_timeout
  // shorter than the read_header_timeout bounds the headers too (Go would give a bodyless request's
  // headers the longer one).
  const readHeaderMs = s.readHeaderTimeoutMs || s.readTimeoutMs
  const headerTimeoutMs =
    s.readTimeoutMs > 0 && readHeaderMs > 0 ? Math.min(readHeaderMs, s.readTimeoutMs) : readHeaderMs
  const readDeadlines = { headMs: headerTimeoutMs, wholeMs: s.readTimeoutMs }
  // An error thrown while a request is read and checked ends its connection, not the process.
  const onPanic = (error: unknown) =>
    gateway.logger.error(`panic recovered: ${(error as Error)?.stack ?? String(error)}`)
  const http = createHttpServer(
    {
      maxHeaderBytes: s.maxHeaderBytes,
      headersTimeout: headerTimeoutMs,
      requestTimeout: s.readTimeoutMs,
      keepAliveTimeout: s.keepAliveTimeoutMs,
      // Go closes an idle connection at idle_timeout; node:http waits a second longer by default.
      keepAliveTimeoutBuffer: 0,
      connectionsCheckingInterval: 1000,
      noDelay: true,
      onPanic,
    },
    gateway.handle,
  )
  // node:http only tracks connections (closeIdleConnections, headers/request timeouts) once it
  // has emitted 'listening'; this server never listens itself: the net server below feeds it.
  http.emit('listening')
  // The first request's headers arrived: node:http's own timeouts take over from here.
  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    disarm(req.socket)
    countRequestRead(req, res)
    // A pipelined request is read when the answers ahead of it are out (pipelined-turn.ts), as in Go.
    if (s.writeTimeoutMs > 0) inTurn(res, () => armWriteDeadline(res, s.writeTimeoutMs))
  })
  // A CONNECT is answered (see node-http.ts): the header timeout is over for it too.
  http.on('connect', (req: IncomingMessage) => disarm(req.socket))
  http.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    try {
      if (answeredUnknownMethod(http, error, socket)) disarm(socket as Socket)
      else if (
        !reparsedRawByteTarget(http, error, socket) &&
        !servedDespiteTransferEncoding(error, socket) &&
        !timedOutBehindAnswers(error, socket, readDeadlines)
      )
        answerClientError(error, socket)
    } catch (unexpected) {
      onPanic(unexpected)
      socket.destroy()
    }
  })
  const headerListLimit = goHeaderListLimit(s.maxHeaderBytes)
  /** Open h2c sessions, with what requests read of their connection. */
  const sessions = new Map<ServerHttp2Session, H2Peer>()
  const unknownPeer: H2Peer = { remoteAddress: undefined }
  const onStream = (
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    _flags: number,
    raw: string[],
  ) => {
    // A stream's errors (a client's reset among them) end its exchange; they are not the process's.
    stream.on('error', ignore)
    const req = new H2Request(
      stream,
      headers,
      raw,
      sessions.get(stream.session as ServerHttp2Session) ?? unknownPeer,
    )
    const res = new H2Response(stream)
    if (answeredBeforeGateway(req) || refuseOversizedHeaders(req, res, headerListLimit)) return
    refuseBadTrailers(req)
    armStreamDeadlines(req, s.readTimeoutMs, s.writeTimeoutMs)
    gateway.handle(req, res)
  }
  const onStreamOnly: typeof onStream = (stream, ...rest) => {
    try {
      onStream(stream, ...rest)
    } catch (error) {
      onPanic(error)
      stream.destroy()
    }
  }
  let stopping = false
  let h2: Http2Server | undefined
  // Made for the first h2c connection: node:http2 (with tls and crypto) stays out of workers that
  // only ever speak HTTP/1.1.
  const h2Server = (): Http2Server => {
    if (h2) return h2
    h2 = http2Module().createServer({
      maxSessionMemory: 32,
      // Go's HTTP/2 server (KrakenD) allows 250 concurrent streams per connection (more are refused)
      // and takes 1 MB per stream before a WINDOW_UPDATE, in frames of up to 1 MB.
      settings: {
        maxHeaderListSize: headerListLimit,
        maxConcurrentStreams: 250,
        initialWindowSize: GO_RECEIVE_WINDOW,
        maxFrameSize: GO_RECEIVE_WINDOW,
      },
      // Go counts no fields, only their size (at least 32 bytes each): nghttp2's count (default
      // 128) must not refuse a request Go would take.
      maxHeaderListPairs: Math.ceil(headerListLimit / 32) + 1,
      // Go's HTTP/2 server takes a field value with leading or trailing spaces or tabs as it is
      // (components read ' evilbot', a backend gets it trimmed); nghttp2's RFC 9113 check would
      // drop the whole field, so a guard would see no User-Agent, no Authorization at all.
      strictFieldWhitespaceValidation: false,
      // Answers carry what backends sent: up to Go's client limit on response headers, plus ours.
      maxSendHeaderBlockLength: MAX_RESPONSE_HEADER_BYTES + 64 * 1024,
    })
    h2.on('stream', onStreamOnly)
    h2.setTimeout(s.idleTimeoutMs)
    h2.on('session', (session) => {
      sessions.set(session, { remoteAddress: session.socket.remoteAddress })
      // The whole connection's receive window is Go's 1 MB too (65,535 bytes otherwise).
      session.setLocalWindowSize(GO_RECEIVE_WINDOW)
      // Go's HTTP/2 server drops a connection whose client sends no SETTINGS frame within 2 s of its
      // preface (firstSettingsTimeout); node:http2 would hold it for good.
      const noSettings = setTimeout(() => session.destroy(), GO_FIRST_SETTINGS_MS)
      session.once('remoteSettings', () => clearTimeout(noSettings))
      session.on('close', () => {
        clearTimeout(noSettings)
        sessions.delete(session)
      })
      session.on('error', ignore)
      if (stopping) session.close()
    })
    h2.on('sessionError', ignore)
    return h2
  }

  const sockets = new Set<Socket>()
  /** Accepted, protocol not known yet (no byte, or an unfinished h2 preface). */
  const undecided = new Set<Socket>()
  const net: NetServer = createNetServer({ noDelay: true, pauseOnConnect: false }, (socket) => {
    sockets.add(socket)
    undecided.add(socket)
    socket.on('close', () => {
      sockets.delete(socket)
      undecided.delete(socket)
      disarm(socket)
    })
    socket.on('error', () => socket.destroy())
    // The header timeout runs from accept: a client that sends nothing (or one byte, or part of
    // the h2 preface) is cut like one that sends half a request line.
    arm(socket, headerTimeoutMs)
    let head: Buffer | undefined
    const onData = (chunk: Buffer) => {
      head = head === undefined ? chunk : Buffer.concat([head, chunk])
      const n = Math.min(head.length, H2_PREFACE.length)
      const h2c = head.subarray(0, n).equals(H2_PREFACE.subarray(0, n))
      if (h2c && n < H2_PREFACE.length) return
      socket.off('data', onData)
      socket.pause()
      socket.unshift(head)
      undecided.delete(socket)
      if (h2c) {
        // An h2 session without streams is bounded by the idle timeout, as in Go.
        disarm(socket)
        h2Server().emit('connection', socket)
      } else {
        http.emit('connection', socket)
        socket.resume()
      }
    }
    socket.on('data', onData)
  })
  const port = options.port ?? gateway.config.port
  const host = options.host ?? gateway.config.listenIp
  await new Promise<void>((resolve, reject) => {
    net.once('error', reject)
    listenAt(net, { port, host, exclusive: options.exclusive ?? false }, () => {
      net.off('error', reject)
      resolve()
    })
  })
  // Accept failures other than EMFILE arrive as 'error' events; EMFILE is watched for.
  let lastAcceptError = 0
  net.on('error', (error: NodeJS.ErrnoException) => {
    const now = Date.now()
    if (now - lastAcceptError < 10_000) return
    lastAcceptError = now
    gateway.logger.error(`cannot accept connections: ${error.code ?? error.message} (${sockets.size} open)`)
  })
  const stopWatching = watchOpenFiles(
    (message) => gateway.logger.error(`${message} (${sockets.size} client connections)`),
    (limit) => sockets.size >= limit / 2,
  )
  const address = net.address()
  const boundPort = typeof address === 'object' && address ? address.port : port

  let closed: Promise<void> | undefined
  const closeListener = () => {
    stopWatching()
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
      stopping = true
      const listenerClosed = closeListener()
      http.closeIdleConnections()
      for (const session of sessions.keys()) session.close()
      // Connections that never sent a byte carry no request: idle, as Go's Shutdown sees them.
      for (const socket of undecided) if (socket.bytesRead === 0) socket.destroy()
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
        for (const session of sessions.keys()) session.destroy()
        for (const socket of sockets) socket.destroy()
      }
      await gateway.close({ force: !inTime })
      return inTime
    },
    async close() {
      const listenerClosed = closeListener()
      http.closeAllConnections()
      for (const session of sessions.keys()) session.destroy()
      for (const socket of sockets) socket.destroy()
      await listenerClosed
      http.close()
      await gateway.close({ force: true })
    },
  }
}

/**
 * A request node:http could not parse, answered as Go's net/http (KrakenD) does: 431 for headers
 * over max_header_bytes, 400 for anything malformed, the status line repeated as a text body, and
 * the connection closed; a read timeout closes the connection without a reply.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || error.code === 'ERR_HTTP_REQUEST_TIMEOUT' || !socket.writable) {
    socket.destroy()
    return
  }
  const pending = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage
  // A request pipelined after whole ones: Go answers those first (it reads the next request only
  // then), and the 400 after them. Node would write the 400 at once and lose their answers.
  if (pending && !pending.writableFinished && pending.req?.complete) {
    pending.once('close', () => setImmediate(() => answerClientError(error, socket)))
    return
  }
  if (pending?.headersSent && !pending.writableFinished) {
    socket.destroy()
    return
  }
  const status =
    error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request'
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${status}`,
  )
  // A client that does not read its answer does not hold the connection either.
  setTimeout(() => socket.destroy(), 1000).unref()
}

/**
 * Go's write_timeout over HTTP/1.1: a deadline for the whole answer from the moment the request's
 * headers were read; an answer not finished by then loses its connection (steady streaming too).
 */
function armWriteDeadline(res: ServerResponse, ms: number): void {
  const timer = setTimeout(() => {
    if (!res.writableFinished) res.socket?.destroy()
  }, ms)
  res.once('close', () => clearTimeout(timer))
}

const ignore = () => {}

const timers = new WeakMap<Socket, NodeJS.Timeout>()

function arm(socket: Socket, ms: number): void {
  if (ms <= 0) return
  const timer = setTimeout(() => socket.destroy(), ms)
  timer.unref()
  timers.set(socket, timer)
}

function disarm(socket: Socket): void {
  const timer = timers.get(socket)
  if (timer === undefined) return
  clearTimeout(timer)
  timers.delete(socket)
}

export type { HttpServer }
