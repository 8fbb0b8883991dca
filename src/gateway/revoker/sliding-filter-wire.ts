/**
 * rotate.Bloomfilter's MarshalBinary form (github.com/krakend/bloomfilter/v2 rotate/rotate.go):
 * gzip over a gob stream of SerializibleBloomfilter{Previous, Current, Next, Config}, each filter
 * itself a gob stream of bloomfilter.SerializibleBloomfilter{BS, M, K, HashName, Cfg} (its own
 * MarshalBinary). What a Go revoke tool sends through Union, and what Snapshot answers.
 */
import { finished } from 'node:stream/promises'
import { constants, createGzip, gunzip } from 'node:zlib'
import type { BloomBits, BloomConfig, RemoteFilter, RemoteSlidingFilter } from './bloom-filter.ts'
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

/**
 * The bytes rotate.Bloomfilter.MarshalBinary writes for this state (gzip's own bytes aside: Go's
 * reader takes any level). On the event loop only the bitsets are copied (the filter goes on
 * changing meanwhile); the gob framing refers to the copies and gzip runs on the thread pool. At
 * n 10,000,000 and p 0.0000001 (KrakenD's documented example: 42 MB per filter) copying the whole
 * stream several times and compressing it there stalled requests for over half a second.
 */
export function writeSlidingFilter(state: SlidingFilterState): Promise<Uint8Array> {
  const cfg = { N: BigInt(state.config.n), P: state.config.p, HashName: state.config.hashName }
  const filter = (f: BloomBits): GobValue => ({
    marshaled: gobStream(FILTER, {
      BS: f.bits.slice(),
      M: BigInt(f.m),
      K: BigInt(f.k),
      HashName: f.hashName,
      Cfg: cfg,
    }),
    via: 'binary',
  })
  return gzipped(
    gobStream(SLIDING, {
      Previous: filter(state.previous),
      Current: filter(state.current),
      Next: filter(state.next),
      Config: { Config: cfg, TTL: BigInt(state.ttlS) },
    }),
  )
}

const gunzipped = (bytes: Uint8Array, limit: number) =>
  new Promise<Buffer>((resolve, reject) =>
    gunzip(bytes, { maxOutputLength: limit }, (error, out) =>
      error ? reject(new GoRpcError(`gzip: ${error.message}`)) : resolve(out),
    ),
  )

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
