// A worker's start copy (when it starts, or restarts after a crash) goes in slices too: the
// primary's event loop — which hands every worker its new connections — never serializes the whole
// filter in one turn; changes made on the primary while the copy goes (an Add, a union, a slide)
// reach the worker, which ends with the primary's bits; and the worker does not start serving before
// its copy is complete. The worker is a real child process (follower-process.ts) on the
// structured-clone channel.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { type BloomConfig, SlidingBloomFilter } from '../../../src/gateway/revoker/bloom-filter.ts'
import { SLICE_BYTES } from '../../../src/gateway/revoker/cluster.ts'
import { primary, revoked, sha256, utf8 } from './follower-harness.ts'

const SLICE = 'gwdeploy:revoker:slice'
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A primary whose three filters hold different patterns, with tokens revoked a slide ago and since. */
async function loaded(config: BloomConfig, options: { sliceBytes?: number } = {}) {
  const node = primary(config, options)
  const older = revoked(20, 'older')
  await node.store.add(older.map((e) => utf8.encode(e)))
  node.slide()
  const newer = revoked(20, 'newer')
  await node.store.add(newer.map((e) => utf8.encode(e)))
  // Patterns ORed over parts of each filter (the tokens' bits stay).
  const { previous, current, next } = node.filter.filters
  const or = (bits: Uint8Array, byte: number, from: number, to: number) => {
    for (let i = from; i < to; i++) bits[i] = (bits[i] as number) | byte
  }
  or(previous.bits, 0x01, 0, previous.bits.length >>> 1)
  or(current.bits, 0x02, current.bits.length >>> 2, current.bits.length)
  or(next.bits, 0x04, 0, next.bits.length >>> 1)
  return { node, revokedBefore: [...older, ...newer] }
}

// A peer's filter with its own revocation: sparse (listed: fewer than 65,536 bytes change) or
// dense (the whole filter goes to the workers again, in slices).
type Node = Awaited<ReturnType<typeof loaded>>['node']
const union = (node: Node, fill: (which: 'previous' | 'current' | 'next', bits: Uint8Array) => void) => {
  const config = node.filter.config
  const theirs = new SlidingBloomFilter(config)
  for (const which of ['previous', 'current', 'next'] as const) fill(which, theirs.filters[which].bits)
  theirs.add(utf8.encode('jti-from-peer'))
  return node.store.merge({ n: config.n, p: config.p, ...theirs.filters })
}
const sparse = (node: Node) =>
  union(node, (_, bits) => {
    for (let i = 0; i < bits.length; i += 256) bits[i] = 0x80
  })
const dense = (node: Node) =>
  union(node, (which, bits) => bits.fill({ previous: 0x10, current: 0x20, next: 0x40 }[which]))
const add = (node: Node) => node.store.add([utf8.encode('jti-meanwhile')])
const slide = (node: Node) => node.slide()

