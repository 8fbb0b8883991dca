// A backend answer's head read as Go's transport reads it (net/http ReadResponse, textproto
// ReadMIMEHeader, readTransfer's parseTransferEncoding/fixLength/fixTrailer), where undici's parser
// reads more strictly (bare-LF line ends, obs-fold, `Name : v`, spaces around a Content-Length,
// two equal Content-Lengths, Content-Length beside chunked, HTTP/1.2) or more loosely (an empty
// line before the status line, Transfer-Encoding other than `chunked`, an HTTP/1.0 answer's
// Transfer-Encoding, which Go ignores). The result is either the head as Go keeps it, which
// undiciHead writes back in a form undici reads the same way, or Go's error text.

import { goQuoteBytes } from './go-quote.ts'

/** A head as Go's transport keeps it. */
export interface GoHead {
  /** Its length in bytes, the blank line that ends it included. */
  end: number
  status: number
  /** Read as HTTP/1.0 (Go's protoAtLeast(1, 1) false: no Transfer-Encoding, close unless keep-alive). */
  http10: boolean
  reason: string
  /** Name and value of each field in the order read, framing as Go keeps it (no Transfer-Encoding). */
  fields: Array<[name: string, value: string]>
  chunked: boolean
}

export type HeadReading = { kind: 'more' } | { kind: 'refused'; reason: string } | ({ kind: 'head' } & GoHead)

/** Go's transport error once bytes of the answer came (mapRoundTripError on a broken connection). */
export class TransportBrokenError extends Error {
  constructor(reason: string) {
    super(`net/http: HTTP/1.x transport connection broken: ${reason}`)
    this.name = 'TransportBrokenError'
  }
}

const MORE = { kind: 'more' } as const
/** A line or byte that has not come yet (the bytes may go on). */
const PENDING = undefined
const refused = (reason: string): HeadReading => ({ kind: 'refused', reason })
const UNEXPECTED_EOF = 'unexpected EOF'

/** Go's bufio ReadLine over the head's bytes (one character per byte). */
class LineReader {
  at = 0
  readonly text: string
  readonly ended: boolean
  constructor(text: string, ended: boolean) {
    this.text = text
    this.ended = ended
  }
  /** The next line without its `\n` (and a `\r` before it); null at the end of the bytes, PENDING when they may go on. */
  line(): string | null | undefined {
    const { text } = this
    if (this.at >= text.length) return this.ended ? null : PENDING
    const lf = text.indexOf('\n', this.at)
    if (lf === -1) {
      if (!this.ended) return PENDING
      const rest = text.slice(this.at)
      this.at = text.length
      return rest
    }
    const line = text.slice(this.at, lf > this.at && text.charCodeAt(lf - 1) === 0x0d ? lf - 1 : lf)
    this.at = lf + 1
    return line
  }
  /** The next byte, null at the end of the bytes, PENDING when they may go on. */
  peek(): number | null | undefined {
    if (this.at < this.text.length) return this.text.charCodeAt(this.at)
    return this.ended ? null : PENDING
  }
}

/**
 * Reads the head at the start of `bytes` by Go's rules; `ended`: the connection ended after them.
 */
export function readAnswerHead(bytes: Buffer, ended: boolean): HeadReading {
  const lines = new LineReader(bytes.toString('latin1'), ended)
  const first = lines.line()
  if (first === PENDING) return MORE
  if (first === null) return refused(UNEXPECTED_EOF)
  const space = first.indexOf(' ')
  if (space === -1) return refused(`malformed HTTP response ${goQuoteBytes(first)}`)
  const proto = first.slice(0, space)
  const status = first.slice(space + 1).replace(/^ +/, '')
  const codeEnd = status.indexOf(' ')
  const code = codeEnd === -1 ? status : status.slice(0, codeEnd)
  if (code.length !== 3 || !/^[+-]?[0-9]+$/.test(code) || Number(code) < 0)
    return refused(`malformed HTTP status code ${goQuoteBytes(code)}`)
  const version = goHttpVersion(proto)
  if (version === undefined) return refused(`malformed HTTP version ${goQuoteBytes(proto)}`)
  const header = readMimeHeader(lines)
  if (header === PENDING) return MORE
  if (typeof header === 'string') return refused(header)
  const head: GoHead = {
    end: lines.at,
    status: Number(code) + 0,
    http10: version < 11,
    reason: codeEnd === -1 ? '' : status.slice(codeEnd + 1),
    fields: header,
    chunked: false,
  }
  const framing = goFraming(head)
  return framing === undefined ? { kind: 'head', ...head } : refused(framing)
}

/** Go's ParseHTTPVersion as major * 10 + minor, undefined when it refuses the text. */
function goHttpVersion(proto: string): number | undefined {
  if (proto === 'HTTP/1.1') return 11
  if (proto === 'HTTP/1.0') return 10
  const m = /^HTTP\/([0-9])\.([0-9])$/.exec(proto)
  return m ? Number(m[1]) * 10 + Number(m[2]) : undefined
}

