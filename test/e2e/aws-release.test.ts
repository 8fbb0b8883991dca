/**
 * The aws provider end to end: the built CLI against moto_server, images built by the test
 * dockerd and pushed to the test registry. moto runs nothing on the instances and reports a
 * registered target `healthy` at once (AWS: `initial` first): so here the gate is the ALB's
 * target health as moto reports it, and health.expectName is off (no test listener).
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import * as elbm from '@aws-sdk/client-elastic-load-balancing-v2'
import { sha } from '../core/helpers/project.ts'
import { requireCommand } from '../helpers/services.ts'
import {
  AWS_ENV,
  type AwsProject,
  instancesOf,
  listenerWeights,
  makeAwsProject,
  motoClients,
  targetGroupNames,
  userDataOf,
} from '../providers/aws/moto.ts'

const execFileAsync = promisify(execFile)

/** The independent client: the AWS CLI pointed at moto reads the listener gwdeploy modified. */
async function cliWeights(project: AwsProject): Promise<Record<string, number>> {
  const { endpoint } = await motoClients()
  const aws = await requireCommand('aws', 'awscli')
  const { stdout } = await execFileAsync(
    aws.path,
    [
      '--endpoint-url',
      endpoint,
      '--output',
      'json',
      'elbv2',
      'describe-listeners',
      '--listener-arns',
      project.fixture.listenerArn,
    ],
    { env: { ...process.env, ...AWS_ENV, AWS_DEFAULT_REGION: 'us-east-1' } },
  )
  const listener = JSON.parse(stdout).Listeners[0]
  const out: Record<string, number> = {}
  for (const group of listener.DefaultActions[0].ForwardConfig?.TargetGroups ?? [])
    out[/targetgroup\/([^/]+)\//.exec(group.TargetGroupArn)?.[1] as string] = group.Weight
  return out
}

describe('aws: release, weighted steps, crash/resume, rollback, retire', { concurrency: false }, () => {
  let project: AwsProject
  let service: string
  before(async () => {
    project = await makeAwsProject({
      size: 2,
      lockTtl: '2s',
      shift: { strategy: 'steps', steps: [10, 50, 100] },
    })
    service = `aws-${project.fixture.id}`
  })
  after(async () => {
    await project?.cleanup()
  })

  it('first release: 2 instances on blue, listener forwards 100% to blue, user-data runs the image digest', async () => {
    const result = await project.run(['release', '--sha', sha(1)])
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(await listenerWeights(project.fixture.listenerArn), { [`${service}-blue`]: 100 })
    const instances = await instancesOf(service)
    assert.equal(instances.length, 2)
    assert.ok(instances.every((i) => i.colour === 'blue' && i.sha === sha(1) && i.state === 'running'))
    const status = await project.json<{
      result: { colours: Array<{ colour: string; image: string; configName: string }> }
    }>(['status'])
    const blue = status.envelope.result.colours.find((c) => c.colour === 'blue')
    assert.match(blue?.image ?? '', new RegExp(`^${project.repository}@sha256:[0-9a-f]{64}$`))
    // What moto stored is what the instance would boot with: the image by digest.
    const userData = await userDataOf(instances[0]?.id as string)
    assert.ok(userData.startsWith('#cloud-config\n'), userData)
    assert.ok(userData.includes(`GWDEPLOY_IMAGE='${blue?.image}'`), userData)
    assert.ok(userData.includes(`GWDEPLOY_CONFIG_NAME='${blue?.configName}'`))
  })

  it('killed after shifting 10%: the AWS CLI sees blue 90 / green 10; the re-run converges without new instances', async () => {
    const killed = await project.run(['release', '--sha', sha(2)], { GWDEPLOY_TEST_KILL_AT: 'shift:10' })
    assert.equal(killed.signal, 'SIGKILL', killed.stderr)
    assert.deepEqual(await cliWeights(project), { [`${service}-blue`]: 90, [`${service}-green`]: 10 })
    const green = (await instancesOf(service)).filter((i) => i.colour === 'green')
    assert.equal(green.length, 2)
    const rerun = await project.run(['release', '--sha', sha(2), '--lock-wait=30s'])
    assert.equal(rerun.code, 0, rerun.stderr)
    assert.deepEqual(await cliWeights(project), { [`${service}-blue`]: 0, [`${service}-green`]: 100 })
    const after = (await instancesOf(service)).filter((i) => i.colour === 'green')
    assert.deepEqual(
      after.map((i) => i.id).sort(),
      green.map((i) => i.id).sort(),
      'same instances, none launched twice',
    )
  })

  it('rollback moves the weights back to blue (still up)', async () => {
    const result = await project.json<{ result: { status: string; sha: string } }>(['rollback'])
    assert.equal(result.code, 0, JSON.stringify(result.envelope))
    assert.equal(result.envelope.result.status, 'switched')
    assert.equal(result.envelope.result.sha, sha(1))
    assert.deepEqual(await cliWeights(project), { [`${service}-blue`]: 100, [`${service}-green`]: 0 })
  })

  it('retire terminates the idle colour and deletes its target group', async () => {
    const result = await project.json<{ result: { retired: { colour: string } } }>(['retire'])
    assert.equal(result.code, 0, JSON.stringify(result.envelope))
    assert.equal(result.envelope.result.retired.colour, 'green')
    assert.deepEqual(await targetGroupNames(service), [`${service}-blue`])
    assert.deepEqual(await listenerWeights(project.fixture.listenerArn), { [`${service}-blue`]: 100 })
    const instances = await instancesOf(service)
    assert.ok(instances.every((i) => i.colour === 'blue'))
    assert.equal(instances.length, 2)
  })

  it('killed right after provisioning: the re-run reuses the instances (find by tags before RunInstances)', async () => {
    const killed = await project.run(['release', '--sha', sha(3)], { GWDEPLOY_TEST_KILL_AT: 'verify' })
    assert.equal(killed.signal, 'SIGKILL', killed.stderr)
    const launched = (await instancesOf(service)).filter((i) => i.sha === sha(3))
    assert.equal(launched.length, 2)
    const rerun = await project.run(['release', '--sha', sha(3), '--lock-wait=30s'])
    assert.equal(rerun.code, 0, rerun.stderr)
    const after = (await instancesOf(service)).filter((i) => i.sha === sha(3))
    assert.deepEqual(after.map((i) => i.id).sort(), launched.map((i) => i.id).sort())
    assert.deepEqual(await listenerWeights(project.fixture.listenerArn), {
      [`${service}-blue`]: 0,
      [`${service}-green`]: 100,
    })
  })

  it('a target group added to the forward by hand is shown with its real share, and the next shift removes it', async () => {
    const { elb } = await motoClients()
    const hand = await elb.send(
      new elbm.CreateTargetGroupCommand({
        Name: `hand-${project.fixture.id}`,
        Protocol: 'HTTP',
        Port: 8080,
        VpcId: project.fixture.vpcId,
      }),
    )
    const handArn = hand.TargetGroups?.[0]?.TargetGroupArn as string
    const listener = await elb.send(
      new elbm.DescribeListenersCommand({ ListenerArns: [project.fixture.listenerArn] }),
    )
    const forward = listener.Listeners?.[0]?.DefaultActions?.[0]?.ForwardConfig
    await elb.send(
      new elbm.ModifyListenerCommand({
        ListenerArn: project.fixture.listenerArn,
        DefaultActions: [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [...(forward?.TargetGroups ?? []), { TargetGroupArn: handArn, Weight: 100 }],
            },
          },
        ],
      }),
    )
    const status = await project.json<{ result: { router: { detail: string } } }>(['status'])
    assert.match(
      status.envelope.result.router.detail,
      new RegExp(`forwards 50% of all traffic to hand-${project.fixture.id}`),
    )
    const rollback = await project.run(['rollback'])
    assert.equal(rollback.code, 0, rollback.stderr)
    assert.deepEqual(await listenerWeights(project.fixture.listenerArn), {
      [`${service}-blue`]: 100,
      [`${service}-green`]: 0,
    })
    await elb.send(new elbm.DeleteTargetGroupCommand({ TargetGroupArn: handArn }))
  })

  it('a user-data template error on the next release: exit 2 before anything changes; the idle colour (the rollback) stays, no failed record', async () => {
    const history = async () => (await project.json<{ result: unknown[] }>(['history'])).envelope.result
    const before = { groups: await targetGroupNames(service), records: await history() }
    assert.deepEqual(before.groups, [`${service}-blue`, `${service}-green`])
    await writeFile(join(project.dir, 'user-data.yaml'), '#cloud-config\nruncmd:\n  - echo {{imageDigest}}\n')
    await project.writeConfig({
      size: 2,
      lockTtl: '2s',
      shift: { strategy: 'steps', steps: [10, 50, 100] },
      aws: { userDataTemplate: 'user-data.yaml' },
    })
    const refused = await project.run(['release', '--sha', sha(4)])
    assert.equal(refused.code, 2, refused.stderr)
    assert.match(refused.stderr, /unknown placeholder \{\{imageDigest\}\}/)
    assert.match(refused.stderr, /provider\.aws\.userDataTemplate/)
    assert.deepEqual(await targetGroupNames(service), before.groups)
    assert.deepEqual(await history(), before.records)
    assert.equal((await instancesOf(service)).filter((i) => i.sha === sha(4)).length, 0)
    assert.deepEqual(await listenerWeights(project.fixture.listenerArn), {
      [`${service}-blue`]: 100,
      [`${service}-green`]: 0,
    })
  })
})
