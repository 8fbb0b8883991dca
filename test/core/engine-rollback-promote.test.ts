/** rollback and promote semantics in-process over the fake provider: from the records, never a toggle. */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { type EngineContext, promote, release, rollback } from '../../src/core/engine.ts'
import { interruptedError, isGwError } from '../../src/core/errors.ts'
import { listRecords } from '../../src/core/records.ts'
import { liveLineage, releaseBefore } from '../../src/core/release/lineage.ts'
import type { ReleaseRecord } from '../../src/providers/types.ts'
import { tempDir } from '../helpers/files.ts'
import { type Harness, makeHarness, messages, sha } from './helpers/engine-harness.ts'

const releaseOf =
  (n: number, extra: Record<string, unknown> = {}) =>
  (ctx: EngineContext) =>
    release(ctx, { sha: sha(n), ...extra })
const back = (to?: string) => (ctx: EngineContext) => rollback(ctx, { to })
const promoteTo = (weight?: number) => (ctx: EngineContext) => promote(ctx, { weight })

async function ok<T>(h: Harness, fn: (ctx: EngineContext) => Promise<T>): Promise<T> {
  const out = await h.run(fn)
  assert.equal(out.code, 0, out.error?.message)
  return out.result as T
}

const liveSha = (h: Harness) => {
  const colour = h.world.weights.blue === 100 ? 'blue' : h.world.weights.green === 100 ? 'green' : undefined
  return colour ? h.world.fleets[colour]?.sha : undefined
}

