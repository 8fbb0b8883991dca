// gwdeploy started by an old Node (the machine's Node 20) re-runs itself under Node 24: every
// signal sent to the launcher must reach the process doing the work, the launcher must end with
// that process's exit code, and nothing may keep running behind it.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { BIN, freePort, liveName, makeProject, type Project, sha, sleep } from '../core/helpers/project.ts'
import { descendants, executable, type Launched, launch, running } from '../helpers/launcher.ts'

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const

async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

/** The one direct child of the launcher: the Node 24 process doing the work. */
async function worker(launched: Launched): Promise<number> {
  let pid: number | undefined
  await waitFor('the launcher to start its Node 24 child', () => {
    pid = descendants(launched.pid)[0]
    return pid !== undefined
  })
  const child = pid as number
  const major = Number(
    execFileSync(executable(child), ['-p', 'process.versions.node'], { encoding: 'utf8' }).split('.')[0],
  )
  assert.ok(major >= 22, `the work runs on Node ${major}`)
  return child
}

async function lockHeld(project: Project): Promise<boolean> {
  const status = await project.json<{ result: { lock: unknown } }>(['lock', 'status'])
  return status.envelope.result.lock !== null
}

describe('the Node 20 launcher (bin/node-guard.js)', () => {
  let project: Project
  before(async () => {
    project = await makeProject({ size: 1 })
    const first = await project.run(['release', '--sha', sha(1)])
    assert.equal(first.code, 0, first.stderr)
  })
  after(async () => {
    await project?.cleanup()
  })

  for (const signal of SIGNALS) {
    it(`${signal} to the launcher during a release: the release cleans up, exit 130, no process left`, async () => {
      const launched = launch(BIN, ['release', '--sha', sha(2)], {
        cwd: project.dir,
        env: { GWDEPLOY_TEST_PAUSE_AT: 'verify' },
      })
      await waitFor('the release to reach verify', () => /paused at verify/.test(launched.stderr()))
      const child = await worker(launched)
      process.kill(launched.pid, signal)
      const done = await launched.done
      assert.equal(done.code, 130, launched.stderr())
      assert.match(launched.stderr(), new RegExp(`${signal}: stopping and cleaning up`))
      // Exactly one signal reached the worker: no "again: exiting now without cleanup".
      assert.doesNotMatch(launched.stderr(), /again: exiting now/)
      assert.match(launched.stderr(), /unlock: done/)
      assert.equal(running(child), false)
      assert.equal(await lockHeld(project), false)
      assert.equal(await liveName(project.port), `e2e rev-${sha(1).slice(0, 7)}`)
    })
  }

  it('SIGINT during a release --json: exit 130, the stop said in the envelope only (stderr carried its notice)', async () => {
    const launched = launch(BIN, ['release', '--sha', sha(2), '--json'], {
      cwd: project.dir,
      env: { GWDEPLOY_TEST_PAUSE_AT: 'verify' },
    })
    await waitFor('the release to reach verify', () => /paused at verify/.test(launched.stderr()))
    process.kill(launched.pid, 'SIGINT')
    const done = await launched.done
    assert.equal(done.code, 130, launched.stderr())
    assert.doesNotMatch(launched.stderr(), /stopping and cleaning up/)
    const envelope = JSON.parse(launched.stdout()) as { status: string; error?: { message: string } }
    assert.equal(envelope.status, 'error')
    assert.match(envelope.error?.message ?? '', /interrupted by SIGINT/)
  })

  it('SIGKILL to the launcher: its child notices, cleans up as for SIGTERM and exits', async () => {
    const launched = launch(BIN, ['release', '--sha', sha(2)], {
      cwd: project.dir,
      env: { GWDEPLOY_TEST_PAUSE_AT: 'verify' },
    })
    await waitFor('the release to reach verify', () => /paused at verify/.test(launched.stderr()))
    const child = await worker(launched)
    process.kill(launched.pid, 'SIGKILL')
    assert.equal((await launched.done).signal, 'SIGKILL')
    await waitFor('the orphaned release to stop itself', () => !running(child), 20_000)
    assert.equal(await lockHeld(project), false)
    assert.equal(await liveName(project.port), `e2e rev-${sha(1).slice(0, 7)}`)
  })

  it('exit codes pass through the launcher: a release exits 0, a usage error 2', async () => {
    const release = launch(BIN, ['release', '--sha', sha(2)], { cwd: project.dir })
    assert.equal((await release.done).code, 0, release.stderr())
    assert.equal(await liveName(project.port), `e2e rev-${sha(2).slice(0, 7)}`)
    const usage = launch(BIN, ['release', '--no-such-flag'], { cwd: project.dir })
    assert.equal((await usage.done).code, 2, usage.stderr())
  })

  for (const signal of SIGNALS) {
    it(`${signal} to the launcher during a rollback: exit 130, traffic untouched, lock free`, async () => {
      const launched = launch(BIN, ['rollback'], {
        cwd: project.dir,
        env: { GWDEPLOY_TEST_PAUSE_AT: 'lock' },
      })
      await waitFor('the rollback to pause', () => /paused at lock/.test(launched.stderr()))
      const child = await worker(launched)
      process.kill(launched.pid, signal)
      assert.equal((await launched.done).code, 130, launched.stderr())
      assert.equal(running(child), false)
      assert.equal(await lockHeld(project), false)
      assert.equal(await liveName(project.port), `e2e rev-${sha(2).slice(0, 7)}`)
    })
  }

  it('a rollback through the launcher completes (exit 0)', async () => {
    const launched = launch(BIN, ['rollback'], { cwd: project.dir })
    assert.equal((await launched.done).code, 0, launched.stderr())
    assert.equal(await liveName(project.port), `e2e rev-${sha(1).slice(0, 7)}`)
  })

  for (const signal of SIGNALS) {
    it(`${signal} to the launcher of \`gateway run --workers 2\`: it drains, exits 0, every worker is gone`, async () => {
      const port = await freePort()
      const launched = launch(
        BIN,
        [
          'gateway',
          'run',
          '-c',
          'gateway.json',
          '--port',
          String(port),
          '--workers',
          '2',
          '--drain-grace',
          '0s',
        ],
        { cwd: project.dir },
      )
      await waitFor('the gateway to answer', async () => (await liveName(port)) === 'e2e')
      await waitFor('two workers', () => descendants(launched.pid).length >= 3)
      const tree = descendants(launched.pid)
      process.kill(launched.pid, signal)
      assert.equal((await launched.done).code, 0, launched.stderr())
      for (const pid of tree) assert.equal(running(pid), false, `pid ${pid} still runs`)
    })
  }
})
