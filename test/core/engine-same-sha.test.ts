/**
 * One SHA names one gateway config (fake provider, in-process): `release --sha X` refuses a working
 * tree whose gateway config is not X's, a SHA already released with another config is refused,
 * the live SHA released again only repairs what is not served, rollback picks its colour by SHA and
 * digest; fleet.env problems stop a release before anything changes; a failed bake ends its step as
 * failed.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { type EngineContext, release, rollback } from '../../src/core/engine.ts'
import { type Harness, makeHarness, messages, sha } from './helpers/engine-harness.ts'

const releaseOf = (s?: string) => (ctx: EngineContext) => release(ctx, s === undefined ? {} : { sha: s })
const back = (to?: string) => (ctx: EngineContext) => rollback(ctx, { to })

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=t@x', '-c', 'user.name=t', ...args], {
    cwd: dir,
    encoding: 'utf8',
  }).trim()
}

/** gateway.json with another endpoint timeout: another config, another digest. */
async function setTimeout(h: Harness, timeout: string): Promise<void> {
  const file = join(h.dir, 'gateway.json')
  const config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
  await writeFile(file, JSON.stringify({ ...config, timeout }))
}

/** Commits the working tree; returns the commit's SHA. */
function commit(h: Harness, message: string): string {
  git(h.dir, 'add', '-A')
  git(h.dir, 'commit', '-qm', message)
  return git(h.dir, 'rev-parse', 'HEAD')
}

const liveColour = (h: Harness) =>
  h.world.weights.blue === 100 ? 'blue' : h.world.weights.green === 100 ? 'green' : undefined

describe('one SHA, one config (fake provider, in-process)', () => {
  let h: Harness
  beforeEach(async () => {
    h = await makeHarness({ shift: { bake: 0 } })
  })
  afterEach(async () => {
    await h.cleanup()
  })

  describe('in a git repository', () => {
    let a: string
    let b: string
    beforeEach(async () => {
      await writeFile(join(h.dir, '.gitignore'), '.gwdeploy/\n')
      git(h.dir, 'init', '-q')
      await setTimeout(h, '3s')
      a = commit(h, 'A')
      await setTimeout(h, '4s')
      b = commit(h, 'B')
    })

    it('--sha X with a gateway config that is not X`s: exit 2 naming the file, nothing changed, no lock', async () => {
      const out = await h.run(releaseOf(a))
      assert.equal(out.code, 2, out.error?.message)
      assert.match(
        out.error?.message ?? '',
        /gateway\.json in the working tree is not what commit .{7} holds/,
      )
      assert.match((out.error as { hint?: string }).hint ?? '', /git checkout/)
      assert.equal(h.world.lockAttempts, 0, 'refused before the lock')
      assert.deepEqual(h.world.routes, [])
      assert.equal(h.world.records.length, 0)
    })

    it('--sha X on a checkout of X (CI) releases as before; then an uncommitted edit changes nothing live', async () => {
      const out = await h.run(releaseOf(b))
      assert.equal(out.code, 0, out.error?.message)
      assert.equal(out.result?.status, 'released')
      const digest = h.world.fleets.blue?.configDigest
      await setTimeout(h, '9s')
      const again = await h.run(releaseOf(b))
      assert.equal(again.code, 0, again.error?.message)
      assert.equal(again.result?.status, 'unchanged')
      assert.equal(h.world.fleets.blue?.configDigest, digest, 'b still runs what b released')
      assert.equal(h.world.fleets.green, undefined, 'nothing provisioned')
    })

    it('the live SHA released after a rollback and a router crash: the router is restarted, nothing else', async () => {
      git(h.dir, 'checkout', '-q', a)
      assert.equal((await h.run(releaseOf())).code, 0)
      git(h.dir, 'checkout', '-q', b)
      assert.equal((await h.run(releaseOf())).code, 0)
      const rolled = await h.run(back())
      assert.equal(rolled.code, 0, rolled.error?.message)
      assert.equal(liveColour(h), 'blue')
      const green = structuredClone(h.world.fleets.green)
      const records = h.world.records.length
      h.provider.routerDown = true
      // What `status` says to do when the router is down: release the live SHA (the tree holds B).
      const out = await h.run(releaseOf(a))
      assert.equal(out.code, 0, out.error?.message)
      assert.equal(out.result?.status, 'repaired')
      assert.deepEqual(out.result?.repaired, ['started the router again'])
      assert.equal(out.result?.previous, null, 'no "previous" claimed for a repair')
      assert.equal(h.provider.routerDown, false)
      assert.deepEqual(h.world.weights, { blue: 100, green: 0 })
      assert.equal(h.world.fleets.blue?.sha, a)
      assert.deepEqual(h.world.fleets.green, green, 'the colour rolled back from is untouched')
      assert.equal(h.world.records.length, records, 'no `released` record for a repair')
    })
  })

  it('a SHA released before with another config digest is refused (exit 2), as image tags are', async () => {
    assert.equal((await h.run(releaseOf(sha(1)))).code, 0)
    assert.equal((await h.run(releaseOf(sha(2)))).code, 0)
    await setTimeout(h, '7s')
    const routes = h.world.routes.length
    const out = await h.run(releaseOf(sha(1)))
    assert.equal(out.code, 2, out.error?.message)
    assert.match(out.error?.message ?? '', /was released with another gateway config/)
    assert.match((out.error as { hint?: string }).hint ?? '', /rollback --to/)
    assert.equal(h.world.routes.length, routes)
    assert.equal(h.world.lockAttempts, 2, 'refused before the lock')
  })

  it('the live SHA with another config on disk: nothing is redeployed under its name', async () => {
    assert.equal((await h.run(releaseOf(sha(1)))).code, 0)
    const digest = h.world.fleets.blue?.configDigest
    await setTimeout(h, '7s')
    const out = await h.run(releaseOf(sha(1)))
    assert.equal(out.code, 0, out.error?.message)
    assert.equal(out.result?.status, 'unchanged')
    assert.equal(h.world.fleets.blue?.configDigest, digest)
    assert.equal(h.world.fleets.green, undefined)
  })

  it('rollback picks the colour by SHA and digest: a colour running the SHA with another config is redeployed', async () => {
    assert.equal((await h.run(releaseOf(sha(1)))).code, 0)
    const recorded = h.world.fleets.blue?.configDigest
    assert.equal((await h.run(releaseOf(sha(2)))).code, 0)
    // Blue runs sha(1), but not the config the line recorded for it (stamped from another tree).
    const blue = h.world.fleets.blue
    assert.ok(blue)
    blue.configDigest = 'sha256:0000'
    const out = await h.run(back())
    assert.equal(out.code, 0, out.error?.message)
    assert.equal(liveColour(h), 'blue')
    assert.equal(h.world.fleets.blue?.configDigest, recorded, 'the recorded config, redeployed')
    assert.equal(out.result?.status, 'released', 'a redeploy is not a switch')
    assert.equal(h.world.records[0]?.operation, 'rollback')
    assert.equal(h.world.records[0]?.status, 'released')
  })

  it('a rollback that only switches is recorded as switched', async () => {
    assert.equal((await h.run(releaseOf(sha(1)))).code, 0)
    assert.equal((await h.run(releaseOf(sha(2)))).code, 0)
    const out = await h.run(back())
    assert.equal(out.result?.status, 'switched')
    assert.equal(h.world.records[0]?.status, 'switched')
  })
})

