/**
 * The local provider's front proxy: HTTP/1.1 (keep-alive) and h2c (prior knowledge) on one
 * port, forwarding to the nodes of each colour by weight through undici pools. The routing
 * table is replaced in one assignment, so a switch is atomic: a request picks its colour from
 * exactly one table. Requests already in flight finish on the node they started on; pools of
 * nodes that left the table are closed gracefully (queued and in-flight requests complete).
 *
 * A second loopback listener is the preview route: it always forwards to `table.preview`.
 * The admin channel is HTTP over a unix socket (mode 0600) in the state directory:
 *   GET /state     the table, per-colour counters, listen addresses
 *   PUT /routes    replace the table (persisted to routes.json before it is applied)
 *   PUT /maintenance  {maintenance: page | null}: answer every request on the main listener with
 *                  the page (persisted to its own file, so a table change never drops it)
 *   POST /shutdown close the listeners and exit once in-flight requests are done
 */
import { chmod, rm } from 'node:fs/promises'
import http from 'node:http'
import http2 from 'node:http2'
import net from 'node:net'
import { dirname, join } from 'node:path'
import type { Readable } from 'node:stream'
import { writeJsonAtomic } from '../json-file.ts'
import type { MaintenanceState } from '../types.ts'
import { BodySource } from './body-source.ts'
import { NodePicker } from './node-picker.ts'
import {
  abort,
  clientGone,
  drained,
  forwardHeaders,
  HOP_BY_HOP,
  listen,
  readBody,
  send,
  sendPage,
} from './proxy-http.ts'
import {
  type RouteColour,
  type RouterSnapshot,
  type RouterStats,
  type RouteTable,
  validMaintenance,
  validTable,
} from './router-protocol.ts'
import { readJson } from './state.ts'

const RETRYABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_CONNECT_TIMEOUT',
])

/** Failures before a connection exists: the node received nothing. */
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH'])

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])

export interface FrontProxyOptions {
  listenHost: string
  listenPort: number
  adminSocket: string
  routesFile: string
  /** Where the maintenance page is kept across restarts (default maintenance.json beside routesFile). */
  maintenanceFile?: string
  /** Called when POST /shutdown finished closing everything. */
  onShutdown?: () => void
  /** From accept to a complete first request head (h1) or stream (h2c); default 10 s. */
  headerTimeoutMs?: number
}

