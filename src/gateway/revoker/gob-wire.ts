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
  constructor(bytes: Uint8Array) {
    // A plain view: Buffer's slice() would not copy.
    this.bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)
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

  /** `n` bytes, copied (the message buffer may be a view of a larger socket chunk). */
  take(n: number, what: string): Uint8Array {
    if (n > this.remaining)
      throw new GobError(`gob: invalid ${what} length ${n}: exceeds input size ${this.remaining}`)
    const out = this.bytes.slice(this.pos, this.pos + n)
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

/** Builds one message's bytes. */
export class GobWriter {
  private buf = new Uint8Array(64)
  length = 0

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n))
    next.set(this.buf.subarray(0, this.length))
    this.buf = next
  }

  bytes(b: Uint8Array): void {
    this.room(b.length)
    this.buf.set(b, this.length)
    this.length += b.length
  }

  uint(x: bigint | number): void {
    if (typeof x === 'number' && x >= 0 && x <= 0x7f && Number.isInteger(x)) {
      this.room(1)
      this.buf[this.length++] = x
      return
    }
    let v = BigInt(x)
    if (v < 0n || v > MAX_UINT64) throw new GobError(`gob: ${v} is out of the uint64 range`)
    if (v <= 0x7fn) {
      this.uint(Number(v))
      return
    }
    const digits: number[] = []
    while (v > 0n) {
      digits.push(Number(v & 0xffn))
      v >>= 8n
    }
    this.room(digits.length + 1)
    this.buf[this.length++] = 256 - digits.length
    for (let i = digits.length - 1; i >= 0; i--) this.buf[this.length++] = digits[i] as number
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

  /** The bytes written so far, preceded by their count: one gob message. */
  message(): Uint8Array {
    const head = new GobWriter()
    head.uint(this.length)
    const out = new Uint8Array(head.length + this.length)
    out.set(head.buf.subarray(0, head.length))
    out.set(this.buf.subarray(0, this.length), head.length)
    return out
  }
}
