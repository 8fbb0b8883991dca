// martian's body.Modifier on an answer: the configured body in place of the backend's, cut to the
// Range the request asked for (one range: 206 with Content-Range; several: 206 multipart/byteranges)
// as martian reads that header.
import { GoPanic } from '../go-panic.ts'
import { goQuote } from '../go-quote.ts'
import { goParseInt, goParseIntError } from '../go-strconv.ts'

export type BodyAnswer =
  | { status?: number; body: Buffer; contentRange?: string; contentType?: string }
  | { failed: string }

/** strconv.Atoi's result or its error text. */
function goAtoi(text: string): number | string {
  const value = goParseInt(text)
  return value === undefined
    ? `strconv.Atoi: parsing ${goQuote(text)}: ${goParseIntError(text)}`
    : Number(value)
}

/**
 * `body[start:end+1]` of Go's slice: past its length up to its capacity (`body` holds the capacity,
 * zero-filled), else the panic of Go's slice expression.
 */
function segment(body: Buffer, start: number, end: number): Buffer {
  if (end + 1 > body.length)
    throw new GoPanic(`runtime error: slice bounds out of range [:${end + 1}] with capacity ${body.length}`)
  return body.subarray(start, end + 1)
}

/**
 * What body.Modifier makes of an answer, given the Range header of the request sent (`''` when
 * none). `body` is the modifier's slice to its capacity, `length` its length. An unsatisfiable range
 * answers 416 with the backend's body already closed: nothing to read. A range Go cannot parse fails
 * the call with strconv's error; one past the slice's capacity is Go's panic (GoPanic).
 */
export function replacedBody(
  body: Buffer,
  length: number,
  contentType: string,
  boundary: string,
  range: string,
): BodyAnswer {
  if (range === '') return { body: body.subarray(0, length) }
  const ranges: Array<[number, number]> = []
  for (let part of range
    .toLowerCase()
    .replace(/^[bytes=]+/, '')
    .split(',')) {
    if (part.endsWith('-')) part = `${part}${length - 1}`
    const bounds = part.split('-')
    if (bounds.length !== 2) return { status: 416, body: Buffer.alloc(0) }
    const start = goAtoi((bounds[0] as string).trim())
    if (typeof start === 'string') return { failed: start }
    const end = goAtoi((bounds[1] as string).trim())
    if (typeof end === 'string') return { failed: end }
    if (start > end) return { status: 416, body: Buffer.alloc(0) }
    ranges.push([start, end])
  }
  const contentRange = (start: number, end: number) => `bytes ${start}-${end}/${length}`
  if (ranges.length === 1) {
    const [start, end] = ranges[0] as [number, number]
    const seg = segment(body, start, end)
    return { status: 206, body: seg, contentRange: contentRange(start, end) }
  }
  // Go's multipart.Writer: each part's headers sorted by name, CRLF between parts, the closing line.
  const parts: Buffer[] = []
  for (const [i, [start, end]] of ranges.entries()) {
    const seg = segment(body, start, end)
    const head = `${i === 0 ? '' : '\r\n'}--${boundary}\r\nContent-Range: ${contentRange(start, end)}\r\nContent-Type: ${contentType}\r\n\r\n`
    parts.push(Buffer.from(head, 'latin1'), seg)
  }
  parts.push(Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1'))
  return {
    status: 206,
    body: Buffer.concat(parts),
    contentType: `multipart/byteranges; boundary=${boundary}`,
  }
}
