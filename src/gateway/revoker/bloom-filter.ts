/**
 * KrakenD's revocation store (bloomfilter/v2's rotate.Bloomfilter): three bloom filters —
 * previous, current, next. An element is added to current and next and found in previous or
 * current; every TTL the set slides (next becomes current, a new next starts empty), so an element
 * is revoked for between two and three TTLs.
 */
import { bitPositions, type HashName } from './bloom-hashes.ts'

export interface BloomConfig {
  /** Elements the filter is sized for. */
  n: number
  /** Wanted false-positive rate, 0 < p < 1. */
  p: number
  hashName: HashName
}

/** Bits of a filter: Go's M(n, p) = ceil(-n*ln(p) / ln(2^ln 2)). */
export const bloomBits = (n: number, p: number): number =>
  Math.ceil(-(n * Math.log(p)) / Math.log(2 ** Math.log(2)))
/** Hash count: Go's K(m, n) = ceil(ln 2 * m / n). */
export const bloomHashes = (m: number, n: number): number => Math.ceil((Math.log(2) * m) / n)

/** One filter: m bits in Go's bitset layout (bit i is byte i>>3, mask 1<<(i&7)). */
export interface BloomBits {
  readonly m: number
  readonly k: number
  readonly hashName: HashName
  readonly bits: Uint8Array
}

export const emptyBits = (config: BloomConfig): BloomBits => {
  const m = bloomBits(config.n, config.p)
  return { m, k: bloomHashes(m, config.n), hashName: config.hashName, bits: new Uint8Array(Math.ceil(m / 8)) }
}

const isSet = (f: BloomBits, positions: readonly number[]) =>
  positions.every((bit) => ((f.bits[bit >>> 3] as number) & (1 << (bit & 7))) !== 0)

const set = (f: BloomBits, positions: readonly number[]) => {
  for (const bit of positions) f.bits[bit >>> 3] = (f.bits[bit >>> 3] as number) | (1 << (bit & 7))
}

/** Whole 32-bit words of a bitset (its tail bytes aside); the arrays here start on a word boundary. */
const words = (bits: Uint8Array) => new Int32Array(bits.buffer, bits.byteOffset, bits.length >>> 2)

const popcount = (word: number) => {
  let x = word - ((word >>> 1) & 0x55555555)
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) as number
}

/** Fill degree (set bits / m), as Go's Capacity. */
export function fillDegree(f: BloomBits): number {
  let count = 0
  const all = words(f.bits)
  for (let w = 0; w < all.length; w++) {
    const word = all[w] as number
    if (word !== 0) count += popcount(word)
  }
  for (let i = f.bits.length & ~3; i < f.bits.length; i++) count += popcount(f.bits[i] as number)
  return count / f.m
}

/** One filter of a sliding set another process sent (its hash name unchecked). */
export interface RemoteFilter {
  m: number
  k: number
  hashName: string
  bits: Uint8Array
}

export interface RemoteSlidingFilter {
  n: number
  p: number
  previous: RemoteFilter
  current: RemoteFilter
  next: RemoteFilter
}

/** Go's %.2f. */
const twoDecimals = (x: number) => x.toFixed(2)

function filterMismatch(ours: BloomBits, theirs: RemoteFilter): string | undefined {
  if (theirs.m !== ours.m) return `m1(${ours.m}) != m2(${theirs.m})`
  if (theirs.k !== ours.k) return `k1(${ours.k}) != k2(${theirs.k})`
  if (theirs.hashName !== ours.hashName)
    return `different hashers: ${theirs.hashName} is not ${ours.hashName}`
  if (theirs.bits.length !== ours.bits.length)
    return `a bitset of ${theirs.bits.length} bytes for m ${ours.m}`
  return undefined
}

/** Per filter, the bytes a union changed as pairs: offset, then the bits it set there. */
export type BitChangeList = Record<'previous' | 'current' | 'next', number[]>

/** Past this many changed bytes, a copy is sent the whole filter rather than the list. */
const MAX_LISTED_CHANGES = 1 << 16

