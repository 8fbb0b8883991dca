/**
 * Changes made by hand in the AWS console behind gwdeploy's back, against moto with the built CLI.
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

interface Status {
  colours: Array<{
    colour: string
    sha: string
    configName: string
    nodes: Array<{ id: string; provider: string; providerDetail?: string }>
  }>
}

describe('aws: hand edits in the console', { concurrency: false }, () => {
  let project: AwsProject
  let service: string
  before(async () => {
    project = await makeAwsProject({ size: 1, lockTtl: '5s' })
    service = `aws-${project.fixture.id}`
    for (const n of [1, 2]) {
      const released = await project.run(['release', '--sha', sha(n)])
      assert.equal(released.code, 0, released.stderr)
    }
  })
  after(async () => {
    await project?.cleanup()
  })

  /** What the console makes you do to delete a target group: out of every rule and forward, then delete. */
  async function deleteTargetGroupByHand(name: string): Promise<void> {
    const { elb } = await motoClients()
    const found = await elb.send(new elbm.DescribeTargetGroupsCommand({ Names: [name] }))
    const arn = found.TargetGroups?.[0]?.TargetGroupArn as string
    const listenerArn = project.fixture.listenerArn
    const rules = await elb.send(new elbm.DescribeRulesCommand({ ListenerArn: listenerArn }))
    for (const rule of rules.Rules ?? [])
      if (!rule.IsDefault && JSON.stringify(rule.Actions).includes(arn))
        await elb.send(new elbm.DeleteRuleCommand({ RuleArn: rule.RuleArn }))
    const listener = await elb.send(new elbm.DescribeListenersCommand({ ListenerArns: [listenerArn] }))
    const groups = listener.Listeners?.[0]?.DefaultActions?.[0]?.ForwardConfig?.TargetGroups ?? []
    await elb.send(
      new elbm.ModifyListenerCommand({
        ListenerArn: listenerArn,
        DefaultActions: [
          {
            Type: 'forward',
            ForwardConfig: { TargetGroups: groups.filter((g) => g.TargetGroupArn !== arn) },
          },
        ],
      }),
    )
    await elb.send(new elbm.DeleteTargetGroupCommand({ TargetGroupArn: arn }))
  }

  // Its instances ran on, out of sight: status showed nothing of them and retire had nothing to retire.
  it('the idle colour’s target group deleted: status shows its instances and names the way out; retire terminates them', async () => {
    await deleteTargetGroupByHand(`${service}-blue`)
    const orphan = (await instancesOf(service)).find((i) => i.colour === 'blue')
    assert.ok(orphan, 'the blue instance still runs')

    const status = await project.json<{ result: Status }>(['status'])
    assert.equal(status.code, 0, JSON.stringify(status.envelope))
    const blue = status.envelope.result.colours.find((c) => c.colour === 'blue')
    assert.equal(blue?.sha, sha(1))
    assert.deepEqual(
      blue?.nodes.map((n) => [n.id, n.provider]),
      [[orphan.id, 'gone']],
    )
    assert.match(
      blue?.nodes[0]?.providerDetail ?? '',
      new RegExp(`target group ${service}-blue does not exist .*\`gwdeploy retire\` terminates it`),
    )
    // It showed as blue [idle 0%] 0101010 "" : the config name lived only on the deleted group.
    assert.match(blue?.configName ?? '', / rev-0101010$/)
    const text = await project.run(['status'])
    assert.match(text.stdout, new RegExp(orphan.id))
    assert.match(text.stdout, /blue \[\S+ 0%\] 0101010 "\S+ rev-0101010"/)
    // Instances launched before they carried their config name: the release record says it.
    const { ec2 } = await motoClients()
    await ec2.send(
      new ec2m.DeleteTagsCommand({ Resources: [orphan.id], Tags: [{ Key: 'gwdeploy:config-name' }] }),
    )
    const untagged = await project.json<{ result: Status }>(['status'])
    assert.match(
      untagged.envelope.result.colours.find((c) => c.colour === 'blue')?.configName ?? '',
      / rev-0101010$/,
    )

    const retired = await project.json<{ result: { retired: { colour: string } } }>(['retire'])
    assert.equal(retired.code, 0, JSON.stringify(retired.envelope))
    assert.equal(retired.envelope.result.retired.colour, 'blue')
    assert.deepEqual(
      (await instancesOf(service)).map((i) => i.colour),
      ['green'],
    )
    assert.deepEqual(await targetGroupNames(service), [`${service}-green`])
    assert.deepEqual(await listenerWeights(project.fixture.listenerArn), { [`${service}-green`]: 100 })
  })

  // status said only 'gone, instance is stopped': nothing about what to run.
  // Its only instance: nothing is served (exit 6), as on every provider whose live nodes are all gone.
  it('a live instance stopped in the console: status exits 6 naming it and the command that replaces it; that command does', async () => {
    const live = (await instancesOf(service)).filter((i) => i.colour === 'green')
    assert.equal(live.length, 1)
    const { ec2 } = await motoClients()
    await ec2.send(new ec2m.StopInstancesCommand({ InstanceIds: live.map((i) => i.id) }))

    const status = await project.run(['status'])
    assert.equal(status.code, 6, status.stderr)
    const error = status.stderr.split('\n').find((l) => l.includes('nothing is served')) ?? ''
    assert.match(
      error,
      new RegExp(
        `green \\(0202020\\) gets 100% of requests, but none of its 1 node\\(s\\) is left \\(${live[0]?.id}: instance is stopped \\(outside gwdeploy`,
      ),
    )
    assert.match(
      status.stderr,
      new RegExp(`\`gwdeploy release --sha ${sha(2)}\` (replaces it|brings 0202020 back)`),
    )

    const replaced = await project.run(['release', '--sha', sha(2)])
    assert.equal(replaced.code, 0, replaced.stderr)
    const after = (await instancesOf(service)).filter((i) => i.colour === 'green' && i.state === 'running')
    assert.equal(after.length, 1)
    assert.notEqual(after[0]?.id, live[0]?.id)
    const healthy = await project.run(['status'])
    assert.equal(healthy.code, 0, healthy.stderr)
  })

  // status showed 'blue [shifting 70%]' as if a release were under way, with no word of what to do.
  it('the live listener’s weights edited in the console: status says so and names the way out; rollback ends the split', async () => {
    const released = await project.run(['release', '--sha', sha(3)])
    assert.equal(released.code, 0, released.stderr)
    assert.deepEqual(await listenerWeights(project.fixture.listenerArn), {
      [`${service}-blue`]: 100,
      [`${service}-green`]: 0,
    })
    const { elb } = await motoClients()
    const listenerArn = project.fixture.listenerArn
    const listener = await elb.send(new elbm.DescribeListenersCommand({ ListenerArns: [listenerArn] }))
    const forward = listener.Listeners?.[0]?.DefaultActions?.[0]?.ForwardConfig
    await elb.send(
      new elbm.ModifyListenerCommand({
        ListenerArn: listenerArn,
        DefaultActions: [
          {
            Type: 'forward',
            ForwardConfig: {
              ...forward,
              TargetGroups: (forward?.TargetGroups ?? []).map((g) => ({
                TargetGroupArn: g.TargetGroupArn,
                Weight: g.TargetGroupArn?.includes('-blue/') ? 70 : 30,
              })),
            },
          },
        ],
      }),
    )

    const status = await project.run(['status'])
    assert.match(
      status.stdout,
      /the live listener forwards blue 70 \/ green 30 but gwdeploy last set blue 100 \/ green 0: changed outside gwdeploy .*`gwdeploy rollback` ends the split/,
    )
    const rolledBack = await project.run(['rollback'])
    assert.equal(rolledBack.code, 0, rolledBack.stderr)
    assert.deepEqual(await listenerWeights(listenerArn), {
      [`${service}-blue`]: 100,
      [`${service}-green`]: 0,
    })
    const after = await project.run(['status'])
    assert.equal(after.code, 0, after.stderr)
    assert.doesNotMatch(after.stdout, /changed outside gwdeploy/)
  })
})
