/** `abort` and `rollback --force-now` from "another shell" (a second context) against a running release. */
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { abort, type EngineContext, release, rollback } from '../../src/core/engine.ts'
import { type Harness, makeHarness, sha } from './helpers/engine-harness.ts'

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

  it('rollback --force-now stops the running release, then goes back to the release before the live one', async () => {
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
    assert.equal(h.world.lock, null)
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