/** What a union changed, collected for the copies of the filter (cluster workers) to follow. */
export class BitChanges {
  readonly list: BitChangeList = { previous: [], current: [], next: [] }
  /** Changed bytes counted. */
  count = 0
  /** Too many to list: the list is dropped, and the copies need the whole filter. */
  overflowed = false

  of(which: keyof BitChangeList): (offset: number, bits: number) => void {
    const list = this.list[which]
    return (offset, bits) => {
      if (++this.count > MAX_LISTED_CHANGES) this.overflow()
      if (!this.overflowed) list.push(offset, bits)
    }
  }

  /** The copies will need the whole filter: the list is dropped. */
  overflow(): void {
    if (this.overflowed) return
    this.overflowed = true
    for (const list of Object.values(this.list)) list.length = 0
  }
}

/** Words ORed between two turns of the event loop (1 MB: about a millisecond). */
const SLICE_WORDS = 1 << 18
/** Lets the event loop run (requests, timers) before the next slice of a long job. */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * ORs `theirs` into `ours` (of equal length), skipping a word at a time; each byte that changes is
 * reported. A large filter is merged a slice at a time, letting requests run in between.
 */
async function orInto(
  ours: Uint8Array,
  theirs: Uint8Array,
  changed: (offset: number, bits: number) => void,
): Promise<void> {
  const a = words(ours)
  const aligned = theirs.byteOffset % 4 === 0
  // Bits that do not start on a word boundary are copied a slice at a time into one that does.
  const scratch = aligned ? undefined : new Uint8Array(Math.min(a.length, SLICE_WORDS) * 4)
  for (let start = 0; start < a.length; start += SLICE_WORDS) {
    if (start > 0) await nextTurn()
    const end = Math.min(a.length, start + SLICE_WORDS)
    let b: Int32Array
    let base = start
    if (scratch) {
      scratch.set(theirs.subarray(start * 4, end * 4))
      b = words(scratch)
      base = 0
    } else b = words(theirs)
    for (let w = start; w < end; w++) {
      if (((b[w - start + base] as number) & ~(a[w] as number)) === 0) continue
      for (let i = w * 4; i < w * 4 + 4; i++) orByte(ours, theirs, i, changed)
    }
  }
  for (let i = a.length * 4; i < ours.length; i++) orByte(ours, theirs, i, changed)
}

function orByte(
  ours: Uint8Array,
  theirs: Uint8Array,
  i: number,
  changed: (offset: number, bits: number) => void,
) {
  const add = (theirs[i] as number) & ~(ours[i] as number)
  if (add === 0) return
  ours[i] = (ours[i] as number) | add
  changed(i, add)
}

export interface SlidingSnapshot {
  /**
   * How many times the set had slid: `previous` is its filter number `rotations`, `current` the
   * next number, `next` the one after. Copies that slide in step number their filters alike, so a
   * slice of the whole filter sent as a number lands in the right filter after a slide meanwhile.
   */
  rotations: number
  previous: Uint8Array
  current: Uint8Array
  next: Uint8Array
}

export class SlidingBloomFilter {
  readonly config: BloomConfig
  /** Goes up whenever a bit may have changed (what a cached Snapshot is checked against). */
  generation = 0
  #previous: BloomBits
  #current: BloomBits
  #next: BloomBits
  #rotations = 0

  constructor(config: BloomConfig) {
    this.config = config
    this.#previous = emptyBits(config)
    this.#current = emptyBits(config)
    this.#next = emptyBits(config)
  }

  /** Slides so far (the number of the filter that is `previous`, see SlidingSnapshot). */
  get rotations(): number {
    return this.#rotations
  }

  get filters(): { previous: BloomBits; current: BloomBits; next: BloomBits } {
    return { previous: this.#previous, current: this.#current, next: this.#next }
  }

  #positions(elem: Uint8Array): number[] {
    const { m, k, hashName } = this.#current
    return bitPositions(hashName, k, m, elem)
  }

