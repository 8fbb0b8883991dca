// A backend's `100 Continue` before its answer, read as Go's transport reads it: Go's readResponse
// skips every informational (1xx) answer but 101 and reads the final one. undici skips the other
// 1xx itself but fails the call on a 100 it did not ask for (it never sends Expect: 100-continue):
// "bad response", where KrakenD answers. So 100 heads at the start of an answer are taken off the
// socket's bytes before undici's parser reads them.
//
// A `101 Switching Protocols` answer is Go's final answer (a switched connection as its body when
// its headers say so, none otherwise); undici fails a 101 to a request it did not upgrade. Its head
// is handed to undici as a 200 marked SWITCHED_MARK (a switch: its body the connection's bytes until
// they end; otherwise no body and the connection closed, as Go's transport closes it), and the
// client takes the mark off again (switchedStatus).
import type { Socket } from 'node:net'
import { cryptoModule } from './libraries.ts'

/** The mark's header; its values carry a token of this process, which no backend can send. */
const SWITCHED_MARK = 'x-gateway-switching-protocols'
let marks: { switch: string; close: string } | undefined
/** The mark's values, made at the first 101 (node:crypto stays unloaded until then). */
const markValues = () => {
  if (marks) return marks
  const token = cryptoModule().randomBytes(12).toString('hex')
  marks = { switch: `${token} switch`, close: `${token} close` }
  return marks
}
const SWITCHED_LINE = /^HTTP\/1\.[0-9] 101[ \r]/

const CONTINUE_LINE = /^HTTP\/1\.[0-9] 100[ \r]/
/** `HTTP/1.x 100` and the byte after it: enough to tell a 100 head from any other. */
const STATUS_PREFIX = 13
/** Past this many bytes without the head's end, the bytes go to undici as they are. */
const MAX_HEAD_BYTES = 64 * 1024

/**
 * Watches what undici reads of a backend socket (it reads with `socket.read()` on 'readable'):
 * from each request head on, `100` answers that come before the next answer are dropped. Returns
 * what to call as each request head goes out.
 */
export function skippingContinue(socket: Socket): () => void {
  let atAnswerStart = false
  let held: Buffer | undefined
  const read = socket.read as (size?: number) => Buffer | null
  socket.read = function (this: Socket, size?: number) {
    const chunk = read.call(this, size)
    if (!atAnswerStart || chunk === null) return chunk
    let bytes = held === undefined ? chunk : Buffer.concat([held, chunk])
    held = undefined
    for (;;) {
      if (bytes.length < STATUS_PREFIX) {
        if (!couldBeContinue(bytes)) break
        held = bytes
        return null
      }
      // The status digits first: most answers are told apart without a string.
      if (bytes[9] !== 0x31 || bytes[10] !== 0x30 || (bytes[11] !== 0x30 && bytes[11] !== 0x31)) break
      const start = bytes.toString('latin1', 0, STATUS_PREFIX)
      const switched = SWITCHED_LINE.test(start)
      if (!switched && !CONTINUE_LINE.test(start)) break
      const end = bytes.indexOf('\r\n\r\n')
      if (end === -1) {
        if (bytes.length > MAX_HEAD_BYTES) break
        held = bytes
        return null
      }
      if (switched) {
        atAnswerStart = false
        return Buffer.concat([
          Buffer.from(markedHead(bytes.toString('latin1', 0, end)), 'latin1'),
          bytes.subarray(end + 4),
        ])
      }
      bytes = bytes.subarray(end + 4)
      if (bytes.length === 0) return null
    }
    atAnswerStart = false
    return bytes
  } as Socket['read']
  return () => {
    atAnswerStart = true
  }
}

/** Whether the first bytes of an answer may still begin `HTTP/1.x 100 ` (or `101 `). */
function couldBeContinue(bytes: Buffer): boolean {
  const model = 'HTTP/1.0 100 '
  for (let i = 0; i < bytes.length; i += 1) {
    const c = bytes[i] as number
    if (
      i === 7 || i === 11
        ? c < 0x30 || c > 0x39
        : i === 12
          ? c !== 0x20 && c !== 0x0d
          : c !== model.charCodeAt(i)
    )
      return false
  }
  return true
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
 * close` added to end it) come off its headers.
 */
export function switchedStatus(
  status: number,
  headers: Record<string, string | string[] | undefined>,
): number {
  const mark = headers[SWITCHED_MARK]
  if (mark === undefined || marks === undefined || (mark !== marks.switch && mark !== marks.close))
    return status
  delete headers[SWITCHED_MARK]
  if (mark === marks.close) {
    const connection = headers.connection
    if (Array.isArray(connection))
      headers.connection = connection.length === 2 ? connection[0] : connection.slice(0, -1)
    else delete headers.connection
  }
  return 101
}
