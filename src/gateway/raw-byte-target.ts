// Request targets with raw bytes above 0x7F, which Go's server takes and llhttp refuses: the request
// line is written again with those bytes escaped and node:http's own parser re-armed to read on from
// it (node:http internals: a Node upgrade may break this; raw-byte-target.test.ts would show it).

import type { IncomingMessage, Server } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { loadBuiltin } from './libraries.ts'
import { escapeRawBytes, rememberRequestUri } from './request-uri.ts'

const http = loadBuiltin<typeof import('node:http')>('node:http')

/** The node:http parser's own parts reparsedRawByteTarget re-arms. */
interface NodeParser {
  constructor: { REQUEST: number; kLenientNone: number }
  _headers: string[]
  _url: string
  initialize(
    type: number,
    resource: object,
    maxHeaderSize: number,
    lenient: number,
    connections: unknown,
  ): void
  execute(data: Buffer): number | Error
}

/**
 * The method llhttp read at the end of `token`: the token itself, or, where the request before ended
 * with a body not ending a line (`abcGET`), the one method it ends with (none where two could be it).
 */
function methodAtEnd(token: string): string | undefined {
  if (http.METHODS.includes(token)) return token
  const ends = http.METHODS.filter((m) => token.endsWith(m))
  return ends.length === 1 ? ends[0] : undefined
}

/** A method ending with another (UNLOCK, PROPPATCH), and one another ends with (LOCK, PATCH). */
const endsWithMethod = (m: string) => http.METHODS.some((o) => o !== m && m.endsWith(o))
const endOfMethod = (m: string) => http.METHODS.some((o) => o !== m && o.endsWith(m))

/**
 * A request target holding raw bytes above 0x7F (`GET /é?a=é`, UTF-8 or not): Go's server takes
 * them (url.ParseRequestURI refuses only control bytes), llhttp refuses them (HPE_INVALID_URL),
 * insecureHTTPParser or not. The request line is written again with those bytes escaped (`%C3%A9`,
 * which Go's URL.Path reads as the same bytes) and the parser, re-armed, reads on from it: the
 * request is served like any other, body and keep-alive included. Only where the line is surely
 * the request's own: whole in the packet, its method one llhttp knows, not the end of another
 * method's name where bytes before it could be that name's start.
 */
export function reparsedRawByteTarget(server: Server, error: Error, socket: Duplex): boolean {
  const failure = error as Error & { code?: string; rawPacket?: Buffer; bytesParsed?: number }
  const parser = (socket as Duplex & { parser?: NodeParser }).parser
  const packet = failure.rawPacket
  if (failure.code !== 'HPE_INVALID_URL' || !parser || !packet || failure.bytesParsed === undefined)
    return false
  const start = packet.lastIndexOf(10, failure.bytesParsed) + 1
  const end = packet.indexOf('\r\n', start)
  if (end === -1) return false
  const line = RAW_BYTE_LINE.exec(packet.subarray(start, end).toString('latin1'))
  if (line === null) return false
  const method = methodAtEnd(line[1] as string)
  if (method === undefined || method === 'CONNECT') return false
  // The bytes before a method may be the end of the previous body (UN|LOCK), and a line starting
  // a packet but the connection's first may have begun in the one before (PROP|PATCH).
  const first = (socket as Socket).bytesRead === packet.length
  if (endsWithMethod(method) || (start === 0 && !first && endOfMethod(method))) return false
  const target = escapeRawBytes(line[2] as string)
  const rewritten = Buffer.concat([
    Buffer.from(`${method} ${target} ${line[3]}`, 'latin1'),
    packet.subarray(end),
  ])
  const connections = Object.getOwnPropertySymbols(server).find(
    (k) => k.description === 'http.server.connections',
  )
  parser._headers = []
  parser._url = ''
  parser.initialize(
    parser.constructor.REQUEST,
    { type: 'HTTPINCOMINGMESSAGE', socket },
    (server as Server & { maxHeaderSize?: number }).maxHeaderSize || 0,
    parser.constructor.kLenientNone,
    connections === undefined ? undefined : (server as unknown as Record<symbol, unknown>)[connections],
  )
  if (!rawTargets.has(socket)) rawTargetsPending += 1
  rawTargets.set(socket, line[2] as string)
  if (!closeWatched.has(socket)) {
    closeWatched.add(socket)
    socket.once('close', () => forgetRawTarget(socket))
  }
  const parsed = parser.execute(rewritten)
  // What llhttp refuses in the rest is answered as any parse error (a control byte), or read again
  // (another raw-byte target pipelined behind): node:http's 'clientError' carries the packet.
  if (parsed instanceof Error)
    server.emit('clientError', Object.assign(parsed, { rawPacket: rewritten }), socket)
  return true
}

/** The target as sent of a request line reparsedRawByteTarget wrote again, until its request comes. */
const rawTargets = new WeakMap<object, string>()
let rawTargetsPending = 0
const closeWatched = new WeakSet<object>()

function forgetRawTarget(socket: object): string | undefined {
  const raw = rawTargets.get(socket)
  if (raw === undefined) return undefined
  rawTargets.delete(socket)
  rawTargetsPending -= 1
  return raw
}

/** Go's RequestURI of a request whose target reparsedRawByteTarget escaped: the bytes as sent. */
export function keepRawTarget(req: IncomingMessage): void {
  if (rawTargetsPending === 0) return
  const raw = forgetRawTarget(req.socket)
  if (raw !== undefined) rememberRequestUri(req, raw)
}

/** A request line whose target holds a byte above 0x7F. */
const RAW_BYTE_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S*[\x80-\xff]\S*) (HTTP\/[0-9]\.[0-9])$/
