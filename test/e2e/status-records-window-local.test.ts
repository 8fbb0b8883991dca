/**
 * `status` names the rollback `gwdeploy rollback` takes, however many records came since the
 * release line was last changed: both read the same window of records (records.ts LOOKBACK).
 * Local target, real processes; the failed releases are written through the target's record store.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { liveName, sha } from '../core/helpers/project.ts'
import { appendFailedReleases } from '../helpers/failed-releases.ts'
import { releasedProject } from '../helpers/released-project.ts'

describe('status and rollback after a long run of failed releases (local)', { concurrency: false }, () => {
  const target = releasedProject([1, 2, 3], { size: 1 })

  it('status names the release rollback goes back to, and rollback goes there', async () => {
    const project = target()
    const back = await project.run(['rollback'])
    assert.equal(back.code, 0, back.stderr)
    assert.equal(await liveName(project.port), `e2e rev-${sha(2).slice(0, 7)}`)
    // 60 failed releases since: more than the newest 50 records status used to read.
    await appendFailedReleases(project.stateDir, 60, sha(4))
    const status = await project.json<{ result: { rollback: unknown } }>(['status'])
    assert.equal(status.code, 0, JSON.stringify(status.envelope))
    assert.deepEqual(status.envelope.result.rollback, { sha: sha(1), how: 'redeploy' })
    const rolled = await project.run(['rollback'])
    assert.equal(rolled.code, 0, rolled.stderr)
    assert.equal(await liveName(project.port), `e2e rev-${sha(1).slice(0, 7)}`)
  })
})
