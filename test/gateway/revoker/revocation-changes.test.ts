// What a change of a node's revocations costs: a union lists the bytes it changed, so workers copy
// those rather than the whole filter; a peer whose filter has not changed is not sent it again.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import type { RevokerConfig } from '../../../src/gateway/components/revoker.ts'
import {
  type BitChangeList,
  BitChanges,
  type BloomBits,
  fillDegree,
  type RemoteFilter,
  type RemoteSlidingFilter,
  SlidingBloomFilter,
  type SlidingSnapshot,
} from '../../../src/gateway/revoker/bloom-filter.ts'
import { type RevocationStore, SNAPSHOT_OUTPUT } from '../../../src/gateway/revoker/bloomfilter-rpc.ts'
import { createGoRpcServer } from '../../../src/gateway/revoker/go-rpc.ts'
import { followPeers } from '../../../src/gateway/revoker/peers.ts'
import { revocationStore, startRevocationService } from '../../../src/gateway/revoker/revocation-service.ts'
import { readSlidingFilter, writeSlidingFilter } from '../../../src/gateway/revoker/sliding-filter-wire.ts'

const utf8 = new TextEncoder()
// m = 19171 bits: 2397 bytes, so every filter ends in a byte outside the whole 32-bit words.
const CONFIG: RevokerConfig = {
  n: 1000,
  p: 0.0001,
  hashName: 'optimal',
  ttlS: 3600,
  port: 0,
  tokenKeys: ['jti'],
}

