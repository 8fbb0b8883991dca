/**
 * Operating on aws (moto) through the built CLI: a freeze lives in the ALB lock rule's tags and
 * holds releases (exit 3) until `lock release`; `logs` says the instances are not reachable (exit 2).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { openTarget } from '../../src/core/target.ts'
import { sha } from '../core/helpers/project.ts'
import { AWS_ENV, type AwsProject, makeAwsProject } from '../providers/aws/moto.ts'

describe('aws: freeze and logs', () => {
  let project: AwsProject
  before(async () => {
    project = await makeAwsProject()
  })
  after(async () => {
    await project?.cleanup()
  })

  it('a freeze is the lock rule; release exits 3 naming it; lock release lifts it', async () => {
    const frozen = await project.run(['lock', 'acquire', '-m', "incident #7, don't deploy"])
    assert.equal(frozen.code, 0, frozen.stderr)
    // Tag values allow letters, digits, spaces and _ . : / = + - @ only.
    assert.match(frozen.stdout, /releases FROZEN by \S+: "incident 7 don t deploy"/)
    const status = await project.json<{ result: { lock: { operation: string } } }>(['lock', 'status'])
    assert.equal(status.envelope.result.lock.operation, 'freeze: incident 7 don t deploy')
    const release = await project.run(['release', '--sha', sha(1)])
    assert.equal(release.code, 3, release.stderr)
    assert.match(release.stderr, /releases are frozen by \S+: "incident 7 don t deploy"/)
    const thawed = await project.run(['lock', 'release'])
    assert.equal(thawed.code, 0, thawed.stderr)
    const free = await project.json<{ result: { lock: unknown } }>(['lock', 'status'])
    assert.equal(free.envelope.result.lock, null)
  })

  it('logs: the instances are not reachable from here: exit 2 with the commands that get them', async () => {
    Object.assign(process.env, AWS_ENV)
    const target = await openTarget({ cwd: project.dir })
    const read = target.provider.streamLogs?.(
      { id: 'i-0123456789abcdef0', colour: 'blue' },
      { lines: 10, follow: false },
    )
    assert.ok(read)
    await assert.rejects(
      async () => {
        for await (const _ of read) assert.fail('no line can come from an instance')
      },
      (error: { exitCode?: number; message: string; hint?: string }) =>
        error.exitCode === 2 &&
        /not available from here/.test(error.message) &&
        /aws ssm start-session --target i-0123456789abcdef0/.test(error.hint ?? '') &&
        /docker logs .*gwdeploy-gateway/.test(error.hint ?? ''),
    )
    await target.provider.close?.()
  })
})
