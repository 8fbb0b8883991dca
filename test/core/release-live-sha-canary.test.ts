/**
 * `release --sha <live SHA>` while a canary of another SHA has a share (promote --weight, a stepped
 * release stopped after a baked step): it takes the share back. The canary never went live, so it is
 * not the release "before" this one: not recorded or reported as `previous`, not kept for rollback.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { renderRelease } from '../../src/commands/release.ts'
import { type EngineContext, promote, type ReleaseResult, release } from '../../src/core/engine.ts'
import { status } from '../../src/core/operations.ts'
import { listRecords } from '../../src/core/records.ts'
import { type Harness, makeHarness, messages, sha } from './helpers/engine-harness.ts'

describe('release of the live SHA after a canary that never went live', () => {
  let h: Harness
  let out: Awaited<ReturnType<Harness['run']>>
  before(async () => {
    h = await makeHarness({ shift: { bake: 0 } })
    assert.equal((await h.run((ctx) => release(ctx, { sha: sha(1) }))).code, 0)
    assert.equal((await h.run((ctx) => release(ctx, { sha: sha(2), noShift: true }))).code, 0)
    assert.equal((await h.run((ctx: EngineContext) => promote(ctx, { weight: 10 }))).code, 0)
    assert.deepEqual(h.world.weights, { blue: 90, green: 10 })
    out = await h.run((ctx) => release(ctx, { sha: sha(1) }))
    assert.equal(out.code, 0, out.error?.message)
  })
  after(async () => {
    await h.cleanup()
  })

  it('takes the canary share back and says the canary is left idle, not "previous"', () => {
    const result = out.result as ReleaseResult
    assert.deepEqual(h.world.weights, { blue: 100, green: 0 })
    assert.equal(result.previous, null)
    assert.deepEqual(result.leftIdle, { colour: 'green', sha: sha(2) })
    const text = renderRelease(result)
    assert.doesNotMatch(text, /previous: green/)
    assert.match(text, /^green \(0202020\) never went live: left idle, not kept for rollback/m)
    assert.ok(
      messages(out.events).includes(
        'green (0202020) never went live: left idle, not kept for rollback (`gwdeploy retire` tears it down)',
      ),
      JSON.stringify(messages(out.events)),
    )
  })

  it('the record names no previous release, and status calls the canary idle, not kept for rollback', async () => {
    const [newest] = await listRecords(h.target, 1)
    assert.equal(newest?.sha, sha(1))
    assert.equal(newest?.status, 'released')
    assert.equal(newest?.previous, undefined)
    const now = await status(h.target, undefined, () => {})
    const green = now.colours.find((c) => c.colour === 'green')
    assert.equal(green?.role, 'idle')
    assert.equal(green?.keepUntil, undefined)
  })
})
