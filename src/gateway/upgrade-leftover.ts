// llhttp stops reading a packet at the end of a request that asks to switch protocols (an Upgrade
// header and `upgrade` among the Connection tokens), and node:http, with no 'upgrade' listener,
// serves that request like any other but drops what the packet held after it: a request pipelined
// behind it vanished, or the first bytes of the next one. And until the next request's head is read,
// llhttp's switch flag stays set, under which node:http reports no parse error: a malformed request
// after it got no 400, its connection hung. Go's server (KrakenD) switches protocols only when a
// handler takes the connection over, so it reads on and answers both. Here the bytes llhttp left are
// put back in front of the connection's stream (as the listener puts back a connection's first
// packet), and a parse error in that window is read again by a parser of its own and reported.
import type { IncomingMessage, Server } from 'node:http'
import type { Socket } from 'node:net'
import { H2_PREFACE } from './h2-preface.ts'

interface NodeHttpParser {
  execute(packet: Buffer): number | Error
  /** The connection the parser reads for now (node:http pools its parsers: null while free). */
  socket: Socket | null
  /** A copy of the packet being read (only while the parser reports on one read from the socket's handle). */
  getCurrentBuffer(): Buffer
  initialize(type: number, resource: object, maxHeaderSize: number, lenientFlags: number): void
  close(): void
  [callback: number]: unknown
}

interface NodeHttpParserClass {
  new (): NodeHttpParser
  REQUEST: number
  kOnExecute: number
}

type ParsedSocket = Socket & {
  parser?: NodeHttpParser | null
  _paused?: boolean
  server?: Server & { maxHeaderSize?: number }
}

/** The request llhttp may stop after, per connection, until a parse past its end has been looked at. */
const mayStopAfter = new WeakMap<Socket, IncomingMessage>()
/** The bytes read since such a request ended, while llhttp's switch flag hides parse errors. */
const readSinceSwitchAsked = new WeakMap<Socket, Buffer[]>()

/** Called for each request node:http hands over (during the parse: its head has been read). */
export function noteRequest(req: IncomingMessage): void {
  readSinceSwitchAsked.delete(req.socket)
  if (req.headers.upgrade !== undefined) mayStopAfter.set(req.socket, req)
}

/** Parsers whose execute reads on already (node:http reuses a parser for connection after connection). */
const readingOn = new WeakSet<NodeHttpParser>()

/** Makes the parser node:http gave `socket` read on after a request asking to switch protocols. */
export function readOnAfterUpgradeRequests(socket: Socket): void {
  const parser = (socket as ParsedSocket).parser
  if (!parser) return
  // Packets the stream hands over ('data': the first one, put back by the listener)... The wrapper
  // stays on the pooled parser: put on once, it reads for the connection the parser serves now (a
  // wrapper per connection piled up until the stack overflowed, the process with it).
  if (!readingOn.has(parser)) {
    readingOn.add(parser)
    const execute = parser.execute
    parser.execute = function (this: NodeHttpParser, packet: Buffer) {
      const read = execute.call(this, packet)
      if (this.socket) afterRead(this.socket, read, () => packet)
      return read
    }
  }
  // ...and those the parser reads straight from the socket's handle, reported through this callback
  // (node:http sets it anew for each connection).
  const { kOnExecute } = parser.constructor as NodeHttpParserClass
  const report = parser[kOnExecute]
  if (typeof report !== 'function') return
  parser[kOnExecute] = (read: number | Error) => {
    afterRead(socket, read, () => parser.getCurrentBuffer())
    return report(read)
  }
}

function afterRead(socket: ParsedSocket, read: number | Error, packet: () => Buffer): void {
  if (typeof read !== 'number') return
  const asked = mayStopAfter.get(socket)
  if (asked?.complete) {
    mayStopAfter.delete(socket)
    readSinceSwitchAsked.set(socket, [])
    const bytes = packet()
    if (read < bytes.length) putBack(socket, bytes.subarray(read))
    return
  }
  const since = readSinceSwitchAsked.get(socket)
  if (since === undefined) return
  const bytes = packet()
  // Blank lines before a request, which llhttp skips, are not kept (a stream of them grew the heap).
  const kept = since.length === 0 ? bytes.subarray(blankLinesAt(bytes)) : bytes
  if (kept.length > 0) since.push(kept)
  // llhttp stopped before the packet's end without a request to switch: a parse error it kept quiet.
  // At the h2 preface it stops only after reading it whole: the connection hung when nothing followed.
  if (read < bytes.length || startsWithH2Preface(since)) {
    readSinceSwitchAsked.delete(socket)
    reportParseError(socket, Buffer.concat(since))
  }
}

/** Whether the bytes in `chunks` start with the h2 preface (its 24 bytes looked at, nothing more copied). */
function startsWithH2Preface(chunks: Buffer[]): boolean {
  let at = 0
  for (const chunk of chunks) {
    const n = Math.min(chunk.length, H2_PREFACE.length - at)
    if (!chunk.subarray(0, n).equals(H2_PREFACE.subarray(at, at + n))) return false
    at += n
    if (at === H2_PREFACE.length) return true
  }
  return false
}

/** How many CR and LF bytes `bytes` starts with. */
function blankLinesAt(bytes: Buffer): number {
  let at = 0
  while (at < bytes.length && (bytes[at] === 13 || bytes[at] === 10)) at++
  return at
}

function putBack(socket: ParsedSocket, unread: Buffer): void {
  // node:http goes on with the packet it was given; the bytes go back in once it is done with it,
  // before anything else the stream holds.
  const flowing = socket.readableFlowing === true
  if (flowing) socket.pause()
  process.nextTick(() => {
    if (socket.destroyed || !socket.parser) return
    socket.unshift(unread)
    if (flowing && !socket._paused) socket.resume()
  })
}

/** The error node:http would have reported for `bytes` (a request's start), as its 'clientError'. */
function reportParseError(socket: ParsedSocket, bytes: Buffer): void {
  const parser = socket.parser
  const server = socket.server
  if (!parser || !server) return
  const Parser = parser.constructor as NodeHttpParserClass
  const fresh = new Parser()
  fresh.initialize(Parser.REQUEST, {}, server.maxHeaderSize ?? 0, 0)
  const error = fresh.execute(bytes)
  fresh.close()
  // No error: llhttp stopped for a reason node:http acts on itself (a CONNECT it hands over, a
  // request after which the connection closes); the answers under way go out.
  if (!(error instanceof Error)) return
  Object.assign(error, { rawPacket: bytes })
  server.emit('clientError', error, socket)
}
