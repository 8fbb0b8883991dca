/**
 * The receiving side of a gob stream (decoder.go): count-delimited messages, each a type
 * definition (negative id, then a wireType) or a value (its type id, then the value).
 */
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  FIRST_USER_ID,
  GobError,
  type GobStruct,
  type GobValue,
  T_INT,
  T_STRING,
} from './gob-types.ts'
import { decodeValue, type WireField, type WireType } from './gob-values.ts'
import { GobReader } from './gob-wire.ts'

/** More definitions than any real stream sends (a handful per Go type): bounds a hostile stream's memory. */
const MAX_TYPES = 10_000
const BAD_TYPE = 'gob: unknown type id or corrupted data'

// Go's own type descriptors (type.go wireType, arrayType, CommonType, sliceType, structType,
// fieldType, mapType, gobEncoderType) as the wire types they are; the ids are only used here.
const WIRE_T = 16
const ARRAY_T = 17
const COMMON_T = 18
const SLICE_T = 19
const STRUCT_T = 20
const FIELD_T = 21
const FIELDS_T = 22
const MAP_T = 23
const ENCODER_T = 24
const struct = (name: string, fields: Array<[string, number]>): WireType => ({
  kind: 'struct',
  name,
  fields: fields.map(([n, id]) => ({ name: n, id })),
})
const DESCRIPTORS: ReadonlyMap<number, WireType> = new Map([
  [
    COMMON_T,
    struct('CommonType', [
      ['Name', T_STRING],
      ['Id', T_INT],
    ]),
  ],
  [
    ARRAY_T,
    struct('arrayType', [
      ['CommonType', COMMON_T],
      ['Elem', T_INT],
      ['Len', T_INT],
    ]),
  ],
  [
    SLICE_T,
    struct('sliceType', [
      ['CommonType', COMMON_T],
      ['Elem', T_INT],
    ]),
  ],
  [
    FIELD_T,
    struct('fieldType', [
      ['Name', T_STRING],
      ['Id', T_INT],
    ]),
  ],
  [FIELDS_T, { kind: 'slice', elem: FIELD_T }],
  [
    STRUCT_T,
    struct('structType', [
      ['CommonType', COMMON_T],
      ['Field', FIELDS_T],
    ]),
  ],
  [
    MAP_T,
    struct('mapType', [
      ['CommonType', COMMON_T],
      ['Key', T_INT],
      ['Elem', T_INT],
    ]),
  ],
  [ENCODER_T, struct('gobEncoderType', [['CommonType', COMMON_T]])],
  [
    WIRE_T,
    struct('wireType', [
      ['ArrayT', ARRAY_T],
      ['SliceT', SLICE_T],
      ['StructT', STRUCT_T],
      ['MapT', MAP_T],
      ['GobEncoderT', ENCODER_T],
      ['BinaryMarshalerT', ENCODER_T],
      ['TextMarshalerT', ENCODER_T],
    ]),
  ],
])

/** A type id as Go reads it (an int32); anything else cannot name a type. */
function typeId(x: GobValue | undefined): number {
  if (typeof x !== 'bigint' || x < -(2n ** 31n) || x >= 2n ** 31n) throw new GobError(BAD_TYPE)
  return Number(x)
}

/** The wireType's first type, in the order decode.go's decIgnoreOpFor tries them. */
function wireType(w: GobStruct): WireType {
  const part = (name: string) => w[name] as GobStruct | undefined
  const array = part('ArrayT')
  if (array) {
    const len = array.Len ?? 0n
    if (typeof len !== 'bigint' || len < 0n || len > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new GobError('gob: bad array length in type definition')
    }
    return { kind: 'array', elem: typeId(array.Elem), len: Number(len) }
  }
  const map = part('MapT')
  if (map) return { kind: 'map', key: typeId(map.Key), elem: typeId(map.Elem) }
  const slice = part('SliceT')
  if (slice) return { kind: 'slice', elem: typeId(slice.Elem) }
  const st = part('StructT')
  if (st) {
    const name = ((st.CommonType as GobStruct | undefined)?.Name as string | undefined) ?? ''
    const fields = ((st.Field as GobStruct[] | undefined) ?? []).map((f): WireField => {
      const fieldName = (f.Name as string | undefined) ?? ''
      if (fieldName === '') throw new GobError(`gob: empty name for remote field of type ${name}`)
      return { name: fieldName, id: typeId(f.Id) }
    })
    return { kind: 'struct', name, fields }
  }
  if (part('GobEncoderT')) return { kind: 'marshaled', via: 'gob' }
  if (part('BinaryMarshalerT')) return { kind: 'marshaled', via: 'binary' }
  if (part('TextMarshalerT')) return { kind: 'marshaled', via: 'text' }
  throw new GobError('gob: type definition describes no type')
}

/** One gob stream's receiving side: fed bytes, yields complete values (type definitions are consumed silently). */
export class GobDecoder {
  private readonly max: number
  private readonly types = new Map<number, WireType>()
  private chunks: Uint8Array[] = []
  private head = 0
  private size = 0
  private typesPending = false
  private failure: GobError | undefined