describe('rollback (fake provider, in-process)', () => {
  let h: Harness
  beforeEach(async () => {
    h = await makeHarness({ shift: { bake: 0 } })
  })
  afterEach(async () => {
    await h.cleanup()
  })

  it('goes back one release at a time and never returns to the version just left', async () => {
    for (const n of [1, 2, 3]) await ok(h, releaseOf(n))
    const first = await ok(h, back())
    assert.equal(first.status, 'switched')
    assert.equal(liveSha(h), sha(2), 'one switch back to the kept colour')
    const second = await ok(h, back())
    assert.equal(second.sha, sha(1), 'one further back: re-released from its record')
    assert.equal(liveSha(h), sha(1))
    const third = await h.run(back())
    assert.equal(third.code, 2)
    assert.match(
      third.error?.message ?? '',
      /nothing to roll back to: 0101010 is live and the release records hold no release before it \(the rollback at \S+ already went back to it from 0202020\)$/,
    )
    // Run twice at 3 a.m.: the way forward again is named first.
    assert.ok(isGwError(third.error))
    assert.match(
      third.error.hint ?? '',
      new RegExp(`^\`gwdeploy release --sha ${sha(2)}\` goes forward again. `),
    )
    assert.equal(liveSha(h), sha(1), 'nothing changed')
  })

  it('--to a prefix two recorded releases share is exit 2 naming both, nothing changed (never "already live")', async () => {
    const a = `abcd${'1'.repeat(36)}`
    const b = `abcd${'2'.repeat(36)}`
    for (const full of [a, b]) await ok(h, (ctx) => release(ctx, { sha: full }))
    const routes = h.world.routes.length
    const out = await h.run(back('ABCD'))
    assert.equal(out.code, 2, out.error?.message)
    assert.equal(
      out.error?.message,
      '--to abcd matches 2 releases: abcd11111111 (fake rev-abcd111), abcd22222222 (fake rev-abcd222)',
    )
    assert.equal(h.world.routes.length, routes, 'nothing routed')
    assert.equal(liveSha(h), b)
    const chosen = await ok(h, back('abcd1'))
    assert.equal(chosen.sha, a)
    assert.equal(liveSha(h), a)
  })

  it('a first release the router no longer sends traffic to (changed by hand): not called live; the hint re-releases it', async () => {
    await ok(h, releaseOf(1))
    h.world.weights = { blue: 0, green: 0 }
    const routes = h.world.routes.length
    const out = await h.run(back())
    assert.equal(out.code, 2)
    assert.match(
      out.error?.message ?? '',
      /no colour gets any traffic, and 0101010, the last release that went live \(still up\)/,
    )
    assert.ok(isGwError(out.error))
    assert.equal(
      out.error.hint,
      `\`gwdeploy release --sha ${sha(1)}\` routes traffic to it again; \`gwdeploy status\` shows what the router does.`,
    )
    assert.equal(h.world.routes.length, routes, 'nothing routed')
    const again = await ok(h, releaseOf(1))
    assert.equal(again.sha, sha(1))
    assert.equal(liveSha(h), sha(1), 'the hint works: traffic is back')
  })

  it('a rollback killed between its switch and its record: the re-run records it, and does not go one further back', async () => {
    for (const n of [1, 2, 3]) await ok(h, releaseOf(n))
    const kept = h.world.weights.blue === 100 ? 'green' : 'blue'
    assert.equal(h.world.fleets[kept]?.sha, sha(2))
    // The killed run's switch: traffic on 2, no record of it.
    h.world.weights = kept === 'blue' ? { blue: 100, green: 0 } : { blue: 0, green: 100 }
    const routes = h.world.routes.length
    const again = await ok(h, back())
    assert.equal(again.sha, sha(2), 'completes the rollback to 2, not to 1')
    assert.equal(again.status, 'switched')
    assert.equal(h.world.routes.length, routes, 'no switch: traffic was already there')
    const [newest] = await listRecords(h.target, 1)
    assert.deepEqual([newest?.operation, newest?.status, newest?.sha], ['rollback', 'switched', sha(2)])
    assert.equal(liveSha(h), sha(2))
    // The records now say where traffic is: the next rollback goes one back from there.
    assert.equal((await ok(h, back())).sha, sha(1))
  })

  it('the colour kept for rollback loses its keep-until before traffic reaches it, not at finalize (a rollback killed between them left it on the live colour)', async () => {
    for (const n of [1, 2]) await ok(h, releaseOf(n))
    const kept = h.world.weights.blue === 100 ? 'green' : 'blue'
    assert.ok(h.world.fleets[kept]?.keepUntil)
    const atRoute: Array<string | undefined> = []
    h.provider.onRoute = (w) => {
      if (w[kept] > 0) atRoute.push(h.world.fleets[kept]?.keepUntil)
    }
    try {
      assert.equal((await ok(h, back())).status, 'switched')
    } finally {
      h.provider.onRoute = undefined
    }
    assert.ok(atRoute.length > 0)
    assert.deepEqual(
      atRoute,
      atRoute.map(() => undefined),
    )
  })

  it('a kept colour that fails its quick check is named as itself, not as a green that failed a release gate', async () => {
    for (const n of [1, 2]) await ok(h, releaseOf(n))
    // The kept colour's nodes stopped by hand: the quick check fails, the SHA is released again.
    for (const node of h.world.fleets.blue?.nodes ?? []) await h.world.kill(node.id)
    const out = await h.run(back())
    assert.equal(out.code, 0, out.error?.message)
    assert.equal(liveSha(h), sha(1), 'released again and switched to')
    const warning = messages(out.events).find((m) => m.includes('releasing its SHA again'))
    assert.match(warning ?? '', /^blue \(0101010\) is not healthy: \S+: .+; releasing its SHA again$/)
    assert.doesNotMatch(warning ?? '', /green|health gate/)
  })

  it('a kept colour whose nodes run but do not answer: the redeploy replaces them instead of reusing them, and goes live', async () => {
    for (const n of [1, 2]) await ok(h, releaseOf(n))
    const hung = h.world.fleets.blue?.nodes.map((node) => node.id) ?? []
    h.world.setHealthy('blue', false)
    const routes = h.world.routes.length
    const out = await h.run(back())
    assert.equal(out.code, 0, out.error?.message)
    assert.equal(liveSha(h), sha(1), 'released again and switched to')
    const now = h.world.fleets.blue?.nodes.map((node) => node.id) ?? []
    assert.equal(now.length, hung.length)
    assert.ok(
      now.every((id) => !hung.includes(id)),
      `the hung nodes were reused: ${hung} -> ${now}`,
    )
    assert.equal(h.world.routes.length, routes + 1, 'one route, after the new nodes passed the gate')
    assert.ok(
      messages(out.events).includes(
        `blue (0101010) failed its check: its ${hung.length} node(s) are replaced, not reused`,
      ),
      JSON.stringify(messages(out.events)),
    )
  })

  it('--to picks any recorded release; an unrecorded SHA is exit 2 with nothing changed', async () => {
    for (const n of [1, 2, 3]) await ok(h, releaseOf(n))
    const routes = h.world.routes.length
    const unknown = await h.run(back(sha(9).slice(0, 7)))
    assert.equal(unknown.code, 2)
    assert.equal(h.world.routes.length, routes)
    const to = await ok(h, back(sha(1).slice(0, 8)))
    assert.equal(to.sha, sha(1))
    assert.equal(liveSha(h), sha(1))
  })

  it('during a canary it returns all traffic to the release that fully served before', async () => {
    await ok(h, releaseOf(1))
    await ok(h, releaseOf(2, { noShift: true }))
    await ok(h, promoteTo(10))
    assert.deepEqual(h.world.weights, { blue: 90, green: 10 })
    const out = await ok(h, back())
    assert.equal(out.sha, sha(1))
    assert.deepEqual(h.world.weights, { blue: 100, green: 0 })
  })

  it('names an unreadable record once and a failed records read, instead of deciding silently without them', async () => {
    for (const n of [1, 2]) await ok(h, releaseOf(n))
    h.world.unreadableRecords = ['records/2026-12-04T000000000Z-release-0303030-0007.json']
    const out = await h.run(back())
    assert.equal(out.code, 0, out.error?.message)
    assert.equal(liveSha(h), sha(1))
    const warnings = out.events.flatMap((e) => (e.type === 'warn' ? [e.message] : []))
    const unreadable = warnings.filter((m) => m.includes('0303030-0007.json cannot be read'))
    assert.equal(unreadable.length, 1, warnings.join('\n'))
    h.world.unreadableRecords = []
    h.provider.failAt.add('list-records')
    const blind = await h.run(back())
    h.provider.failAt.delete('list-records')
    const blindWarnings = blind.events.flatMap((e) => (e.type === 'warn' ? [e.message] : []))
    assert.ok(
      blindWarnings.some((m) =>
        /could not read the release records from the target: fake: list-records failed/.test(m),
      ),
      blindWarnings.join('\n'),
    )
  })

  it('a switch the target keeps no record of is exit 8, and releasing the live SHA records it', async () => {
    for (const n of [1, 2]) await ok(h, releaseOf(n))
    const recorded = h.world.records.length
    h.provider.failAt.add('append')
    const out = await h.run(back())
    h.provider.failAt.delete('append')
    assert.equal(out.code, 8, out.error?.message)
    assert.equal(liveSha(h), sha(1), 'the switch itself stands')
    assert.match(out.error?.message ?? '', /did not finish: could not write the release record to the target/)
    assert.match(
      (out.error as { hint?: string } | undefined)?.hint ?? '',
      new RegExp(`gwdeploy release --sha ${sha(1)}`),
    )
    assert.equal(h.world.records.length, recorded)
    const fix = await ok(h, releaseOf(1))
    assert.equal(fix.sha, sha(1))
    assert.equal(liveSha(h), sha(1))
    assert.equal(h.world.records[0]?.sha, sha(1), 'the live release is on record again')
  })

  it('with every record lost it goes back to the colour kept for rollback, and says so', async () => {
    for (const n of [1, 2]) await ok(h, releaseOf(n))
    h.world.records = []
    await rm(join(h.target.stateDir, 'history.jsonl'), { force: true })
    const out = await h.run(back())
    assert.equal(out.code, 0, out.error?.message)
    assert.equal(liveSha(h), sha(1))
    assert.ok(
      out.events.some(
        (e) => e.type === 'warn' && /hold no release line: going back to 0101010/.test(e.message),
      ),
    )
  })

  it('decides and acts under one lock (a redeploy does not take it twice)', async () => {
    for (const n of [1, 2, 3]) await ok(h, releaseOf(n))
    await ok(h, back())
    const before = h.world.lockAttempts
    await ok(h, back())
    assert.equal(h.world.lockAttempts - before, 1)
  })
})

