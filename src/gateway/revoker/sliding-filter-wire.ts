/**
 * rotate.Bloomfilter's MarshalBinary form (github.com/krakend/bloomfilter/v2 rotate/rotate.go):
 * gzip over a gob stream of SerializibleBloomfilter{Previous, Current, Next, Config}, each filter
 * itself a gob stream of bloomfilter.SerializibleBloomfilter{BS, M, K, HashName, Cfg} (its own
 * MarshalBinary). What a Go revoke tool sends through Union, and what Snapshot answers.
 */
import { constants, gunzipSync, gzip } from 'node:zlib'
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

function gobStream(type: GobType, value: GobValue): Uint8Array {
  const chunks: Uint8Array[] = []
  new GobEncoder((bytes) => chunks.push(bytes)).encode(type, value)
  return Buffer.concat(chunks)
}

const gzipped = (bytes: Uint8Array) =>
  new Promise<Uint8Array>((resolve, reject) =>
    gzip(bytes, { level: constants.Z_BEST_SPEED }, (error, out) => (error ? reject(error) : resolve(out))),
  )

/**
 * The bytes rotate.Bloomfilter.MarshalBinary writes for this state (gzip's own bytes aside: Go's
 * reader takes any level). Compressed off the event loop at the fastest level: three filters of
 * n 1,000,000 and p 0.0001 take about 200 ms at gzip's default, which would stall the requests of
 * the process that answers.
 */
export function writeSlidingFilter(state: SlidingFilterState): Promise<Uint8Array> {
  const cfg = { N: BigInt(state.config.n), P: state.config.p, HashName: state.config.hashName }
  const filter = (f: BloomBits): GobValue => ({
    marshaled: gobStream(FILTER, {
      BS: f.bits,
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

/** Reads a MarshalBinary form back; `limit` bounds the gunzipped size (larger is refused unread). */
export function readSlidingFilter(value: GobValue | undefined, limit: number): RemoteSlidingFilter {
  const bytes = marshaled(value, 'BF')
  let stream: Uint8Array
  try {
    stream = gunzipSync(bytes, { maxOutputLength: limit })
  } catch (error) {
    throw new GoRpcError(`gzip: ${(error as Error).message}`)
  }
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
  if (value && typeof value === 'object' && 'marshaled' in value) return value.marshaled as Uint8Array
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
