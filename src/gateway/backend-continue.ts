// A backend answer's head as Go's transport reads it, before undici's parser reads it: Go's
// readResponse reads the head by its own rules (backend-answer-head.ts: a head undici would read
// otherwise goes on as Go read it, or the call fails with Go's error), skips every informational
// (1xx) answer but 101 and reads the final one. undici fails the call on a 100 it did not ask for
// (it never sends Expect: 100-continue), and on a status under 100, where KrakenD answers.
//
// A `101 Switching Protocols` answer is Go's final answer (a switched connection as its body when
// its headers say so, none otherwise); undici fails a 101 to a request it did not upgrade. Its head
// is handed to undici as a 200 marked SWITCHED_MARK (a switch: its body the connection's bytes until
// they end; otherwise no body and the connection closed, as Go's transport closes it), and the
// client takes the mark off again (switchedStatus). A status under 100 goes the same way.
import type { Socket } from 'node:net'
import { type GoHead, readAnswerHead, TransportBrokenError, undiciHead } from './backend-answer-head.ts'
import { GoChunkLines } from './backend-answer-head-chunks.ts'
import { plainHead } from './backend-answer-head-scan.ts'
import { BodyReadError } from './backend-gzip.ts'
import { GO_NET_TEXT, goTcpAddress } from './go-http.ts'
import { cryptoModule } from './libraries.ts'

/** The mark's header; its values carry a token of this process, which no backend can send. */
const SWITCHED_MARK = 'x-gateway-switching-protocols'
let marks: { switch: string; close: string; status: string } | undefined
/** The mark's values, made at the first 101 (node:crypto stays unloaded until then). */
const markValues = () => {
  if (marks) return marks
  const token = cryptoModule().randomBytes(12).toString('hex')
  marks = { switch: `${token} switch`, close: `${token} close`, status: `${token} status ` }
  return marks
}
/** Past this many bytes without the head's end, the bytes go to undici as they are. */
const MAX_HEAD_BYTES = 1024 * 1024

/**
 * Watches what undici reads of a backend socket (it reads with `socket.read()` on 'readable'):
 * from each request head on, the answer's head is read as Go's transport reads it before undici
 * sees it. A plain head (plainHead) goes on as it came; another one goes on as Go read it
 * (undiciHead), or the call fails with Go's error; informational heads are dropped, a 101 marked.
 * Returns what to call as each request head goes out.
 */
export function readingAnswerHeads(socket: Socket): () => void {
  let atAnswerStart = false
  /** Bytes of an answer's head that has not ended yet. */
  let held: Buffer | undefined
  /** Bytes of the answer came (an informational head): an end now is Go's `unexpected EOF`. */
  let answerBegun = false
  const read = socket.read as (size?: number) => Buffer | null
  const refuse = (reason: string) => {
    atAnswerStart = false
    held = undefined
    socket.destroy(new TransportBrokenError(reason))
  }
  /** The chunk-size lines of a chunked answer's body, read as Go reads them. */
  let chunks: GoChunkLines | undefined
  /** Go's reader failed in the body: nothing after it reaches undici. */
  let bodyFailed = false
  const bodyBytes = (bytes: Buffer): Buffer | null => {
    if (bodyFailed) return null
    if (chunks === undefined) return bytes
    const read = chunks.read(bytes)
    if (read.error !== undefined) {
      // undici reads what came before first (its head and data, as Go's reader returns them)
      bodyFailed = true
      const error = new BodyReadError(read.error)
      process.nextTick(() => socket.destroy(error))
    }
    return read.bytes.length === 0 ? null : read.bytes
  }
  socket.read = function (this: Socket, size?: number) {
    const chunk = read.call(this, size)
    if (chunk === null) return chunk
    if (!atAnswerStart || bodyFailed) return bodyBytes(chunk)
    let bytes = held === undefined ? chunk : Buffer.concat([held, chunk])
    held = undefined
    const out: Buffer[] = []
    while (bytes.length > 0) {
      const end = bytes.indexOf('\r\n\r\n')
      const plain = end === -1 ? false : plainHead(bytes, end)
      if (plain !== false) {
        atAnswerStart = false
        if (plain === 'plain') out.push(bytes)
        else {
          chunks = new GoChunkLines()
          const rest = bytes.subarray(end + 4)
          const body = bodyBytes(rest)
          if (body === rest || (body === null && rest.length === 0)) out.push(bytes)
          else out.push(bytes.subarray(0, end + 4), ...(body === null ? [] : [body]))
        }
        break
      }
      const head = readAnswerHead(bytes, false)
      if (head.kind === 'more') {
        if (bytes.length > MAX_HEAD_BYTES) {
          atAnswerStart = false
          out.push(bytes)
        } else held = bytes
        break
      }
      if (head.kind === 'refused') {
        refuse(head.reason)
        return null
      }
      const rest = bytes.subarray(head.end)
      if (head.status >= 100 && head.status <= 199 && head.status !== 101) {
        // Go's readResponse reads the next head after an informational one
        answerBegun = true
        bytes = rest
        continue
      }
      atAnswerStart = false
      out.push(Buffer.from(handedHead(head), 'latin1'))
      if (head.chunked) chunks = new GoChunkLines()
      const body = bodyBytes(rest)
      if (body !== null) out.push(body)
      break
    }
    return out.length === 0 ? null : out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out)
  } as Socket['read']
  // A reset: Go's net.OpError names the connection's addresses (read while it was connected), and
  // the transport wraps it as for any broken head. Once bytes of a head came, Go's bufio loses the
  // reset (ReadLine returns the line it has, textproto's Peek takes the error): the head then
  // reads as ended there.
  let addresses: string | undefined
  socket.on('error', (error: NodeJS.ErrnoException & { [GO_NET_TEXT]?: string }) => {
    if (error.code !== 'ECONNRESET' || error.syscall !== 'read' || addresses === undefined) return
    const text = `read tcp ${addresses}: read: connection reset by peer`
    if (!atAnswerStart || (held === undefined && !answerBegun)) error[GO_NET_TEXT] = text
    else if (held === undefined) error[GO_NET_TEXT] = new TransportBrokenError(text).message
    else {
      const head = readAnswerHead(held, true)
      error[GO_NET_TEXT] = new TransportBrokenError(
        head.kind === 'refused' ? head.reason : 'unexpected EOF',
      ).message
    }
  })
  // The connection ended inside a head (or right after an informational one): Go's error, where
  // undici would say `other side closed` (EOF, which Go says only when no byte of the answer came).
  socket.on('end', () => {
    if (!atAnswerStart || (held === undefined && !answerBegun)) return
    const head = held === undefined ? undefined : readAnswerHead(held, true)
    refuse(head?.kind === 'refused' ? head.reason : 'unexpected EOF')
  })
  return () => {
    atAnswerStart = true
    answerBegun = false
    chunks = undefined
    addresses ??= `${goTcpAddress(socket.localAddress, socket.localPort)}->${goTcpAddress(socket.remoteAddress, socket.remotePort)}`
  }
}

