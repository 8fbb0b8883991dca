/** Gob's unsigned/signed integer, float and byte-string encodings (encode.go encodeUint, decode.go decodeUint). */
import { goUtf8 } from '../go-utf8.ts'
import { GobError, MAX_UINT64 } from './gob-types.ts'

const floatView = new DataView(new ArrayBuffer(8))
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const utf8Encoder = new TextEncoder()

/** Reads one message's bytes. Every read past the end is a GobError. */
export class GobReader {
  readonly bytes: Uint8Array
  pos = 0
  /** Whether byte arrays read are views of `bytes` rather than copies. */
  private readonly views: boolean
  constructor(bytes: Uint8Array, views = false) {
    // A plain view: Buffer's slice() would not copy.
    this.bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)
    this.views = views
  }

  get remaining(): number {
    return this.bytes.length - this.pos
  }

  /** A byte count of 1..8 follows a first byte above 0x7f: that byte is the count negated. */
  private prefix(): number {
    const first = this.bytes[this.pos]
    if (first === undefined) throw new GobError('gob: unexpected end of message')
    this.pos++
    if (first <= 0x7f) return first
    const n = 256 - first
    if (n > 8) throw new GobError('gob: encoded unsigned integer out of range')
    if (this.remaining < n)
      throw new GobError(`invalid uint data length ${n}: exceeds input size ${this.remaining}`)
    return -n
  }

  uint(): bigint {
    const p = this.prefix()
    if (p >= 0) return BigInt(p)
    let x = 0n
    for (let i = 0; i < -p; i++) x = (x << 8n) | BigInt(this.bytes[this.pos++] as number)
    return x
  }

  /** A uint as a number: exact up to 2^53, beyond only ever compared with sizes it exceeds. */
  small(): number {
    const p = this.prefix()
    if (p >= 0) return p
    let x = 0
    for (let i = 0; i < -p; i++) x = x * 256 + (this.bytes[this.pos++] as number)
    return x
  }

  int(): bigint {
    const x = this.uint()
    return x & 1n ? -(x >> 1n) - 1n : x >> 1n
  }

  float(): number {
    floatView.setBigUint64(0, this.uint(), true)
    return floatView.getFloat64(0, false)
  }

  /** `n` bytes, copied unless views were asked (the message buffer may be a view of a larger socket chunk). */
  take(n: number, what: string): Uint8Array {
    if (n > this.remaining)
      throw new GobError(`gob: invalid ${what} length ${n}: exceeds input size ${this.remaining}`)
    const out = this.views
      ? this.bytes.subarray(this.pos, this.pos + n)
      : this.bytes.slice(this.pos, this.pos + n)
    this.pos += n
    return out
  }

  /**
   * A Go string: its bytes, read as UTF-8. Go keeps invalid bytes as they are; JavaScript strings
   * cannot, so each byte that does not start a valid sequence becomes U+FFFD (what Go prints for
   * it, e.g. in JSON).
   */
  string(): string {
    const n = this.small()
    if (n > this.remaining)
      throw new GobError(`gob: invalid string length ${n}: exceeds input size ${this.remaining}`)
    const view = this.bytes.subarray(this.pos, this.pos + n)
    this.pos += n
    try {
      return utf8.decode(view)
    } catch {
      return goUtf8(view)
    }
  }
}

/** Byte slices at least this long are kept by reference rather than copied in (a filter's bitset). */
const BY_REFERENCE = 64 * 1024

/** Builds one message's bytes. */
export class GobWriter {
  private buf = new Uint8Array(64)
  /** Bytes of `buf` in use. */
  private used = 0
  /** What came before `buf`: its earlier contents and the long slices kept by reference. */
  private readonly pieces: Uint8Array[] = []
  /** Bytes written so far. */
  length = 0

  private room(n: number): void {
    if (this.used + n <= this.buf.length) return
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.used + n))
    next.set(this.buf.subarray(0, this.used))
    this.buf = next
  }

  private byte(x: number): void {
    this.room(1)
    this.buf[this.used++] = x
    this.length++
  }

  /** A long `b` is kept by reference: it must not change before the message is written out. */
  bytes(b: Uint8Array): void {
    this.length += b.length
    if (b.length >= BY_REFERENCE) {
      if (this.used > 0) this.pieces.push(this.buf.subarray(0, this.used))
      this.pieces.push(b)
      this.buf = new Uint8Array(64)
      this.used = 0
      return
    }
    this.room(b.length)
    this.buf.set(b, this.used)
    this.used += b.length
  }

  uint(x: bigint | number): void {
    if (typeof x === 'number' && x >= 0 && x <= 0x7f && Number.isInteger(x)) {
      this.byte(x)
      return
    }
    let v = BigInt(x)
    if (v < 0n || v > MAX_UINT64) throw new GobError(`gob: ${v} is out of the uint64 range`)
    if (v <= 0x7fn) {
      this.byte(Number(v))
      return
    }
    const digits: number[] = []
    while (v > 0n) {
      digits.push(Number(v & 0xffn))
      v >>= 8n
    }
    this.byte(256 - digits.length)
    for (let i = digits.length - 1; i >= 0; i--) this.byte(digits[i] as number)
  }

  int(i: bigint | number): void {
    const v = BigInt(i)
    this.uint(v < 0n ? ((-v - 1n) << 1n) | 1n : v << 1n)
  }

  float(f: number): void {
    floatView.setFloat64(0, f, false)
    this.uint(floatView.getBigUint64(0, true))
  }

  string(s: string): void {
    const b = utf8Encoder.encode(s)
    this.uint(b.length)
    this.bytes(b)
  }

  /**
   * The bytes written so far, preceded by their count: one gob message, in one piece unless long
   * slices were kept by reference (then those pieces in order, not copied).
   */
  message(): Uint8Array[] {
    const head = new GobWriter()
    head.uint(this.length)
    const tail = this.buf.subarray(0, this.used)
    if (this.pieces.length > 0) return [head.buf.subarray(0, head.used), ...this.pieces, tail]
    const out = new Uint8Array(head.used + this.used)
    out.set(head.buf.subarray(0, head.used))
    out.set(tail, head.used)
    return [out]
  }
}
