// A gzip body read member by member, as Go's gzip.Reader reads it (multistream): what it yields
// before the first error, and that error in its words. zlib's gunzip fails the whole body on bytes
// after a member that are no gzip header (and on header flags Go ignores), keeping none of its
// output; Go hands up every whole member's bytes first, then fails the next read (fewer than 10
// bytes: io.ErrUnexpectedEOF, else gzip.ErrHeader), so a decoder that stops early (lura's JSON and
// XML ones) never sees the error. Corrupt deflate data too: Go hands up what it decoded before it.
import { zlibModule } from './libraries.ts'

const FHCRC = 0x02
const FEXTRA = 0x04
const FNAME = 0x08
const FCOMMENT = 0x10
/** Go's flate hands up its output when its 32 KB window fills, at an empty stored block, and with an error. */
const GO_WINDOW = 32 * 1024
/** How every member starts (magic and deflate method): a body without it past its first header is one member. */
const MEMBER_START = Buffer.from([0x1f, 0x8b, 8])

/** What Go's gzip.Reader hands up of a body before its first error. */
export interface GzipMembers {
  out: Buffer
  /** The error in Go's words; '' when the read ended cleanly. */
  error: string
  /** The error comes with out's last byte (one Read returns both), not on a read of its own. */
  withLastByte: boolean
}

/**
 * The body read as Go reads it; undefined when it holds nothing at all (zlib's own error, worded as
 * Go's, then stands) or zlib refuses a member past `limit`. Empty members before a header Go
 * refuses give that header's error with no bytes (zlib read the header, and the body, whole).
 */
export function gzipMembers(bytes: Buffer, limit: number): GzipMembers | undefined {
  const zlib = zlibModule()
  const pieces: Buffer[] = []
  let size = 0
  let at = 0
  const ended = (error: string, withLastByte: boolean) =>
    size === 0 && at === 0 ? undefined : { out: Buffer.concat(pieces, size), error, withLastByte }
  for (;;) {
    const data = memberData(bytes, at)
    // a header that fails is read in the same Read as the last member's last byte
    if (typeof data === 'string') return ended(data, true)
    if (data === undefined) return ended('', false)
    let inflated: { buffer: Buffer; engine: { bytesWritten: number } }
    try {
      // a sync flush at the end keeps what a cut stream decoded, as Go's flate hands it up first
      inflated = zlib.inflateRawSync(bytes.subarray(data), {
        info: true,
        finishFlush: zlib.constants.Z_SYNC_FLUSH,
        maxOutputLength: Math.max(1, limit - size),
      }) as unknown as typeof inflated
    } catch (error) {
      if ((error as { code?: string }).code !== 'Z_DATA_ERROR') return undefined
      // corrupt deflate data: Go's flate hands up what it decoded before it with its error (but on
      // a Read of its own when it had handed all of it up already: at its 32 KB window's edge or an
      // empty stored block); its offset counts the deflate bytes read, through the one it fails on
      const deflate = bytes.subarray(data)
      const kept = beforeCorruption(deflate, Math.max(1, limit - size))
      if (!kept) return undefined
      pieces.push(kept.out)
      size += kept.out.length
      return {
        out: Buffer.concat(pieces, size),
        error: `flate: corrupt input before offset ${kept.good + 1}`,
        withLastByte: kept.out.length % GO_WINDOW !== 0 && !flushedBeforeCorruption(deflate, kept),
      }
    }
    const output = inflated.buffer
    pieces.push(output)
    size += output.length
    const trailer = data + inflated.engine.bytesWritten
    // a cut stream or trailer, or a bad checksum, fails the Read that returns the member's last bytes
    if (trailer + 8 > bytes.length) return ended('unexpected EOF', output.length > 0)
    if (
      bytes.readUInt32LE(trailer) !== zlib.crc32(output) ||
      bytes.readUInt32LE(trailer + 4) !== output.length % 2 ** 32
    )
      return ended('gzip: invalid checksum', output.length > 0)
    at = trailer + 8
  }
}

/**
 * What zlib inflates of deflate data it finds corrupt, as Go's flate hands it up before its error:
 * the output of the data's longest prefix that inflates without an error, and that prefix's
 * length (zlib's error drops all of the failing call's output; the symbols that end in the byte
 * where zlib finds the error are not in it, Go's has them). Undefined past `maxOutput` bytes.
 */
