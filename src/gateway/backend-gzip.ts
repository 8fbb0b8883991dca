// How a backend's gzip answer is undone, as Go's transport and lura do it: the transport
// decompresses the gzip it asked for when the answer has a body (Content-Encoding `gzip` in any
// case); lura's response parser then decompresses a 200/201 still marked exactly `gzip`.
import type { Hop } from './backend-client.ts'
import type { BodyRead } from './backend-collect.ts'
import { FirstValueScanner, NEEDS_MORE } from './go-json-scanner.ts'
import { type GzipMembers, goRefusalOfInflated, gzipMembers } from './gzip-members.ts'
import { zlibModule } from './libraries.ts'
import { RootEndScanner } from './xml-root-end.ts'

const firstValue = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)

/** Go's transport undoes a gzip it asked for on `Content-Encoding: gzip` in any case (x-gzip is not gzip to it). */
export function isGzip(headers: Record<string, string | string[] | undefined>): boolean {
  const encoding = firstValue(headers['content-encoding'])
  return encoding !== undefined && encoding.length === 4 && encoding.toLowerCase() === 'gzip'
}

/**
 * Whether Go's transport hands up a body to decompress: not for HEAD, 1xx, 204, 304 or a
 * `Content-Length: 0` (it leaves those answers' Content-Encoding in place).
 */
export function goHasBody(
  status: number,
  method: string,
  headers: Record<string, string | string[] | undefined>,
) {
  if (method === 'HEAD' || status < 200 || status === 204 || status === 304) return false
  const length = firstValue(headers['content-length'])
  return length === undefined || !/^\s*0+\s*$/.test(length)
}

/**
 * A buffered answer's body as lura reads it. Go's transport decompresses a gzip answer with a body
 * when it asked for gzip itself (`byTransport`; not when the client's Accept-Encoding went out);
 * a read error there leaves a status handler an empty body (io.ReadAll's error is dropped) and
 * fails a 200/201's decoding. lura's own response parser then decompresses a 200/201 whose
 * Content-Encoding is still exactly `gzip` (an empty one fails with EOF).
 */
export async function undoGzip(
  hop: Hop<Buffer>,
  method: string,
  limit: number,
  byTransport: boolean,
): Promise<Buffer> {
  const success = hop.statusCode === 200 || hop.statusCode === 201
  if (byTransport && isGzip(hop.headers) && goHasBody(hop.statusCode, method, hop.headers)) {
    if (hop.decoded) return hop.decoded
    // Go's gzip reader meets EOF before a header: an empty body, no error
    if (hop.answer.length === 0) return hop.answer
    try {
      return await gunzipLimited(hop.answer, limit)
    } catch (error) {
      if (!success && isGzipDataError(error)) return Buffer.alloc(0)
      const salvaged = salvage(hop, error, limit)
      if (salvaged) return salvaged
      const go = goGzipError(error, hop.answer)
      // the decoder met it while reading the body Go's transport decompressed
      if (go instanceof Error && isGzipDataError(error)) throw new BodyReadError(go.message)
      throw go
    }
  }
  if (!success || firstValue(hop.headers['content-encoding']) !== 'gzip') return hop.answer
  if (hop.decoded) return hop.decoded
  if (hop.answer.length === 0) throw new Error('EOF')
  return gunzipLimited(hop.answer, limit).catch((error) => {
    const salvaged = salvage(hop, error, limit)
    if (salvaged) return salvaged
    throw goGzipError(error, hop.answer)
  })
}

/**
 * A body zlib refuses whole that Go reads member by member: its whole members' bytes when Go's read
 * ends cleanly or lura's decoder stops before the read error (a whole first JSON value, an XML root
 * element's end); undefined otherwise. The read error itself in Go's words.
 */
function salvage(hop: Hop<Buffer>, error: unknown, limit: number): Buffer | undefined {
  if (!isGzipDataError(error)) return undefined
  const members = gzipMembers(hop.answer, limit)
  if (!members) return undefined
  if (members.error === '' || decoderStops(hop.bodyRead, members)) return members.out
  throw new BodyReadError(members.error)
}

/**
 * A gzip body a json.Decoder reads to its first value: what Go's gzip.Reader hands up, its read
 * error unseen when that value is whole before it.
 */
export async function gunzipFirstJsonValue(bytes: Buffer, limit: number): Promise<Buffer> {
  try {
    return await gunzipLimited(bytes, limit)
  } catch (error) {
    const members = isGzipDataError(error) ? gzipMembers(bytes, limit) : undefined
    if (members && decoderStops('first-json-value', members)) return members.out
    throw error
  }
}

/**
 * Whether lura's decoder is done before it meets the read error: json.Decoder scans what a Read
 * returned before its error; gofeed's detector reads the body whole, dropping the error, and its
 * JSON feed parser reads those bytes again the same way (its XML ones read on, through a
 * bufio.Reader, to the root's end); mxj reads byte by byte, so an error that comes with the last
 * byte loses that byte.
 */
function decoderStops(read: BodyRead | undefined, { out, withLastByte }: GzipMembers): boolean {
  if (read === 'first-json-value') return new FirstValueScanner().feed(out) !== NEEDS_MORE
  if (read === 'feed-root') return detectedAsJsonFeed(out) || new RootEndScanner().feed(out) >= 0
  if (read !== 'root-element') return false
  const end = new RootEndScanner().feed(out)
  return end >= 0 && end <= out.length - (withLastByte ? 1 : 0)
}

/** Bytes gofeed's detector skips before a feed's first character: whitespace and byte order marks' bytes. */
const DETECTOR_SKIPS = new Set([0x20, 0x0d, 0x0a, 0x09, 0xfe, 0xff, 0x00, 0xef, 0xbb, 0xbf])

/** gofeed's detector sees a JSON feed: `{` first (rss-json-feed.ts reads it). */
function detectedAsJsonFeed(out: Buffer): boolean {
  for (const byte of out) if (!DETECTOR_SKIPS.has(byte)) return byte === 0x7b
  return false
}

const isGzipDataError = (error: unknown) => {
  const code = (error as { code?: string })?.code
  return code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR'
}

/** A read error of a body Go's transport decompresses: a decoder wraps it its own way (xml's Token()). */
export class BodyReadError extends Error {}

/** zlib's gunzip error worded as Go's gzip.Reader's (which reads the 10-byte header first). */
function goGzipError(error: unknown, input: Buffer): unknown {
  if (!isGzipDataError(error)) return error
  const message = (error as Error).message
  if (input.length < 10 || message === 'unexpected end of file') return new Error('unexpected EOF')
  if (message === 'incorrect header check') return new Error('gzip: invalid header')
  if (message === 'incorrect data check') return new Error('gzip: invalid checksum')
  return error
}

/** A whole gzip body inflated, refused where Go's gzip.Reader fails a read that zlib makes. */
function gunzipLimited(bytes: Buffer, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    zlibModule().gunzip(bytes, { maxOutputLength: limit, info: true }, (error, result) => {
      if (error) return reject(error)
      const { buffer, engine } = result as unknown as { buffer: Buffer; engine: { bytesWritten: number } }
      const refused = goRefusalOfInflated(bytes, buffer, engine.bytesWritten, limit)
      if (refused === undefined) resolve(buffer)
      else reject(new GoGzipReadError(refused))
    }),
  )
}

/** A read error of Go's gzip reader where zlib read on; coded as zlib's data errors are. */
class GoGzipReadError extends Error {
  readonly code = 'Z_DATA_ERROR'
}
