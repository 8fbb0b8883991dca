/**
 * Operating on aws (moto) through the built CLI: a freeze lives in the ALB lock rule's tags and
 * holds releases (exit 3) until `lock release`; `logs` says the instances are not reachable (exit 2).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import * as elbm from '@aws-sdk/client-elastic-load-balancing-v2'
import { openTarget } from '../../src/core/target.ts'
import { sha } from '../core/helpers/project.ts'
import { AWS_ENV, type AwsProject, makeAwsProject, motoClients } from '../providers/aws/moto.ts'

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

  it('a lock whose holder (another host) let its TTL pass is taken over by the next release, with one warning naming it', async () => {
    // The lock rule is made by `lock acquire`, then its tags say what a CI run killed on another
    // runner leaves: a release lock whose expiry passed (written, not waited for).
    const made = await project.run(['lock', 'acquire', '-m', 'soon a dead run'])
    assert.equal(made.code, 0, made.stderr)
    const { elb } = await motoClients()
    const rules = await elb.send(new elbm.DescribeRulesCommand({ ListenerArn: project.fixture.listenerArn }))
    const arns = (rules.Rules ?? []).flatMap((r) => (r.RuleArn ? [r.RuleArn] : []))
    const tagged = await elb.send(new elbm.DescribeTagsCommand({ ResourceArns: arns }))
    const lockRule = tagged.TagDescriptions?.find((d) =>
      d.Tags?.some((t) => t.Key === 'gwdeploy:lock-holder'),
    )
    assert.ok(lockRule?.ResourceArn, 'the lock rule')
    const since = new Date(Date.now() - 20 * 60_000).toISOString()
    const expired = new Date(Date.now() - 10 * 60_000).toISOString()
    await elb.send(
      new elbm.AddTagsCommand({
        ResourceArns: [lockRule.ResourceArn],
        Tags: [
          { Key: 'gwdeploy:lock-holder', Value: 'ci@runner-9 pid 4242' },
          { Key: 'gwdeploy:lock-operation', Value: 'release' },
          { Key: 'gwdeploy:lock-sha', Value: sha(9) },
          { Key: 'gwdeploy:lock-acquired-at', Value: since },
          { Key: 'gwdeploy:lock-renewed-at', Value: since },
          { Key: 'gwdeploy:lock-expires-at', Value: expired },
        ],
      }),
    )
    const release = await project.json<{ warnings: string[] }>(['release', '--sha', sha(2)])
    assert.equal(release.code, 0, JSON.stringify(release.envelope))
    const took = release.envelope.warnings.filter((w) => w.startsWith('took over the release lock'))
    assert.deepEqual(took, [
      `took over the release lock of ci@runner-9 pid 4242 (release 0909090), since ${since}, expires ${expired}: it expired without being renewed. That run did not finish; \`gwdeploy status\` shows where it left the target.`,
    ])
    const free = await project.json<{ result: { lock: unknown } }>(['lock', 'status'])
    assert.equal(free.envelope.result.lock, null, 'released at the end, not left behind')
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
