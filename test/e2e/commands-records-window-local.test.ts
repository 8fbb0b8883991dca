/**
 * `retire` and the release engine read as many records as `status` (records.ts LOOKBACK): after a
 * long run of failed releases, the unfinished retire status reports is the one `gwdeploy retire`
 * finishes, and the release status names as live is the one a release of its SHA finds recorded.
 * Local target, real processes; the failed releases are written through the target's record store.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { sha } from '../core/helpers/project.ts'
import { appendFailedReleases } from '../helpers/failed-releases.ts'
import { releasedProject } from '../helpers/released-project.ts'

interface Envelope {
  result?: { unfinishedRetire?: { time: string } }
  warnings: string[]
}

describe('commands after a long run of failed releases (local)', { concurrency: false }, () => {
  const target = releasedProject([1, 2], { size: 1 })

  it('status reports an unfinished retire and `retire` finishes it', async () => {
    const project = target()
    const killed = await project.run(['retire'], { GWDEPLOY_TEST_KILL_AT: 'retire:record' })
    assert.equal(killed.signal, 'SIGKILL', killed.stderr)
    // 60 failed releases since: more than the newest 50 records retire used to read.
    await appendFailedReleases(project.stateDir, 60, sha(3))
    const before = await project.json<Envelope>(['status'])
    assert.ok(before.envelope.result?.unfinishedRetire?.time, JSON.stringify(before.envelope))
    const again = await project.run(['retire'])
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stderr + again.stdout, /left nothing of blue: recording that it finished/)
    const after = await project.json<Envelope>(['status'])
    assert.equal(after.envelope.result?.unfinishedRetire, undefined, JSON.stringify(after.envelope))
    assert.deepEqual(after.envelope.warnings, [])
  })

  it('a release of the live SHA finds its release recorded: nothing to do, no second release record', async () => {
    const project = target()
    // 60 more failed releases: the release of 0202020 is more than 50 records back.
    await appendFailedReleases(project.stateDir, 60, sha(3))
    const status = await project.json<{ result: { lastRelease?: { sha?: string } } }>(['status'])
    assert.equal(status.envelope.result.lastRelease?.sha, sha(2), JSON.stringify(status.envelope))
    const again = await project.run(['release', '--sha', sha(2)])
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stderr + again.stdout, /0202020 is already live on \w+: nothing to do/)
    const history = await project.json<{ result: { operation: string; status: string; sha?: string }[] }>([
      'history',
      '--limit',
      '200',
    ])
    const released = history.envelope.result.filter((r) => r.status === 'released' && r.sha === sha(2))
    assert.equal(released.length, 1, JSON.stringify(released))
  })
})