describe('promote (fake provider, in-process)', () => {
  let h: Harness
  beforeEach(async () => {
    h = await makeHarness({ shift: { bake: 0 } })
  })
  afterEach(async () => {
    await h.cleanup()
  })

  it('with nothing pending it is exit 2 naming what is live, and changes nothing', async () => {
    await ok(h, releaseOf(1))
    await ok(h, releaseOf(2))
    const routes = h.world.routes.length
    const out = await h.run(promoteTo())
    assert.equal(out.code, 2)
    assert.match(
      out.error?.message ?? '',
      /nothing to promote: 0202020 \(fake rev-0202020\) is live on green/,
    )
    assert.equal(h.world.routes.length, routes)
  })

  it('after a rollback the version rolled back from is not promoted back', async () => {
    await ok(h, releaseOf(1))
    await ok(h, releaseOf(2))
    await ok(h, back())
    const out = await h.run(promoteTo())
    assert.equal(out.code, 2)
    assert.equal(liveSha(h), sha(1))
  })

  it('moves a preview to a partial weight, then to 100%; a repeat is exit 2', async () => {
    await ok(h, releaseOf(1))
    const preview = await ok(h, releaseOf(2, { noShift: true }))
    assert.equal(preview.status, 'preview')
    const half = await ok(h, promoteTo(50))
    assert.equal(half.status, 'preview')
    assert.deepEqual(h.world.weights, { blue: 50, green: 50 })
    const full = await ok(h, promoteTo())
    assert.equal(full.status, 'released')
    assert.equal(liveSha(h), sha(2))
    assert.equal((await h.run(promoteTo())).code, 2)
  })

  it('a split whose other side is the previous release (routers that disagree) is not pending', async () => {
    await ok(h, releaseOf(1))
    await ok(h, releaseOf(2))
    h.world.weights = { blue: 50, green: 50 }
    const out = await h.run(promoteTo())
    assert.equal(out.code, 2)
    assert.deepEqual(h.world.weights, { blue: 50, green: 50 })
    await ok(h, releaseOf(2))
    assert.deepEqual(h.world.weights, { blue: 0, green: 100 }, 're-running the live release finishes it')
  })

  it('a release stopped at a gated split is pending: promote finishes it', async () => {
    h = await swap(h, { shift: { strategy: 'steps', steps: [10, 50, 100], bake: '50ms' } })
    await ok(h, releaseOf(1))
    const controller = new AbortController()
    h.provider.onRoute = (w) => {
      if (w.green === 50) controller.abort(interruptedError('SIGINT'))
    }
    assert.equal((await h.run(releaseOf(2), controller)).code, 130)
    h.provider.onRoute = undefined
    assert.deepEqual(h.world.weights, { blue: 90, green: 10 })
    const out = await ok(h, promoteTo())
    assert.equal(out.sha, sha(2))
    assert.deepEqual(h.world.weights, { blue: 0, green: 100 })
  })

  it('a rollback stopped in its preRelease hook says traffic stays where it was (the reverted event the envelope carries)', async () => {
    const marker = join(tempDir('gwd-hook-'), 'started')
    const hook = `if [ "$GWDEPLOY_OPERATION" = rollback ]; then touch ${marker}; sleep 30; fi`
    h = await swap(h, { shift: { bake: 0 }, hooks: { preRelease: [hook] } })
    await ok(h, releaseOf(1))
    await ok(h, releaseOf(2))
    const before = { ...h.world.weights }
    const controller = new AbortController()
    const running = h.run(back(), controller)
    for (let i = 0; i < 200 && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 50))
    assert.ok(existsSync(marker), 'the rollback reached its hook')
    controller.abort(interruptedError('SIGTERM'))
    const out = await running
    assert.equal(out.code, 130, out.error?.message)
    assert.deepEqual(h.world.weights, before, 'nothing moved')
    const reverted = out.events.find((e) => e.type === 'reverted')
    assert.ok(reverted, 'a reverted event says where traffic is')
    assert.deepEqual(reverted.weights, before)
    assert.deepEqual(
      reverted.serving.map((s) => [s.colour, s.sha, s.weight]),
      [['green', sha(2), 100]],
    )
    assert.deepEqual(reverted.idle && [reverted.idle.colour, reverted.idle.sha, reverted.idle.kept], [
      'blue',
      sha(1),
      true,
    ])
  })

  it('a rollback whose switch fails, or whose preRelease hook fails, says where traffic is (the reverted event the envelope carries)', async () => {
    await ok(h, releaseOf(1))
    await ok(h, releaseOf(2))
    const before = { ...h.world.weights }
    const whereTraffic = (out: Awaited<ReturnType<Harness['run']>>) => {
      const reverted = out.events.find((e) => e.type === 'reverted')
      assert.ok(reverted, 'a reverted event says where traffic is')
      assert.deepEqual(reverted.weights, before)
      assert.deepEqual(
        reverted.serving.map((s) => [s.colour, s.sha, s.weight]),
        [['green', sha(2), 100]],
      )
      assert.deepEqual(reverted.idle && [reverted.idle.colour, reverted.idle.sha], ['blue', sha(1)])
    }
    h.provider.failAt.add('route:0')
    const switchFailed = await h.run(back())
    h.provider.failAt.delete('route:0')
    assert.equal(switchFailed.code, 6, switchFailed.error?.message)
    assert.deepEqual(h.world.weights, before, 'nothing moved')
    whereTraffic(switchFailed)
    assert.ok(
      messages(switchFailed.events).some(
        (m) => m === 'failed before any change: traffic stays blue 0% / green 100%',
      ),
      messages(switchFailed.events).join('\n'),
    )
    h = await swap(h, {
      shift: { bake: 0 },
      hooks: { preRelease: ['[ "$GWDEPLOY_OPERATION" != rollback ]'] },
    })
    await ok(h, releaseOf(1))
    await ok(h, releaseOf(2))
    const hookFailed = await h.run(back())
    assert.notEqual(hookFailed.code, 0)
    assert.deepEqual(h.world.weights, before, 'nothing moved')
    whereTraffic(hookFailed)
  })

  it('a bake failure after promote reverts the promoted colour (exit 5) and keeps it', async () => {
    h = await swap(h, { shift: { bake: '100ms' } })
    await ok(h, releaseOf(1))
    await ok(h, releaseOf(2, { noShift: true }))
    h.provider.onRoute = (w) => {
      if (w.green === 100) h.world.setHealthy('green', false)
    }
    const out = await h.run(promoteTo())
    assert.equal(out.code, 5, out.error?.message)
    assert.deepEqual(h.world.weights, { blue: 100, green: 0 })
    assert.ok(h.world.fleets.green, 'the promoted colour is kept')
  })
})

describe('liveLineage', () => {
  const rec = (
    operation: ReleaseRecord['operation'],
    status: ReleaseRecord['status'],
    n: number,
  ): ReleaseRecord => ({
    time: '',
    service: 's',
    operation,
    status,
    sha: sha(n),
  })
  it('pushes releases, pops to a rollback target, ignores previews and failures', () => {
    const oldestFirst = [
      rec('release', 'released', 1),
      rec('release', 'released', 2),
      rec('release', 'failed', 4),
      rec('release', 'released', 3),
      rec('rollback', 'switched', 2),
      rec('release', 'preview', 5),
    ]
    const lineage = liveLineage([...oldestFirst].reverse())
    assert.deepEqual(lineage, [sha(1), sha(2)])
    assert.equal(releaseBefore(lineage, sha(2)), sha(1))
    assert.equal(releaseBefore(lineage, sha(1)), undefined)
  })
})

async function swap(h: Harness, overrides: Parameters<typeof makeHarness>[0]): Promise<Harness> {
  await h.cleanup()
  return makeHarness(overrides)
}
