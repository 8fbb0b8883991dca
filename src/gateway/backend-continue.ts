// A backend's `100 Continue` before its answer, read as Go's transport reads it: Go's readResponse
// skips every informational (1xx) answer but 101 and reads the final one. undici skips the other
// 1xx itself but fails the call on a 100 it did not ask for (it never sends Expect: 100-continue):
// "bad response", where KrakenD answers. So 100 heads at the start of an answer are taken off the
// socket's bytes before undici's parser reads them.
import type { Socket } from 'node:net'

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
      if (bytes[9] !== 0x31 || bytes[10] !== 0x30 || bytes[11] !== 0x30) break
      if (!CONTINUE_LINE.test(bytes.toString('latin1', 0, STATUS_PREFIX))) break
      const end = bytes.indexOf('\r\n\r\n')
      if (end === -1) {
        if (bytes.length > MAX_HEAD_BYTES) break
        held = bytes
        return null
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

/** Whether the first bytes of an answer may still begin `HTTP/1.x 100 `. */
function couldBeContinue(bytes: Buffer): boolean {
  const model = 'HTTP/1.0 100 '
  for (let i = 0; i < bytes.length; i += 1) {
    const c = bytes[i] as number
    if (i === 7 ? c < 0x30 || c > 0x39 : i === 12 ? c !== 0x20 && c !== 0x0d : c !== model.charCodeAt(i))
      return false
  }
  return true
}
