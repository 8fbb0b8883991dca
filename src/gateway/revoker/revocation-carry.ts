/**
 * gwdeploy's side of carrying revocations between nodes: Snapshot reads a node's sliding filter in
 * rotate.Bloomfilter's MarshalBinary form, Union ORs it into another node (as a Go revoke tool would).
 */
import { connectGoRpc, type GoRpcClient } from './go-rpc-client.ts'
import type { GobStruct, GobType } from './gob.ts'
import { MARSHALED_FILTER } from './sliding-filter-wire.ts'

export interface RevokerAddress {
  host: string
  port: number
}

const SNAPSHOT_INPUT: GobType = { struct: 'SnapshotInput', fields: [] }
const UNION_INPUT: GobType = { struct: 'UnionInput', fields: [['BF', MARSHALED_FILTER]] }

async function withClient<T>(
  at: RevokerAddress,
  timeoutMs: number,
  use: (client: GoRpcClient) => Promise<T>,
) {
  const client = await connectGoRpc(at.host, at.port, { timeoutMs })
  try {
    return await use(client)
  } finally {
    client.close()
  }
}

/** The node's filter, as Union takes it. */
export function readRevocations(at: RevokerAddress, timeoutMs: number): Promise<Uint8Array> {
  return withClient(at, timeoutMs, async (client) => {
    const reply = (await client.call(
      'BloomfilterRPC.Snapshot',
      SNAPSHOT_INPUT,
      Object.create(null),
    )) as GobStruct
    const bf = reply.BF
    if (!bf || typeof bf !== 'object' || !('marshaled' in bf)) throw new Error('Snapshot answered no filter')
    return bf.marshaled as Uint8Array
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
