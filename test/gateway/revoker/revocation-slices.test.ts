// A union that changes too many bytes to list sends the workers the whole filter: as slices, each
// ORed in as it arrives, so a worker's event loop never reads the whole filter at once, a token it
// refused stays refused at every point, and a slide meanwhile still leaves it with the primary's bits.
// The worker is a real child process (follower-process.ts) on the structured-clone channel.
import assert from 'node:assert/strict'
import { type ChildProcess, fork } from 'node:child_process'
import type { Worker } from 'node:cluster'
import { createHash } from 'node:crypto'
import { after, describe, test } from 'node:test'
import { serialize } from 'node:v8'
import {
  type BloomConfig,
  nextTurn,
  type RemoteSlidingFilter,
  SlidingBloomFilter,
} from '../../../src/gateway/revoker/bloom-filter.ts'
import { createFollowers, SLICE_BYTES } from '../../../src/gateway/revoker/cluster.ts'
import { revocationStore } from '../../../src/gateway/revoker/revocation-service.ts'

const helper = new URL('./follower-process.ts', import.meta.url).pathname
const utf8 = new TextEncoder()
const children: ChildProcess[] = []
after(() => {
  for (const child of children) child.kill('SIGKILL')
})

interface Report {
  maxStallMs: number
  maxBusyMs: number
  ticksWhileSliced: number
  messages: number
  misses: number
  sha256: Record<'previous' | 'current' | 'next', string>
  rotations: number
  checks: boolean[]
}

/**
 * A primary's filter, its store and one worker following it. Every message to the worker is
 * measured (its structured-clone size); `onSend` sees each one after it is sent.
 */
async function primaryWithWorker(config: BloomConfig, options: { sliceBytes?: number } = {}) {
  const filter = new SlidingBloomFilter(config)
  const followers = createFollowers(filter, options)
  const child = fork(helper, [JSON.stringify(config)], { serialization: 'advanced', stdio: 'inherit' })
  children.push(child)
  const sent: Array<{ type: string; bytes: number; filter?: number; offset?: number }> = []
  let onSend: (message: { type: string; filter?: number; offset?: number }) => void = () => {}
  const send = child.send.bind(child) as (
    message: unknown,
    callback?: (error: Error | null) => void,
  ) => boolean
  child.send = ((message: { type: string; filter?: number; offset?: number }, callback?: () => void) => {
    // The worker's first copy (one message, before it serves) is not what is measured here.
    const bytes = message.type === 'gwdeploy:revoker:snapshot' ? 0 : serialize(message).length
    sent.push({ type: message.type, bytes, filter: message.filter, offset: message.offset })
    const ok = send(message, callback)
    onSend(message)
    return ok
  }) as ChildProcess['send']
  const reply = <T>(type: string) =>
    new Promise<T>((resolve, reject) => {
      const on = (message: { type?: string }) => {
        if (message?.type !== type) return
        child.off('message', on)
        child.off('exit', exited)
        resolve(message as T)
      }
      const exited = (code: number | null) => reject(new Error(`the worker exited (${code})`))
      child.on('message', on)
      child.once('exit', exited)
    })
  const ready = reply('test:ready')
  followers.attach(child as unknown as Worker)
  await ready
  const ttlS = 3600
  return {
    filter,
    followers,
    store: revocationStore(filter, ttlS, followers),
    sent,
    onSend: (f: typeof onSend) => {
      onSend = f
    },
    /** The worker refuses these from now on; its longest stall is measured from now. */
    watch: async (elems: string[]) => {
      const watching = reply('test:watching')
      send({ type: 'test:watch', elems })
      await watching
      sent.length = 0
    },
    report: async (check: string[] = []) => {
      const answer = reply<Report>('test:report')
      send({ type: 'test:report', check })
      return answer
    },
    close: () => child.kill('SIGKILL'),
  }
}

const sha256 = (filter: SlidingBloomFilter) =>
  Object.fromEntries(
    (['previous', 'current', 'next'] as const).map((which) => [
      which,
      createHash('sha256').update(filter.filters[which].bits).digest('hex'),
    ]),
  )

/** A peer's set whose three filters hold different patterns (a misplaced slice shows). */
const patterned = (config: BloomConfig): RemoteSlidingFilter => {
  const theirs = new SlidingBloomFilter(config)
  const { previous, current, next } = theirs.filters
  previous.bits.fill(0x11)
  current.bits.fill(0x22)
  next.bits.fill(0x48)
  return { n: config.n, p: config.p, previous, current, next }
}

const revoked = (count: number, tag: string) => Array.from({ length: count }, (_, i) => `jti-${tag}-${i}`)

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
    // One message of the whole filter kept a worker's thread busy about 150 ms between two turns of
    // its event loop (and its timers waited 300 to 1,000 ms on a shared machine); a slice about 5 ms.
    // The thread's CPU time is what is bounded: the wall time also counts other processes' turns.
    const stalled = `${report.maxBusyMs.toFixed(1)} ms busy, ${report.maxStallMs.toFixed(0)} ms between turns`
    assert.ok(report.maxBusyMs < 50, `the worker's timers waited: ${stalled}`)
    assert.ok(
      report.ticksWhileSliced > 10,
      `its timers ran ${report.ticksWhileSliced} times while slices came`,
    )
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
    const slide = () => {
      // As the service's timer does.
      node.filter.rotate()
      node.followers.rotate()
    }
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
