/**
 * A release on aws whose lock holder is longer than an ELB tag value holds (a CI job's long
 * repository name): the lock read back keeps 256 characters, a renewal returns it in full. The run
 * reads its lock back every few seconds and before each change; it must still know the lock as its own.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sha } from '../core/helpers/project.ts'
import { type AwsProject, makeAwsProject } from '../providers/aws/moto.ts'

describe('aws: a lock holder longer than a tag value (moto, CLI)', () => {
  let project: AwsProject
  before(async () => {
    // Renewed every second: several renewals before the release's first change of infrastructure.
    project = await makeAwsProject({ size: 1, lockTtl: '3s' })
  })
  after(async () => {
    await project?.cleanup()
  })

  it('the release keeps its lock through its renewals and goes live', async () => {
    const long = { GITHUB_RUN_ID: '1', GITHUB_REPOSITORY: `acme/${'gateway-config-'.repeat(20)}` }
    const released = await project.run(['release', '--sha', sha(1)], long)
    assert.equal(released.code, 0, released.stderr)
    assert.doesNotMatch(released.stderr, /release lock (lost|was taken over)/)
  })
})
