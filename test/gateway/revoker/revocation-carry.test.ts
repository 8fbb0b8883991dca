/**
 * Carrying revocations between nodes: gwdeploy's Snapshot method and its Go net/rpc client against
 * real revocation services on loopback, and Go's own gob/gzip decoding of what Snapshot answers.
 */
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { after, describe, it } from 'node:test'
import type { RevokerConfig } from '../../../src/gateway/components/revoker.ts'
import { type BloomConfig, SlidingBloomFilter } from '../../../src/gateway/revoker/bloom-filter.ts'
import { GoRpcError } from '../../../src/gateway/revoker/go-rpc.ts'
import { mergeRevocations, readRevocations } from '../../../src/gateway/revoker/revocation-client.ts'
import {
  type RevocationService,
  startRevocationService,
} from '../../../src/gateway/revoker/revocation-service.ts'
import { buildGoFixture, runProgram } from '../../helpers/go.ts'

const bytes = (s: string) => new TextEncoder().encode(s)
const TIMEOUT_MS = 5_000

describe('carrying revocations (Snapshot + Union)', () => {
  const services: RevocationService[] = []
  after(async () => {
    await Promise.all(services.map((s) => s.close()))
  })

  async function node(config: BloomConfig, ttlS = 3600) {
    const filter = new SlidingBloomFilter(config)
    const cfg: RevokerConfig = { ...config, ttlS, port: 0, tokenKeys: ['jti'] }
    const service = await startRevocationService(cfg, filter, { host: '127.0.0.1', log: () => {} })
    services.push(service)
    return { filter, at: { host: '127.0.0.1', port: service.port } }
  }

  it('a snapshot of one node ORed into another: every element revoked there is revoked here', async () => {
    const config: BloomConfig = { n: 1000, p: 0.0001, hashName: 'optimal' }
    const blue = await node(config)
    const green = await node(config)
    blue.filter.add(bytes('old-token'))
    blue.filter.rotate()
    blue.filter.add(bytes('new-token'))
    green.filter.add(bytes('green-token'))
    const capacity = await mergeRevocations(green.at, await readRevocations(blue.at, TIMEOUT_MS), TIMEOUT_MS)
    assert.ok(capacity > 0 && capacity < 0.01, `capacity ${capacity}`)
    for (const elem of ['old-token', 'new-token', 'green-token'])
      assert.equal(green.filter.check(bytes(elem)), true, elem)
    assert.equal(green.filter.check(bytes('never-revoked')), false)
    // Filter by filter, as rotate.Union merges: blue's "previous" stays previous (it expires first).
    const { previous, current, next } = blue.filter.filters
    const merged = green.filter.filters
    for (const [ours, theirs] of [
      [merged.previous, previous],
      [merged.current, current],
      [merged.next, next],
    ] as const) {
      assert.ok(ours.bits.every((byte, i) => (byte & (theirs.bits[i] as number)) === theirs.bits[i]))
    }
    // The source is only read.
    assert.equal(blue.filter.check(bytes('green-token')), false)
  })

  it('Go decodes the snapshot as the library does: the same n, p, TTL, m, k, hasher and bits', async () => {
    const config: BloomConfig = { n: 500, p: 0.001, hashName: 'default' }
    const blue = await node(config, 90)
    blue.filter.add(bytes('a'))
    blue.filter.rotate()
    blue.filter.add(bytes('b'))
    const client = await buildGoFixture('union-client')
    const result = await runProgram(client, [], {
      input: JSON.stringify({ addr: `${blue.at.host}:${blue.at.port}`, snapshot: true }),
    })
    assert.equal(result.code, 0, result.stderr)
    const printed = JSON.parse(result.stdout) as {
      n: number
      p: number
      ttl: number
      filters: Record<string, { m: number; k: number; hashName: string; bits: string }>
    }
    assert.deepEqual([printed.n, printed.p, printed.ttl], [500, 0.001, 90])
    for (const which of ['previous', 'current', 'next'] as const) {
      const ours = blue.filter.filters[which]
      const theirs = printed.filters[which]
      assert.deepEqual(
        { m: theirs?.m, k: theirs?.k, hashName: theirs?.hashName, bits: theirs?.bits },
        { m: ours.m, k: ours.k, hashName: 'default', bits: Buffer.from(ours.bits).toString('base64') },
        which,
      )
    }
  })

  it("a filter of another size is refused with Go's text, and the receiving node is left as it was", async () => {
    const blue = await node({ n: 1000, p: 0.0001, hashName: 'optimal' })
    const green = await node({ n: 2000, p: 0.0001, hashName: 'optimal' })
    blue.filter.add(bytes('t'))
    const snapshot = await readRevocations(blue.at, TIMEOUT_MS)
    await assert.rejects(mergeRevocations(green.at, snapshot, TIMEOUT_MS), (error: Error) => {
      assert.ok(error instanceof GoRpcError, String(error))
      assert.equal(error.message, 'different n values 1000 vs. 2000')
      return true
    })
    assert.equal(green.filter.check(bytes('t')), false)
  })

  it('a node that does not answer is an error of the exchange, not a refusal', async () => {
    const silent = createServer(() => {})
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const port = (silent.address() as { port: number }).port
    try {
      await assert.rejects(readRevocations({ host: '127.0.0.1', port }, 300), (error: Error) => {
        assert.ok(!(error instanceof GoRpcError))
        assert.match(error.message, /no answer to BloomfilterRPC\.Snapshot within 300 ms/)
        return true
      })
    } finally {
      silent.close()
    }
    await assert.rejects(readRevocations({ host: '127.0.0.1', port }, TIMEOUT_MS), /ECONNREFUSED/)
  })
})
