/**
 * The sending side of a gob stream (encoder.go, encode.go, type.go): each type's definition once
 * per stream, then values, byte for byte as Go's Encoder writes them for the same Go types.
 */

import {
  FIRST_USER_ID,
  GobError,
  type GobMarshaled,
  type GobStruct,
  type GobType,
  type GobValue,
  MAX_INT64,
  MAX_UINT64,
  MIN_INT64,
  T_BOOL,
  T_BYTES,
  T_FLOAT,
  T_INT,
  T_STRING,
  T_UINT,
} from './gob-types.ts'
import { GobWriter } from './gob-wire.ts'

type Basic = Extract<GobType, string>

interface Described {
  readonly id: number
  readonly kind: Basic | 'slice' | 'struct' | 'marshaled'
  readonly name: string
  /** wireType's field for a marshaled type: GobEncoderT 4, BinaryMarshalerT 5, TextMarshalerT 6. */
  readonly wireField?: number
  readonly elem?: Described
  readonly fields?: Array<readonly [string, Described]>
}

const BASIC: Readonly<Record<Basic, Described>> = {
  bool: { id: T_BOOL, kind: 'bool', name: 'bool' },
  int: { id: T_INT, kind: 'int', name: 'int' },
  uint: { id: T_UINT, kind: 'uint', name: 'uint' },
  float: { id: T_FLOAT, kind: 'float', name: 'float64' },
  bytes: { id: T_BYTES, kind: 'bytes', name: '[]uint8' },
  string: { id: T_STRING, kind: 'string', name: 'string' },
}

const MARSHALED_WIRE_FIELD: Readonly<Record<GobMarshaled['via'], number>> = { gob: 4, binary: 5, text: 6 }

/**
 * A marshaled value's bytes, in one piece or several; its `via` must be its type's (Go's types
 * implement one of the three).
 */
function marshaledBytes(d: Described, v: GobValue): readonly Uint8Array[] {
  const m = v as Partial<GobMarshaled>
  const bytes = m?.marshaled
  const pieces = bytes instanceof Uint8Array ? [bytes] : bytes
  if (
    !Array.isArray(pieces) ||
    !pieces.every((piece) => piece instanceof Uint8Array) ||
    MARSHALED_WIRE_FIELD[m.via as GobMarshaled['via']] !== d.wireField
  )
    throw wrongValue(d, v)
  return pieces
}

/** Deeper GobTypes are taken for cycles (a GobType cannot describe a recursive Go type). */
const MAX_TYPE_DEPTH = 100

/** Go's reflect String() of the type, without a package (what Go names a field's unnamed slice type). */
function goName(type: GobType): string {
  if (typeof type === 'string') return BASIC[type].name
  if ('slice' in type) return type.name ?? `[]${goName(type.slice)}`
  if ('marshaled' in type) return type.name
  return type.struct
}

function badType(type: unknown): GobError {
  return new GobError(`gob: not a GobType: ${typeof type === 'object' ? JSON.stringify(type) : String(type)}`)
}

function show(value: unknown): string {
  if (value === null || value === undefined) return String(value)
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object'
  return `${typeof value} ${String(value).slice(0, 40)}`
}

function wrongValue(d: Described, value: GobValue): GobError {
  return new GobError(`gob: cannot encode ${show(value)} as ${d.kind === 'slice' ? 'a slice' : d.kind}`)
}

function isStruct(value: unknown): value is GobStruct {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array) &&
    !(value instanceof Map)
  )
}

function integer(value: GobValue, d: Described): bigint {
  if (typeof value !== 'bigint' && !(typeof value === 'number' && Number.isInteger(value))) {
    throw new GobError(`gob: cannot encode ${show(value)} as ${d.kind}`)
  }
  const v = BigInt(value)
  const [lo, hi] = d.kind === 'int' ? [MIN_INT64, MAX_INT64] : [0n, MAX_UINT64]
  if (v < lo || v > hi)
    throw new GobError(`gob: ${v} is out of the ${d.kind === 'int' ? 'int64' : 'uint64'} range`)
  return v
}

