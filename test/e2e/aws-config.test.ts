/**
 * Bad provider.aws settings against moto: each is a located configuration error (file, line, key
 * path, a hint) from `config validate` and from `release` (exit 2), and nothing is created or
 * changed in AWS. And `testListenerPort` beside `listenerArn` finds the test listener on the live
 * listener's own load balancer — never on whichever load balancer the account lists first.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import * as elbm from '@aws-sdk/client-elastic-load-balancing-v2'
import * as ssmm from '@aws-sdk/client-ssm'
import { sha } from '../core/helpers/project.ts'
import { requireMoto } from '../helpers/services.ts'
import {
  type AwsFixture,
  type AwsProject,
  createAlb,
  instancesOf,
  makeAwsProject,
  motoClients,
  targetGroupNames,
} from '../providers/aws/moto.ts'

/** Everything a release could create or change: listeners' actions and rules, groups, instances, records. */
async function awsState(fixture: AwsFixture, service: string) {
  const { elb } = await motoClients()
  const listeners = await elb.send(
    new elbm.DescribeListenersCommand({ ListenerArns: [fixture.listenerArn, fixture.testListenerArn] }),
  )
  const rules = []
  for (const arn of [fixture.listenerArn, fixture.testListenerArn])
    rules.push(
      (await elb.send(new elbm.DescribeRulesCommand({ ListenerArn: arn }))).Rules?.map((r) => r.RuleArn),
    )
  const moto = await requireMoto()
  const ssm = new ssmm.SSMClient({
    endpoint: moto.endpoint,
    region: moto.region,
    credentials: moto.credentials,
  })
  const records = await ssm.send(
    new ssmm.DescribeParametersCommand({
      ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: [`/gwdeploy/${service}`] }],
    }),
  )
  ssm.destroy()
  return {
    actions: listeners.Listeners?.map((l) => l.DefaultActions),
    rules,
    groups: await targetGroupNames(service),
    instances: await instancesOf(service),
    records: records.Parameters?.map((p) => p.Name) ?? [],
  }
}

interface Problem {
  message: string
  location?: { file?: string; line?: number; path?: string }
  hint?: string
}

