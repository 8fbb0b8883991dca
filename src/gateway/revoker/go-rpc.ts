/**
 * Go's net/rpc server over raw TCP with the gob codec, as KrakenD's revoker serves it
 * (`rpc.NewServer(); s.Register(...); s.Accept(listener)`), following
 * /usr/local/go/src/net/rpc/server.go: ServeConn, ServeCodec, readRequest, readRequestHeader,
 * sendResponse and gobServerCodec.
 */
import { createServer, type Server, type Socket } from 'node:net'
import { GobDecoder, GobEncoder, GobError, type GobStruct, type GobType, type GobValue } from './gob.ts'

/** Its message becomes the Response.Error text verbatim. */
export class GoRpcError extends Error {
  override name = 'GoRpcError'
}

export interface GoRpcMethod {
  /** Gob type of the reply (a struct as Go's reply types are). */
  readonly reply: GobType
  /**
   * Decoded args (the struct the client sent). Returns the reply, or throws: the Error's message
   * is sent as Response.Error (then, as Go's server does, the reply body is invalidRequest).
   * Anything thrown but a GoRpcError is also passed to onError (a bug, not an answer).
   */
  call(args: GobValue, caller: RpcCaller): GobValue | Promise<GobValue>
}

export interface GoRpcServerOptions {
  maxMessageBytes?: number
  onError?: (error: Error) => void
}

const RESPONSE: GobType = {
  struct: 'Response',
  fields: [
    ['ServiceMethod', 'string'],
    ['Seq', 'uint'],
    ['Error', 'string'],
  ],
}
/** server.go invalidRequest: struct{}{}, the body of every answer with an error. */
const INVALID_REQUEST: GobType = { struct: '', fields: [] }

/**
 * Go starts a goroutine per call without limit; past this many unanswered calls a connection
 * stops reading until some are answered.
 */
const MAX_IN_FLIGHT = 256
/** How long a closing connection may take to hand its last answers to the kernel. */
const CLOSE_GRACE_MS = 10_000

interface RpcRequest {
  readonly serviceMethod: string
  readonly seq: bigint
  readonly method: GoRpcMethod | undefined
  /** readRequestHeader's error for a header that names no method: answered after the body is read. */
  readonly error: string | undefined
}

/** Who sent a call: the connection's remote address (IPv4-mapped IPv6 written as IPv4). */
export interface RpcCaller {
  address: string | undefined
}

/** A net.Server speaking Go's net/rpc (gob codec) as rpc.Server.Accept does: methods keyed "Service.Method". */
export function createGoRpcServer(
  methods: Readonly<Record<string, GoRpcMethod>>,
  options: GoRpcServerOptions = {},
): Server {
  const table = new Map(Object.entries(methods))
  const services = new Set<string>()
  for (const key of table.keys()) {
    const dot = key.lastIndexOf('.')
    if (dot <= 0 || dot === key.length - 1)
      throw new TypeError(`Go RPC method ${JSON.stringify(key)} is not "Service.Method"`)
    services.add(key.slice(0, dot))
  }
  new GobDecoder({ maxMessageBytes: options.maxMessageBytes }) // a bad limit throws here, not per connection
  const lookup = (serviceMethod: string): RpcRequest['error'] => {
    const dot = serviceMethod.lastIndexOf('.')
    if (dot < 0) return `rpc: service/method request ill-formed: ${serviceMethod}`
    if (!services.has(serviceMethod.slice(0, dot))) return `rpc: can't find service ${serviceMethod}`
    if (!table.has(serviceMethod)) return `rpc: can't find method ${serviceMethod}`
    return undefined
  }
  return createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    new Connection(socket, options, (serviceMethod) => ({
      method: table.get(serviceMethod),
      error: lookup(serviceMethod),
    }))
  })
}

/** What decoding into net/rpc's Request{ServiceMethod string; Seq uint64} leaves, or why gob refuses it. */
function requestHeader(value: GobValue): { serviceMethod: string; seq: bigint } | string {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== null) {
    return 'gob: type mismatch in decoder: want struct type rpc.Request; got non-struct'
  }
  const header = value as GobStruct
  const { ServiceMethod: serviceMethod = '', Seq: seq = 0n } = header
  if (Object.keys(header).length > 0 && !('ServiceMethod' in header) && !('Seq' in header)) {
    return 'gob: type mismatch: no fields matched compiling decoder for Request'
  }
  if (typeof serviceMethod !== 'string')
    return 'gob: wrong type (string) for received field Request.ServiceMethod'
  if (typeof seq !== 'bigint' || seq < 0n) return 'gob: wrong type (uint64) for received field Request.Seq'
  return { serviceMethod, seq }
}

/** One connection: server.go ServeConn + ServeCodec. */
class Connection {
  private readonly socket: Socket
  private readonly options: GoRpcServerOptions
  private readonly resolve: (serviceMethod: string) => Pick<RpcRequest, 'method' | 'error'>
  private readonly decoder: GobDecoder
  private readonly encoder: GobEncoder
  private out: Uint8Array[] = []
  /** The header read whose body comes next. */
  private pending: RpcRequest | undefined
  private inFlight = 0
  /** The peer sent its last byte. */
  private ended = false
  /** No more requests are read (the peer is done, or what it sent cannot be read). */
  private done = false
  private closed = false