export function beforeCorruption(data: Buffer, maxOutput: number): { out: Buffer; good: number } | undefined {
  const zlib = zlibModule()
  const inflate = (length: number): Buffer | undefined => {
    try {
      return zlib.inflateRawSync(data.subarray(0, length), {
        finishFlush: zlib.constants.Z_SYNC_FLUSH,
        maxOutputLength: Math.max(1, maxOutput),
      })
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw error
      return undefined
    }
  }
  try {
    // the whole data fails, an empty prefix does not
    let good = 0
    let bad = data.length
    while (bad - good > 1) {
      const middle = (good + bad) >>> 1
      if (inflate(middle) === undefined) bad = middle
      else good = middle
    }
    const out = inflate(good)
    return out && { out, good }
  } catch {
    return undefined
  }
}

/** An empty stored block's LEN and NLEN (a sync flush ends with one). */
const EMPTY_STORED = Buffer.from([0x00, 0x00, 0xff, 0xff])

/**
 * Go's flate hands up all it decoded at an empty stored block: whether one comes before the
 * corruption with nothing decoded after it (the last LEN/NLEN pattern there, checked by inflating
 * up to it: the same output).
 */
function flushedBeforeCorruption(data: Buffer, { out, good }: { out: Buffer; good: number }): boolean {
  const at = data.subarray(0, good).lastIndexOf(EMPTY_STORED)
  if (at < 0) return false
  const zlib = zlibModule()
  try {
    const upTo = zlib.inflateRawSync(data.subarray(0, at + EMPTY_STORED.length), {
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
      maxOutputLength: out.length + 1,
    })
    return upTo.length === out.length
  } catch {
    return false
  }
}

/**
 * Go's read error for a body zlib inflated whole (`out`, having consumed `consumed` of its bytes),
 * undefined when Go reads it the same: zlib stops at a zero byte after a member (padding to it)
 * where Go reads the next header and fails, and reads a header name or comment Go's buffer does
 * not hold. One member ends with its own size and holds no other member's start (empty members before
 * the last have the size too); several are walked as Go reads them.
 */
export function goRefusalOfInflated(
  bytes: Buffer,
  out: Buffer,
  consumed: number,
  limit: number,
): string | undefined {
  const oneMember =
    consumed === bytes.length &&
    bytes.length >= 8 &&
    bytes.readUInt32LE(bytes.length - 4) === out.length % 2 ** 32 &&
    bytes.indexOf(MEMBER_START, 10) < 0
  if (oneMember) return firstHeaderRefusal(bytes)
  const members = gzipMembers(bytes, limit)
  if (members) return members.error === '' ? undefined : members.error
  // nothing handed up before the error
  const left = bytes.length - consumed
  if (left > 0) return left < 10 ? 'unexpected EOF' : 'gzip: invalid header'
  return firstHeaderRefusal(bytes)
}

/** Go's refusal of the first member's header where zlib takes it (a name or comment past 511 bytes). */
export function firstHeaderRefusal(bytes: Buffer): string | undefined {
  if (((bytes[3] ?? 0) & (FNAME | FCOMMENT)) === 0) return undefined
  const data = memberData(bytes, 0)
  return typeof data === 'string' ? data : undefined
}

/**
 * Where the deflate data of the member at `at` starts; undefined at the body's end; Go's error
 * text where its header reader stops (`unexpected EOF` when the bytes end inside the header: a
 * stream reads on).
 */
export function memberData(bytes: Buffer, at: number): number | string | undefined {
  if (at === bytes.length) return undefined
  if (bytes.length - at < 10) return 'unexpected EOF'
  if (bytes[at] !== 0x1f || bytes[at + 1] !== 0x8b || bytes[at + 2] !== 8) return 'gzip: invalid header'
  const flags = bytes[at + 3] as number
  let i = at + 10
  if (flags & FEXTRA) {
    if (i + 2 > bytes.length) return 'unexpected EOF'
    i += 2 + bytes.readUInt16LE(i)
    if (i > bytes.length) return 'unexpected EOF'
  }
  // a name or comment: up to its NUL, which Go's 512-byte buffer must hold
  for (const flag of [FNAME, FCOMMENT])
    if (flags & flag) {
      const nul = bytes.subarray(i, i + 512).indexOf(0)
      if (nul < 0) return bytes.length - i >= 512 ? 'gzip: invalid header' : 'unexpected EOF'
      i += nul + 1
    }
  if (flags & FHCRC) {
    if (i + 2 > bytes.length) return 'unexpected EOF'
    if (bytes.readUInt16LE(i) !== (zlibModule().crc32(bytes.subarray(at, i)) & 0xffff))
      return 'gzip: invalid header'
    i += 2
  }
  return i
}