describe('aws: bad provider.aws settings are located config errors and change nothing', {
  concurrency: false,
}, () => {
  let decoy: AwsFixture
  let project: AwsProject
  let service: string
  before(async () => {
    decoy = await createAlb() // listed before the project's own load balancer
    project = await makeAwsProject({ size: 1 })
    service = `aws-${project.fixture.id}`
  })
  after(async () => {
    await project?.cleanup()
  })

  const cases: Array<{
    name: string
    aws: (f: AwsFixture) => Record<string, unknown>
    path: string
    message: RegExp
  }> = [
    {
      name: 'a health check interval AWS refuses',
      aws: () => ({ targetGroup: { healthInterval: '1s', deregistrationDelay: '0s' } }),
      path: 'provider.aws.targetGroup.healthInterval',
      message: /whole seconds from 5s to 300s/,
    },
    {
      name: 'a health check timeout not shorter than the interval',
      aws: () => ({
        targetGroup: { healthInterval: '10s', healthTimeout: '10s', deregistrationDelay: '0s' },
      }),
      path: 'provider.aws.targetGroup.healthTimeout',
      message: /shorter than healthInterval/,
    },
    {
      name: 'a deregistration delay over an hour',
      aws: () => ({ targetGroup: { deregistrationDelay: '2h' } }),
      path: 'provider.aws.targetGroup.deregistrationDelay',
      message: /from 0s to 3600s/,
    },
    {
      name: 'a listener ARN of another region',
      aws: () => ({ region: 'eu-west-1' }),
      path: 'provider.aws.listenerArn',
      message: /region us-east-1, but provider\.aws\.region is eu-west-1/,
    },
    {
      name: 'the maintenance page on a priority reserved below lockPriority',
      aws: () => ({ maintenancePriority: 49_998 }),
      path: 'provider.aws.maintenancePriority',
      message: /reserves below lockPriority/,
    },
    {
      name: 'the live listener as the test listener',
      aws: (f) => ({ testListenerArn: f.listenerArn }),
      path: 'provider.aws.testListenerArn',
      message: /is the live listener/,
    },
    {
      name: 'a test listener on another load balancer',
      aws: () => ({ testListenerArn: decoy.testListenerArn }),
      path: 'provider.aws.testListenerArn',
      message: /target group serves one load balancer only/,
    },
  ]

  for (const c of cases) {
    it(`${c.name}: exit 2 at ${c.path} with a hint or reason, nothing created`, async () => {
      await project.writeConfig({ size: 1, aws: c.aws(project.fixture) })
      try {
        const before = await awsState(project.fixture, service)
        const validate = await project.json<{ error: { problems: Problem[] } }>(['config', 'validate'])
        assert.equal(validate.code, 2)
        const problem = validate.envelope.error.problems.find((p) => p.location?.path === c.path)
        assert.ok(problem, JSON.stringify(validate.envelope.error.problems))
        assert.match(problem.message, c.message)
        assert.equal(problem.location?.file, 'gwdeploy.yml')
        assert.ok((problem.location?.line ?? 0) > 0)
        const release = await project.run(['release', '--sha', sha(1)])
        assert.equal(release.code, 2, release.stderr)
        assert.match(
          release.stderr,
          new RegExp(`gwdeploy\\.yml:\\d+:\\d+ \\(${c.path.replaceAll('.', '\\.')}\\)`),
        )
        assert.deepEqual(await awsState(project.fixture, service), before)
      } finally {
        await project.writeConfig({ size: 1 })
      }
    })
  }

  it('a subnet of another VPC and a security group that does not exist: exit 2 naming each, no instance, group or rule created', async () => {
    await project.writeConfig({
      size: 1,
      aws: {
        subnets: [project.fixture.subnets[0], decoy.subnets[0]],
        securityGroups: ['sg-0000000000000000f'],
      },
    })
    try {
      const before = await awsState(project.fixture, service)
      const release = await project.run(['release', '--sha', sha(3), '--json'])
      assert.equal(release.code, 2, release.stderr)
      const error = JSON.parse(release.stdout).error as { problems: Problem[]; hint: string }
      assert.deepEqual(
        error.problems.map((p) => p.location?.path),
        ['provider.aws.subnets[1]', 'provider.aws.securityGroups[0]'],
      )
      assert.match(error.problems[0]?.message ?? '', new RegExp(`${decoy.subnets[0]} is in ${decoy.vpcId}`))
      assert.match(error.problems[1]?.message ?? '', /sg-0000000000000000f does not exist/)
      assert.match(error.hint, /Nothing was created/)
      const after = await awsState(project.fixture, service)
      // The engine records the failed release; nothing else may change.
      assert.deepEqual({ ...after, records: [] }, { ...before, records: [] })
    } finally {
      await project.writeConfig({ size: 1 })
    }
  })

  it('an AMI, key pair and instance type AWS does not know: exit 2 naming each, nothing created (RunInstances failed after the group and rules were made, exit 6)', async () => {
    await project.writeConfig({
      size: 1,
      aws: { ami: 'ami-00000000000000000', keyName: 'no-such-key', instanceType: 'x9.bogus' },
    })
    try {
      const before = await awsState(project.fixture, service)
      const release = await project.run(['release', '--sha', sha(4), '--json'])
      assert.equal(release.code, 2, release.stderr)
      const error = JSON.parse(release.stdout).error as { problems: Problem[]; hint: string }
      assert.deepEqual(
        error.problems.map((p) => p.location?.path),
        ['provider.aws.ami', 'provider.aws.instanceType', 'provider.aws.keyName'],
      )
      assert.match(error.problems[0]?.message ?? '', /AMI ami-00000000000000000 does not exist/)
      assert.match(error.problems[1]?.message ?? '', /instance type x9\.bogus does not exist/)
      assert.match(error.problems[2]?.message ?? '', /key pair no-such-key does not exist/)
      assert.match(error.hint, /Nothing was created/)
      const after = await awsState(project.fixture, service)
      assert.deepEqual({ ...after, records: [] }, { ...before, records: [] })
      // One setting alone is named with its line.
      await project.writeConfig({ size: 1, aws: { ami: 'ami-00000000000000000' } })
      const one = await project.run(['release', '--sha', sha(4)])
      assert.equal(one.code, 2, one.stderr)
      assert.match(
        one.stderr,
        /gwdeploy\.yml:\d+:\d+ \(provider\.aws\.ami\): AMI ami-00000000000000000 does not exist/,
      )
      assert.deepEqual(
        { ...(await awsState(project.fixture, service)), records: [] },
        { ...before, records: [] },
      )
    } finally {
      await project.writeConfig({ size: 1 })
    }
  })

  it('tags AWS refuses (aws: keys, a value over 256 characters) and gwdeploy: keys: exit 2 naming each, nothing created', async () => {
    await project.writeConfig({
      size: 1,
      aws: { tags: { team: 'api', 'aws:owner': 'me', 'gwdeploy:colour': 'red', note: 'x'.repeat(300) } },
    })
    try {
      const before = await awsState(project.fixture, service)
      const release = await project.run(['release', '--sha', sha(5), '--json'])
      assert.equal(release.code, 2, release.stderr)
      const error = JSON.parse(release.stdout).error as { problems: Problem[]; hint: string }
      assert.deepEqual(
        error.problems.map((p) => p.location?.path),
        ['provider.aws.tags.aws:owner', 'provider.aws.tags.gwdeploy:colour', 'provider.aws.tags.note'],
      )
      assert.match(error.problems[0]?.message ?? '', /reserved by AWS/)
      assert.match(error.problems[2]?.message ?? '', /at most 256 characters \(this one 300\)/)
      assert.deepEqual(await awsState(project.fixture, service), before)
      // One alone is named with its line.
      await project.writeConfig({ size: 1, aws: { tags: { 'aws:owner': 'me' } } })
      const one = await project.run(['release', '--sha', sha(5)])
      assert.equal(one.code, 2, one.stderr)
      assert.match(one.stderr, /gwdeploy\.yml:\d+:\d+ \(provider\.aws\.tags\.aws:owner\): tag "aws:owner": /)
      assert.deepEqual(await awsState(project.fixture, service), before)
    } finally {
      await project.writeConfig({ size: 1 })
    }
  })

  it("testListenerPort beside listenerArn: the test listener on the live listener's load balancer, no other one touched", async () => {
    await project.writeConfig({
      size: 1,
      health: { deadline: '2s' },
      aws: { testListenerPort: 8443, testListenerUrl: 'http://127.0.0.1:19' },
    })
    try {
      const status = await project.json<{ result: { router: { detail: string } } }>(['status'])
      assert.equal(status.code, 0)
      const decoyBefore = await awsState(decoy, 'none')
      // No data plane answers the test listener here: the gate fails (exit 4), but only after
      // gwdeploy pointed a test listener at green — it must be the project's own.
      const release = await project.run(['release', '--sha', sha(2)])
      assert.equal(release.code, 4, release.stderr)
      assert.deepEqual(await awsState(decoy, 'none'), decoyBefore, "another load balancer's listener changed")
      const { elb } = await motoClients()
      const rules = await elb.send(
        new elbm.DescribeRulesCommand({ ListenerArn: project.fixture.testListenerArn }),
      )
      assert.ok(
        rules.Rules?.some((r) => r.Priority === '49997'),
        "the project's own test listener keeps its original default action in the reserved rule",
      )
    } finally {
      await project.writeConfig({ size: 1 })
    }
  })
})