/** One gob stream's sender side: sends each type's definition once per stream (as Go's Encoder does), then values. */
export class GobEncoder {
  private readonly known = new Map<string, Described>()
  private readonly keys = new WeakMap<object, string>()
  private readonly sent = new Set<number>()
  private nextId = FIRST_USER_ID
  private readonly write: (bytes: Uint8Array) => void

  constructor(write: (bytes: Uint8Array) => void) {
    this.write = write
  }

  /** Writes the definitions `value`'s type still needs (one message each), then the value's message. */
  encode(type: GobType, value: GobValue): void {
    const d = this.describe(type, 'top')
    const body = new GobWriter()
    body.int(d.id)
    if (d.fields) this.struct(body, d.fields, value)
    else {
      body.uint(0)
      this.put(body, d, value)
    }
    const definitions: Uint8Array[] = []
    this.define(d, definitions)
    for (const message of definitions) this.write(message)
    for (const piece of body.message()) this.write(piece)
  }

  /** Types with the same shape are the same type, as they would be one Go type. */
  private key(type: GobType, depth: number): string {
    if (typeof type === 'string') {
      if (!Object.hasOwn(BASIC, type)) throw badType(type)
      return type
    }
    if (typeof type !== 'object' || type === null) throw badType(type)
    const cached = this.keys.get(type)
    if (cached !== undefined) return cached
    if (depth > MAX_TYPE_DEPTH) throw new GobError('gob: GobType nests too deeply (is it recursive?)')
    let key: string
    if ('slice' in type) {
      key = `[${type.name === undefined ? '' : JSON.stringify(type.name)}]${this.key(type.slice, depth + 1)}`
    } else if ('marshaled' in type && Object.hasOwn(MARSHALED_WIRE_FIELD, type.marshaled)) {
      key = `<${type.marshaled} ${JSON.stringify(type.name)}>`
    } else if ('struct' in type && typeof type.struct === 'string' && Array.isArray(type.fields)) {
      const names = new Set<string>()
      const fields = type.fields.map(([name, t]) => {
        if (typeof name !== 'string' || name === '' || names.has(name)) {
          throw new GobError(`gob: bad or repeated field name ${JSON.stringify(name)} in ${type.struct}`)
        }
        names.add(name)
        return `${JSON.stringify(name)} ${this.key(t, depth + 1)}`
      })
      key = `${JSON.stringify(type.struct)}{${fields.join(';')}}`
    } else throw badType(type)
    this.keys.set(type, key)
    return key
  }

  /**
   * Ids in Go's order (type.go newTypeObject): a struct before its fields' types, a slice after
   * its element's. A slice without a name is named as Go names it where it is first met.
   */
  private describe(type: GobType, context: 'top' | 'field' | 'elem'): Described {
    const key = this.key(type, 0)
    if (typeof type === 'string') return BASIC[type]
    const known = this.known.get(key)
    if (known) return known
    if ('slice' in type) {
      const elem = this.describe(type.slice, 'elem')
      const name = type.name ?? (context === 'field' ? goName(type) : '')
      const d: Described = { id: this.nextId++, kind: 'slice', name, elem }
      this.known.set(key, d)
      return d
    }
    if ('marshaled' in type) {
      const wireField = MARSHALED_WIRE_FIELD[type.marshaled]
      const d: Described = { id: this.nextId++, kind: 'marshaled', name: type.name, wireField }
      this.known.set(key, d)
      return d
    }
    const fields: Array<readonly [string, Described]> = []
    const d: Described = { id: this.nextId++, kind: 'struct', name: type.struct, fields }
    this.known.set(key, d)
    for (const [name, t] of type.fields) fields.push([name, this.describe(t, 'field')])
    return d
  }