  constructor(
    socket: Socket,
    options: GoRpcServerOptions,
    resolve: (serviceMethod: string) => Pick<RpcRequest, 'method' | 'error'>,
  ) {
    this.socket = socket
    this.options = options
    this.resolve = resolve
    this.decoder = new GobDecoder({ maxMessageBytes: options.maxMessageBytes })
    this.encoder = new GobEncoder((bytes) => this.out.push(bytes))
    socket.on('data', (chunk: Buffer) => {
      if (this.done) return
      this.decoder.push(chunk)
      this.pump()
    })
    socket.on('end', () => {
      this.ended = true
      this.pump()
    })
    socket.on('drain', () => this.pump())
    socket.on('error', (error) => this.report(error))
    socket.on('close', () => {
      this.closed = true
    })
  }

  private report(error: unknown): void {
    try {
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)))
    } catch {
      // A failing onError must not take the server down with it.
    }
  }

  private get busy(): boolean {
    return this.inFlight >= MAX_IN_FLIGHT || this.socket.writableNeedDrain
  }

  /** ServeCodec's loop over readRequest, for every request already received. */
  private pump(): void {
    try {
      while (!this.done && !this.closed) {
        if (this.busy) {
          this.socket.pause()
          return
        }
        let next: { value: GobValue } | undefined
        try {
          next = this.decoder.next()
        } catch (error) {
          if (!(error instanceof GobError)) throw error
          this.unreadable(error)
          continue
        }
        if (!next) {
          if (this.ended) this.endOfInput()
          else this.socket.resume()
          return
        }
        if (this.pending) this.body(this.pending, next.value)
        else this.header(next.value)
      }
    } catch (error) {
      this.report(error)
      this.close()
    }
  }

  /** readRequestHeader: a header gob cannot read ends the connection unanswered. */
  private header(value: GobValue): void {
    const header = requestHeader(value)
    if (typeof header === 'string') this.stop(new GobError(`rpc: server cannot decode request: ${header}`))
    else this.pending = { ...header, ...this.resolve(header.serviceMethod) }
  }

  /** readRequest: a body that cannot be read is answered with gob's error and the connection kept. */
  private unreadable(error: GobError): void {
    const request = this.pending
    if (!request) {
      this.stop(new GobError(`rpc: server cannot decode request: ${error.message}`))
      return
    }
    this.pending = undefined
    this.respond(request, request.error ?? error.message)
  }

  private body(request: RpcRequest, args: GobValue): void {
    this.pending = undefined
    if (request.error !== undefined || !request.method) {
      this.respond(request, request.error)
      return
    }
    const method = request.method
    this.inFlight++
    let result: Promise<GobValue>
    try {
      const address = this.socket.remoteAddress?.replace(/^::ffff:(?=\d+\.)/, '')
      result = Promise.resolve(method.call(args, { address }))
    } catch (error) {
      result = Promise.reject(error)
    }
    void result
      .then(
        (reply) => this.respond(request, undefined, method.reply, reply),
        (error: unknown) => {
          if (!(error instanceof GoRpcError)) this.report(error)
          // An error whose text is empty is no error to Go's server: the reply goes out as it is.
          const text = error instanceof Error ? error.message : String(error)
          this.respond(request, text, method.reply, Object.create(null))
        },
      )
      .catch((error: unknown) => this.report(error))
      .finally(() => {
        this.inFlight--
        if (this.done) this.closeWhenIdle()
        else this.pump()
      })
  }

  /** The peer closed its side: ReadRequestBody's io.EOF / io.ErrUnexpectedEOF for a header still waiting. */
  private endOfInput(): void {
    const request = this.pending
    if (request) {
      this.pending = undefined
      this.respond(request, request.error ?? (this.decoder.partial ? 'unexpected EOF' : 'EOF'))
    }
    this.stop()
  }

  /** sendResponse + gobServerCodec.WriteResponse: header and body flushed as one write. */
  private respond(request: RpcRequest, error: string | undefined, type?: GobType, reply?: GobValue): void {
    if (this.closed || this.socket.destroyed) return
    const failed = error !== undefined && error !== ''
    this.out = []
    try {
      this.encoder.encode(RESPONSE, {
        ServiceMethod: request.serviceMethod,
        Seq: request.seq,
        Error: error ?? '',
      })
    } catch (e) {
      this.report(e)
      this.close()
      return
    }
    try {
      if (failed || !type) this.encoder.encode(INVALID_REQUEST, Object.create(null))
      else this.encoder.encode(type, reply as GobValue)
    } catch (e) {
      // Go flushes the header it wrote, then closes: the client sees the connection break.
      this.flush()
      this.report(new GobError(`rpc: gob error encoding body: ${e instanceof Error ? e.message : String(e)}`))
      this.close()
      return
    }
    this.flush()
  }

  private flush(): void {
    const bytes = this.out.length === 1 ? (this.out[0] as Uint8Array) : Buffer.concat(this.out)
    this.out = []
    if (!this.closed && !this.socket.destroyed && this.socket.writable) this.socket.write(bytes)
  }

  /** ServeCodec's break: read no more, answer the calls still running (wg.Wait), then close. */
  private stop(reason?: GobError): void {
    if (reason) this.report(reason)
    this.done = true
    this.pending = undefined
    this.socket.pause()
    this.closeWhenIdle()
  }

  private closeWhenIdle(): void {
    if (this.inFlight === 0) this.close()
  }

  /** gobServerCodec.Close: what was written is sent, then the connection is closed both ways. */
  private close(): void {
    this.done = true
    if (this.closed) return
    this.closed = true
    const socket = this.socket
    const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS)
    timer.unref()
    socket.end(() => {
      clearTimeout(timer)
      socket.destroy()
    })
  }
}
