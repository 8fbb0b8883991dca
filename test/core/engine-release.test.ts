/** The release engine in-process over the fake provider: every step's failure, crashes between steps, stops. */
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { type EngineContext, release } from '../../src/core/engine.ts'
import { interruptedError } from '../../src/core/errors.ts'
import { withLock } from '../../src/core/release/lock-scope.ts'
import type { Colour } from '../../src/providers/types.ts'
import { type Harness, makeHarness, messages, sha } from './helpers/engine-harness.ts'

const releaseOf =
  (n: number, extra: Record<string, unknown> = {}) =>
  (ctx: EngineContext) =>
    release(ctx, { sha: sha(n), ...extra })

/** Releases sha(1) (blue, 100%), the starting point of most cases. */
async function firstRelease(h: Harness): Promise<void> {
  const first = await h.run(releaseOf(1))
  assert.equal(first.code, 0, first.error?.message)
  assert.deepEqual(h.world.weights, { blue: 100, green: 0 })
}

const latest = (h: Harness) => h.world.records[0]
const alive = (h: Harness, colour: Colour) =>
  (h.world.fleets[colour]?.nodes ?? []).filter((n) => h.world.nodes.has(n.id)).length

describe('release engine (fake provider, in-process)', () => {
  let h: Harness
  beforeEach(async () => {
    h = await makeHarness()
  })
  afterEach(async () => {
    await h.cleanup()
  })

  it('a first release serves blue; the next one shifts to green step by step and keeps blue', async () => {
    await firstRelease(h)
    const second = await h.run(releaseOf(2))
    assert.equal(second.code, 0, second.error?.message)
    assert.equal(second.result?.status, 'released')
    assert.deepEqual(
      h.world.routes.slice(1).map((w) => w.green),
      [10, 50, 100],
    )
    assert.ok(h.world.fleets.blue?.keepUntil, 'blue is kept for rollback')
    assert.equal(latest(h)?.status, 'released')
    assert.equal(latest(h)?.sha, sha(2))
  })

  it('a release the target keeps no record of is exit 8, and the hint does not say a record tells what did not finish', async () => {
    await firstRelease(h)
    h.provider.failAt.add('append')
    const out = await h.run(releaseOf(2))
    h.provider.failAt.delete('append')
    assert.equal(out.code, 8, out.error?.message)
    const hint = (out.error as { hint?: string } | undefined)?.hint ?? ''
    assert.match(hint, /the target has no record of it/)
    assert.match(hint, new RegExp(`\`gwdeploy release --sha ${sha(2)}\` writes it without moving traffic`))
  })

  it('a green node the provider knows will not recover fails the gate at once, named first', async () => {
    await firstRelease(h)
    let gone: string | undefined
    // The first green node still in its initial checks, the second terminated (aws: final).
    h.world.reportHealth = (fleet, index) => {
      const id = fleet.nodes[index]?.id ?? ''
      if (fleet.colour !== 'green') return undefined
      if (index === 0) return { node: id, status: 'starting', detail: 'Elb.InitialHealthChecking' }
      gone = id
      return { node: id, status: 'gone', final: true, detail: 'instance is terminated' }
    }
    const out = await h.run(releaseOf(2))
    h.world.reportHealth = undefined
    assert.equal(out.code, 4, out.error?.message)
    assert.match(
      out.error?.message ?? '',
      new RegExp(`failed its health gate: ${gone}: provider reports gone: instance is terminated`),
    )
    assert.deepEqual(h.world.weights, { blue: 100, green: 0 })
  })

  it('the image/runtime is built before the lock is taken', async () => {
    const out = await h.run(releaseOf(1))
    const order = out.events.flatMap((e) => (e.type === 'step' && e.status !== 'done' ? [e.step] : []))
    assert.ok(order.indexOf('build') >= 0 && order.indexOf('build') < order.indexOf('lock'), order.join(','))
  })

  it('a provision that fails half-way: green torn down, traffic untouched, exit 6, recorded failed', async () => {
    await firstRelease(h)
    h.provider.provisionFailsAfter = 1
    const out = await h.run(releaseOf(2))
    assert.equal(out.code, 6)
    assert.deepEqual(h.world.weights, { blue: 100, green: 0 })
    assert.equal(h.world.fleets.green, undefined, 'the partial green is torn down')
    assert.equal(alive(h, 'blue'), 2)
    assert.equal(latest(h)?.status, 'failed')
  })

  it('green failing its health gate: exit 4, traffic never moved, green torn down', async () => {
    await firstRelease(h)
    h.provider.startUnhealthy = true
    const out = await h.run(releaseOf(2))
    assert.equal(out.code, 4)
    assert.equal(h.world.routes.length, 1, 'no route after the first release')
    assert.equal(h.world.fleets.green, undefined)
    assert.equal(latest(h)?.exitCode, 4)
  })

  for (const weight of [10, 50, 100]) {
    it(`a bake failing at ${weight}%: traffic back to blue, exit 5, recorded rolled-back`, async () => {
      await firstRelease(h)
      h.provider.onRoute = (w) => {
        if (w.green === weight) h.world.setHealthy('green', false)
      }
      const out = await h.run(releaseOf(2))
      assert.equal(out.code, 5, out.error?.message)
      assert.match(out.error?.message ?? '', new RegExp(`during bake at ${weight}%`))
      assert.deepEqual(h.world.weights, { blue: 100, green: 0 })
      assert.deepEqual(h.world.routes.at(-1), { blue: 100, green: 0 })
      assert.equal(h.world.fleets.green, undefined)
      assert.equal(latest(h)?.status, 'rolled-back')
    })
  }

  it('an interrupt during the bake at 50% reverts to 90/10 (the last gated state) and says so; a re-run finishes', async () => {
    await firstRelease(h)
    const controller = new AbortController()
    h.provider.onRoute = (w) => {
      if (w.green === 50) controller.abort(interruptedError('SIGINT'))
    }
    const out = await h.run(releaseOf(2), controller)
    assert.equal(out.code, 130)
    assert.deepEqual(h.world.weights, { blue: 90, green: 10 })
    assert.ok(messages(out.events).some((m) => /blue 90% \/ green 10%.*passed its gate/.test(m)))
    assert.equal(alive(h, 'green'), 2, 'green keeps serving its gated 10%')
    assert.equal(latest(h)?.status, 'interrupted')
    assert.deepEqual(latest(h)?.weights, { blue: 90, green: 10 })
    h.provider.onRoute = undefined
    const again = await h.run(releaseOf(2))
    assert.equal(again.code, 0, again.error?.message)
    assert.deepEqual(h.world.weights, { blue: 0, green: 100 })
  })

  it('an interrupt before any step baked goes back to 100% blue and tears green down', async () => {
    await firstRelease(h)
    const controller = new AbortController()
    h.provider.onRoute = (w) => {
      if (w.green === 10) controller.abort(interruptedError('SIGTERM'))
    }
    const out = await h.run(releaseOf(2), controller)
    assert.equal(out.code, 130)
    assert.deepEqual(h.world.weights, { blue: 100, green: 0 })
    assert.equal(h.world.fleets.green, undefined)
  })

  it('the lock lost mid-release stops it (exit 3) and reverts to the gated state', async () => {
    h = await swap(h, { shift: { strategy: 'steps', steps: [10, 100], bake: '1s' } })
    await firstRelease(h)
    h.provider.onRoute = (w) => {
      if (w.green === 10) h.world.stealLock()
    }
    const out = await h.run(releaseOf(2))
    assert.equal(out.code, 3, out.error?.message)
    assert.deepEqual(h.world.weights, { blue: 100, green: 0 })
    assert.equal(latest(h)?.status, 'interrupted')
  })

  it('a failure after traffic moved: exit 8 saying it is live and what did not finish; recorded truthfully; a re-run finishes', async () => {
    await firstRelease(h)
    h.provider.failAt.add('annotate')
    const out = await h.run(releaseOf(2))
    assert.equal(out.code, 8)
    assert.match(out.error?.message ?? '', /is live on green .*did not finish: annotate/)
    assert.deepEqual(h.world.weights, { blue: 0, green: 100 }, 'nothing reverted')
    assert.equal(latest(h)?.status, 'released')
    assert.ok(latest(h)?.unfinished?.length)
    assert.equal(latest(h)?.exitCode, 8)
    h.provider.failAt.clear()
    const again = await h.run(releaseOf(2))
    assert.equal(again.code, 0, again.error?.message)
    assert.equal(latest(h)?.unfinished, undefined)
    assert.ok(h.world.fleets.blue?.keepUntil)
  })

  for (const point of ['provision', 'route:10', 'route:50', 'route:100', 'annotate', 'append']) {
    it(`a crash at ${point}, then a re-run converges: green live, blue kept, the release recorded`, async () => {
      await crashedAfterFirst(h, point)
      const again = await h.run(releaseOf(2))
      assert.equal(again.code, 0, again.error?.message)
      assert.deepEqual(h.world.weights, { blue: 0, green: 100 })
      assert.equal(alive(h, 'green'), 2)
      assert.equal(alive(h, 'blue'), 2, 'the colour that served is never torn down')
      const done = h.world.records.find((r) => r.status === 'released')
      assert.equal(done?.sha, sha(2))
    })
  }

  it('a re-run that finds green at an unbaked split bakes it before going on to 100%', async () => {
    await crashedAfterFirst(h, 'route:50')
    const again = await h.run(releaseOf(2))
    assert.equal(again.code, 0, again.error?.message)
    const firstBake = again.events.findIndex((e) => e.type === 'bake')
    const toFull = again.events.findIndex((e) => e.type === 'weights' && e.weights.green === 100)
    assert.ok(firstBake !== -1 && firstBake < toFull, 'the 50% split baked before 100%')
    assert.deepEqual(h.world.weights, { blue: 0, green: 100 })
  })

  it('a re-run that finds green at 100% unrecorded (killed before its bake) bakes it before it records the release', async () => {
    await crashedAfterFirst(h, 'route:100')
    const again = await h.run(releaseOf(2))
    assert.equal(again.code, 0, again.error?.message)
    assert.ok(
      again.events.some((e) => e.type === 'bake' && e.colour === 'green'),
      'the 100% step baked (it was recorded released unbaked)',
    )
    assert.equal(latest(h)?.status, 'released')
  })

  it('that bake failing goes back to the colour that served: exit 5, green torn down, rolled-back recorded', async () => {
    await crashedAfterFirst(h, 'route:100')
    h.world.setHealthy('green', false)
    const again = await h.run(releaseOf(2))
    assert.equal(again.code, 5, again.error?.message)
    assert.match(again.error?.message ?? '', /failed during bake at 100%/)
    assert.deepEqual(h.world.weights, { blue: 100, green: 0 })
    assert.equal(h.world.fleets.green, undefined, 'green torn down')
    assert.equal(alive(h, 'blue'), 2)
    assert.equal(latest(h)?.status, 'rolled-back')
    assert.equal(latest(h)?.sha, sha(2))
  })

  it('a preflight refusal changes nothing: the kept colour stays, no hook, no record, the lock released', async () => {
    await firstRelease(h)
    assert.equal((await h.run(releaseOf(2))).code, 0)
    const fleets = structuredClone(h.world.fleets)
    const records = h.world.records.length
    h.provider.failAt.add('preflight')
    const out = await h.run(releaseOf(3))
    h.provider.failAt.delete('preflight')
    assert.equal(out.code, 6, out.error?.message)
    assert.match(out.error?.message ?? '', /fake: preflight failed/)
    assert.deepEqual(h.world.fleets, fleets, 'the colour kept for rollback is still there')
    assert.equal(h.world.records.length, records, 'no failed record for what changed nothing')
    assert.equal(h.world.lock, null)
  })

  it('the lock is re-entrant on the context: a nested scope takes it once', async () => {
    const out = await h.run((ctx) =>
      withLock(ctx, 'outer', undefined, 0, (locked) =>
        withLock(locked, 'inner', undefined, 0, async (inner) => inner.lock === locked.lock),
      ),
    )
    assert.equal(out.result, true)
    assert.equal(h.world.lockAttempts, 1)
    assert.equal(h.world.lock, null, 'released at the end of the outer scope')
  })
})

/** The first release, then the second killed at `point` (its lock left to expire): what a re-run finds. */
async function crashedAfterFirst(h: Harness, point: string): Promise<void> {
  await firstRelease(h)
  h.provider.hangAt.add(point)
  const crashed = h.provider.crashed
  h.start(releaseOf(2))
  assert.equal(await crashed, point)
  h.provider.resetCrash()
  h.world.expireLock()
}

async function swap(h: Harness, overrides: Parameters<typeof makeHarness>[0]): Promise<Harness> {
  await h.cleanup()
  return makeHarness(overrides)
}
