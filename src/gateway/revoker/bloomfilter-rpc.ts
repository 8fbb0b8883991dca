/**
 * The `BloomfilterRPC` service of github.com/krakend/bloomfilter/v2 (rpc/rpc.go) as Go net/rpc
 * methods: Add and Check take `[][]byte` elements; Union ORs a whole sliding filter a Go process
 * sent (rotate.Bloomfilter's MarshalBinary, sliding-filter-wire.ts); Snapshot, gwdeploy's own, answers
 * the filter in that form, for carrying revocations to another node.
 */
import { type BloomConfig, bloomBits, type RemoteSlidingFilter } from './bloom-filter.ts'
import { GoRpcError, type GoRpcMethod } from './go-rpc.ts'
import { type GobStruct, type GobType, type GobValue, senderStructName } from './gob.ts'
import type { PeerAddress } from './peer-addresses.ts'
import { MARSHALED_FILTER, readSlidingFilter } from './sliding-filter-wire.ts'

/** What the RPC methods change: the node's store (with every worker following it). */
export interface RevocationStore {
  readonly config: BloomConfig
  add(elems: Uint8Array[]): Promise<void>
  check(elems: Uint8Array[]): boolean[]
  /** ORs `remote` in, or rejects with Go's error text. */
  merge(remote: RemoteSlidingFilter): Promise<void>
  /** merge, then the mean fill degree (Go's Union answer). */
  union(remote: RemoteSlidingFilter): Promise<number>
  /**
   * The three filters as they are now, with the TTL they slide by, in the MarshalBinary form, and
   * the version they are; without the bytes when `known` is that version already.
   */
  snapshot(known?: string): Promise<{ version: string; bytes?: Uint8Array }>
  /** A node that pulls from this one asks to be pulled from too (Snapshot's FollowBack). */
  followBack?(peer: PeerAddress): void
}

/** The args struct, as Go's decoder matches it by field name: none in common is its error. */
function fields(args: GobValue, type: string, names: string[]): GobStruct {
  if (senderStructName(args) === undefined)
    throw new GoRpcError(`gob: type mismatch in decoder: want struct type rpc.${type}; got non-struct`)
  const struct = args as GobStruct
  if (!names.some((name) => Object.hasOwn(struct, name)))
    throw new GoRpcError(`gob: type mismatch: no fields matched compiling decoder for ${type}`)
  return struct
}

/** Elems [][]byte; sent as anything else (a []string, an int) Go refuses the call, naming it. */
const elems = (args: GobValue, type: string): Uint8Array[] => {
  const list = fields(args, type, ['Elems']).Elems
  if (Array.isArray(list) && list.every((e) => e instanceof Uint8Array)) return list as Uint8Array[]
  throw new GoRpcError(`gob: wrong type ([][]uint8) for received field ${senderStructName(args)}.Elems`)
}

const ADD_OUTPUT: GobType = { struct: 'AddOutput', fields: [['Count', 'int']] }
const CHECK_OUTPUT: GobType = { struct: 'CheckOutput', fields: [['Checks', { slice: 'bool' }]] }
const UNION_OUTPUT: GobType = { struct: 'UnionOutput', fields: [['Capacity', 'float']] }
/**
 * Snapshot (gwdeploy's own method): the filter as Union takes it, so it can be carried to another
 * node, and its Version. Its input may name FollowBack, the caller's own revoker port: a node
 * pulling from this one asks this one to pull from it too (revoker/peers.ts); and Known, the
 * Version the caller holds already: then BF is left out (the filter has not changed since).
 */
export const SNAPSHOT_INPUT: GobType = {
  struct: 'SnapshotInput',
  fields: [
    ['FollowBack', 'int'],
    ['Known', 'string'],
  ],
}
export const SNAPSHOT_OUTPUT: GobType = {
  struct: 'SnapshotOutput',
  fields: [
    ['BF', MARSHALED_FILTER],
    ['Version', 'string'],
  ],
}

/**
 * The most a Union can carry for this filter: its three bit arrays and their gob framing. Anything
 * larger cannot match it (Union refuses another m) and is not read (the gob message, the gunzip).
 */
export const unionBytesLimit = (config: BloomConfig): number =>
  3 * Math.ceil(bloomBits(config.n, config.p) / 8) + 2 ** 20

/**
 * The largest message the service reads: a Union of this filter, or an Add or Check of up to
 * 256 MiB of elements, whichever is more. Go's gob reads up to 8 GiB, so a revoke tool's batch
 * (bloomfilter's AddBatch: one message) larger than a small filter's Union still has to pass.
 */
export const rpcMessageLimit = (config: BloomConfig): number => Math.max(unionBytesLimit(config), 2 ** 28)

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
          await readSlidingFilter(fields(args, 'UnionInput', ['BF']).BF, unionBytesLimit(store.config)),
        ),
      }),
    },
    'BloomfilterRPC.Snapshot': {
      reply: SNAPSHOT_OUTPUT,
      call: async (args, caller) => {
        const input = args as GobStruct | undefined
        const port = input?.FollowBack
        if (caller.address && (typeof port === 'bigint' || typeof port === 'number')) {
          const n = Number(port)
          if (Number.isInteger(n) && n >= 1 && n <= 65535)
            store.followBack?.({ host: caller.address, port: n })
        }
        const known = typeof input?.Known === 'string' && input.Known !== '' ? input.Known : undefined
        const { version, bytes } = await store.snapshot(known)
        return { ...(bytes ? { BF: { marshaled: bytes, via: 'binary' } } : {}), Version: version }
      },
    },
  }
}
