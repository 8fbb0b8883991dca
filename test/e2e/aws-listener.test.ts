/**
 * The aws provider and the listener it takes over, through the built CLI against moto:
 * `release --dry-run` prints every request input and changes nothing; the listener's original
 * default action is kept in a never-matching rule and put back by `destroy`; a listener that
 * another service/env already uses is refused before anything is created.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import * as ec2m from '@aws-sdk/client-ec2'
import * as elbm from '@aws-sdk/client-elastic-load-balancing-v2'
import { sha } from '../core/helpers/project.ts'
import {
  type AwsProject,
  instancesOf,
  listenerWeights,
  makeAwsProject,
  motoClients,
  targetGroupNames,
} from '../providers/aws/moto.ts'

/** Everything gwdeploy could have changed on a listener: its default action and its rules. */
async function listenerSnapshot(listenerArn: string) {
  const { elb } = await motoClients()
  const listener = await elb.send(new elbm.DescribeListenersCommand({ ListenerArns: [listenerArn] }))
  const rules = await elb.send(new elbm.DescribeRulesCommand({ ListenerArn: listenerArn }))
  return {
    defaultActions: listener.Listeners?.[0]?.DefaultActions,
    rules: (rules.Rules ?? []).map((r) => ({ priority: r.Priority, actions: r.Actions })),
  }
}

async function ruleTags(listenerArn: string, priority: string): Promise<Record<string, string>> {
  const { elb } = await motoClients()
  const rules = await elb.send(new elbm.DescribeRulesCommand({ ListenerArn: listenerArn }))
  const rule = rules.Rules?.find((r) => r.Priority === priority)
  if (!rule?.RuleArn) return {}
  const tags = await elb.send(new elbm.DescribeTagsCommand({ ResourceArns: [rule.RuleArn] }))
  return Object.fromEntries((tags.TagDescriptions?.[0]?.Tags ?? []).map((t) => [t.Key, t.Value]))
}

describe('aws: dry run, original default action, shared listener', { concurrency: false }, () => {
  let project: AwsProject
  let other: AwsProject
  let service: string
  // Longer than an AWS tag value (256 characters): the record must not depend on tags.
  const body = `maintenance page ${'x'.repeat(600)}`
  let original: Awaited<ReturnType<typeof listenerSnapshot>>['defaultActions']
  before(async () => {
    project = await makeAwsProject({ size: 1 })
    other = await makeAwsProject({ size: 1 })
    service = `aws-${project.fixture.id}`
    const { elb } = await motoClients()
    await elb.send(
      new elbm.ModifyListenerCommand({
        ListenerArn: project.fixture.listenerArn,
        DefaultActions: [
          {
            Type: 'fixed-response',
            FixedResponseConfig: { StatusCode: '503', ContentType: 'text/html', MessageBody: body },
          },
        ],
      }),
    )
  })
  after(async () => {
    await other?.cleanup()
    await project?.cleanup()
  })

  it('release --dry-run prints user-data and request inputs and changes nothing in AWS', async () => {
    const before = await listenerSnapshot(project.fixture.listenerArn)
    const result = await project.run(['release', '--sha', sha(1), '--dry-run'])
    assert.equal(result.code, 0, result.stderr)
    for (const fragment of [
      '# EC2 user-data (blue)',
      '#cloud-config',
      `GWDEPLOY_IMAGE='${project.repository}:${sha(1).slice(0, 7)}'`,
      '# ELBv2 CreateTargetGroup',
      `"Name": "${service}-blue"`,
      '# EC2 RunInstances',
      '"ClientToken": "gwd-',
      '# ELBv2 ModifyListener',
      'dry run: nothing was changed',
    ])
      assert.ok(result.stdout.includes(fragment), `${fragment} missing in:\n${result.stdout}`)
    assert.deepEqual(await listenerSnapshot(project.fixture.listenerArn), before)
    assert.deepEqual(await targetGroupNames(service), [])
    assert.deepEqual(await instancesOf(service), [])
    const { ec2 } = await motoClients()
    const tagged = await ec2.send(
      new ec2m.DescribeInstancesCommand({ Filters: [{ Name: 'tag:gwdeploy:service', Values: [service] }] }),
    )
    assert.equal(tagged.Reservations?.length ?? 0, 0, 'not even a terminated instance')
  })

  it('the first release keeps the original default action in a tagged never-matching rule', async () => {
    original = (await listenerSnapshot(project.fixture.listenerArn)).defaultActions
    assert.equal(original?.[0]?.FixedResponseConfig?.MessageBody, body)
    const result = await project.run(['release', '--sha', sha(1)])
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(await listenerWeights(project.fixture.listenerArn), { [`${service}-blue`]: 100 })
    const snapshot = await listenerSnapshot(project.fixture.listenerArn)
    const record = snapshot.rules.find((r) => r.priority === '49997')
    assert.deepEqual(record?.actions, original)
    const tags = await ruleTags(project.fixture.listenerArn, '49997')
    assert.equal(tags['gwdeploy:role'], 'original-default-action')
    assert.equal(tags['gwdeploy:target'], service)
  })

  it('another service configured on the same listener is refused (exit 2) before anything is created', async () => {
    const otherService = `aws-${other.fixture.id}`
    // With its own lockPriority it finds no rule of ours: the forward to our target groups must tell.
    for (const aws of [{}, { lockPriority: 40_000 }]) {
      await other.writeConfig({ size: 1, aws: { listenerArn: project.fixture.listenerArn, ...aws } })
      try {
        const before = await listenerSnapshot(project.fixture.listenerArn)
        const result = await other.run(['release', '--sha', sha(2)])
        assert.equal(result.code, 2, result.stderr)
        assert.match(result.stderr, new RegExp(`already used by gwdeploy for ${service}`))
        assert.match(result.stderr, /provider\.aws\.listenerArn/)
        assert.deepEqual(await listenerSnapshot(project.fixture.listenerArn), before)
        assert.deepEqual(await targetGroupNames(otherService), [])
        assert.deepEqual(await instancesOf(otherService), [])
      } finally {
        await other.writeConfig({ size: 1 })
      }
    }
  })

  it('destroy puts the original default action back and removes every gwdeploy rule', async () => {
    const result = await project.run(['destroy', '--force'])
    assert.equal(result.code, 0, result.stderr)
    const snapshot = await listenerSnapshot(project.fixture.listenerArn)
    assert.deepEqual(snapshot.defaultActions, original)
    assert.deepEqual(
      snapshot.rules.map((r) => r.priority),
      ['default'],
    )
    assert.deepEqual(await targetGroupNames(service), [])
    assert.deepEqual(await instancesOf(service), [])
  })
})
