/**
 * gwdeploy as a client of nodes' revocation services (Go net/rpc, as a Go revoke tool would call
 * them): Add and Check elements (`gwdeploy revoke`); Snapshot reads a node's sliding filter in
 * rotate.Bloomfilter's MarshalBinary form and Union ORs it into another node (carrying revocations).
 */
import { MAX_FILTER_BITS } from '../components/revoker.ts'
import { SNAPSHOT_INPUT } from './bloomfilter-rpc.ts'
import { connectGoRpc, type GoRpcClient } from './go-rpc-client.ts'
import type { GobStruct, GobType } from './gob.ts'
import { MARSHALED_FILTER } from './sliding-filter-wire.ts'

export interface RevokerAddress {
  host: string
  port: number
}

/** AddInput and CheckInput have one shape: Elems [][]byte. */
const ELEMS_INPUT = (name: string): GobType => ({ struct: name, fields: [['Elems', { slice: 'bytes' }]] })
const utf8 = new TextEncoder()

/** A Snapshot of the largest filter a node runs (three of 2^32 bits, gzip's worst case aside). */
const LARGEST_SNAPSHOT = 3 * (MAX_FILTER_BITS / 8) + 2 ** 20

const UNION_INPUT: GobType = { struct: 'UnionInput', fields: [['BF', MARSHALED_FILTER]] }

async function withClient<T>(
  at: RevokerAddress,
  timeoutMs: number,
  use: (client: GoRpcClient) => Promise<T>,
) {
  const client = await connectGoRpc(at.host, at.port, { timeoutMs, maxMessageBytes: LARGEST_SNAPSHOT })
  try {
    return await use(client)
  } finally {
    client.close()
  }
}

/** Revokes `elements` on the node. */
export function addRevocations(at: RevokerAddress, elements: string[], timeoutMs: number): Promise<void> {
  return withClient(at, timeoutMs, async (client) => {
    await client.call('BloomfilterRPC.Add', ELEMS_INPUT('AddInput'), {
      Elems: elements.map((e) => utf8.encode(e)),
    })
  })
}

/** Whether the node refuses each of `elements`. */
export function checkRevocations(
  at: RevokerAddress,
  elements: string[],
  timeoutMs: number,
): Promise<boolean[]> {
  return withClient(at, timeoutMs, async (client) => {
    const reply = (await client.call('BloomfilterRPC.Check', ELEMS_INPUT('CheckInput'), {
      Elems: elements.map((e) => utf8.encode(e)),
    })) as GobStruct
    const checks = Array.isArray(reply.Checks) ? reply.Checks : []
    if (checks.length !== elements.length)
      throw new Error(`Check answered ${checks.length} of ${elements.length}`)
    return checks.map((c) => c === true)
  })
}

/** The node's filter, as Union takes it (gwdeploy's own read: no FollowBack, nothing known). */
export async function readRevocations(at: RevokerAddress, timeoutMs: number): Promise<Uint8Array> {
  const { bytes } = await readRevocationsSince(at, timeoutMs, {})
  if (!bytes) throw new Error('Snapshot answered no filter')
  return bytes
}

/**
 * A node's read of a peer: `followBack` is its own revoker port, for the peer to pull from it too;
 * `known` the version of the peer's filter it holds already. `bytes` is left out when the filter is
 * still that version; a node older than versions answers none, and always the filter.
 */
export function readRevocationsSince(
  at: RevokerAddress,
  timeoutMs: number,
  ask: { followBack?: number; known?: string },
): Promise<{ bytes?: Uint8Array; version?: string }> {
  return withClient(at, timeoutMs, async (client) => {
    const reply = (await client.call('BloomfilterRPC.Snapshot', SNAPSHOT_INPUT, {
      FollowBack: BigInt(ask.followBack ?? 0),
      Known: ask.known ?? '',
    })) as GobStruct
    const version = typeof reply.Version === 'string' && reply.Version !== '' ? reply.Version : undefined
    const bf = reply.BF
    // A BF left out decodes as an empty one; a filter is never empty.
    if (
      bf &&
      typeof bf === 'object' &&
      'marshaled' in bf &&
      bf.marshaled instanceof Uint8Array &&
      bf.marshaled.length > 0
    )
      return { bytes: bf.marshaled, ...(version ? { version } : {}) }
    if (version && version === ask.known) return { version }
    throw new Error('Snapshot answered no filter')
  })
}

/**
 * ORs a filter read with readRevocations into the node; resolves with its fill degree. A GoRpcError
 * is the node's refusal (a filter of other n, p or hash: Go's text), anything else a failed exchange.
 */
export function mergeRevocations(at: RevokerAddress, filter: Uint8Array, timeoutMs: number): Promise<number> {
  return withClient(at, timeoutMs, async (client) => {
    const reply = (await client.call('BloomfilterRPC.Union', UNION_INPUT, {
      BF: { marshaled: filter, via: 'binary' },
    })) as GobStruct
    return typeof reply.Capacity === 'number' ? reply.Capacity : 0
  })
}

export { GoRpcError } from './go-rpc.ts'