const remoteOf = (filter: SlidingBloomFilter): RemoteSlidingFilter => ({
  n: filter.config.n,
  p: filter.config.p,
  ...filter.filters,
})
const revoking = (...jtis: string[]) => {
  const filter = new SlidingBloomFilter(CONFIG)
  for (const jti of jtis) filter.add(utf8.encode(jti))
  return filter
}
const sameBits = (a: SlidingBloomFilter, b: SlidingBloomFilter) => {
  for (const which of ['previous', 'current', 'next'] as const)
    assert.deepEqual(Buffer.from(a.filters[which].bits), Buffer.from(b.filters[which].bits), which)
}
/** A node's store that counts its merges. */
const countingMerges = (filter: SlidingBloomFilter) => {
  const store = revocationStore(filter, CONFIG.ttlS)
  const counted = {
    merges: 0,
    store: {
      ...store,
      merge: (remote: RemoteSlidingFilter) => {
        counted.merges++
        return store.merge(remote)
      },
    },
  }
  return counted
}
const waitFor = async (what: string, ok: () => boolean, ms = 10_000) => {
  const deadline = Date.now() + ms
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('a union lists what it changed', () => {
  test('the list brings a copy of the filter to the same bits; a union that adds nothing lists nothing', async () => {
    const ours = revoking('jti-ours')
    const copy = new SlidingBloomFilter(CONFIG)
    const snapshot = ours.snapshot()
    copy.reset(snapshot.rotations)
    for (const [i, bits] of [snapshot.previous, snapshot.current, snapshot.next].entries())
      copy.orSlice(snapshot.rotations + i, 0, bits)
    const changes = new BitChanges()
    await ours.union(remoteOf(revoking('jti-a', 'jti-b', 'jti-ours')), changes)
    // Two new elements in current and next: at most 2 x k bytes each, none in previous.
    const k = ours.filters.current.k
    assert.ok(changes.count > 0 && changes.count <= 4 * k, `${changes.count} bytes`)
    assert.equal(changes.list.previous.length, 0)
    assert.equal(changes.overflowed, false)
    copy.apply(changes.list)
    sameBits(copy, ours)
    assert.equal(copy.check(utf8.encode('jti-a')), true)

    const generation = ours.generation
    const again = new BitChanges()
    await ours.union(remoteOf(revoking('jti-a')), again)
    assert.equal(again.count, 0)
    assert.equal(ours.generation, generation, 'nothing changed, so no new version')
  })

  test('bits from a buffer that does not start on a word boundary are merged alike', async () => {
    const theirs = revoking('jti-unaligned', 'jti-more')
    const shifted = (f: RemoteFilter): RemoteFilter => {
      const buffer = new Uint8Array(f.bits.length + 1)
      buffer.set(f.bits, 1)
      return { ...f, bits: buffer.subarray(1) }
    }
    const remote = remoteOf(theirs)
    const ours = new SlidingBloomFilter(CONFIG)
    await ours.union({
      ...remote,
      previous: shifted(remote.previous),
      current: shifted(remote.current),
      next: shifted(remote.next),
    })
    sameBits(ours, theirs)
  })

  test('the last byte of a filter (past the whole words) is merged and listed', async () => {
    const theirs = new SlidingBloomFilter(CONFIG)
    const last = theirs.filters.current.bits.length - 1
    assert.notEqual(last % 4, 3, 'the config leaves a byte past the last whole word')
    theirs.filters.current.bits[last] = 0x40
    const ours = new SlidingBloomFilter(CONFIG)
    const changes = new BitChanges()
    await ours.union(remoteOf(theirs), changes)
    assert.deepEqual(changes.list.current, [last, 0x40])
    assert.equal(ours.filters.current.bits[last], 0x40)
  })

  test('very many changed bytes are not listed: the copies take the whole filter', async () => {
    const theirs = new SlidingBloomFilter({ n: 100_000, p: 0.0001, hashName: 'optimal' })
    for (const f of Object.values(theirs.filters)) f.bits.fill(0x11)
    const ours = new SlidingBloomFilter(theirs.config)
    const changes = new BitChanges()
    await ours.union(remoteOf(theirs), changes)
    assert.equal(changes.overflowed, true)
    assert.deepEqual(changes.list, { previous: [], current: [], next: [] })
    sameBits(ours, theirs)
  })

  test('a large filter is merged a slice at a time: other work runs in between; a slide meanwhile sends the whole filter', async () => {
    const config = { n: 2_000_000, p: 0.0000001, hashName: 'optimal' as const }
    const theirs = new SlidingBloomFilter(config)
    for (let i = 0; i < 100; i++) theirs.add(utf8.encode(`jti-${i}`))
    const ours = new SlidingBloomFilter(config)
    let turns = 0
    const counting = setInterval(() => turns++, 0)
    const changes = new BitChanges()
    const merging = ours.union(remoteOf(theirs), changes)
    ours.rotate()
    await merging
    clearInterval(counting)
    assert.ok(turns > 0, 'timers ran while it merged')
    assert.equal(changes.overflowed, true, 'the list names filters that slid meanwhile')
    assert.ok(changes.count > 0)
  })

  test('the fill degree counts set bits as Go does, word by word and in the tail', async () => {
    const filter = revoking('jti-1', 'jti-2', 'jti-3')
    filter.filters.current.bits[filter.filters.current.bits.length - 1] = 0xff
    const naive = (f: BloomBits) => {
      let count = 0
      for (const byte of f.bits) for (let bit = 0; bit < 8; bit++) count += (byte >> bit) & 1
      return count / f.m
    }
    for (const f of Object.values(filter.filters)) assert.equal(fillDegree(f), naive(f))
  })
})

describe("a node's store tells its workers only what changed", () => {
  const recording = () => {
    const calls: Array<{ apply?: BitChangeList; restore?: SlidingSnapshot; add?: number }> = []
    return {
      calls,
      followers: {
        add: async (elems: Uint8Array[]) => void calls.push({ add: elems.length }),
        rotate: () => {},
        apply: async (changes: BitChangeList) => void calls.push({ apply: changes }),
        restore: async (snapshot: SlidingSnapshot) => void calls.push({ restore: snapshot }),
      },
    }
  }

  test('a merge sends the changed bytes once; the same filter merged again sends nothing', async () => {
    const { calls, followers } = recording()
    const ours = new SlidingBloomFilter(CONFIG)
    const store = revocationStore(ours, CONFIG.ttlS, followers)
    const remote = remoteOf(revoking('jti-peer'))
    await store.merge(remote)
    await store.merge(remote)
    assert.equal(calls.length, 1)
    const copy = new SlidingBloomFilter(CONFIG)
    copy.apply(calls[0]?.apply as BitChangeList)
    sameBits(copy, ours)
  })

  test('a merge of very many changes sends the whole filter', async () => {
    const { calls, followers } = recording()
    const config = { n: 100_000, p: 0.0001, hashName: 'optimal' as const }
    const theirs = new SlidingBloomFilter(config)
    for (const f of Object.values(theirs.filters)) f.bits.fill(0x22)
    const store = revocationStore(new SlidingBloomFilter(config), CONFIG.ttlS, followers)
    await store.merge(remoteOf(theirs))
    assert.equal(calls.length, 1)
    assert.ok(calls[0]?.restore, 'the whole filter')
  })

  test('a refused union still sends what merged before the refusal (as Go keeps it)', async () => {
    const { calls, followers } = recording()
    const store = revocationStore(new SlidingBloomFilter(CONFIG), CONFIG.ttlS, followers)
    const remote = remoteOf(revoking('jti-partial'))
    const broken = { ...remote, previous: { ...remote.previous, m: remote.previous.m + 1 } }
    await assert.rejects(store.union(broken), /m1\(\d+\) != m2\(\d+\)/)
    assert.equal(calls.length, 1)
    assert.ok((calls[0]?.apply?.current.length ?? 0) > 0)
  })
})

describe('peers read an unchanged filter once', () => {
  const quiet = { info: () => {}, error: () => {} }
  const followEvery20ms = (store: RevocationStore, port: number) =>
    followPeers(store, [{ host: '127.0.0.1', port }], {
      timeoutMs: 2_000,
      intervalMs: 20,
      forgetAfterMs: 60_000,
      log: quiet,
      versions: new Map(),
    })

  test('following a peer merges its filter only when it changed', async () => {
    const peerFilter = revoking('jti-first')
    const peer = await startRevocationService(CONFIG, peerFilter, { host: '127.0.0.1', log: () => {} })
    const ours = new SlidingBloomFilter(CONFIG)
    const counted = countingMerges(ours)
    const following = followEvery20ms(counted.store, peer.port)
    try {
      await waitFor('the first pull', () => ours.check(utf8.encode('jti-first')))
      await new Promise((resolve) => setTimeout(resolve, 300))
      assert.equal(counted.merges, 1, 'an unchanged peer is not merged again')
      peerFilter.add(utf8.encode('jti-later'))
      await waitFor('the later revocation', () => ours.check(utf8.encode('jti-later')))
      assert.equal(counted.merges, 2)
    } finally {
      following.stop()
      await peer.close()
    }
  })

  test('a peer that answers no version (a node before versions) is merged on every pull', async () => {
    const filter = revoking('jti-old-node')
    let reads = 0
    // The Snapshot of a runtime before versions: BF only, whatever the caller knows.
    const server = createGoRpcServer({
      'BloomfilterRPC.Snapshot': {
        reply: SNAPSHOT_OUTPUT,
        call: async () => {
          reads++
          const bytes = await writeSlidingFilter({ config: CONFIG, ttlS: CONFIG.ttlS, ...filter.filters })
          return { BF: { marshaled: bytes, via: 'binary' } }
        },
      },
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    const ours = new SlidingBloomFilter(CONFIG)
    const counted = countingMerges(ours)
    const following = followEvery20ms(counted.store, port)
    try {
      await waitFor('three pulls', () => counted.merges >= 3)
      assert.equal(ours.check(utf8.encode('jti-old-node')), true)
      assert.ok(reads >= 3)
    } finally {
      following.stop()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})

describe("reading a peer's filter", () => {
  test('what unzips past the limit, or is no gzip, is refused with the reason', async () => {
    const bomb = gzipSync(new Uint8Array(10 << 20))
    await assert.rejects(readSlidingFilter({ marshaled: bomb, via: 'binary' }, 1 << 20), {
      name: 'GoRpcError',
      message: `gzip: more than ${1 << 20} bytes unzipped`,
    })
    await assert.rejects(readSlidingFilter({ marshaled: utf8.encode('not gzip'), via: 'binary' }, 1 << 20), {
      name: 'GoRpcError',
      message: /^gzip: incorrect header check/,
    })
  })

  test('a filter written and read back is the same', async () => {
    const filter = revoking('jti-a', 'jti-b')
    const bytes = await writeSlidingFilter({ config: CONFIG, ttlS: CONFIG.ttlS, ...filter.filters })
    const copy = new SlidingBloomFilter(CONFIG)
    await copy.union(await readSlidingFilter({ marshaled: bytes, via: 'binary' }, 1 << 20))
    sameBits(copy, filter)
  })
})
