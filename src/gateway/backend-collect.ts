// A backend answer read into memory, as the buffered path of backend-client.ts reads it: whole, or
// only as far as lura reads it (see BodyRead).
import { type Hop, isGzip } from './backend-client.ts'
import { switchedStatus } from './backend-continue.ts'
import { BodyReadError } from './backend-gzip.ts'
import { GzipFirstValue } from './backend-gzip-first-value.ts'
import type { Cancellation } from './cancellation.ts'
import { fixPragmaCacheControl, goReason, trimHeaderValues } from './go-http.ts'
import { FAILED_AT, FirstValueScanner, NEEDS_MORE } from './go-json-scanner.ts'
import { RootEndScanner } from './xml-root-end.ts'

type Collected = Omit<Hop<Buffer>, 'discard'>

/**
 * How much of an answer's body lura reads: all of it (the string decoder; `error-body`: a detailed
 * status handler, which reads it into the error), its first JSON value (Go's json.Decoder returns
 * once that value is whole and lura closes the body), up to its root element's end (mxj's XML
 * decoder, which reads byte by byte; `feed-root`: gofeed's, through a bufio.Reader), or none (the
 * default status handler fails a status other than 200/201 without reading the body).
 * `redirect`: what Go's client reads of a redirect it follows, up to 2 KB, nothing when its
 * Content-Length says more. lura answers its client as soon as it has read that much: a body the
 * backend keeps open after it does not hold the answer.
 */
export type BodyRead =
  | 'whole'
  | 'error-body'
  | 'first-json-value'
  | 'root-element'
  | 'feed-root'
  | 'redirect'
  | 'none'

type Headers = Record<string, string | string[] | undefined>
/** How much of an answer is read, from its head (undefined: the whole body, no status handler reading it). */
export type BodyReads = (status: number, headers: Headers) => BodyRead | undefined

/** Go's Client.do slurps at most this much of a redirect's body (maxBodySlurpSize). */
export const REDIRECT_SLURP = 2048

const ok = (status: number) => status === 200 || status === 201
/** lura's decoders: JSON's stops at its first value, XML's and RSS's at the root element's end. */
export type LurasDecoder = 'json' | 'xml' | 'rss' | 'other'
const decoderRead: Record<LurasDecoder, BodyRead> = {
  json: 'first-json-value',
  xml: 'root-element',
  rss: 'feed-root',
  other: 'whole',
}

/**
 * What lura's HTTP proxy reads of a backend's answer, by status: its decoder for 200 and 201, its
 * status handler for the rest (return_error_details and return_error_code read the body into the
 * error).
 */
export function lurasBodyRead(decoder: LurasDecoder, detailedErrors: boolean): (status: number) => BodyRead {
  const decoded = decoderRead[decoder]
  const failed: BodyRead = detailedErrors ? 'error-body' : 'none'
  return (status) => (ok(status) ? decoded : failed)
}

const EMPTY = Buffer.alloc(0)

/**
 * An undici dispatch handler that reads the answer into memory: no stream, no async resource per
 * call (the buffered path is every rendering endpoint's path). A negative limit drops the body.
 * An answer read only in part (see BodyRead) ends there: its connection is closed, as Go's
 * transport closes one whose body is closed before its end.
 */
export class CollectingHandler {
  readonly #cancel: Cancellation
  readonly #limit: number
  readonly #reads: BodyReads | undefined
  readonly #done: (error: Error | null, result?: Collected) => void
  #status = 0
  #reason: string | undefined
  #headers: Record<string, string | string[] | undefined> = {}
  #chunks: Buffer[] = []
  #size = 0
  #removeAbortListener: (() => void) | undefined
  /** Whether the first JSON value is looked for; the scanner is made at the first look. */
  #scanning = false
  #scanner: FirstValueScanner | undefined
  /** Set when the body is read up to its XML root element's end. */
  #rootScanner: RootEndScanner | undefined
  /** A followed redirect's body of unknown length: read up to REDIRECT_SLURP bytes. */
  #slurping = false
  #bodyRead: BodyRead | undefined
  /** A gzip answer is looked at through a streaming gunzip (made at the first look). */
  #gzip = false
  #inflater: GzipFirstValue | undefined
  /** The answer's Content-Length; -1 when it has none. */
  #length = -1
  /** Chunks the scanner has read. */
  #scanned = 0
  #scanQueued = false
  #finished = false
  #controller: { abort(reason: Error): void } | undefined
  #limitError: Error | undefined

