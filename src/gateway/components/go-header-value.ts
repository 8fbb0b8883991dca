import type { KeyPath } from '../../core/source-text.ts'
import { bytesOfText } from '../byte-text.ts'
import type { Fields } from './fields.ts'

const NON_ASCII = /[\u0080-\uffff]/

/**
 * A configured string as Go's server writes it in a response header (Header.writeSubset): its
 * UTF-8 bytes (one latin1 character each, as Node writes header values), CR and LF as spaces, and
 * no spaces or tabs around it (textproto.TrimString).
 */
export function goHeaderValue(text: string): string {
  if (/^[!-~]([ -~]*[!-~])?$/.test(text)) return text
  return goH1Bytes(utf8Bytes(text))
}

const goH1Bytes = (bytes: string) => bytes.replace(/[\r\n]/g, ' ').replace(/^[ \t]+|[ \t]+$/g, '')

/**
 * A configured string as Go's HTTP/2 server writes it: its UTF-8 bytes as they are (no trimming),
 * or nothing at all for a value with CR or LF (httpguts.ValidHeaderFieldValue fails, the field is
 * dropped).
 */
export function goH2HeaderValue(text: string): string | undefined {
  return /[\r\n]/.test(text) ? undefined : utf8Bytes(text)
}

/** A configured string as the bytes Go compares with a request's (one latin1 character per byte). */
export const utf8Bytes = (text: string): string =>
  NON_ASCII.test(text) ? Buffer.from(text, 'utf8').toString('latin1') : text

/** Control characters Go writes in a header as they are and node:http refuses to write (CR, LF and tab aside). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the bytes node:http refuses in a header value
const UNWRITABLE = /[\0-\x08\x0b\x0c\x0e-\x1f\x7f]/

/** Reports a configured header value this runtime cannot write as KrakenD does. */
export function checkHeaderText(f: Fields, key: string, value: string, at: KeyPath = f.at(key)): void {
  if (UNWRITABLE.test(value))
    f.report.error(
      at,
      `"${key}" holds a control character: KrakenD writes it into the response header as it is, which this runtime cannot`,
      'remove the control character',
    )
}

/**
 * A script's header value (bytes, one character each) as Go's server writes it, or undefined where
 * it is left out: over HTTP/1.1 as goHeaderValue; over HTTP/2 a value with a control character other
 * than tab is dropped (encodeHeaders). The control characters Go writes raw over HTTP/1.1, a head
 * clients refuse, node:http cannot write: that value is left out too.
 */
export function goWrittenHeaderValue(bytes: string, http1: boolean): string | undefined {
  const value = http1 ? goH1Bytes(bytes) : bytes
  return UNWRITABLE.test(value) || (!http1 && /[\r\n]/.test(value)) ? undefined : value
}

/**
 * custom_error's content type as Go's server writes the line gin adds: the script's bytes, over
 * HTTP/1.1 CR and LF as spaces; undefined where Go's HTTP/2 server drops it or where Go writes a
 * control byte raw, which node:http cannot (goWrittenHeaderValue). (Here, not with the Lua errors:
 * endpoint answers write a lua-backend's without loading the Lua runtime.)
 */
export function writtenContentType(type: string, http1: boolean): string | undefined {
  return goWrittenHeaderValue(bytesOfText(type), http1)
}
