/**
 * Decodes one gob value given the wire types a stream defined (decode.go decodeStruct,
 * decodeSingle, decodeSlice, decodeArray, decodeMap, decodeGobDecoder), into GobValues. Omitted
 * struct fields become their zero values, so a struct has every field of the sender's type.
 */
import {
  GobError,
  type GobMarshaled,
  type GobStruct,
  type GobValue,
  MAX_DEPTH,
  T_BOOL,
  T_BYTES,
  T_COMPLEX,
  T_FLOAT,
  T_INT,
  T_INTERFACE,
  T_STRING,
  T_UINT,
} from './gob-types.ts'
import type { GobReader } from './gob-wire.ts'

export type WireType =
  | { readonly kind: 'struct'; readonly name: string; readonly fields: ReadonlyArray<WireField> }
  | { readonly kind: 'slice'; readonly elem: number }
  | { readonly kind: 'array'; readonly elem: number; readonly len: number }
  | { readonly kind: 'map'; readonly key: number; readonly elem: number }
  | { readonly kind: 'marshaled'; readonly via: GobMarshaled['via'] }

export interface WireField {
  readonly name: string
  readonly id: number
}

const BAD_TYPE = 'gob: unknown type id or corrupted data'

export interface DecodeOptions {
  readonly types: ReadonlyMap<number, WireType>
  /** Fill omitted struct fields with zero values (false only for Go's own type descriptors). */
  readonly fill: boolean
}

/**
 * Zero values are made, not read: a tiny message may name a type whose zero value is huge
 * (nested structs of many fields, a [1<<40]int). Each value may make this many plus 8 per byte
 * of its message.
 */
const ZERO_BUDGET = 1 << 20

class ValueDecoder {
  private readonly r: GobReader
  private readonly options: DecodeOptions
  private zeroBudget: number
  constructor(r: GobReader, options: DecodeOptions) {
    this.r = r
    this.options = options
    this.zeroBudget = ZERO_BUDGET + 8 * r.bytes.length
  }

  private wire(id: number): WireType {
    const t = this.options.types.get(id)
    if (!t) throw new GobError(BAD_TYPE)
    return t
  }

  value(id: number, depth: number): GobValue {
    if (depth > MAX_DEPTH) throw new GobError('gob: values or types nest too deeply')
    const r = this.r
    switch (id) {
      case T_BOOL:
        return r.uint() !== 0n
      case T_INT:
        return r.int()
      case T_UINT:
        return r.uint()
      case T_FLOAT:
        return r.float()
      case T_BYTES:
        return r.take(r.small(), 'slice')
      case T_STRING:
        return r.string()
      case T_COMPLEX:
        throw new GobError('gob: complex numbers are not supported')
      case T_INTERFACE:
        throw new GobError('gob: interface values are not supported')
    }
    const t = this.wire(id)
    switch (t.kind) {
      case 'struct':
        return this.struct(t.fields, depth)
      case 'slice':
        return this.elements(r.small(), t.elem, depth)
      case 'array': {
        if (r.small() !== t.len) throw new GobError('gob: length mismatch in decodeArray')
        return this.elements(t.len, t.elem, depth)
      }
      case 'map': {
        const n = r.small()
        if (n > r.remaining) throw new GobError(`gob: map length ${n} exceeds input size ${r.remaining}`)
        const map = new Map<GobValue, GobValue>()
        for (let i = 0; i < n; i++) map.set(this.value(t.key, depth + 1), this.value(t.elem, depth + 1))
        return map
      }
      case 'marshaled':
        return { marshaled: r.take(r.small(), 'GobDecoder data'), via: t.via }
    }
  }

  /** Every element takes a byte at least: a count beyond the bytes left fails before it costs anything. */
  private elements(n: number, elem: number, depth: number): GobValue[] {
    const r = this.r
    const out: GobValue[] = []
    for (let i = 0; i < n; i++) {
      if (r.remaining === 0) {
        throw new GobError(`gob: decoding array or slice: length exceeds input size (${n} elements)`)
      }
      out.push(this.value(elem, depth + 1))
    }
    return out
  }