  /** Byte arrays decoded are views of the bytes pushed (which must then not change), not copies. */
  private readonly views: boolean

  constructor(options: { maxMessageBytes?: number; views?: boolean } = {}) {
    this.views = options.views ?? false
    const max = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
    if (!Number.isSafeInteger(max) || max < 1)
      throw new RangeError(`maxMessageBytes must be a positive integer`)
    this.max = max
  }

  /**
   * Whether the stream stopped inside a value: bytes of an incomplete message are buffered, or
   * type definitions came without the value they announce (Go's io.ErrUnexpectedEOF at the end).
   */
  get partial(): boolean {
    return this.size > 0 || this.typesPending
  }

  push(bytes: Uint8Array): void {
    if (this.failure || bytes.length === 0) return
    this.size += bytes.length
    // A peer writing a byte at a time must not cost an array entry per byte.
    const last = this.chunks.length - 1
    const tail = this.chunks[last]
    if (tail && bytes.length < 1024 && tail.length < 16384) {
      const merged = new Uint8Array(tail.length + bytes.length)
      merged.set(tail)
      merged.set(bytes, tail.length)
      this.chunks[last] = merged
    } else this.chunks.push(bytes)
  }

  /**
   * The next complete value, or undefined until more bytes come. A GobError for a malformed
   * message consumes that message (as Go's Decoder does); one for the framing itself (a count
   * that is not a uint, a message over maxMessageBytes) ends the stream: every later call throws it.
   */
  next(): { value: GobValue } | undefined {
    if (this.failure) throw this.failure
    for (;;) {
      const message = this.message()
      if (!message) return undefined
      try {
        const r = new GobReader(message, this.views)
        const id = typeId(r.int())
        if (id < 0) {
          this.define(-id, r)
          this.typesPending = true
          continue
        }
        this.typesPending = false
        return { value: decodeValue(id, r, { types: this.types, fill: true }) }
      } catch (error) {
        this.typesPending = false
        if (error instanceof RangeError) throw new GobError(`gob: ${error.message}`)
        throw error
      }
    }
  }

  /** decoder.go recvType. */
  private define(id: number, r: GobReader): void {
    if (id < FIRST_USER_ID || this.types.has(id)) throw new GobError('gob: duplicate type received')
    if (this.types.size >= MAX_TYPES) throw new GobError('gob: too many type definitions')
    const wire = decodeValue(WIRE_T, r, { types: DESCRIPTORS, fill: false }) as GobStruct
    if (r.remaining > 0) throw new GobError('extra data in buffer')
    this.types.set(id, wireType(wire))
  }

  private fail(message: string): GobError {
    this.failure = new GobError(message)
    this.chunks = []
    this.size = 0
    return this.failure
  }

  private peek(offset: number): number {
    let at = this.head + offset
    for (const chunk of this.chunks) {
      if (at < chunk.length) return chunk[at] as number
      at -= chunk.length
    }
    throw new Error('peek past the buffered bytes')
  }

  /** The next whole message's bytes (without its count), consumed; undefined while incomplete. */
  private message(): Uint8Array | undefined {
    if (this.size === 0) return undefined
    const first = this.peek(0)
    let length = BigInt(first)
    let head = 1
    if (first > 0x7f) {
      const n = 256 - first
      if (n > 8) throw this.fail('gob: encoded unsigned integer out of range')
      if (this.size < 1 + n) return undefined
      length = 0n
      for (let i = 1; i <= n; i++) length = (length << 8n) | BigInt(this.peek(i))
      head += n
    }
    if (length > BigInt(this.max)) {
      throw this.fail(`gob: message of ${length} bytes exceeds the limit of ${this.max} bytes`)
    }
    if (this.size < head + Number(length)) return undefined
    this.take(head)
    return this.take(Number(length))
  }

  private take(n: number): Uint8Array {
    this.size -= n
    const first = this.chunks[0]
    if (first && first.length - this.head >= n) {
      const out = first.subarray(this.head, this.head + n)
      this.head += n
      if (this.head === first.length) {
        this.chunks.shift()
        this.head = 0
      }
      return out
    }
    const out = new Uint8Array(n)
    let filled = 0
    while (filled < n) {
      const chunk = this.chunks[0] as Uint8Array
      const part = Math.min(chunk.length - this.head, n - filled)
      out.set(chunk.subarray(this.head, this.head + part), filled)
      filled += part
      this.head += part
      if (this.head === chunk.length) {
        this.chunks.shift()
        this.head = 0
      }
    }
    return out
  }
}

/**
 * Decodes every value of a complete gob stream held in memory (for marshalled payloads that are
 * themselves gob streams). Byte arrays in the values are views of `bytes`, not copies.
 */
export function decodeGobStream(bytes: Uint8Array): GobValue[] {
  const decoder = new GobDecoder({
    maxMessageBytes: Math.max(DEFAULT_MAX_MESSAGE_BYTES, bytes.length),
    views: true,
  })
  decoder.push(bytes)
  const values: GobValue[] = []
  for (let next = decoder.next(); next; next = decoder.next()) values.push(next.value)
  if (decoder.partial) throw new GobError('unexpected EOF')
  return values
}
