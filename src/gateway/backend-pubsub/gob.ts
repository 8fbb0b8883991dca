/**
 * gocloud's NATS envelope (natspubsub without ?natsv2): a message with metadata is Go's
 * encoding/gob of the metadata (map[string]string) followed by the body ([]byte); a message
 * without metadata is the body as it is. Reads and writes only that shape; whatever else a
 * subscriber receives is a plain body, as gocloud falls back when gob cannot read the metadata.
 */

/** gob's id of []byte; string is 6. A map type gets an id of its own, sent before its first value. */
const BYTES_ID = 5
const STRING_ID = 6
/** The id KrakenD's process gives map[string]string (gob numbers user types from 64). */
const MAP_ID = 64

/** wireType's MapT field (0 ArrayT, 1 SliceT, 2 StructT, 3 MapT). */
const MAP_T_FIELD = 3

class GobWriter {
  readonly bytes: number[] = []
  uint(n: number): void {
    if (n < 128) {
      this.bytes.push(n)
      return
    }
    const out: number[] = []
    for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256)
    this.bytes.push(256 - out.length, ...out)
  }
  int(n: number): void {
    this.uint(n < 0 ? -n * 2 - 1 : n * 2)
  }
  data(bytes: Uint8Array): void {
    this.uint(bytes.length)
    for (const b of bytes) this.bytes.push(b)
  }
}

/** One gob message: its length, then its bytes. */
function message(write: (w: GobWriter) => void): Buffer {
  const body = new GobWriter()
  write(body)
  const head = new GobWriter()
  head.uint(body.bytes.length)
  return Buffer.from([...head.bytes, ...body.bytes])
}

/** natspubsub's encodeMessage: the body alone without metadata, else gob(metadata) gob(body). */
export function encodeGobEnvelope(metadata: Array<[string, string]>, body: Buffer): Buffer {
  if (metadata.length === 0) return body
  const typeDefinition = message((w) => {
    w.int(-MAP_ID)
    // wireType{MapT: {CommonType{Id}, Key: string, Elem: string}}, fields as deltas, 0 ends a struct
    w.uint(MAP_T_FIELD + 1)
    w.uint(1)
    w.uint(2)
    w.int(MAP_ID)
    w.uint(0)
    w.uint(1)
    w.int(STRING_ID)
    w.uint(1)
    w.int(STRING_ID)
    w.uint(0)
    w.uint(0)
  })
  const map = message((w) => {
    w.int(MAP_ID)
    w.uint(0)
    w.uint(metadata.length)
    for (const [k, v] of metadata) {
      w.data(Buffer.from(k, 'utf8'))
      w.data(Buffer.from(v, 'utf8'))
    }
  })
  const bytes = message((w) => {
    w.int(BYTES_ID)
    w.uint(0)
    w.data(body)
  })
  return Buffer.concat([typeDefinition, map, bytes])
}

class GobReader {
  #at = 0
  readonly bytes: Uint8Array
  constructor(bytes: Uint8Array) {
    this.bytes = bytes
  }
  get done(): boolean {
    return this.#at >= this.bytes.length
  }
  byte(): number {
    const b = this.bytes[this.#at]
    if (b === undefined) throw new GobError()
    this.#at += 1
    return b
  }
  uint(): number {
    const first = this.byte()
    if (first < 128) return first
    const count = 256 - first
    if (count > 8) throw new GobError()
    let n = 0
    for (let i = 0; i < count; i += 1) n = n * 256 + this.byte()
    return n
  }
  int(): number {
    const u = this.uint()
    return u % 2 === 1 ? -(u - 1) / 2 - 1 : u / 2
  }
  data(): Uint8Array {
    const n = this.uint()
    if (n > this.bytes.length - this.#at) throw new GobError()
    const out = this.bytes.subarray(this.#at, this.#at + n)
    this.#at += n
    return out
  }
  /** The next message's bytes. */
  message(): GobReader {
    return new GobReader(this.data())
  }
}

class GobError extends Error {}

/**
 * natspubsub's decodeMessage: the body of a gob envelope; the data itself when the metadata is not
 * gob (anything but a map[string]string); an Error when the metadata reads and the body does not.
 */
export function decodeGobEnvelope(data: Uint8Array): Uint8Array | Error {
  const stream = new GobReader(data)
  const maps = new Set<number>()
  let seenMap = false
  try {
    while (!seenMap) {
      const m = stream.message()
      const id = m.int()
      if (id < 0) {
        if (!readMapOfStrings(m, -id)) return data
        maps.add(-id)
        continue
      }
      if (!maps.has(id) || m.uint() !== 0) return data
      const count = m.uint()
      for (let i = 0; i < count; i += 1) {
        m.data()
        m.data()
      }
      seenMap = true
    }
  } catch {
    return data
  }
  try {
    for (;;) {
      const m = stream.message()
      const id = m.int()
      if (id < 0) continue
      if (id !== BYTES_ID || m.uint() !== 0) throw new GobError()
      return Buffer.from(m.data())
    }
  } catch {
    return new Error('gob: decoding the message body failed')
  }
}

/** A wireType defining `id` as map[string]string. */
function readMapOfStrings(m: GobReader, id: number): boolean {
  if (m.uint() !== MAP_T_FIELD + 1) return false
  // mapType: CommonType (Name, Id), Key, Elem
  if (m.uint() !== 1) return false
  let delta = m.uint()
  let field = -1
  let definedId: number | undefined
  while (delta !== 0) {
    field += delta
    if (field === 0) m.data()
    else if (field === 1) definedId = m.int()
    else return false
    delta = m.uint()
  }
  if (definedId !== id) return false
  if (m.uint() !== 1 || m.int() !== STRING_ID) return false
  if (m.uint() !== 1 || m.int() !== STRING_ID) return false
  return m.uint() === 0
}
