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

  /** Starts a release of sha(n) (or `command`) and waits until it bakes at 10%. */
  async function baking(n: number, extra: string[] = [], command = ['release', '--sha', sha(n)]) {
    const run = project.start([...command, ...extra])
    await waitFor(async () => {
      const routes = await project.routes().catch(() => undefined)
      return Object.values(routes?.colours ?? {}).some((c) => c.weight === 10)
    }, 'the 10% step')
    return run
  }

  interface Reverted {
    weights: Record<string, number>
    routedBack: boolean
    serving: Array<{ colour: string; sha: string; configName: string; weight: number }>
    idle: { colour: string; sha: string; configName: string; kept: boolean } | null
  }
  interface Status {
    weights: Record<string, number>
    serving: string | null
    colours: Array<{ colour: string; sha: string; configName: string; weight: number }>
    lock: unknown
  }

  /** SIGTERM to a `--json` run baking at 10%: its error envelope, and `status --json` right after. */
  async function interrupted(run: ReturnType<Project['start']>) {
    run.child.kill('SIGTERM')
    const result = await run.done
    assert.equal(result.code, 130, result.stderr)
    const envelope = JSON.parse(result.stdout) as {
      error: { code: string; details: { reverted: Reverted; lock: { state: string } } }
    }
    const status = await project.json<{ result: Status }>(['status'])
    assert.equal(status.code, 0, JSON.stringify(status.envelope))
    return { error: envelope.error, status: status.envelope.result }
  }

  /** The envelope says what `status` shows: the weights, who serves with which release, the idle colour gone, the lock free. */
  function assertSameAsStatus(reverted: Reverted, lock: { state: string }, status: Status) {
    assert.deepEqual(reverted.weights, status.weights)
    assert.equal(reverted.routedBack, true)
    const serving = status.colours
      .filter((c) => c.weight > 0)
      .map(({ colour, sha, configName, weight }) => ({ colour, sha, configName, weight }))
    assert.deepEqual(reverted.serving, serving)
    assert.equal(reverted.serving[0]?.colour, status.serving)
    assert.equal(reverted.idle?.kept, false)
    assert.equal(
      status.colours.find((c) => c.colour === reverted.idle?.colour),
      undefined,
      'the idle colour was removed',
    )
    assert.equal(lock.state, 'released')
    assert.equal(status.lock, null)
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

  it('SIGTERM mid-release: the --json envelope says where traffic went back to, as status shows it', async () => {
    const run = await baking(5, ['--json'])
    const { error, status } = await interrupted(run)
    assert.equal(error.code, 'interrupted')
    assertSameAsStatus(error.details.reverted, error.details.lock, status)
    assert.equal(error.details.reverted.serving[0]?.sha, sha(1))
    assert.equal(error.details.reverted.idle?.sha, sha(5))
  })

  it('SIGTERM mid-rollback (a redeploy): the --json envelope says where traffic went back to, as status shows it', async () => {
    const run = await baking(2, ['--json'], ['rollback', '--to', sha(2)])
    const { error, status } = await interrupted(run)
    assertSameAsStatus(error.details.reverted, error.details.lock, status)
    assert.equal(error.details.reverted.serving[0]?.sha, sha(1))
    assert.equal(error.details.reverted.idle?.sha, sha(2))
  })
})
