// The chunk-size lines of a chunked backend answer read as Go's chunked reader reads them
// (net/http/internal/chunked.go): trailing spaces and tabs and a `;extension` dropped, then hex
// digits; llhttp refuses `7 ` (Go reads 7) and words the failures Go words otherwise. The bytes go
// to undici as they came while every size line is plain hex; another line goes on as Go read it,
// or the body read fails with Go's words. A size line split over reads is held until it ends.
// Only the lines up to the last chunk are read; the trailer section goes on as it is.

/** Go's maxLineLength for a chunk-size line (and its bufio buffer). */
const MAX_LINE = 4096
const CR = 0x0d
const LF = 0x0a

export class GoChunkLines {
  #state: 'size' | 'data' | 'crlf' | 'done' = 'size'
  /** Data bytes left in the chunk, or of the CRLF after it. */
  #left = 0
  /** The start of a size line that has not ended yet. */
  #pending: Buffer | undefined

  /** The bytes as undici should read them and, when Go's reader fails in them, its words. */
  read(chunk: Buffer): { bytes: Buffer; error?: string } {
    if (this.#state === 'done') return { bytes: chunk }
    const bytes = this.#pending === undefined ? chunk : Buffer.concat([this.#pending, chunk])
    this.#pending = undefined
    // pieces replacing bytes[from, to) where a line is rewritten (usually none)
    let out: Buffer[] | undefined
    let kept = 0
    const pieces = (upTo: number, replacement?: Buffer): Buffer[] => {
      out ??= []
      out.push(bytes.subarray(kept, upTo))
      if (replacement !== undefined) out.push(replacement)
      return out
    }
    const result = (upTo: number, error?: string) => {
      const handed = out === undefined && upTo === bytes.length ? bytes : Buffer.concat(pieces(upTo))
      return error === undefined ? { bytes: handed } : { bytes: handed, error }
    }
    let i = 0
    while (i < bytes.length) {
      if (this.#state === 'done') break
      if (this.#state === 'data') {
        const take = Math.min(this.#left, bytes.length - i)
        i += take
        this.#left -= take
        if (this.#left === 0) {
          this.#state = 'crlf'
          this.#left = 2
        }
        continue
      }
      if (this.#state === 'crlf') {
        if (bytes[i] !== (this.#left === 2 ? CR : LF)) return result(i, 'malformed chunked encoding')
        i += 1
        this.#left -= 1
        if (this.#left === 0) this.#state = 'size'
        continue
      }
      const lf = bytes.indexOf(LF, i)
      if (lf === -1) {
        if (bytes.length - i >= MAX_LINE) return result(i, 'header line too long')
        this.#pending = Buffer.from(bytes.subarray(i))
        return result(i)
      }
      const line = readSizeLine(bytes, i, lf)
      if (typeof line === 'string') return result(i, line)
      if (line.rewritten !== undefined) {
        pieces(i, line.rewritten)
        kept = lf + 1
      }
      i = lf + 1
      if (line.size === 0) this.#state = 'done'
      else {
        this.#state = 'data'
        this.#left = line.size
      }
    }
    return result(bytes.length)
  }
}

/** Go's readChunkLine and parse of the line bytes[from, lf]: its size (and a plain line for undici when it was not one), or Go's error. */
function readSizeLine(
  bytes: Buffer,
  from: number,
  lf: number,
): { size: number; rewritten?: Buffer } | string {
  const cr = bytes.indexOf(CR, from)
  if (cr === -1 || cr > lf) return 'chunked line ends with bare LF'
  if (cr !== lf - 1) return 'invalid CR in chunked line'
  if (cr - from >= MAX_LINE) return 'header line too long'
  let end = cr
  while (end > from && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0x09)) end -= 1
  const semi = bytes.indexOf(0x3b, from)
  if (semi !== -1 && semi < end) end = semi
  if (end === from) return 'empty hex number for chunk length'
  let size = 0
  for (let k = from; k < end; k += 1) {
    const digit = hexDigit(bytes[k] as number)
    if (digit === -1) return 'invalid byte in chunk length'
    if (k - from === 16) return 'http chunk length too large'
    size = size * 16 + digit
  }
  // Past 2^53 the size is not exact: no body is that long, and undici refuses it anyway.
  return end === cr
    ? { size }
    : { size, rewritten: Buffer.from(`${bytes.toString('latin1', from, end)}\r\n`, 'latin1') }
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10
  return -1
}
