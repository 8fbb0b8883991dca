/** `abort` and `rollback --force-now` from "another shell" (a second context) against a running release. */
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { abort, type EngineContext, release, rollback } from '../../src/core/engine.ts'
import { type Harness, makeHarness, messages, sha } from './helpers/engine-harness.ts'

const releaseOf = (n: number) => (ctx: EngineContext) => release(ctx, { sha: sha(n) })

/** Starts a release of sha(n) and resolves once it is baking its first step (10%). */
async function baking(h: Harness, n: number) {
  let reached: () => void = () => {}
  const routed = new Promise<void>((resolve) => {
    reached = resolve
  })
  h.provider.onRoute = (w) => {
    if (w.green === 10 || w.blue === 10) reached()
  }
  const running = h.run(releaseOf(n))
  await routed
  h.provider.onRoute = undefined
  // Wrapped: an async function returning the promise itself would wait for it.
  return { running }
}

describe('abort and rollback --force-now (fake provider, in-process)', () => {
  let h: Harness
  beforeEach(async () => {
    // A long bake: the abort must not wait it out.
    h = await makeHarness({ shift: { strategy: 'steps', steps: [10, 100], bake: '30s' } })
  })
  afterEach(async () => {
    await h.cleanup()
  })

  it('abort stops a release in its bake: traffic back to the gated state, exit 130, reported to both sides', async () => {
    h = await swap(h)
    assert.equal((await h.run(releaseOf(1))).code, 0)
    h = await withBake(h, '30s')
    const { running } = await baking(h, 2)
    const aborted = await h.run(abort)
    assert.equal(aborted.code, 0, aborted.error?.message)
    assert.equal(aborted.result?.outcome?.status, 'interrupted')
    assert.deepEqual(aborted.result?.weights, { blue: 100, green: 0 })
    const stopped = await running
    assert.equal(stopped.code, 130)
    assert.match(stopped.error?.message ?? '', /aborted by .*gwdeploy abort/)
    assert.deepEqual(h.world.weights, { blue: 100, green: 0 })
    assert.equal(h.world.lock, null, 'nobody holds the lock afterwards')
  })

  it('abort with nothing running is exit 2', async () => {
    const out = await h.run(abort)
    assert.equal(out.code, 2)
    assert.match(out.error?.message ?? '', /nothing to abort/)
  })

  it('abort with a lock it cannot read is exit 6 naming it, not "nothing to abort" (it may be a running release)', async () => {
    const unreadable = 'lock.json: Unexpected end of JSON input'
    h.world.lock = {
      holder: 'unknown',
      acquiredAt: '',
      renewedAt: '',
      expiresAt: '',
      unreadable,
      token: 0,
      ttlMs: 0,
    }
    const out = await h.run(abort)
    assert.equal(out.code, 6, out.error?.message)
    assert.match(
      out.error?.message ?? '',
      /the release lock cannot be read \(lock\.json: Unexpected end of JSON input\)/,
    )
  })

  // Where the stopped release leaves traffic (its first step unbaked: all on 2; a baked split with 3 at
  // 10%) decides nothing: --force-now goes back to the release before the one that served, every time.
  it('rollback --force-now during the first bake: stops the running release, then goes back to the release before the live one', async () => {
    h = await swap(h)
    assert.equal((await h.run(releaseOf(1))).code, 0)
    assert.equal((await h.run(releaseOf(2))).code, 0)
    h = await withBake(h, '30s')
    const { running } = await baking(h, 3)
    const back = await h.run((ctx) => rollback(ctx, { forceNow: true }))
    assert.equal(back.code, 0, back.error?.message)
    assert.equal((await running).code, 130)
    assert.equal(back.result?.sha, sha(1))
    assert.deepEqual(h.world.weights, { blue: 100, green: 0 })
    assert.equal(h.world.fleets.blue?.sha, sha(1))
    assert.ok(
      messages(back.events).some((m) =>
        /^the release of 0303030 by .* is in flight: stopping it, then going back to 0101010, the release before 0202020 \(which served\)$/.test(
          m,
        ),
      ),
      JSON.stringify(messages(back.events)),
    )
    assert.equal(h.world.lock, null)
  })

  it('rollback --force-now during the bake at 100% after a baked 10%: the same end, on the release before the live one', async () => {
    h = await swap(h)
    assert.equal((await h.run(releaseOf(1))).code, 0)
    assert.equal((await h.run(releaseOf(2))).code, 0)
    h = await withBake(h, '0s')
    // 10% bakes at once; the bake at 100% is long, so the abort lands in it (the 10% split is gated).
    let reached: () => void = () => {}
    const atFull = new Promise<void>((resolve) => {
      reached = resolve
    })
    h.provider.onRoute = (w) => {
      if (w.blue !== 100) return
      // The run reads shift.bake at each step, from the config object it was given.
      h.target.config.shift.bake = 30_000
      reached()
    }
    const running = h.run(releaseOf(3))
    await atFull
    h.provider.onRoute = undefined
    const back = await h.run((ctx) => rollback(ctx, { forceNow: true }))
    assert.equal(back.code, 0, back.error?.message)
    const stopped = await running
    assert.equal(stopped.code, 130)
    assert.ok(
      messages(stopped.events).some((m) => /^traffic back to blue 10% \/ green 90%/.test(m)),
      'the abort left the baked split',
    )
    assert.equal(back.result?.sha, sha(1))
    assert.deepEqual(h.world.weights, { blue: 100, green: 0 })
    assert.equal(h.world.fleets.blue?.sha, sha(1))
    assert.equal(h.world.lock, null)
  })

  it('rollback --force-now when nothing was released before the live one: the running release stops, all traffic back on it', async () => {
    h = await swap(h)
    assert.equal((await h.run(releaseOf(1))).code, 0)
    h = await withBake(h, '30s')
    const { running } = await baking(h, 2)
    const back = await h.run((ctx) => rollback(ctx, { forceNow: true }))
    assert.equal(back.code, 0, back.error?.message)
    assert.equal((await running).code, 130)
    assert.equal(back.result?.sha, sha(1))
    assert.deepEqual(h.world.weights, { blue: 100, green: 0 })
  })
})

/** A harness without a bake (quick setup releases). */
async function swap(h: Harness): Promise<Harness> {
  await h.cleanup()
  return makeHarness({ shift: { strategy: 'steps', steps: [10, 100], bake: 0 } })
}

/** The same target, now baking `bake` after each step. */
async function withBake(h: Harness, bake: string): Promise<Harness> {
  const { gwConfigSchema } = await import('../../src/config/schema.ts')
  h.target.config = gwConfigSchema.parse({
    service: 'fake',
    fleet: { size: 2 },
    health: { interval: '20ms', timeout: '500ms', rise: 1, deadline: '1s' },
    shift: { strategy: 'steps', steps: [10, 100], bake },
    lock: { ttl: '1s' },
  })
  return h
}
