/**
 * After `destroy` nothing is live: `rollback` refuses (exit 2, nothing changed) naming the destroy and
 * the ways back, instead of bringing back the release before the last live one; `--to` still works;
 * `promote` does not send the operator to `rollback` either.
 */
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { type EngineContext, promote, release, rollback } from '../../src/core/engine.ts'
import { isGwError } from '../../src/core/errors.ts'
import { destroy, status } from '../../src/core/operations.ts'
import { type Harness, makeHarness, sha } from './helpers/engine-harness.ts'

const back = (to?: string) => (ctx: EngineContext) => rollback(ctx, { to })

describe('rollback after destroy (fake provider, in-process)', () => {
  let h: Harness
  beforeEach(async () => {
    h = await makeHarness({ shift: { bake: 0 } })
    for (const n of [1, 2]) {
      const out = await h.run((ctx) => release(ctx, { sha: sha(n) }))
      assert.equal(out.code, 0, out.error?.message)
    }
    const gone = await h.run((ctx) => destroy(ctx))
    assert.equal(gone.code, 0, gone.error?.message)
  })
  afterEach(async () => {
    await h.cleanup()
  })

  it('rollback is exit 2 saying nothing is deployed, and names the last live release and the one before it', async () => {
    const routes = h.world.routes.length
    const out = await h.run(back())
    assert.equal(out.code, 2, out.error?.message)
    assert.match(
      out.error?.message ?? '',
      /^there is nothing to roll back from: nothing is deployed, the target was destroyed at \S+ by .+ \(0202020 was live before\)$/,
    )
    assert.ok(isGwError(out.error))
    assert.equal(
      out.error.hint,
      `\`gwdeploy rollback --to ${sha(2)}\` brings back 0202020, the last live release, as recorded; \`gwdeploy rollback --to ${sha(1)}\` the one before it; \`gwdeploy release --sha SHA\` deploys a new one. Nothing was changed.`,
    )
    assert.equal(h.world.routes.length, routes, 'nothing routed')
    assert.equal(h.world.fleets.blue, undefined, 'nothing provisioned')
    assert.equal(h.world.fleets.green, undefined, 'nothing provisioned')
  })

  it('promote is exit 2 and its hint does not offer rollback (nothing is live to go back from)', async () => {
    const out = await h.run((ctx) => promote(ctx, {}))
    assert.equal(out.code, 2, out.error?.message)
    assert.ok(isGwError(out.error))
    assert.equal(
      out.error.hint,
      'Start one with `gwdeploy release --sha SHA --no-shift`, or put one live with `gwdeploy release --sha SHA`; `gwdeploy status` shows what is there.',
    )
  })

  it('status says the target was destroyed and offers no rollback', async () => {
    const result = await status(h.target)
    assert.equal(result.rollback, null)
    assert.match(result.destroyed?.time ?? '', /^\d{4}-/)
    assert.match(
      result.destroyed?.ways ?? '',
      new RegExp(`^\`gwdeploy rollback --to ${sha(2)}\` brings back`),
    )
  })

  it('rollback --to the last live release brings it back; the next rollback goes to the one before it', async () => {
    const to = await h.run(back(sha(2)))
    assert.equal(to.code, 0, to.error?.message)
    const serving = h.world.weights.blue === 100 ? 'blue' : 'green'
    assert.equal(h.world.fleets[serving]?.sha, sha(2))
    assert.equal((await status(h.target)).destroyed, undefined, 'live again')
    const next = await h.run(back())
    assert.equal(next.code, 0, next.error?.message)
    assert.equal((next.result as { sha: string }).sha, sha(1))
  })

  it('a release after the destroy is live: rollback goes back from it', async () => {
    const out = await h.run((ctx) => release(ctx, { sha: sha(3) }))
    assert.equal(out.code, 0, out.error?.message)
    const next = await h.run(back())
    assert.equal(next.code, 0, next.error?.message)
    assert.equal((next.result as { sha: string }).sha, sha(2))
  })
})