/** textproto's readMIMEHeader: the fields, or its error's text. */
function readMimeHeader(lines: LineReader): Array<[string, string]> | string | undefined {
  const fields: Array<[string, string]> = []
  const start = lines.peek()
  if (start === PENDING) return PENDING
  if (start === 0x20 || start === 0x09) {
    const line = lines.line()
    if (line === PENDING) return PENDING
    if (line === null) return UNEXPECTED_EOF
    if (line.length > 80) return 'message too large'
    return `malformed MIME header initial line: ${goQuoteBytes(line)}`
  }
  for (;;) {
    const line = lines.line()
    if (line === PENDING) return PENDING
    if (line === null) return UNEXPECTED_EOF
    if (line === '') return fields
    if (!line.includes(':')) return `malformed MIME header: missing colon: ${goQuoteBytes(line)}`
    let kv = trim(line)
    // obs-fold: a line starting with spaces or tabs goes on the one before, after one space
    for (;;) {
      const next = lines.peek()
      if (next === PENDING) return PENDING
      if (next !== 0x20 && next !== 0x09) break
      while (lines.peek() === 0x20 || lines.peek() === 0x09) lines.at += 1
      if (lines.peek() === PENDING) return PENDING
      kv += ' '
      const more = lines.line()
      if (more === PENDING) return PENDING
      if (more === null) break
      kv += trim(more)
    }
    const colon = kv.indexOf(':')
    const name = goHeaderKey(kv.slice(0, colon))
    if (name === undefined) return `malformed MIME header line: ${goQuoteBytes(kv)}`
    const value = kv.slice(colon + 1)
    if (!isGoValueText(value))
      return `malformed MIME header line: ${goQuoteBytes(name.canonical ? `${name.key}:${value}` : kv)}`
    fields.push([name.key, value.replace(/^[ \t]+/, '')])
  }
}

/** textproto's validHeaderValueByte over a value: visible bytes, space, tab, obs-text. */
function isGoValueText(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const c = value.charCodeAt(i)
    if (c !== 0x09 && (c < 0x20 || c === 0x7f)) return false
  }
  return true
}

const trim = (line: string) => line.replace(/^[ \t]+|[ \t]+$/g, '')

const TOKEN_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/**
 * textproto's canonicalMIMEHeaderKey: a token in its canonical case; a name with spaces (Go takes
 * `Name : v`) kept as it is; undefined for any other.
 */
function goHeaderKey(name: string): { key: string; canonical: boolean } | undefined {
  if (TOKEN_NAME.test(name))
    return {
      key: name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash, c: string) => dash + c.toUpperCase()),
      canonical: true,
    }
  if (name !== '' && /^[!#$%&'*+\-.^_`|~0-9A-Za-z ]+$/.test(name)) return { key: name, canonical: false }
  return undefined
}

/** readTransfer's checks and changes of the framing fields, in Go's order; its error's text when it fails. */
function goFraming(head: GoHead): string | undefined {
  const encodings = values(head, 'Transfer-Encoding')
  if (encodings.length > 0) {
    head.fields = head.fields.filter(([name]) => name !== 'Transfer-Encoding')
    if (!head.http10) {
      if (encodings.length !== 1) return `too many transfer encodings: ${goQuoteList(encodings)}`
      if ((encodings[0] as string).toLowerCase() !== 'chunked')
        return `unsupported transfer encoding: ${goQuoteBytes(encodings[0] as string)}`
      head.chunked = true
    }
  }
  // fixLength reads no body for these before it drops a chunked answer's Content-Length
  const bodiless = (head.status >= 100 && head.status <= 199) || head.status === 204 || head.status === 304
  const lengths = values(head, 'Content-Length')
  if (lengths.length > 0) {
    const first = goTrimString(lengths[0] as string)
    if (lengths.some((length) => goTrimString(length) !== first))
      return `http: message cannot contain multiple Content-Length headers; got ${goQuoteList(lengths)}`
    if (first === '') return `invalid empty Content-Length ""`
    if (!/^[0-9]+$/.test(first) || BigInt(first) > 0x7fffffffffffffffn)
      return `bad Content-Length ${goQuoteBytes(first)}`
    let kept = head.chunked && !bodiless
    head.fields = head.fields.flatMap((field): Array<[string, string]> => {
      if (field[0] !== 'Content-Length') return [field]
      if (kept) return []
      kept = true
      return [['Content-Length', first]]
    })
  }
  if (head.chunked)
    for (const value of values(head, 'Trailer'))
      for (const element of value.split(',')) {
        const key = goHeaderKey(goTrimString(element))?.key
        if (key === 'Transfer-Encoding' || key === 'Trailer' || key === 'Content-Length')
          return `bad trailer key ${goQuoteBytes(key)}`
      }
  if (head.chunked) head.fields = head.fields.filter(([name]) => name !== 'Trailer')
  // no body to frame: undici gets the Content-Length Go keeps and no Transfer-Encoding beside it
  if (bodiless) head.chunked = false
  return undefined
}

const values = (head: GoHead, name: string) => head.fields.filter(([n]) => n === name).map(([, v]) => v)

/** textproto.TrimString: ASCII spaces, tabs, CR and LF off both ends. */
const goTrimString = (text: string) => text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '')

/** Go's %q of a []string. */
const goQuoteList = (list: string[]) => `[${list.map(goQuoteBytes).join(' ')}]`

/**
 * The head as undici reads it the way Go read it: `status` in place of the head's own (a status
 * undici refuses goes under a mark), `extra` fields after its own. Fields whose names undici
 * refuses (Go's `Name : v`) are left out.
 */
export function undiciHead(head: GoHead, status = head.status, extra: string[] = []): string {
  let text = `HTTP/1.${head.http10 ? 0 : 1} ${String(status).padStart(3, '0')} ${[...head.reason].map((c) => (isGoValueText(c) ? c : ' ')).join('')}\r\n`
  for (const [name, value] of head.fields) if (TOKEN_NAME.test(name)) text += `${name}: ${value}\r\n`
  if (head.chunked) text += 'Transfer-Encoding: chunked\r\n'
  for (const line of extra) text += `${line}\r\n`
  return `${text}\r\n`
}
