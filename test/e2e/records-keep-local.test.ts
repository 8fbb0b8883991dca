/**
 * `records.keep` at its minimum (5) on a local target, through the CLI: retires in between releases
 * (each writes its intent and its outcome) must not prune the release `rollback` goes back to.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { liveName, sha } from '../core/helpers/project.ts'
import { releasedProject } from '../helpers/released-project.ts'

describe('records.keep 5 with retires between releases (local, CLI)', { concurrency: false }, () => {
  const target = releasedProject([1, 2], { size: 1, recordsKeep: 5 })

  it('rollback still goes back to the release before the live one', async () => {
    const project = target()
    for (const args of [['retire'], ['release', '--sha', sha(3)], ['retire']]) {
      const run = await project.run(args)
      assert.equal(run.code, 0, run.stderr)
    }
    const back = await project.run(['rollback'])
    assert.equal(back.code, 0, back.stderr)
    assert.equal(await liveName(project.port), `e2e rev-${sha(2).slice(0, 7)}`)
  })
})