  constructor(
    cancel: Cancellation,
    limit: number,
    reads: BodyReads | undefined,
    done: (error: Error | null, result?: Collected) => void,
  ) {
    this.#cancel = cancel
    this.#limit = limit
    this.#reads = reads
    this.#done = done
  }

  onRequestStart(controller: { abort(reason: Error): void }): void {
    this.#removeAbortListener?.()
    this.#removeAbortListener = this.#cancel.onAbort((reason) => controller.abort(reason))
  }

  onResponseStart(
    controller: { abort(reason: Error): void },
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
    reason?: string,
  ): void {
    if (statusCode < 200) return
    statusCode = switchedStatus(statusCode, headers)
    this.#status = statusCode
    this.#reason = reason
    trimHeaderValues(headers)
    fixPragmaCacheControl(headers)
    this.#headers = headers
    const reads = this.#reads?.(statusCode, headers)
    this.#bodyRead = reads
    if (this.#limit < 0) return
    const value = headers['content-length']
    const length = value === undefined ? -1 : Number(Array.isArray(value) ? value[0] : value)
    this.#length = length
    const none = reads === 'none' || (reads === 'redirect' && length > REDIRECT_SLURP)
    if (length > this.#limit) controller.abort(this.#overLimit())
    // An answer without a body ends by itself, its connection kept (Go's NoBody).
    else if (none && length !== 0 && statusCode !== 204 && statusCode !== 304)
      this.#endEarly(controller, EMPTY)
    else if (reads === 'redirect') this.#slurping = length === -1
    // lura reads a gzip body through gzip.NewReader: one that arrives whole is decompressed whole
    // (backend-client); one still coming goes through a streaming gunzip to its first value.
    else if (reads === 'first-json-value') {
      this.#scanning = true
      this.#gzip = isGzip(headers)
      this.#controller = controller
    } else if ((reads === 'root-element' || reads === 'feed-root') && !isGzip(headers)) {
      this.#scanning = true
      this.#rootScanner = new RootEndScanner()
      this.#controller = controller
    }
  }

  onResponseData(controller: { abort(reason: Error): void }, chunk: Buffer): void {
    if (this.#limit < 0 || this.#finished) return
    this.#size += chunk.length
    if (this.#size > this.#limit) {
      controller.abort(this.#overLimit())
      return
    }
    this.#chunks.push(chunk)
    if (this.#slurping && this.#size >= REDIRECT_SLURP) {
      this.#endEarly(controller, this.#bytes().subarray(0, REDIRECT_SLURP))
      return
    }
    // Looked at once undici has parsed what the socket gave: an answer that arrived whole ends
    // before that, unscanned (the common case).
    if (this.#scanning && !this.#scanQueued && this.#size !== this.#length) {
      this.#scanQueued = true
      queueMicrotask(() => this.#scanArrived())
    }
  }

  onResponseEnd(): void {
    if (this.#finished) return
    this.#finished = true
    const inflater = this.#inflater
    const answer = {
      statusCode: this.#status,
      reason: this.#reason,
      headers: this.#headers,
      answer: this.#bytes(),
      bodyRead: this.#bodyRead,
    }
    if (inflater?.running) {
      // The gunzip that looked for the value has most of the body already: its output is the
      // decompressed answer (one gunzip, not two).
      this.#inflater = undefined
      this.#release()
      const chunks = this.#chunks
      for (let i = this.#scanned; i < chunks.length; i += 1) inflater.write(chunks[i] as Buffer)
      inflater.finish((decoded) => this.#done(null, decoded ? { ...answer, decoded } : answer))
      return
    }
    this.#release()
    this.#done(null, answer)
  }

  onResponseError(_controller: unknown, error: Error): void {
    if (this.#finished) return
    this.#finished = true
    this.#release()
    // lura's detailed status handler reads a failed answer's body with io.ReadAll and reports the
    // status with an empty body when that read fails (the deadline, a connection cut short).
    if (this.#bodyRead === 'error-body' && error !== this.#limitError)
      this.#done(null, { statusCode: this.#status, headers: this.#headers, answer: EMPTY, partial: true })
    // Go's body reader fails a body closed before its Content-Length or last chunk with
    // io.ErrUnexpectedEOF, a reset with the read's net.OpError, which the decoder reports as they
    // are (no `Get "url":` of a transport error).
    else if (this.#status !== 0 && (error as { code?: string }).code === 'UND_ERR_SOCKET')
      this.#done(new BodyReadError('unexpected EOF'))
    else if (this.#status !== 0 && (error as { code?: string }).code === 'ECONNRESET')
      this.#done(new BodyReadError(goReason(error, '')))
    else this.#done(error)
  }

  /** The chunks that arrived since the last look, through the scanner: ends at the first value. */
  #scanArrived(): void {
    this.#scanQueued = false
    if (this.#finished) return
    if (this.#gzip) {
      this.#inflateArrived()
      return
    }
    if (this.#rootScanner) {
      this.#scanRootArrived(this.#rootScanner)
      return
    }
    this.#scanner ??= new FirstValueScanner()
    const scanner = this.#scanner
    const chunks = this.#chunks
    while (this.#scanned < chunks.length) {
      const end = scanner.feed(chunks[this.#scanned] as Buffer)
      this.#scanned += 1
      if (end === NEEDS_MORE) continue
      // A syntax error ends Go's decoding too: the bytes so far decode to the same error.
      const bytes = this.#bytes()
      this.#endEarly(
        this.#controller as { abort(reason: Error): void },
        end === FAILED_AT ? bytes : bytes.subarray(0, end),
        true,
        bytes,
      )
      return
    }
  }

  /** The chunks that arrived since the last look, through the root scanner: ends at the root's end. */
  #scanRootArrived(scanner: RootEndScanner): void {
    const chunks = this.#chunks
    while (this.#scanned < chunks.length) {
      const end = scanner.feed(chunks[this.#scanned] as Buffer)
      this.#scanned += 1
      if (end < 0) continue
      const bytes = this.#bytes()
      this.#endEarly(this.#controller as { abort(reason: Error): void }, bytes.subarray(0, end), true, bytes)
      return
    }
  }

  /** The compressed chunks that arrived since the last look, into the streaming gunzip. */
  #inflateArrived(): void {
    const controller = this.#controller as { abort(reason: Error): void }
    // The value ends the answer decompressed; bytes that are no gzip end it as they are, so that
    // they fail to decompress as a whole body would (backend-client).
    this.#inflater ??= new GzipFirstValue(
      this.#limit,
      (value) => this.#finished || this.#endEarly(controller, value, true, this.#bytes()),
      () => this.#finished || this.#endEarly(controller, this.#bytes(), false),
    )
    const chunks = this.#chunks
    while (this.#scanned < chunks.length) {
      this.#inflater.write(chunks[this.#scanned] as Buffer)
      this.#scanned += 1
    }
  }

  /**
   * `decoded`: the bytes are what the decoder reads (not the body as it came, still to decompress);
   * `read`: the body as it came, as far as Go's decoder took it by then (qos/http-cache stores it on
   * Close; decompressed there where Go's transport asked for the gzip).
   */
  #endEarly(controller: { abort(reason: Error): void }, bytes: Buffer, decoded = true, read?: Buffer): void {
    this.#finished = true
    this.#release()
    const answer = { statusCode: this.#status, reason: this.#reason, headers: this.#headers, answer: bytes }
    this.#done(null, decoded ? { ...answer, partial: true, ...(read && { read }) } : answer)
    controller.abort(new Error('the rest of the body is not read'))
  }

  #bytes(): Buffer {
    const chunks = this.#chunks
    if (chunks.length === 1) return chunks[0] as Buffer
    return Buffer.concat(chunks, chunks.length === 0 ? 0 : this.#size)
  }

  #overLimit(): Error {
    this.#limitError = new Error(`backend response over ${this.#limit} bytes`)
    return this.#limitError
  }

  #release(): void {
    this.#inflater?.close()
    this.#removeAbortListener?.()
    this.#removeAbortListener = undefined
  }
}
