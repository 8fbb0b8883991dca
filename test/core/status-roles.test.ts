/** `status` calls a colour "preview" only when `promote` would take it. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { promote, release, rollback } from '../../src/core/engine.ts'
import { nothingServed, status } from '../../src/core/operations.ts'
import { type Harness, makeHarness, sha } from './helpers/engine-harness.ts'

describe('status roles agree with promote', () => {
  let h: Harness
  before(async () => {
    h = await makeHarness({ shift: { bake: 0 } })
  })
  after(async () => {
    await h.cleanup()
  })

  const roleOf = async (s: string) => (await status(h.target)).colours.find((c) => c.sha === s)?.role

  it('a green left behind by a release that never passed its gate is idle, not preview', async () => {
    assert.equal((await h.run((ctx) => release(ctx, { sha: sha(1) }))).code, 0)
    h.provider.startUnhealthy = true
    const failed = await h.run((ctx) => release(ctx, { sha: sha(2), keepFailed: true }))
    h.provider.startUnhealthy = false
    assert.equal(failed.code, 4)
    assert.equal(await roleOf(sha(2)), 'idle')
    const nothing = await h.run((ctx) => promote(ctx, {}))
    assert.equal(nothing.code, 2, 'promote agrees: nothing is waiting in preview')
  })

  it('a --no-shift release that passed its gate is preview, and promote takes it', async () => {
    assert.equal((await h.run((ctx) => release(ctx, { sha: sha(3), noShift: true }))).code, 0)
    assert.equal(await roleOf(sha(3)), 'preview')
    assert.equal((await h.run((ctx) => promote(ctx, {}))).code, 0)
  })
})

describe('status when the records cannot be read', () => {
  let h: Harness
  before(async () => {
    h = await makeHarness({ shift: { bake: 0 } })
  })
  after(async () => {
    await h.cleanup()
  })

  it('says so in a warning instead of showing no last release silently', async () => {
    assert.equal((await h.run((ctx) => release(ctx, { sha: sha(1) }))).code, 0)
    h.provider.failAt.add('list-records')
    const warnings: string[] = []
    const result = await status(h.target, undefined, (message) => warnings.push(message))
    h.provider.failAt.delete('list-records')
    assert.equal(result.serving, 'blue')
    assert.deepEqual(warnings, [
      'could not read the release records from the target: fake: list-records failed; going on without them',
    ])
  })
})

describe('nothing served', () => {
  let h: Harness
  before(async () => {
    h = await makeHarness({ shift: { bake: 0 } })
  })
  after(async () => {
    await h.cleanup()
  })

  it('is not said of a first release waiting in preview', async () => {
    assert.equal((await h.run((ctx) => release(ctx, { sha: sha(1), noShift: true }))).code, 0)
    assert.equal(nothingServed(await status(h.target)), undefined)
  })

  it('is said when the router sends no colour traffic though the live release is up (edited by hand)', async () => {
    assert.equal((await h.run((ctx) => promote(ctx, {}))).code, 0)
    assert.equal(nothingServed(await status(h.target)), undefined)
    h.world.weights = { blue: 0, green: 0 }
    const nothing = nothingServed(await status(h.target))
    assert.equal(nothing?.sha, sha(1))
    assert.match(
      nothing?.why ?? '',
      /sends no colour any traffic, though 0101010 went live and blue still runs it/,
    )
  })
})

describe('status when the serving SHA is not the last recorded live release', () => {
  let h: Harness
  before(async () => {
    h = await makeHarness({ shift: { bake: 0 } })
  })
  after(async () => {
    await h.cleanup()
  })

  const warningsOf = async () => {
    const warnings: string[] = []
    await status(h.target, undefined, (message) => warnings.push(message))
    return warnings
  }

  it('a rollback stopped before its record: says so and that `rollback` completes it; silent once recorded', async () => {
    for (const n of [1, 2]) assert.equal((await h.run((ctx) => release(ctx, { sha: sha(n) }))).code, 0)
    assert.deepEqual(await warningsOf(), [])
    const kept = h.world.weights.blue === 100 ? 'green' : 'blue'
    h.world.weights = kept === 'blue' ? { blue: 100, green: 0 } : { blue: 0, green: 100 }
    assert.deepEqual(await warningsOf(), [
      `${kept} serves 0101010, but the records say 0202020 went live last: a rollback (or a release of that SHA) stopped before its record (or traffic was switched by hand); \`gwdeploy rollback\` completes and records it`,
    ])
    // What status says rollback does agrees: the switch to the colour already serving, recorded.
    assert.deepEqual((await status(h.target)).rollback, { sha: sha(1), how: 'switch', colour: kept })
    assert.equal((await h.run((ctx) => rollback(ctx, {}))).code, 0)
    assert.deepEqual(await warningsOf(), [])
  })

  it('traffic switched by hand to a release that never went live (a preview): both ways out, recording it or going back', async () => {
    assert.equal((await h.run((ctx) => release(ctx, { sha: sha(3), noShift: true }))).code, 0)
    const live = h.world.weights.blue === 100 ? 'blue' : 'green'
    const preview = live === 'blue' ? 'green' : 'blue'
    assert.equal(h.world.fleets[preview]?.sha, sha(3))
    h.world.weights = preview === 'blue' ? { blue: 100, green: 0 } : { blue: 0, green: 100 }
    assert.deepEqual(await warningsOf(), [
      `${preview} serves 0303030, but the records say 0101010 went live last: a promote stopped before its record (or traffic was switched by hand); \`gwdeploy promote\` finishes it (gate, bake, record) and records it as live; or \`gwdeploy rollback\` switches all traffic to ${live} (0101010)`,
    ])
    assert.deepEqual((await status(h.target)).rollback, { sha: sha(1), how: 'switch', colour: live })
  })
})