export class FrontProxy {
  #maintenance: MaintenanceState | null = null
  readonly #nodes = new NodePicker()
  readonly #stats: Record<RouteColour, RouterStats> = {
    blue: { requests: 0, errors: 0 },
    green: { requests: 0, errors: 0 },
  }
  readonly #options: FrontProxyOptions
  readonly #h1: http.Server
  readonly #h2: http2.Http2Server
  readonly #front: net.Server
  readonly #preview: net.Server
  readonly #admin: http.Server
  readonly #sessions = new Set<http2.ServerHttp2Session>()
  readonly #sockets = new Set<net.Socket>()
  /** Accept-time deadlines of connections that have not sent a complete request yet. */
  readonly #headerDeadlines = new WeakMap<net.Socket, NodeJS.Timeout>()
  readonly #previewH1: http.Server
  #previewPort = 0

  constructor(options: FrontProxyOptions) {
    this.#options = options
    this.#h1 = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
      this.#requestArrived(req.socket)
      void this.#handle(req, res, false)
    })
    this.#h1.headersTimeout = 66_000
    this.#h2 = http2.createServer({}, (req, res) => {
      void this.#handle(req, res, false)
    })
    this.#h2.on('session', (session) => {
      this.#sessions.add(session)
      session.on('close', () => this.#sessions.delete(session))
    })
    const previewH1 = http.createServer((req, res) => {
      this.#requestArrived(req.socket)
      void this.#handle(req, res, true)
    })
    const previewH2 = http2.createServer({}, (req, res) => {
      void this.#handle(req, res, true)
    })
    // node:http tracks connections (closeIdleConnections, timeouts) only once it has emitted
    // 'listening'; these servers never listen themselves: the net servers below feed them.
    this.#h1.emit('listening')
    previewH1.emit('listening')
    this.#previewH1 = previewH1
    for (const h2 of [this.#h2, previewH2]) {
      h2.on('sessionError', () => {})
      h2.on('session', (session) => session.on('error', () => {}))
    }
    this.#front = net.createServer({ noDelay: true }, (socket) => this.#sniff(socket, this.#h1, this.#h2))
    this.#preview = net.createServer({ noDelay: true }, (socket) => this.#sniff(socket, previewH1, previewH2))
    this.#admin = http.createServer((req, res) => {
      void this.#adminHandle(req, res)
    })
  }

  get #maintenanceFile(): string {
    return this.#options.maintenanceFile ?? join(dirname(this.#options.routesFile), 'maintenance.json')
  }

  get table(): RouteTable {
    return this.#nodes.table
  }

  get previewPort(): number {
    return this.#previewPort
  }

  async start(): Promise<void> {
    const saved = await readJson<RouteTable>(this.#options.routesFile)
    if (saved?.colours) this.#nodes.apply(saved)
    const maintenance = await readJson<{ maintenance: MaintenanceState | null }>(this.#maintenanceFile)
    if (maintenance && validMaintenance(maintenance.maintenance)) this.#maintenance = maintenance.maintenance
    await listen(this.#front, this.#options.listenPort, this.#options.listenHost)
    await listen(this.#preview, 0, '127.0.0.1')
    const address = this.#preview.address()
    this.#previewPort = typeof address === 'object' && address ? address.port : 0
    await rm(this.#options.adminSocket, { force: true })
    await new Promise<void>((resolve, reject) => {
      this.#admin.once('error', reject)
      this.#admin.listen(this.#options.adminSocket, () => resolve())
    })
    await chmod(this.#options.adminSocket, 0o600)
  }

  snapshot(): RouterSnapshot {
    return {
      pid: process.pid,
      listen: `${this.#options.listenHost}:${this.#options.listenPort}`,
      previewPort: this.#previewPort,
      table: this.#nodes.table,
      stats: this.#stats,
      down: this.#nodes.down(),
      maintenance: this.#maintenance,
    }
  }

  #sniff(socket: net.Socket, h1: http.Server, h2: http2.Http2Server): void {
    this.#sockets.add(socket)
    // A connection that sends nothing, or never a whole request, is closed without a reply: the
    // deadline runs from accept, before the protocol is known (node:http only times out what it sees).
    const deadline = setTimeout(() => socket.destroy(), this.#options.headerTimeoutMs ?? 10_000)
    this.#headerDeadlines.set(socket, deadline)
    socket.once('close', () => {
      clearTimeout(deadline)
      this.#sockets.delete(socket)
    })
    socket.on('error', () => socket.destroy())
    socket.once('data', (chunk: Buffer) => {
      socket.pause()
      socket.unshift(chunk)
      // h2c prior knowledge starts with the connection preface "PRI * HTTP/2.0".
      // (http2 takes over the paused socket and its unshifted bytes itself; http/1 needs a resume.)
      if (chunk.subarray(0, 4).toString('latin1') === 'PRI ') {
        // node:http2 makes the session synchronously inside 'connection'.
        const onSession = (session: http2.ServerHttp2Session) =>
          session.once('stream', () => this.#requestArrived(socket))
        h2.once('session', onSession)
        h2.emit('connection', socket)
        h2.off('session', onSession)
      } else {
        h1.emit('connection', socket)
        socket.resume()
      }
    })
  }

  #requestArrived(socket: net.Socket): void {
    const deadline = this.#headerDeadlines.get(socket)
    if (deadline === undefined) return
    clearTimeout(deadline)
    this.#headerDeadlines.delete(socket)
  }

  async #handle(
    req: http.IncomingMessage | http2.Http2ServerRequest,
    res: http.ServerResponse | http2.Http2ServerResponse,
    preview: boolean,
  ): Promise<void> {
    const method = req.method ?? 'GET'
    const maintenance = preview ? null : this.#maintenance
    if (maintenance) {
      sendPage(res, maintenance, method === 'HEAD')
      return
    }
    // Bodies stream through (never buffered); the source records whether a node read from it.
    const body = method === 'GET' || method === 'HEAD' ? undefined : new BodySource(req)
    const headers = forwardHeaders(req.headers, req)
    const tried = new Set<string>()
    for (let attempt = 0; attempt < 3; attempt++) {
      const target = this.#nodes.pick(preview, tried)
      if (!target) {
        send(res, 503, preview ? 'no preview colour\n' : 'no colour is serving\n')
        return
      }
      tried.add(target.origin)
      const stats = this.#stats[target.colour]
      try {
        const upstream = await this.#nodes.pool(target.origin).request({
          method: method as 'GET',
          path: req.url ?? '/',
          headers,
          // undici streams any async iterable; its typings list only Readable.
          body: (body ?? null) as unknown as Readable | null,
        })
        this.#nodes.answered(target.origin)
        stats.requests += 1
        if (upstream.statusCode >= 500) stats.errors += 1
        const out: Record<string, string | string[]> = {}
        for (const [name, value] of Object.entries(upstream.headers)) {
          if (value === undefined || HOP_BY_HOP.has(name)) continue
          out[name] = value
        }
        ;(res as http.ServerResponse).writeHead(upstream.statusCode, out)
        try {
          for await (const chunk of upstream.body) {
            if (!(res as http.ServerResponse).write(chunk as Buffer)) await drained(res)
          }
          res.end()
        } catch {
          abort(res)
        }
        return
      } catch (error) {
        const code = (error as { code?: string }).code ?? ''
        const nothingSent = CONNECT_FAILURES.has(code) && !body?.started
        if (CONNECT_FAILURES.has(code)) this.#nodes.refused(target.origin)
        // A refused connection carried nothing: retry any method. Other socket failures are retried
        // only for idempotent requests without a body.
        const retryable =
          nothingSent ||
          (!body &&
            IDEMPOTENT.has(method) &&
            (RETRYABLE_CODES.has(code) || /closed|destroyed/i.test((error as Error).message ?? '')))
        if (retryable && attempt + 1 < 3) continue
        // The client went away (or broke its upload): not the node's fault, not a green error.
        if (clientGone(req, res) || body?.failed) {
          abort(res)
          return
        }
        stats.requests += 1
        stats.errors += 1
        send(res, 502, 'bad gateway\n')
        return
      }
    }
  }

  async #adminHandle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const reply = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(`${JSON.stringify(value)}\n`)
    }
    try {
      if (req.method === 'GET' && req.url === '/state') return reply(200, this.snapshot())
      if (req.method === 'PUT' && req.url === '/routes') {
        const table = JSON.parse((await readBody(req)).toString('utf8')) as RouteTable
        if (!validTable(table)) return reply(400, { error: 'invalid routing table' })
        await writeJsonAtomic(this.#options.routesFile, table)
        this.#nodes.apply(table)
        return reply(200, this.snapshot())
      }
      if (req.method === 'PUT' && req.url === '/maintenance') {
        const body = JSON.parse((await readBody(req)).toString('utf8')) as {
          maintenance: MaintenanceState | null
        }
        if (body.maintenance !== null && !validMaintenance(body.maintenance))
          return reply(400, { error: 'invalid maintenance page' })
        await writeJsonAtomic(this.#maintenanceFile, { maintenance: body.maintenance })
        this.#maintenance = body.maintenance
        return reply(200, this.snapshot())
      }
      if (req.method === 'POST' && req.url === '/shutdown') {
        reply(200, { ok: true })
        setImmediate(() => void this.close().then(() => this.#options.onShutdown?.()))
        return
      }
      reply(404, { error: 'not found' })
    } catch (error) {
      reply(500, { error: (error as Error).message })
    }
  }

  async close(): Promise<void> {
    const closing = [
      new Promise<void>((resolve) => this.#front.close(() => resolve())),
      new Promise<void>((resolve) => this.#preview.close(() => resolve())),
      new Promise<void>((resolve) => this.#admin.close(() => resolve())),
    ]
    for (const session of this.#sessions) session.close()
    // Keep-alive connections are closed as soon as they are idle (after their last response).
    const sweep = setInterval(() => {
      this.#h1.closeIdleConnections()
      this.#previewH1.closeIdleConnections()
    }, 50)
    this.#h1.closeIdleConnections()
    this.#previewH1.closeIdleConnections()
    const grace = setTimeout(() => {
      for (const socket of this.#sockets) socket.destroy()
      for (const session of this.#sessions) session.destroy()
    }, 5_000)
    grace.unref()
    await Promise.all(closing)
    clearInterval(sweep)
    clearTimeout(grace)
    await this.#nodes.close()
  }
}
