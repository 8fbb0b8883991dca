/**
 * The hash functions of KrakenD's bloom filter (github.com/krakend/bloomfilter/v2, hasher.go),
 * bit for bit: a filter sent by a Go process through the Union call sets the same bits as one
 * filled here.
 *
 * Each Go hasher takes a hash.Hash's digest (big-endian for CRC64 and FNV, as Go's Sum writes
 * them) and reads it as little-endian uint64 words; a word is kept here as [low, high] 32-bit
 * halves so the position `word % m` needs no BigInt.
 */
import { cryptoModule } from '../libraries.ts'

export type HashName = 'default' | 'optimal'
export const HASH_NAMES: readonly HashName[] = ['default', 'optimal']

/** A uint64 as its 32-bit halves. */
type Word = readonly [low: number, high: number]
type Hash = (elem: Uint8Array) => Word[]

function words(digest: Uint8Array): Word[] {
  const view = new DataView(digest.buffer, digest.byteOffset, digest.byteLength)
  const out: Word[] = []
  for (let i = 0; i + 8 <= digest.length; i += 8)
    out.push([view.getUint32(i, true), view.getUint32(i + 4, true)])
  return out
}

const cryptoHash =
  (algorithm: 'md5' | 'sha1'): Hash =>
  (elem) =>
    words(cryptoModule().createHash(algorithm).update(elem).digest())

interface Crc64Table {
  low: Uint32Array
  high: Uint32Array
}

let crc64TableValue: Crc64Table | undefined

/**
 * CRC-64 with Go's crc64.ECMA table (reflected polynomial), as 256 pairs of 32-bit halves. Built on
 * first use: every node bundles this module, only a config with auth/revoker hashes.
 */
function crc64Table(): Crc64Table {
  crc64TableValue ??= buildCrc64Table()
  return crc64TableValue
}

function buildCrc64Table(): Crc64Table {
  const low = new Uint32Array(256)
  const high = new Uint32Array(256)
  const polyLow = 0xd7870f42
  const polyHigh = 0xc96c5795
  for (let i = 0; i < 256; i++) {
    let lo = i
    let hi = 0
    for (let bit = 0; bit < 8; bit++) {
      const odd = lo & 1
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0
      hi >>>= 1
      if (odd) {
        lo = (lo ^ polyLow) >>> 0
        hi = (hi ^ polyHigh) >>> 0
      }
    }
    low[i] = lo
    high[i] = hi
  }
  return { low, high }
}

const crc64: Hash = (elem) => {
  const table = crc64Table()
  let lo = 0xffffffff
  let hi = 0xffffffff
  for (const byte of elem) {
    const index = (lo ^ byte) & 0xff
    lo = ((((lo >>> 8) | (hi << 24)) >>> 0) ^ (table.low[index] as number)) >>> 0
    hi = ((hi >>> 8) ^ (table.high[index] as number)) >>> 0
  }
  lo = ~lo >>> 0
  hi = ~hi >>> 0
  // Sum() is big-endian; the hasher reads it back little-endian.
  return [[bswap32(hi), bswap32(lo)]]
}

const bswap32 = (x: number) =>
  (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0

/**
 * FNV-1 (multiply, then xor) over 16-bit limbs, least significant first. Both primes are
 * 2^shift + small: multiplying is h*small + (h << shift) modulo 2^(16*limbs).
 */
function fnv1(offset: readonly number[], small: number, shift: number): (elem: Uint8Array) => Uint8Array {
  const n = offset.length
  const q = shift >>> 4
  const r = shift & 15
  return (elem) => {
    const h = offset.slice()
    const t = new Array<number>(n).fill(0)
    for (const byte of elem) {
      for (let i = 0; i < n; i++) {
        let v = (h[i] as number) * small
        if (i >= q) {
          const a = h[i - q] as number
          const b = i - q - 1 >= 0 ? (h[i - q - 1] as number) : 0
          v += r === 0 ? a : ((a << r) & 0xffff) | (b >>> (16 - r))
        }
        t[i] = v
      }
      let carry = 0
      for (let i = 0; i < n; i++) {
        const v = (t[i] as number) + carry
        h[i] = v & 0xffff
        carry = Math.floor(v / 0x10000)
      }
      h[0] = (h[0] as number) ^ byte
    }
    const digest = new Uint8Array(n * 2)
    for (let i = 0; i < n; i++) {
      const limb = h[n - 1 - i] as number
      digest[2 * i] = limb >>> 8
      digest[2 * i + 1] = limb & 0xff
    }
    return digest
  }
}

const limbs = (hex: string): number[] => {
  const out: number[] = []
  for (let end = hex.length; end > 0; end -= 4)
    out.push(Number.parseInt(hex.slice(Math.max(0, end - 4), end), 16))
  return out
}

const fnv64Digest = fnv1(limbs('cbf29ce484222325'), 0x1b3, 40)
const fnv128Digest = fnv1(limbs('6c62272e07bb014262b821756295c58d'), 0x13b, 88)
const fnv64: Hash = (elem) => words(fnv64Digest(elem))
const fnv128: Hash = (elem) => words(fnv128Digest(elem))

const DEFAULT_HASHERS: readonly Hash[] = [cryptoHash('md5'), crc64, cryptoHash('sha1'), fnv64, fnv128]

/**
 * The bit positions (each < m) an element sets or tests: for "default" every word of the first
 * min(k, 5) hashers, for "optimal" k words h0 + i*h1 (uint64 arithmetic) of its FNV-128.
 */
export function bitPositions(hashName: HashName, k: number, m: number, elem: Uint8Array): number[] {
  const out: number[] = []
  if (hashName === 'default') {
    for (const hash of DEFAULT_HASHERS.slice(0, Math.min(k, DEFAULT_HASHERS.length)))
      for (const [lo, hi] of hash(elem)) out.push(mod64(lo, hi, m))
    return out
  }
  const [h0, h1] = fnv128(elem) as [Word, Word]
  for (let i = 0; i < k; i++) {
    // h0 + i*h1 mod 2^64, in halves: i < 2^21 keeps every product below 2^53.
    const lowSum = h0[0] + i * h1[0]
    const carry = Math.floor(lowSum / 0x100000000)
    const lo = lowSum % 0x100000000
    const hi = (h0[1] + i * h1[1] + carry) % 0x100000000
    out.push(mod64(lo, hi, m))
  }
  return out
}

/** (hi*2^32 + lo) mod m for m <= 2^32, in doubles: every intermediate stays below 2^53. */
function mod64(lo: number, hi: number, m: number): number {
  let x = hi % m
  x = (x * 0x10000) % m
  x = (x * 0x10000) % m
  return (x + lo) % m
}