describe("a worker's start copy", () => {
  // n 10,000,000, p 0.0000001: three filters of 41.9 MB.
  const documented: BloomConfig = { n: 10_000_000, p: 0.0000001, hashName: 'optimal' }

  test("at KrakenD's documented size it goes in slices: no message above a slice, the worker starts with the primary's bits", async () => {
    const { node, revokedBefore } = await loaded(documented)
    const worker = node.fork({ check: [...revokedBefore, 'jti-never'] })
    const ready = await worker.ready

    const largest = Math.max(...worker.sent.map((m) => m.bytes))
    assert.ok(largest <= SLICE_BYTES + 256, `a message of ${largest} bytes (a slice is ${SLICE_BYTES})`)
    const slices = worker.sent.filter((m) => m.type === SLICE)
    const filterBytes = node.filter.filters.current.bits.length
    assert.equal(
      slices.length,
      3 * Math.ceil(filterBytes / SLICE_BYTES),
      'the whole filter, a slice at a time',
    )
    assert.equal(ready.slices, slices.length, 'the worker started once it had every slice')
    assert.equal(ready.rotations, node.filter.rotations)
    assert.deepEqual(ready.sha256, sha256(node.filter), 'it started with the primary’s bits')
    assert.deepEqual(ready.checks, [...revokedBefore.map(() => true), false])
    worker.close()
  })

  test('the worker does not start before its copy is complete', async () => {
    // 4.2 MB per filter, 64 KiB slices: 192 of them.
    const config: BloomConfig = { n: 1_000_000, p: 0.0000001, hashName: 'optimal' }
    const sliceBytes = 1 << 16
    const { node, revokedBefore } = await loaded(config, { sliceBytes })
    const total = 3 * Math.ceil(node.filter.filters.current.bits.length / sliceBytes)
    const half = total >>> 1
    const worker = node.fork({ check: revokedBefore })
    // The rest of the copy (the slice after the half and COPIED) is held back.
    let sent = 0
    const holding = new Promise<() => void>((resolve) => {
      worker.onSend((message) => {
        if (message.type === SLICE && ++sent === half) resolve(worker.hold())
      })
    })
    const release = await Promise.race([
      holding,
      worker.ready.then(() => assert.fail('the worker started before half its copy went')),
    ])
    const deadline = Date.now() + 20_000
    let progress = await worker.progress()
    while (progress.slices < half && Date.now() < deadline) {
      await sleep(20)
      progress = await worker.progress()
    }
    assert.deepEqual(
      { slices: progress.slices, ready: progress.ready },
      { slices: half, ready: false },
      'it read the first half and waits',
    )
    await sleep(300)
    progress = await worker.progress()
    assert.deepEqual({ slices: progress.slices, ready: progress.ready }, { slices: half, ready: false })
    assert.equal(worker.isReady(), false)

    release()
    const ready = await worker.ready
    assert.equal(ready.slices, total)
    assert.deepEqual(ready.sha256, sha256(node.filter), 'it started with the primary’s bits')
    assert.deepEqual(
      ready.checks,
      revokedBefore.map(() => true),
    )
    worker.close()
  })

  test('a union answered before the copy ends: the worker acknowledged its slices while it copied', async () => {
    const config: BloomConfig = { n: 1_000_000, p: 0.0000001, hashName: 'optimal' }
    const sliceBytes = 1 << 16
    const { node, revokedBefore } = await loaded(config, { sliceBytes })
    const perFilter = Math.ceil(node.filter.filters.current.bits.length / sliceBytes)
    const firstFilter = node.filter.rotations
    const check = [...revokedBefore, 'jti-from-peer', 'jti-never']
    let heardBack: (outcome: string) => void = () => {}
    const answered = new Promise<string>((resolve) => {
      heardBack = resolve
    })
    const worker = node.fork({
      check,
      onHello: () => {
        dense(node).then(
          () => heardBack('answered'),
          (error: Error) => heardBack(`failed: ${error.message}`),
        )
      },
    })
    // The copy's slices go in order; the union's whole filter starts over from the first slice
    // once it has merged. From then the copy waits (its next slice is not heard written) until the
    // union's slices have all gone, so the union is answered while the worker still copies.
    let copyAt = -1
    let unionStarted = false
    let unionSent: () => void = () => {}
    const unionDone = new Promise<void>((resolve) => {
      unionSent = resolve
    })
    let copyWaited = false
    worker.onSend((message) => {
      if (message.type === 'gwdeploy:revoker:sliced') unionSent()
      if (message.type !== SLICE) return
      const at =
        ((message.filter as number) - firstFilter) * perFilter + (message.offset as number) / sliceBytes
      if (!unionStarted && at === copyAt + 1) copyAt = at
      else if (!unionStarted) unionStarted = true
      else if (!copyWaited && at === copyAt + 1) {
        copyWaited = true
        return unionDone
      }
    })
    const outcome = await Promise.race([answered, worker.ready.then(() => 'ready')])
    assert.equal(outcome, 'answered', 'the union was answered before the worker had its copy')
    assert.ok(copyWaited && !worker.isReady())
    const ready = await worker.ready
    assert.deepEqual(ready.sha256, sha256(node.filter), 'it started with the primary’s bits')
    assert.deepEqual(ready.checks, [...revokedBefore.map(() => true), true, false])
    worker.close()
  })

  /** Changes, each made when the primary sends the slice numbered `at` (from 0), or on HELLO. */
  const cases: Array<{
    name: string
    changes: Array<{ at: number | 'hello'; change: (node: Node) => unknown }>
    /** Messages the changes must have sent the worker (the path they took). */
    sends?: string[]
    /** Revoked while the copy went. */
    revokedMeanwhile: string[]
  }> = [
    { name: 'an Add', changes: [{ at: 100, change: add }], revokedMeanwhile: ['jti-meanwhile'] },
    {
      name: 'a union whose changed bytes are listed',
      changes: [{ at: 100, change: sparse }],
      sends: ['gwdeploy:revoker:apply'],
      revokedMeanwhile: ['jti-from-peer'],
    },
    {
      name: 'a union that sends the whole filter again',
      changes: [{ at: 100, change: dense }],
      sends: ['gwdeploy:revoker:sliced'],
      revokedMeanwhile: ['jti-from-peer'],
    },
    {
      name: 'a listed union that began merging before the copy did',
      changes: [{ at: 'hello', change: sparse }],
      sends: ['gwdeploy:revoker:apply'],
      revokedMeanwhile: ['jti-from-peer'],
    },
    { name: 'a slide halfway through current', changes: [{ at: 100, change: slide }], revokedMeanwhile: [] },
    {
      name: 'a slide in previous, another in current, then an Add and a whole-filter union',
      changes: [
        { at: 10, change: slide },
        { at: 40, change: slide },
        { at: 60, change: add },
        { at: 80, change: dense },
      ],
      sends: ['gwdeploy:revoker:rotate', 'gwdeploy:revoker:add', 'gwdeploy:revoker:sliced'],
      revokedMeanwhile: ['jti-meanwhile', 'jti-from-peer'],
    },
  ]
  for (const { name, changes, sends = [], revokedMeanwhile } of cases)
    test(`${name} while it goes: the worker ends with the primary's bits and refuses what was revoked`, async () => {
      const config: BloomConfig = { n: 1_000_000, p: 0.0000001, hashName: 'optimal' }
      const sliceBytes = 1 << 16
      const { node, revokedBefore } = await loaded(config, { sliceBytes })
      const check = [...revokedBefore, ...revokedMeanwhile, 'jti-never']
      const made: unknown[] = []
      const make = (at: number | 'hello') => {
        for (const c of changes) if (c.at === at) made.push(c.change(node))
      }
      const worker = node.fork({ check, onHello: () => make('hello') })
      let slices = 0
      let copied = false
      worker.onSend((message) => {
        if (message.type === 'gwdeploy:revoker:copied') copied = true
        if (message.type !== SLICE || copied) return
        make(slices++)
      })
      const ready = await worker.ready
      assert.equal(made.length, changes.length, 'every change was made while the copy went')
      await Promise.all(made)
      // (A union's list of changed bytes is a message of its own, bounded by its 65,536 pairs.)
      const copy = worker.sent.filter((m) => m.type !== 'gwdeploy:revoker:apply')
      assert.ok(Math.max(...copy.map((m) => m.bytes)) <= sliceBytes + 256)
      for (const type of sends)
        assert.ok(
          worker.sent.some((m) => m.type === type),
          `${type} sent`,
        )
      // Nothing slid after the copy: it started numbered as the primary, refusing what it refuses
      // (an Add made before COPIED went before it; a union is answered only once the worker has it).
      assert.equal(ready.rotations, node.filter.rotations)
      const primaryChecks = check.map((e) => node.filter.check(utf8.encode(e)))
      const added = (e: string) => !e.includes('from-peer')
      assert.deepEqual(
        ready.checks.filter((_, i) => added(check[i] as string)),
        primaryChecks.filter((_, i) => added(check[i] as string)),
      )

      const report = await worker.report(check)
      assert.equal(report.rotations, node.filter.rotations)
      assert.deepEqual(report.sha256, sha256(node.filter), 'byte for byte the primary’s filters')
      assert.deepEqual(report.checks, primaryChecks)
      for (const jti of revokedMeanwhile)
        assert.equal(report.checks[check.indexOf(jti)], true, `${jti} refused`)
      assert.equal(report.checks.at(-1), false, 'a token never revoked passes')
      worker.close()
    })
})