describe('fleet.env is checked before anything changes', () => {
  const VAR = 'GWD_SAME_SHA_TEST_TOKEN'
  let h: Harness
  afterEach(async () => {
    delete process.env[VAR]
    await h.cleanup()
  })

  it('an unset fromEnv variable: exit 2 before the lock; the colour kept for rollback stays', async () => {
    h = await makeHarness({ shift: { bake: 0 }, fleet: { size: 2, env: { MY_TOKEN: { fromEnv: VAR } } } })
    process.env[VAR] = 'x'
    assert.equal((await h.run(releaseOf(sha(1)))).code, 0)
    assert.equal((await h.run(releaseOf(sha(2)))).code, 0)
    delete process.env[VAR]
    const attempts = h.world.lockAttempts
    const out = await h.run(releaseOf(sha(3)))
    assert.equal(out.code, 2)
    assert.match(out.error?.message ?? '', new RegExp(`environment variable ${VAR} is not set`))
    assert.equal((out.error as { location?: { path?: string } }).location?.path, 'fleet.env.MY_TOKEN.fromEnv')
    assert.equal(h.world.lockAttempts, attempts, 'before the lock')
    assert.equal(h.world.fleets.blue?.sha, sha(1), 'the previous colour is still up')
  })

  it('KRAKEND_ENDPOINTS (the runtime refuses it at start): exit 2 before the lock', async () => {
    h = await makeHarness({ fleet: { size: 2, env: { KRAKEND_ENDPOINTS: 'broken' } } })
    const out = await h.run(releaseOf(sha(1)))
    assert.equal(out.code, 2)
    assert.match(out.error?.message ?? '', /KRAKEND_ENDPOINTS cannot override "endpoints"/)
    assert.equal(h.world.lockAttempts, 0)
  })
})

describe('a failed bake', () => {
  it('ends the shift step as failed, never "done"', async () => {
    const h = await makeHarness()
    try {
      assert.equal((await h.run(releaseOf(sha(1)))).code, 0)
      h.provider.onRoute = (w) => {
        if (w.green === 10) h.world.setHealthy('green', false)
      }
      const out = await h.run(releaseOf(sha(2)))
      assert.equal(out.code, 5)
      const shift = out.events.filter((e) => e.type === 'step' && e.step === 'shift')
      assert.deepEqual(
        shift.map((e) => (e as { status: string }).status),
        ['running', 'failed'],
        messages(out.events).join('\n'),
      )
    } finally {
      await h.cleanup()
    }
  })
})