  /** A struct ends at a zero field delta or at the end of the message. Fields keep the sender's order. */
  struct(fields: ReadonlyArray<WireField>, depth: number): GobStruct {
    const r = this.r
    const got = new Map<number, GobValue>()
    let fieldnum = -1
    while (r.remaining > 0) {
      const delta = r.small()
      if (delta === 0) break
      if (fieldnum >= fields.length - delta) throw new GobError('gob: bad data: field numbers out of bounds')
      fieldnum += delta
      got.set(fieldnum, this.value((fields[fieldnum] as WireField).id, depth + 1))
    }
    const out: GobStruct = Object.create(null)
    if (!this.options.fill) {
      for (const [i, v] of got) out[(fields[i] as WireField).name] = v
      return out
    }
    fields.forEach((field, i) => {
      const v = got.get(i)
      if (v !== undefined) out[field.name] = v
      else if (!Object.hasOwn(out, field.name)) out[field.name] = this.zero(field.id, depth + 1, new Map())
    })
    return out
  }

  /**
   * A recursive type's zero value refers to itself (`type Node struct{ Next *Node }`: the zero
   * Node's Next is that same object), which keeps it finite.
   */
  private zero(id: number, depth: number, making: Map<number, GobValue>): GobValue {
    if (depth > MAX_DEPTH) throw new GobError('gob: values or types nest too deeply')
    if (--this.zeroBudget < 0) throw new GobError('gob: zero values of the types sent are too large')
    switch (id) {
      case T_BOOL:
        return false
      case T_INT:
      case T_UINT:
        return 0n
      case T_FLOAT:
        return 0
      case T_BYTES:
        return new Uint8Array(0)
      case T_STRING:
        return ''
      case T_COMPLEX:
        throw new GobError('gob: complex numbers are not supported')
      case T_INTERFACE:
        throw new GobError('gob: interface values are not supported')
    }
    const t = this.wire(id)
    const cycle = making.get(id)
    if (cycle !== undefined) return cycle
    switch (t.kind) {
      case 'struct': {
        const out: GobStruct = Object.create(null)
        making.set(id, out)
        for (const field of t.fields) out[field.name] = this.zero(field.id, depth + 1, making)
        making.delete(id)
        return out
      }
      case 'array': {
        if (t.len > this.zeroBudget) throw new GobError('gob: zero values of the types sent are too large')
        const out: GobValue[] = []
        making.set(id, out)
        for (let i = 0; i < t.len; i++) out.push(this.zero(t.elem, depth + 1, making))
        making.delete(id)
        return out
      }
      case 'slice':
        return []
      case 'map':
        return new Map()
      case 'marshaled':
        return { marshaled: new Uint8Array(0), via: t.via }
    }
  }
}

/** The sender's type name of each top-level struct decoded: Go's decoder errors name it. */
const structNames = new WeakMap<object, string>()
/** The sender's name for a top-level struct; undefined for any other value (not a struct). */
export const senderStructName = (value: GobValue | undefined): string | undefined =>
  typeof value === 'object' && value !== null ? structNames.get(value) : undefined

/** A top-level value: a struct's fields directly, any other value after a zero delta (decodeSingle). */
export function decodeValue(id: number, r: GobReader, options: DecodeOptions): GobValue {
  const decoder = new ValueDecoder(r, options)
  const t = options.types.get(id)
  if (t?.kind === 'struct') {
    const struct = decoder.struct(t.fields, 0)
    structNames.set(struct, t.name)
    return struct
  }
  if (id < 1 || (id > T_INTERFACE && !t)) throw new GobError(BAD_TYPE)
  if (r.small() !== 0) throw new GobError('gob: decode: corrupted data: non-zero delta for singleton')
  return decoder.value(id, 0)
}
