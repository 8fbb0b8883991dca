/**
 * The calling side of Go's net/rpc with the gob codec (net/rpc/client.go: a Request header and the
 * args per call, a Response header and the reply back), one call at a time on one connection: what
 * gwdeploy needs to read and feed a node's revocation filter.
 */
import { connect, type Socket } from 'node:net'
import { GoRpcError } from './go-rpc.ts'
import { GobDecoder, GobEncoder, GobError, type GobStruct, type GobType, type GobValue } from './gob.ts'

const REQUEST: GobType = {
  struct: 'Request',
  fields: [
    ['ServiceMethod', 'string'],
    ['Seq', 'uint'],
  ],
}

export interface GoRpcClientOptions {
  /** Connecting and each call (ms). */
  timeoutMs: number
  /** The largest message accepted from the server. */
  maxMessageBytes?: number
}

export interface GoRpcClient {
  /** Resolves with the reply, or rejects: a GoRpcError carries the server's Response.Error text. */
  call(serviceMethod: string, argsType: GobType, args: GobValue): Promise<GobValue>
  close(): void
}

class ConnectionError extends Error {
  override name = 'GoRpcConnectionError'
}

export async function connectGoRpc(
  host: string,
  port: number,
  options: GoRpcClientOptions,
): Promise<GoRpcClient> {
  const socket = await open(host, port, options.timeoutMs)
  const decoder = new GobDecoder(options.maxMessageBytes ? { maxMessageBytes: options.maxMessageBytes } : {})
  const encoder = new GobEncoder((bytes) => socket.write(bytes))
  let seq = 0n
  let queue: Promise<unknown> = Promise.resolve()
  /** Called when bytes came or the connection broke: the pending receive looks again. */
  let wake: (() => void) | undefined
  let broken: Error | undefined

  const fail = (error: Error) => {
    broken ??= error
    wake?.()
  }
  socket.on('error', (error) => fail(new ConnectionError(`${host}:${port}: ${error.message}`)))
  socket.on('close', () => fail(new ConnectionError(`${host}:${port}: the connection closed`)))
  socket.on('data', (chunk: Buffer) => {
    decoder.push(chunk)
    wake?.()
  })

  /** The next value the server sends. */
  const receive = (): Promise<GobValue> =>
    new Promise((resolve, reject) => {
      const attempt = () => {
        let next: { value: GobValue } | undefined
        try {
          next = decoder.next()
        } catch (error) {
          wake = undefined
          reject(error instanceof GobError ? new ConnectionError(`${host}:${port}: ${error.message}`) : error)
          return
        }
        if (!next && !broken) return
        wake = undefined
        if (next) resolve(next.value)
        else reject(broken)
      }
      wake = attempt
      attempt()
    })

  const exchange = async (serviceMethod: string, argsType: GobType, args: GobValue): Promise<GobValue> => {
    if (broken) throw broken
    seq += 1n
    encoder.encode(REQUEST, { ServiceMethod: serviceMethod, Seq: seq })
    encoder.encode(argsType, args)
    const timer = setTimeout(
      () =>
        fail(
          new ConnectionError(
            `${host}:${port}: no answer to ${serviceMethod} within ${options.timeoutMs} ms`,
          ),
        ),
      options.timeoutMs,
    )
    try {
      const header = (await receive()) as GobStruct
      const body = await receive()
      if (header.Seq !== seq)
        throw new ConnectionError(`${host}:${port}: answer ${String(header.Seq)} to call ${seq}`)
      if (typeof header.Error === 'string' && header.Error !== '') throw new GoRpcError(header.Error)
      return body
    } finally {
      clearTimeout(timer)
    }
  }

  return {
    call(serviceMethod, argsType, args) {
      const result = queue.then(() => exchange(serviceMethod, argsType, args))
      queue = result.catch(() => {})
      return result
    },
    close() {
      broken ??= new ConnectionError(`${host}:${port}: closed`)
      socket.destroy()
    },
  }
}

function open(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new ConnectionError(`${host}:${port}: no connection within ${timeoutMs} ms`))
    }, timeoutMs)
    socket.once('connect', () => {
      clearTimeout(timer)
      socket.off('error', onError)
      resolve(socket)
    })
    const onError = (error: Error) => {
      clearTimeout(timer)
      reject(new ConnectionError(`${host}:${port}: ${error.message}`))
    }
    socket.once('error', onError)
  })
}
