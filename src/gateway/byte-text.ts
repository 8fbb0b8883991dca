// Bytes that are not UTF-8 carried in text. Go keeps a request's bytes as they are (a gin path
// parameter from `/e/%FF` is the byte 0xFF, and lura writes it to the backend as `%FF`); a JS string
// holds text. A byte that is not part of a UTF-8 sequence is held as the lone surrogate
// U+DC80..U+DCFF (the "surrogateescape" of Python), which no text decoded from UTF-8 holds, so
// writing the text back as bytes gives the client's bytes again.
import { compareGoKeys } from './go-json-order.ts'

const ESCAPED_BYTE = /[\udc80-\udcff]/
const ESCAPED_BYTES = /[\udc80-\udcff]/g
const NON_ASCII = /[\u0080-\uffff]/

/** Bytes (one character per byte) as text: UTF-8 sequences decoded as Go's utf8.DecodeRune takes them, other bytes escaped. */
export function textOfBytes(bytes: string): string {
  if (!NON_ASCII.test(bytes)) return bytes
  let out = ''
  let i = 0
  while (i < bytes.length) {
    const b0 = bytes.charCodeAt(i)
    if (b0 < 0x80) {
      out += bytes[i]
      i += 1
      continue
    }
    const size = utf8SequenceSize(bytes, i)
    if (size === 0) {
      out += String.fromCharCode(0xdc00 | b0)
      i += 1
    } else {
      out += Buffer.from(bytes.slice(i, i + size), 'latin1').toString('utf8')
      i += size
    }
  }
  return out
}

/** The length of the valid UTF-8 sequence at i (Go's rules: no overlong form, no surrogate, up to U+10FFFF), or 0. */
function utf8SequenceSize(bytes: string, i: number): number {
  const b0 = bytes.charCodeAt(i)
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const b = bytes.charCodeAt(i + k)
    return b >= lo && b <= hi
  }
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const lo = b0 === 0xe0 ? 0xa0 : 0x80
    const hi = b0 === 0xed ? 0x9f : 0xbf
    return cont(1, lo, hi) && cont(2) ? 3 : 0
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const lo = b0 === 0xf0 ? 0x90 : 0x80
    const hi = b0 === 0xf4 ? 0x8f : 0xbf
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0
  }
  return 0
}

/** Text as its bytes, one character per byte: UTF-8, escaped bytes (see textOfBytes) as they were. */
export function bytesOfText(text: string): string {
  if (!NON_ASCII.test(text)) return text
  if (!ESCAPED_BYTE.test(text)) return Buffer.from(text, 'utf8').toString('latin1')
  let out = ''
  let last = 0
  for (const match of text.matchAll(ESCAPED_BYTES)) {
    out += Buffer.from(text.slice(last, match.index), 'utf8').toString('latin1')
    out += String.fromCharCode(text.charCodeAt(match.index) & 0xff)
    last = match.index + 1
  }
  return out + Buffer.from(text.slice(last), 'utf8').toString('latin1')
}

/** Whether text holds a byte that is not UTF-8 (see textOfBytes). */
export const hasEscapedByte = (text: string): boolean => ESCAPED_BYTE.test(text)

/** Go's order of two strings, their bytes compared (escaped bytes as they were): below, at or above 0. */
export function compareGoText(a: string, b: string): number {
  if (!ESCAPED_BYTE.test(a) && !ESCAPED_BYTE.test(b)) return compareGoKeys(a, b)
  return Buffer.compare(goTextBytes(a), goTextBytes(b))
}

/** Text as Go's decoding of its bytes reads it: each escaped byte is one U+FFFD (utf8.RuneError). */
export const runesOfText = (text: string): string =>
  ESCAPED_BYTE.test(text) ? text.replace(ESCAPED_BYTES, '\ufffd') : text

/** Text as the bytes of a Go string (escaped bytes as they were). */
export const goTextBytes = (text: string): Buffer => Buffer.from(bytesOfText(text), 'latin1')

/** Go's a + b: where an escaped byte is in either, the bytes joined are read again (E6 + 97 A5 is 日). */
export const joinGoText = (a: string, b: string): string =>
  ESCAPED_BYTE.test(a) || ESCAPED_BYTE.test(b) ? textOfBytes(bytesOfText(a) + bytesOfText(b)) : a + b
