/**
 * `gwdeploy abort` against a `retire` (local, CLI): the retire works under its lock, so losing it
 * stops it as an interrupt does, and it records that it stopped, which abort reports at once.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { liveName, sha } from '../core/helpers/project.ts'
import { releasedProject, startPaused } from '../helpers/released-project.ts'

describe('abort of a retire (local, CLI)', () => {
  const target = releasedProject([1, 2], { size: 1 })

  it('the retire stops part-way (exit 130) and abort reports its interrupted record, not "it may be dead"', async () => {
    const project = target()
    const run = await startPaused(project, ['retire', '--json'], 'decommission:withdrawn')
    const aborted = await project.run(['abort'])
    if (run.child.exitCode === null) run.child.kill('SIGKILL') // the previous code never stopped it
    const stopped = await run.done
    assert.equal(aborted.code, 0, aborted.stderr)
    assert.match(
      aborted.stdout,
      /^aborted retire of \S+ pid \d+; it recorded: interrupted \(aborted by .* part-way through retire: blue \(0101010, 1 node\(s\)\) may be half stopped; it gets no traffic\)$/m,
    )
    assert.equal(stopped.code, 130, stopped.stderr)
    assert.equal(await liveName(project.port), `e2e rev-${sha(2).slice(0, 7)}`)
    const again = await project.run(['retire'])
    assert.equal(again.code, 0, again.stderr)
  })
})