  /** encoder.go sendActualType: the type's definition, then its parts'. */
  private define(d: Described, out: Uint8Array[]): void {
    if (d.id < FIRST_USER_ID || this.sent.has(d.id)) return
    this.sent.add(d.id)
    const w = new GobWriter()
    w.int(-d.id)
    // wireType{SliceT (field 1) | StructT (field 2) | a marshaled type's field}, each a struct whose
    // field 0 is CommonType{Name, Id}.
    w.uint(d.wireField !== undefined ? d.wireField + 1 : d.fields ? 3 : 2)
    w.uint(1)
    commonType(w, d.name, d.id)
    if (d.elem) {
      w.uint(1)
      w.int(d.elem.id)
    } else if (d.fields && d.fields.length > 0) {
      w.uint(1)
      w.uint(d.fields.length)
      for (const [name, f] of d.fields) commonType(w, name, f.id)
    }
    w.uint(0)
    w.uint(0)
    out.push(...w.message())
    if (d.elem) this.define(d.elem, out)
    for (const [, f] of d.fields ?? []) this.define(f, out)
  }

  /** Fields in order, each after its number's delta; zero values left out, nested structs always sent. */
  private struct(w: GobWriter, fields: ReadonlyArray<readonly [string, Described]>, value: GobValue): void {
    if (!isStruct(value)) throw new GobError(`gob: cannot encode ${show(value)} as a struct`)
    let last = -1
    fields.forEach(([name, d], i) => {
      const v: GobValue | undefined = Object.hasOwn(value, name) ? value[name] : undefined
      if (d.fields) {
        w.uint(i - last)
        last = i
        this.struct(w, d.fields, v ?? Object.create(null))
        return
      }
      if (v === undefined || this.isZero(d, v)) return
      w.uint(i - last)
      last = i
      this.put(w, d, v)
    })
    w.uint(0)
  }

  private isZero(d: Described, v: GobValue): boolean {
    switch (d.kind) {
      case 'int':
      case 'uint':
        return integer(v, d) === 0n
      case 'bool':
        if (typeof v !== 'boolean') throw wrongValue(d, v)
        return !v
      case 'float':
        if (typeof v !== 'number') throw wrongValue(d, v)
        return v === 0
      case 'bytes':
        if (!(v instanceof Uint8Array)) throw wrongValue(d, v)
        return v.length === 0
      case 'string':
        if (typeof v !== 'string') throw wrongValue(d, v)
        return v === ''
      case 'slice':
        if (!Array.isArray(v)) throw wrongValue(d, v)
        return v.length === 0
      case 'struct':
        return false
      case 'marshaled':
        marshaledBytes(d, v)
        return false
    }
  }

  private put(w: GobWriter, d: Described, v: GobValue): void {
    switch (d.kind) {
      case 'bool':
        if (typeof v !== 'boolean') throw wrongValue(d, v)
        w.uint(v ? 1 : 0)
        break
      case 'int':
        w.int(integer(v, d))
        break
      case 'uint':
        w.uint(integer(v, d))
        break
      case 'float':
        if (typeof v !== 'number') throw wrongValue(d, v)
        w.float(v)
        break
      case 'bytes':
        if (!(v instanceof Uint8Array)) throw wrongValue(d, v)
        w.uint(v.length)
        w.bytes(v)
        break
      case 'string':
        if (typeof v !== 'string') throw wrongValue(d, v)
        w.string(v)
        break
      case 'slice': {
        if (!Array.isArray(v)) throw wrongValue(d, v)
        const elem = d.elem as Described
        w.uint(v.length)
        for (const e of v) {
          if (elem.fields) this.struct(w, elem.fields, e)
          else this.put(w, elem, e)
        }
        break
      }
      case 'struct':
        this.struct(w, d.fields ?? [], v)
        break
      case 'marshaled': {
        // encodeGobEncoder: the bytes the type's own method returned, as a byte slice.
        const pieces = marshaledBytes(d, v)
        w.uint(pieces.reduce((n, piece) => n + piece.length, 0))
        for (const piece of pieces) w.bytes(piece)
        break
      }
    }
  }
}

/** CommonType{Name string; Id typeId} (and fieldType, the same shape), Name left out when empty. */
function commonType(w: GobWriter, name: string, id: number): void {
  if (name !== '') {
    w.uint(1)
    w.string(name)
    w.uint(1)
  } else w.uint(2)
  w.int(id)
  w.uint(0)
}
