/**
 * The `BloomfilterRPC` service of github.com/krakend/bloomfilter/v2 (rpc/rpc.go) as Go net/rpc
 * methods: Add and Check take `[][]byte` elements; Union ORs a whole sliding filter a Go process
 * sent (rotate.Bloomfilter's MarshalBinary: gzip over gob, each filter itself a gob stream).
 */
import { gunzipSync } from 'node:zlib'
import { type BloomConfig, bloomBits, type RemoteFilter, type RemoteSlidingFilter } from './bloom-filter.ts'
import { GoRpcError, type GoRpcMethod } from './go-rpc.ts'
import { decodeGobStream, type GobStruct, type GobType, type GobValue } from './gob.ts'

/** What the RPC methods change: the node's store (with every worker following it). */
export interface RevocationStore {
  readonly config: BloomConfig
  add(elems: Uint8Array[]): Promise<void>
  check(elems: Uint8Array[]): boolean[]
  /** ORs `remote` in; resolves with the mean fill degree, or rejects with Go's error text. */
  union(remote: RemoteSlidingFilter): Promise<number>
}

/** The args struct, as Go's decoder matches it by field name: none in common is its error. */
function fields(args: GobValue, type: string, names: string[]): GobStruct {
  const struct = args as GobStruct
  if (typeof args !== 'object' || args === null || !names.some((name) => Object.hasOwn(struct, name)))
    throw new GoRpcError(`gob: type mismatch: no fields matched compiling decoder for ${type}`)
  return struct
}

const elems = (args: GobValue, type: string): Uint8Array[] => {
  const list = fields(args, type, ['Elems']).Elems
  return Array.isArray(list) ? list.filter((e): e is Uint8Array => e instanceof Uint8Array) : []
}

const ADD_OUTPUT: GobType = { struct: 'AddOutput', fields: [['Count', 'int']] }
const CHECK_OUTPUT: GobType = { struct: 'CheckOutput', fields: [['Checks', { slice: 'bool' }]] }
const UNION_OUTPUT: GobType = { struct: 'UnionOutput', fields: [['Capacity', 'float']] }

/**
 * The most a Union can carry for this filter: its three bit arrays and their gob framing. Anything
 * larger cannot match it (Union refuses another m) and is not read (the gob message, the gunzip).
 */
export const unionBytesLimit = (config: BloomConfig): number =>
  3 * Math.ceil(bloomBits(config.n, config.p) / 8) + 2 ** 20

export function bloomfilterRpcMethods(store: RevocationStore): Record<string, GoRpcMethod> {
  return {
    'BloomfilterRPC.Add': {
      reply: ADD_OUTPUT,
      call: async (args) => {
        const list = elems(args, 'AddInput')
        await store.add(list)
        return { Count: BigInt(list.length) }
      },
    },
    'BloomfilterRPC.Check': {
      reply: CHECK_OUTPUT,
      call: (args) => ({ Checks: store.check(elems(args, 'CheckInput')) }),
    },
    'BloomfilterRPC.Union': {
      reply: UNION_OUTPUT,
      call: async (args) => ({
        Capacity: await store.union(
          readSlidingFilter(fields(args, 'UnionInput', ['BF']).BF, unionBytesLimit(store.config)),
        ),
      }),
    },
  }
}

function readSlidingFilter(value: GobValue | undefined, limit: number): RemoteSlidingFilter {
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