  add(elem: Uint8Array): void {
    this.generation++
    const positions = this.#positions(elem)
    set(this.#next, positions)
    set(this.#current, positions)
  }

  check(elem: Uint8Array): boolean {
    const positions = this.#positions(elem)
    return isSet(this.#previous, positions) || isSet(this.#current, positions)
  }

  rotate(): void {
    this.generation++
    this.#rotations++
    this.#previous = this.#current
    this.#current = this.#next
    this.#next = emptyBits(this.config)
  }

  /**
   * ORs another set in, as rotate.Bloomfilter.Union: n and p must match, then current, next and
   * previous are merged in that order, each after its m, k and hasher match; a mismatch throws
   * Go's text and leaves the filters merged before it merged (as Go does). The bytes it changed
   * are added to `changes` (also before a mismatch), for copies of the filter to follow.
   */
  async union(other: RemoteSlidingFilter, changes: BitChanges = new BitChanges()): Promise<void> {
    if (other.n !== this.config.n) throw new Error(`different n values ${other.n} vs. ${this.config.n}`)
    if (other.p !== this.config.p)
      throw new Error(`different p values ${twoDecimals(other.p)} vs. ${twoDecimals(this.config.p)}`)
    const before = changes.count
    const rotations = this.#rotations
    try {
      for (const which of ['current', 'next', 'previous'] as const) {
        const ours = this.filters[which]
        const problem = filterMismatch(ours, other[which])
        if (problem) throw new Error(problem)
        await orInto(ours.bits, other[which].bits, changes.of(which))
      }
    } finally {
      // Also after a mismatch: what merged before it stays merged (as in Go).
      if (changes.count !== before) this.generation++
      // The filters slid while it merged: a list by filter name would land in the wrong ones.
      if (this.#rotations !== rotations) changes.overflow()
    }
  }

  /** Applies the changes a union made to another copy of this filter. */
  apply(changes: BitChangeList): void {
    this.generation++
    for (const which of ['previous', 'current', 'next'] as const) {
      const bits = this.filters[which].bits
      const list = changes[which]
      for (let i = 0; i + 1 < list.length; i += 2) {
        const at = list[i] as number
        if (at < bits.length) bits[at] = (bits[at] as number) | (list[i + 1] as number)
      }
    }
  }

  /** Mean fill degree of the three filters (the Union call's answer). */
  capacity(): number {
    return (fillDegree(this.#previous) + fillDegree(this.#current) + fillDegree(this.#next)) / 3
  }

  /** The three bit arrays as they are (not copies) and their numbers. */
  snapshot(): SlidingSnapshot {
    return {
      rotations: this.#rotations,
      previous: this.#previous.bits,
      current: this.#current.bits,
      next: this.#next.bits,
    }
  }

  /**
   * ORs `bytes` into the filter numbered `filter` (see SlidingSnapshot) from byte `offset` on: a
   * slice of another copy's filter. Bits are only added, so a token it found before it still finds;
   * a filter that has slid out already (or is not there yet) is left alone.
   */
  orSlice(filter: number, offset: number, bytes: Uint8Array): void {
    const slot = filter - this.#rotations
    const into =
      slot === 0 ? this.#previous : slot === 1 ? this.#current : slot === 2 ? this.#next : undefined
    if (!into || !Number.isInteger(offset) || offset < 0) return
    this.generation++
    const bits = into.bits
    const end = Math.min(bits.length, offset + bytes.length)
    for (let i = offset; i < end; i++) bits[i] = (bits[i] as number) | (bytes[i - offset] as number)
  }

  /**
   * Empties the three filters and numbers them from `rotations` (see SlidingSnapshot): a worker
   * about to copy the primary's filter a slice at a time.
   */
  reset(rotations: number): void {
    this.generation++
    this.#previous = emptyBits(this.config)
    this.#current = emptyBits(this.config)
    this.#next = emptyBits(this.config)
    this.#rotations = rotations
  }
}