/** A head Go read as undici reads it: a 101 marked, a status under 100 (undici refuses those) too. */
function handedHead(head: GoHead): string {
  if (head.status === 101) return markedHead(undiciHead(head).slice(0, -4))
  if (head.status < 100)
    return undiciHead(head, 200, [`${SWITCHED_MARK}: ${markValues().status}${head.status}`])
  return undiciHead(head)
}

/**
 * A 101 head (without its blank line) as a 200 undici reads: the backend's framing lines go (Go
 * reads no length for a 1xx), the mark says which kind it was; one that switches nothing gets an
 * empty body and `connection: close`.
 */
function markedHead(head: string): string {
  const lines = head.split('\r\n').slice(1)
  const kept = lines.filter((line) => !/^(content-length|transfer-encoding)[ \t]*:/i.test(line))
  const values = (name: string) =>
    lines
      .filter((line) => line.toLowerCase().startsWith(`${name}:`))
      .map((line) => line.slice(name.length + 1).trim())
  // Go's isProtocolSwitchHeader: an Upgrade value and `upgrade` among the Connection tokens.
  const switches =
    (values('upgrade')[0] ?? '') !== '' &&
    values('connection').some((v) => v.split(',').some((t) => t.trim().toLowerCase() === 'upgrade'))
  const tail = switches
    ? [`${SWITCHED_MARK}: ${markValues().switch}`]
    : [`${SWITCHED_MARK}: ${markValues().close}`, 'content-length: 0', 'connection: close']
  return `HTTP/1.1 200 OK\r\n${[...kept, ...tail].join('\r\n')}\r\n\r\n`
}

/**
 * The status of an answer undici read: 101 for a marked one, whose mark (and the `connection:
 * close` added to end it) come off its headers; a status under 100 Go read (`HTTP/1.1 099`) for
 * one marked with it.
 */
export function switchedStatus(
  status: number,
  headers: Record<string, string | string[] | undefined>,
): number {
  const mark = headers[SWITCHED_MARK]
  if (mark === undefined || marks === undefined || typeof mark !== 'string') return status
  if (mark.startsWith(marks.status)) {
    delete headers[SWITCHED_MARK]
    return Number(mark.slice(marks.status.length))
  }
  if (mark !== marks.switch && mark !== marks.close) return status
  delete headers[SWITCHED_MARK]
  if (mark === marks.close) {
    const connection = headers.connection
    if (Array.isArray(connection))
      headers.connection = connection.length === 2 ? connection[0] : connection.slice(0, -1)
    else delete headers.connection
  }
  return 101
}
