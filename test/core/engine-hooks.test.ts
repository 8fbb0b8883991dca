/** hooks.* run on release, rollback, promote and retire, with GWDEPLOY_OPERATION telling them apart. */
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type EngineContext, promote, release, rollback } from '../../src/core/engine.ts'
import { interruptedError } from '../../src/core/errors.ts'
import { retire } from '../../src/core/operations.ts'
import { type Harness, makeHarness, sha } from './helpers/engine-harness.ts'

const line = (kind: string) =>
  `echo "${kind} $GWDEPLOY_OPERATION $GWDEPLOY_SHA7 $GWDEPLOY_COLOR" >> hooks.log`

describe('hooks on every operation (fake provider, in-process)', () => {
  let h: Harness
  before(async () => {
    h = await makeHarness({
      shift: { bake: 0 },
      hooks: { preRelease: [line('pre')], postRelease: [line('post')], onFailure: [line('failure')] },
    })
  })
  after(async () => {
    await h.cleanup()
  })

  const ok = async (fn: (ctx: EngineContext) => Promise<unknown>) => {
    const out = await h.run(fn)
    assert.equal(out.code, 0, out.error?.message)
  }
  const log = async () => (await readFile(join(h.dir, 'hooks.log'), 'utf8')).trim().split('\n')

  it('release, rollback, promote and retire run pre and post hooks', async () => {
    await ok((ctx) => release(ctx, { sha: sha(1) }))
    await ok((ctx) => release(ctx, { sha: sha(2) }))
    await ok((ctx) => rollback(ctx, {}))
    await ok((ctx) => release(ctx, { sha: sha(3), noShift: true }))
    await ok((ctx) => promote(ctx, {}))
    await ok((ctx) => retire(ctx))
    const s = (n: number) => sha(n).slice(0, 7)
    assert.deepEqual(await log(), [
      `pre release ${s(1)} blue`,
      `post release ${s(1)} blue`,
      `pre release ${s(2)} green`,
      `post release ${s(2)} green`,
      `pre rollback ${s(1)} blue`,
      `post rollback ${s(1)} blue`,
      `pre release ${s(3)} green`,
      `pre promote ${s(3)} green`,
      `post promote ${s(3)} green`,
      `pre retire ${s(1)} blue`,
      `post retire ${s(1)} blue`,
    ])
  })

  it('retire keeps the idle colour while no serving node works (it is the rollback), before any hook', async () => {
    await ok((ctx) => release(ctx, { sha: sha(4) }))
    const serving = h.world.weights.blue === 100 ? 'blue' : 'green'
    const idle = serving === 'blue' ? 'green' : 'blue'
    const kept = h.world.fleets[idle]
    assert.ok(kept)
    for (const node of h.world.fleets[serving]?.nodes ?? []) await h.world.kill(node.id)
    const before = await log()
    const out = await h.run((ctx) => retire(ctx))
    assert.equal(out.code, 2, out.error?.message)
    assert.match(out.error?.message ?? '', new RegExp(`none of its nodes works .* ${idle} .* is not retired`))
    assert.deepEqual(h.world.fleets[idle], kept)
    assert.deepEqual(await log(), before)
  })

  it('retire gives serving nodes still starting the health deadline to settle, then decides', async () => {
    await ok((ctx) => release(ctx, { sha: sha(5) }))
    await ok((ctx) => release(ctx, { sha: sha(6) }))
    const serving = h.world.weights.blue === 100 ? 'blue' : 'green'
    const idle = serving === 'blue' ? 'green' : 'blue'
    const nodes = h.world.fleets[serving]?.nodes ?? []
    assert.ok(nodes.length > 0 && h.world.fleets[idle])
    // Starting forever (past the 1 s deadline): nothing proves the serving colour works.
    for (const node of nodes) h.world.settling.set(node.id, 1_000_000)
    const refused = await h.run((ctx) => retire(ctx))
    assert.equal(refused.code, 2, refused.error?.message)
    assert.match(refused.error?.message ?? '', /none of its nodes works \(.* starting/)
    assert.ok(h.world.fleets[idle])
    // Starting for three more looks (HAProxy's first checks after a switch): retired once they pass.
    for (const node of nodes) h.world.settling.set(node.id, 3)
    await ok((ctx) => retire(ctx))
    assert.equal(h.world.fleets[idle], undefined)
    assert.deepEqual(
      [...h.world.settling.values()],
      nodes.map(() => 0),
    )
  })

  it('retire interrupted while serving nodes settle: exit 130, the idle colour kept', async () => {
    await ok((ctx) => release(ctx, { sha: sha(7) }))
    await ok((ctx) => release(ctx, { sha: sha(8) }))
    const serving = h.world.weights.blue === 100 ? 'blue' : 'green'
    const idle = serving === 'blue' ? 'green' : 'blue'
    for (const node of h.world.fleets[serving]?.nodes ?? []) h.world.settling.set(node.id, 1_000_000)
    const controller = new AbortController()
    setTimeout(() => controller.abort(interruptedError('SIGTERM')), 100)
    const out = await h.run((ctx) => retire(ctx), controller)
    assert.equal(out.code, 130, out.error?.message)
    assert.ok(h.world.fleets[idle])
    h.world.settling.clear()
  })

  it('rollback --to an unrecorded SHA is exit 2 before any hook runs', async () => {
    const before = await log()
    const out = await h.run((ctx) => rollback(ctx, { to: sha(9).slice(0, 7) }))
    assert.equal(out.code, 2)
    assert.deepEqual(await log(), before)
  })

  it('a failing rollback runs the onFailure hooks', async () => {
    await ok((ctx) => release(ctx, { sha: sha(4) }))
    h.provider.failAt.add('route:0')
    h.provider.failAt.add('route:100')
    const out = await h.run((ctx) => rollback(ctx, {}))
    h.provider.failAt.clear()
    assert.notEqual(out.code, 0)
    assert.match((await log()).at(-1) ?? '', /^failure rollback /)
  })
})

describe('hook output redaction', () => {
  let h: Harness
  const secrets = {
    GWD_TEST_DEPLOY_PASSWORD: 'DEPLOYPW-777',
    GWD_TEST_API_TOKEN: 'APITOKEN-888',
    GWD_TEST_OTHER_SECRET: 'OTHERSECRET-999',
    GWD_TEST_PLAIN: 'PLAINVALUE-555',
  }
  before(async () => {
    Object.assign(process.env, secrets)
    h = await makeHarness({
      shift: { bake: 0 },
      hooks: {
        preRelease: [
          'echo "pw=$GWD_TEST_DEPLOY_PASSWORD tok=${GWD_TEST_API_TOKEN} plain=$GWD_TEST_PLAIN dd=$${GWD_TEST_PLAIN}"; env | grep GWD_TEST_ | sort; exit 3',
        ],
      },
    })
  })
  after(async () => {
    for (const name of Object.keys(secrets)) delete process.env[name]
    await h.cleanup()
  })

  it('hides every variable the hook uses ($VAR and ${VAR}) and secret-looking ones, in output and records', async () => {
    const out = await h.run((ctx) => release(ctx, { sha: sha(1) }))
    assert.equal(out.code, 2)
    const message = out.error?.message ?? ''
    assert.match(message, /pw=\[redacted\] tok=\[redacted\] plain=\[redacted\] dd=\[redacted\]/)
    assert.match(message, /GWD_TEST_OTHER_SECRET=\[redacted\]/)
    const history = await readFile(join(h.target.stateDir, 'history.jsonl'), 'utf8').catch(() => '')
    const everything = [message, JSON.stringify(out.events), JSON.stringify(h.world.records), history].join(
      '\n',
    )
    assert.match(history, /pw=\[redacted\]/, 'the failure is in the local history')
    for (const value of Object.values(secrets)) assert.ok(!everything.includes(value), `${value} leaked`)
  })
})

describe('a preRelease hook that fails', () => {
  let h: Harness
  before(async () => {
    h = await makeHarness({ shift: { bake: 0 }, hooks: { preRelease: ['test ! -e refuse'] } })
  })
  after(async () => {
    await h.cleanup()
  })

  it('says the idle colour still runs what it ran (the rollback), not this release "removed"', async () => {
    for (const n of [1, 2]) {
      const out = await h.run((ctx) => release(ctx, { sha: sha(n) }))
      assert.equal(out.code, 0, out.error?.message)
    }
    await writeFile(join(h.dir, 'refuse'), '')
    const out = await h.run((ctx) => release(ctx, { sha: sha(3) }))
    assert.equal(out.code, 2, out.error?.message)
    assert.equal(h.world.fleets.blue?.sha, sha(1), 'the colour kept for rollback is untouched')
    const reverted = out.events.find((e) => e.type === 'reverted')
    assert.ok(reverted, 'a reverted event says where traffic is')
    assert.deepEqual(reverted.idle && [reverted.idle.colour, reverted.idle.sha, reverted.idle.kept], [
      'blue',
      sha(1),
      true,
    ])
  })
})
