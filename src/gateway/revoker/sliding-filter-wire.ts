/**
 * rotate.Bloomfilter's MarshalBinary form (github.com/krakend/bloomfilter/v2 rotate/rotate.go):
 * gzip over a gob stream of SerializibleBloomfilter{Previous, Current, Next, Config}, each filter
 * itself a gob stream of bloomfilter.SerializibleBloomfilter{BS, M, K, HashName, Cfg} (its own
 * MarshalBinary). What a Go revoke tool sends through Union, and what Snapshot answers.
 */
import { finished } from 'node:stream/promises'
import { constants, createGunzip, createGzip } from 'node:zlib'
import {
  type BloomBits,
  type BloomConfig,
  nextTurn,
  type RemoteFilter,
  type RemoteSlidingFilter,
} from './bloom-filter.ts'
import { GoRpcError } from './go-rpc.ts'
import { decodeGobStream, GobEncoder, type GobStruct, type GobType, type GobValue } from './gob.ts'

const CONFIG: GobType = {
  struct: 'Config',
  fields: [
    ['N', 'uint'],
    ['P', 'float'],
    ['HashName', 'string'],
  ],
}
/** rotate.Config: bloomfilter.Config embedded (a field named Config) and TTL. */
const ROTATE_CONFIG: GobType = {
  struct: 'Config',
  fields: [
    ['Config', CONFIG],
    ['TTL', 'uint'],
  ],
}
const FILTER: GobType = {
  struct: 'SerializibleBloomfilter',
  fields: [
    ['BS', 'bytes'],
    ['M', 'uint'],
    ['K', 'uint'],
    ['HashName', 'string'],
    ['Cfg', CONFIG],
  ],
}
/** *bloomfilter.Bloomfilter and *rotate.Bloomfilter travel as their MarshalBinary bytes. */
export const MARSHALED_FILTER: GobType = { marshaled: 'binary', name: 'Bloomfilter' }
const SLIDING: GobType = {
  struct: 'SerializibleBloomfilter',
  fields: [
    ['Previous', MARSHALED_FILTER],
    ['Current', MARSHALED_FILTER],
    ['Next', MARSHALED_FILTER],
    ['Config', ROTATE_CONFIG],
  ],
}

export interface SlidingFilterState {
  config: BloomConfig
  ttlS: number
  previous: BloomBits
  current: BloomBits
  next: BloomBits
}

/** A gob stream as the pieces its encoder wrote (bitsets among them, not copied). */
function gobStream(type: GobType, value: GobValue): Uint8Array[] {
  const pieces: Uint8Array[] = []
  new GobEncoder((bytes) => pieces.push(bytes)).encode(type, value)
  return pieces
}

/** gzip's fastest level on the thread pool, fed piece by piece (no copy of the whole stream). */
async function gzipped(pieces: Uint8Array[]): Promise<Uint8Array> {
  const gzip = createGzip({ level: constants.Z_BEST_SPEED, chunkSize: 64 * 1024 })
  const out: Buffer[] = []
  gzip.on('data', (chunk: Buffer) => out.push(chunk))
  const done = finished(gzip)
  for (const piece of pieces) gzip.write(piece)
  gzip.end()
  await done
  return Buffer.concat(out)
}

/** Bytes copied between two turns of the event loop. */
const SLICE_BYTES = 4 << 20

/** A copy of `bits`, made a slice at a time (bits set meanwhile may or may not be in it). */
async function copied(bits: Uint8Array): Promise<Uint8Array> {
  const copy = new Uint8Array(bits.length)
  for (let at = 0; at < bits.length; at += SLICE_BYTES) {
    if (at > 0) await nextTurn()
    copy.set(bits.subarray(at, at + SLICE_BYTES), at)
  }
  return copy
}

