/**
 * `gwdeploy abort` and `rollback --force-now` from a second process against a release baking on the
 * local provider (CLI subprocesses, real gateways, the real lock file).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { liveName, makeProject, type Project, sha, sleep } from '../core/helpers/project.ts'

const nameOf = (n: number) => `e2e rev-${sha(n).slice(0, 7)}`

/** Polls every 50 ms for up to 90 s: a release reaching its first step on a loaded CI machine can take half a minute. */
async function waitFor(check: () => Promise<boolean>, what: string, tries = 1_800): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return
    await sleep(50)
  }
  assert.fail(`timed out waiting for ${what}`)
}

describe('abort and rollback --force-now (local provider, CLI subprocesses)', () => {
  let project: Project
  before(async () => {
    project = await makeProject({ size: 1, shift: { strategy: 'steps', steps: [10, 100], bake: 0 } })
    assert.equal((await project.run(['release', '--sha', sha(1)])).code, 0)
    assert.equal((await project.run(['release', '--sha', sha(2)])).code, 0)
    // From here on a bake far longer than the test: an abort must not wait it out.
    await project.writeConfig({ size: 1, shift: { strategy: 'steps', steps: [10, 100], bake: '10m' } })
  })
  after(async () => {
    await project?.cleanup()
  })

  /** Starts a release of sha(n) and waits until it bakes at 10%. */
  async function baking(n: number) {
    const run = project.start(['release', '--sha', sha(n)])
    await waitFor(async () => {
      const routes = await project.routes().catch(() => undefined)
      return Object.values(routes?.colours ?? {}).some((c) => c.weight === 10)
    }, 'the 10% step')
    return run
  }

  it('abort: the release reverts to its last gated state and exits 130; abort reports it', async () => {
    const run = await baking(3)
    const aborted = await project.json<{
      result: { outcome: { status: string }; weights: Record<string, number> }
    }>(['abort'])
    assert.equal(aborted.code, 0, JSON.stringify(aborted.envelope))
    assert.equal(aborted.envelope.result.outcome.status, 'interrupted')
    const result = await run.done
    assert.equal(result.code, 130, result.stderr)
    assert.match(result.stderr, /aborted by .*gwdeploy abort/)
    assert.equal(await liveName(project.port), nameOf(2))
    assert.deepEqual(aborted.envelope.result.weights, { blue: 0, green: 100 })
    const again = await project.run(['abort'])
    assert.equal(again.code, 2, 'nothing runs any more')
  })

  it('rollback --force-now: stops the running release, then goes back to the release before the live one', async () => {
    const run = await baking(4)
    const back = await project.json<{ result: { sha: string } }>(['rollback', '--force-now'])
    assert.equal(back.code, 0, JSON.stringify(back.envelope))
    assert.equal((await run.done).code, 130)
    assert.equal(back.envelope.result.sha, sha(1))
    assert.equal(await liveName(project.port), nameOf(1))
  })
})
