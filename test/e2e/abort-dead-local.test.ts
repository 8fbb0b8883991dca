/**
 * `gwdeploy abort` and `rollback --force-now` against a run SIGKILLed on this host: nothing runs to
 * stop or report, so neither waits the minute it gives a live run for its record, and abort says
 * the run was not running rather than "it may be dead".
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { liveName, sha } from '../core/helpers/project.ts'
import { releasedProject } from '../helpers/released-project.ts'

describe('abort and rollback --force-now against a killed run (local, CLI)', { concurrency: false }, () => {
  const target = releasedProject([1, 2], { size: 1 })

  const killedRelease = async (n: number) => {
    const killed = await target().run(['release', '--sha', sha(n)], { GWDEPLOY_TEST_KILL_AT: 'verify' })
    assert.equal(killed.signal, 'SIGKILL', killed.stderr)
  }

  it('abort says the killed release was not running and waits for no record; the lock is free after', async () => {
    const project = target()
    await killedRelease(3)
    const aborted = await project.run(['abort'])
    assert.equal(aborted.code, 0, aborted.stderr)
    assert.match(
      aborted.stdout,
      /^aborted release 0303030 of \S+ pid \d+; it was not running: its process on this host is gone \(killed\), so it reverted nothing; `gwdeploy status` shows where it left the target$/m,
    )
    assert.doesNotMatch(aborted.stderr, /did not record an outcome/)
    const lock = await project.json<{ result: { lock: unknown } }>(['lock', 'status'])
    assert.equal(lock.envelope.result.lock, null)
    assert.equal(await liveName(project.port), `e2e rev-${sha(2).slice(0, 7)}`)
  })

  it('rollback --force-now goes back at once, without waiting for the killed run', async () => {
    const project = target()
    await killedRelease(4)
    const back = await project.run(['rollback', '--force-now'])
    assert.equal(back.code, 0, back.stderr)
    assert.doesNotMatch(back.stderr, /did not record an outcome/)
    assert.match(
      back.stderr,
      /its process on this host is gone, so it records no outcome; not waiting for one/,
    )
    assert.equal(await liveName(project.port), `e2e rev-${sha(1).slice(0, 7)}`)
  })
})