/**
 * The bytes rotate.Bloomfilter.MarshalBinary writes for this state (gzip's own bytes aside: Go's
 * reader takes any level). The event loop only copies the bitsets, a slice at a time (the filter
 * goes on changing meanwhile, and only gains bits); the gob framing refers to the copies and gzip
 * runs on the thread pool. At KrakenD's documented example (n 10,000,000, p 0.0000001: 42 MB per
 * filter) doing it all at once stalled requests for over half a second.
 */
export async function writeSlidingFilter(state: SlidingFilterState): Promise<Uint8Array> {
  const cfg = { N: BigInt(state.config.n), P: state.config.p, HashName: state.config.hashName }
  const filter = async (f: BloomBits): Promise<GobValue> => ({
    marshaled: gobStream(FILTER, {
      BS: await copied(f.bits),
      M: BigInt(f.m),
      K: BigInt(f.k),
      HashName: f.hashName,
      Cfg: cfg,
    }),
    via: 'binary',
  })
  const { previous, current, next } = state
  return gzipped(
    gobStream(SLIDING, {
      Previous: await filter(previous),
      Current: await filter(current),
      Next: await filter(next),
      Config: { Config: cfg, TTL: BigInt(state.ttlS) },
    }),
  )
}

/**
 * gunzip on the thread pool, its output gathered a chunk per turn of the event loop into one array
 * (of at most `limit` bytes, reserved at once and filled as it comes).
 */
async function gunzipped(bytes: Uint8Array, limit: number): Promise<Uint8Array> {
  const gunzip = createGunzip({ chunkSize: 1 << 20 })
  const out = new Uint8Array(limit)
  let length = 0
  let tooLarge = false
  gunzip.on('data', (chunk: Buffer) => {
    if (length + chunk.length > limit) {
      tooLarge = true
      gunzip.destroy()
      return
    }
    out.set(chunk, length)
    length += chunk.length
  })
  const done = finished(gunzip)
  gunzip.end(bytes)
  try {
    await done
  } catch (error) {
    if (!tooLarge) throw new GoRpcError(`gzip: ${(error as Error).message}`)
  }
  if (tooLarge) throw new GoRpcError(`gzip: more than ${limit} bytes unzipped`)
  return out.subarray(0, length)
}

/**
 * Reads a MarshalBinary form back; `limit` bounds the gunzipped size (larger is refused unread).
 * gunzip runs on the thread pool: the form of a large filter is over 100 MB unzipped.
 */
export async function readSlidingFilter(
  value: GobValue | undefined,
  limit: number,
): Promise<RemoteSlidingFilter> {
  const stream = await gunzipped(marshaled(value, 'BF'), limit)
  const top = structAt(decodeGobStream(stream)[0], 'SerializibleBloomfilter')
  const config = structAt(structAt(top.Config, 'Config').Config, 'Config.Config')
  return {
    n: Number(config.N ?? 0n),
    p: typeof config.P === 'number' ? config.P : 0,
    previous: readFilter(top.Previous, 'Previous'),
    current: readFilter(top.Current, 'Current'),
    next: readFilter(top.Next, 'Next'),
  }
}

function readFilter(value: GobValue | undefined, name: string): RemoteFilter {
  const s = structAt(decodeGobStream(marshaled(value, name))[0], name)
  if (!(s.BS instanceof Uint8Array)) throw new GoRpcError(`${name}: no bitset`)
  return {
    m: Number(s.M ?? 0n),
    k: Number(s.K ?? 0n),
    hashName: typeof s.HashName === 'string' ? s.HashName : '',
    bits: s.BS,
  }
}

function marshaled(value: GobValue | undefined, name: string): Uint8Array {
  if (value && typeof value === 'object' && 'marshaled' in value && value.marshaled instanceof Uint8Array)
    return value.marshaled
  throw new GoRpcError(`${name}: not a marshalled bloom filter`)
}

function structAt(value: GobValue | undefined, name: string): GobStruct {
  if (
    value &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array) &&
    !(value instanceof Map) &&
    !('marshaled' in value)
  )
    return value as GobStruct
  throw new GoRpcError(`${name}: not a struct`)
}
