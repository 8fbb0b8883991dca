// A union that changes too many bytes to list sends the workers the whole filter: as slices, each
// ORed in as it arrives, so a worker's event loop never reads the whole filter at once, a token it
// refused stays refused at every point, and a slide meanwhile still leaves it with the primary's bits.
// The worker is a real child process (follower-process.ts) on the structured-clone channel.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { type BloomConfig, nextTurn, SlidingBloomFilter } from '../../../src/gateway/revoker/bloom-filter.ts'
import { SLICE_BYTES } from '../../../src/gateway/revoker/cluster.ts'
import { patterned, primaryWithWorker, revoked, sha256, utf8 } from './follower-harness.ts'

describe('the whole filter reaches a worker in slices', () => {
  test("at KrakenD's documented size no message carries more than a slice, the worker's timers keep running, it ends with the primary's bits", async () => {
    // n 10,000,000, p 0.0000001: three filters of 41.9 MB.
    const config: BloomConfig = { n: 10_000_000, p: 0.0000001, hashName: 'optimal' }
    const node = await primaryWithWorker(config)
    const before = revoked(20, 'before')
    await node.store.add(before.map((e) => utf8.encode(e)))
    await node.watch(before)

    await node.store.merge(patterned(config))

    const slices = node.sent.filter((m) => m.type === 'gwdeploy:revoker:slice')
    const filterBytes = node.filter.filters.current.bits.length
    assert.equal(
      slices.length,
      3 * Math.ceil(filterBytes / SLICE_BYTES),
      'the whole filter, a slice at a time',
    )
    const largest = Math.max(...node.sent.map((m) => m.bytes))
    assert.ok(largest <= SLICE_BYTES + 256, `a message of ${largest} bytes (a slice is ${SLICE_BYTES})`)
    const report = await node.report(before)
    // Tests assert no timings: that the worker's event loop turned between slices (one message of the
    // whole filter gave it none) is what shows requests can run while the filter comes.
    assert.ok(report.ticksWhileSliced > 0, 'its timers never ran while slices came')
    assert.equal(report.misses, 0, 'a token it refused before passed while slices applied')
    assert.deepEqual(report.sha256, sha256(node.filter))
    node.close()
  })

  test("a slide while the union merges and another while its slices go: the worker ends with the primary's bits, never passing a token it refused", async () => {
    // 4.2 MB per filter: the union takes several turns; 64 KiB slices, 64 per filter.
    const config: BloomConfig = { n: 1_000_000, p: 0.0000001, hashName: 'optimal' }
    const sliceBytes = 1 << 16
    const node = await primaryWithWorker(config, { sliceBytes })
    const before = revoked(20, 'before')
    await node.store.add(before.map((e) => utf8.encode(e)))
    await node.watch(before)
    const { slide } = node
    let slidDuringSlices = false
    node.onSend((message) => {
      // Halfway through `current`'s slices: a list of slices by filter name would put what is
      // left of it, and `next` (which `current` becomes), in the wrong filters.
      if (
        !slidDuringSlices &&
        message.type === 'gwdeploy:revoker:slice' &&
        message.filter === node.filter.rotations + 1 &&
        (message.offset ?? 0) >= 32 * sliceBytes
      ) {
        slidDuringSlices = true
        slide()
      }
    })

    const merging = node.store.merge(patterned(config))
    await nextTurn()
    slide()
    await merging

    assert.ok(slidDuringSlices, 'the filters slid while the slices went')
    assert.equal(node.filter.rotations, 2)
    assert.ok(Math.max(...node.sent.map((m) => m.bytes)) <= sliceBytes + 256)
    const report = await node.report(before)
    assert.equal(report.rotations, 2)
    assert.deepEqual(report.sha256, sha256(node.filter), 'byte for byte the primary’s filters')
    // Revoked before both slides: now in previous and current, so still refused.
    assert.deepEqual(
      report.checks,
      before.map(() => true),
    )
    assert.equal(report.misses, 0, 'a token it refused before passed part-way')
    node.close()
  })

  test('while the slices go, no token the worker refused passes, and one revoked meanwhile is refused once its Add is answered', async () => {
    const config: BloomConfig = { n: 100_000, p: 0.0001, hashName: 'optimal' }
    const sliceBytes = 4096
    const node = await primaryWithWorker(config, { sliceBytes })
    // Some tokens only in previous and current (revoked a slide ago), some in current and next.
    const older = revoked(30, 'older')
    await node.store.add(older.map((e) => utf8.encode(e)))
    node.filter.rotate()
    node.followers.rotate()
    const newer = revoked(30, 'newer')
    await node.store.add(newer.map((e) => utf8.encode(e)))
    await node.watch([...older, ...newer])

    let adding: Promise<void> | undefined
    node.onSend((message) => {
      if (!adding && message.type === 'gwdeploy:revoker:slice' && (message.offset ?? 0) >= 8 * sliceBytes)
        adding = node.store.add([utf8.encode('jti-meanwhile')])
    })
    // A peer's filter with its own revocations (a sparse pattern: the union lists too many bytes).
    const theirs = new SlidingBloomFilter(config)
    for (const f of Object.values(theirs.filters)) f.bits.fill(0x01)
    theirs.add(utf8.encode('jti-from-peer'))
    await node.store.merge({ n: config.n, p: config.p, ...theirs.filters })
    assert.ok(adding, 'an Add went while the slices did')
    await adding

    const slices = node.sent.filter((m) => m.type === 'gwdeploy:revoker:slice')
    assert.ok(slices.length >= 3 * Math.floor(node.filter.filters.current.bits.length / sliceBytes))
    const report = await node.report(['jti-meanwhile', 'jti-from-peer', 'jti-never'])
    assert.equal(
      report.misses,
      0,
      `${report.misses} checks of revoked tokens passed over ${report.messages} messages`,
    )
    assert.ok(report.messages > slices.length, 'checked after every slice')
    assert.deepEqual(report.checks, [true, true, false])
    assert.deepEqual(report.sha256, sha256(node.filter))
    node.close()
  })
})
