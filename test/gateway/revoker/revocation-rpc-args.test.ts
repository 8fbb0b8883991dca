/**
 * The revocation service's answers to what a revoke tool may send, as KrakenD's BloomfilterRPC
 * (bloomfilter/v2 on Go's net/rpc and gob) answers them: a large Add batch is taken, and elements
 * or args of another type are refused with Go's words rather than taken as nothing.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { RevokerConfig } from '../../../src/gateway/components/revoker.ts'
import { SlidingBloomFilter } from '../../../src/gateway/revoker/bloom-filter.ts'
import { GoRpcError } from '../../../src/gateway/revoker/go-rpc.ts'
import { connectGoRpc, type GoRpcClient } from '../../../src/gateway/revoker/go-rpc-client.ts'
import type { GobType } from '../../../src/gateway/revoker/gob.ts'
import { addRevocations } from '../../../src/gateway/revoker/revocation-client.ts'
import {
  type RevocationService,
  startRevocationService,
} from '../../../src/gateway/revoker/revocation-service.ts'

const bytes = (s: string) => new TextEncoder().encode(s)
const TIMEOUT_MS = 10_000

describe('BloomfilterRPC args as Go decodes them', () => {
  // n 1000, p 0.001: three filters of 1,798 bytes, a Union of about 1 MiB at most.
  const filter = new SlidingBloomFilter({ n: 1000, p: 0.001, hashName: 'default' })
  const cfg: RevokerConfig = {
    n: 1000,
    p: 0.001,
    hashName: 'default',
    ttlS: 3600,
    port: 0,
    tokenKeys: ['jti'],
  }
  let service: RevocationService
  const at = () => ({ host: '127.0.0.1', port: service.port })
  const refusal = async (call: (client: GoRpcClient) => Promise<unknown>) => {
    const client = await connectGoRpc('127.0.0.1', service.port, { timeoutMs: TIMEOUT_MS })
    try {
      await call(client)
    } catch (error) {
      assert.ok(error instanceof GoRpcError, String(error))
      return error.message
    } finally {
      client.close()
    }
    return 'answered'
  }

  before(async () => {
    service = await startRevocationService(cfg, filter, { host: '127.0.0.1', log: () => {} })
  })
  after(() => service?.close())

  it('an Add batch of 60,000 elements (2.6 MB, one gob message as AddBatch sends it) is taken', async () => {
    const elements = Array.from({ length: 60_000 }, (_, i) => `jti-${String(i).padStart(40, '0')}`)
    await addRevocations(at(), elements, TIMEOUT_MS)
    assert.equal(filter.check(bytes(elements[0] as string)), true)
    assert.equal(filter.check(bytes(elements[59_999] as string)), true)
  })

  it('elements sent as strings or as a number are refused, naming the sender’s struct', async () => {
    const strings: GobType = { struct: 'Revocations', fields: [['Elems', { slice: 'string' }]] }
    assert.equal(
      await refusal((c) => c.call('BloomfilterRPC.Add', strings, { Elems: ['jti-as-text'] })),
      'gob: wrong type ([][]uint8) for received field Revocations.Elems',
    )
    const number: GobType = { struct: 'Count', fields: [['Elems', 'int']] }
    assert.equal(
      await refusal((c) => c.call('BloomfilterRPC.Check', number, { Elems: 3n })),
      'gob: wrong type ([][]uint8) for received field Count.Elems',
    )
  })

  it('args that are not a struct are refused as Go words it', async () => {
    assert.equal(
      await refusal((c) => c.call('BloomfilterRPC.Check', 'string', 'jti-a')),
      'gob: type mismatch in decoder: want struct type rpc.CheckInput; got non-struct',
    )
  })
})
