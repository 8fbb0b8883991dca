/**
 * The operator at 3 a.m. on aws: green instances that the ALB keeps reporting `unhealthy` (a
 * reason code: Target.FailedHealthChecks, Target.Timeout) past provider.aws.bootGrace. The
 * release fails with the ALB's reason and where to look, exit 4, blue serving, green torn down —
 * not after health.deadline (3 minutes here, longer than any of these runs may take). moto marks
 * every target healthy at once and has no health checks of its own, so a proxy in front of it
 * rewrites green's DescribeTargetHealth answers as the ALB would give them; everything else is
 * moto's, through the real SDK.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import * as ec2m from '@aws-sdk/client-ec2'
import { sha } from '../core/helpers/project.ts'
import { requireMoto } from '../helpers/services.ts'
import {
  type AwsProject,
  instancesOf,
  listenerWeights,
  makeAwsProject,
  motoClients,
} from '../providers/aws/moto.ts'
import { type MotoProxy, startMotoProxy } from '../providers/aws/moto-proxy.ts'

interface ErrorEnvelope {
  error?: { exitCode: number; message: string; hint?: string; problems?: Array<{ message: string }> }
}

describe('aws: green targets the ALB reports unhealthy', { concurrency: false }, () => {
  let project: AwsProject
  let proxy: MotoProxy
  let service: string

  const greenHealth = (action: string, params: URLSearchParams) =>
    action === 'DescribeTargetHealth' && /targetgroup\/[^/]+-green\//.test(params.get('TargetGroupArn') ?? '')
  /** Green's targets report `state` (+ reason) to DescribeTargetHealth; the rest of AWS answers as moto does. */
  const greenTargets = (state: string, reason: string, description: string) => ({
    rewrite: (xml: string) =>
      xml.replaceAll(
        '<State>healthy</State>',
        `<State>${state}</State><Reason>${reason}</Reason><Description>${description}</Description>`,
      ),
  })
  const failGreenChecks = (reason: string, description: string) =>
    proxy.behave((action, params) =>
      greenHealth(action, params) ? greenTargets('unhealthy', reason, description) : 'pass',
    )
  const options = {
    size: 2,
    lockTtl: '5s',
    health: { deadline: '3m' },
    aws: { endpoint: '', bootGrace: '1s' },
  }

  before(async () => {
    const moto = await requireMoto()
    proxy = await startMotoProxy(moto.endpoint)
    options.aws.endpoint = proxy.endpoint
    project = await makeAwsProject(options)
    service = `aws-${project.fixture.id}`
    const released = await project.run(['release', '--sha', sha(1)])
    assert.equal(released.code, 0, released.stderr)
  })
  after(async () => {
    proxy?.behave(() => 'pass')
    await project?.cleanup()
    await proxy?.close()
  })

  const blueServes = async () => {
    const weights = await listenerWeights(project.fixture.listenerArn)
    assert.deepEqual(
      Object.entries(weights)
        .filter(([, weight]) => weight > 0)
        .map(([group]) => group),
      [`${service}-blue`],
    )
    const green = (await instancesOf(service)).filter((i) => i.colour === 'green' && i.state !== 'terminated')
    assert.deepEqual(green, [], 'green is torn down')
  }

  for (const [n, reason, description, why] of [
    [
      2,
      'Target.FailedHealthChecks',
      'Health checks failed',
      /the gateway does not answer the health path on fleet\.port/,
    ],
    [3, 'Target.Timeout', 'Request timed out', /the security groups must let the ALB reach fleet\.port/],
  ] as const) {
    it(`${reason} past bootGrace: exit 4 at once with the ALB's reason and where to look`, async () => {
      failGreenChecks(reason, description)
      try {
        const result = await project.run(['release', '--sha', sha(n), '--json'])
        assert.equal(result.code, 4, result.stderr + result.stdout)
        const error = (JSON.parse(result.stdout) as ErrorEnvelope).error
        const text = JSON.stringify(error)
        assert.match(
          text,
          new RegExp(
            `: provider reports unhealthy: the ALB's health checks fail \\(${reason}: ${description}\\), still failing past`,
          ),
        )
        assert.match(text, /still failing past provider\.aws\.bootGrace/)
        assert.match(text, why)
        assert.match(text, /aws ec2 get-console-output --instance-id i-[0-9a-f]+/)
      } finally {
        proxy.behave(() => 'pass')
      }
      await blueServes()
    })
  }

  it('a green instance terminated while the ALB still checks the other (initial): exit 4 at once naming it', async () => {
    // A deadline the old gate, which waited for every other node to be gone too, ran into.
    await project.writeConfig({ ...options, health: { deadline: '10m' } })
    let terminated: Promise<string> | undefined
    const terminateOne = async () => {
      const [first] = (await instancesOf(service)).filter((i) => i.colour === 'green')
      assert.ok(first, 'green has instances')
      const { ec2 } = await motoClients()
      await ec2.send(new ec2m.TerminateInstancesCommand({ InstanceIds: [first.id] }))
      return first.id
    }
    proxy.behave((action, params) => {
      if (!greenHealth(action, params)) return 'pass'
      terminated ??= terminateOne()
      return greenTargets('initial', 'Elb.InitialHealthChecking', 'Initial health checks in progress')
    })
    try {
      const result = await project.run(['release', '--sha', sha(4), '--json'])
      assert.equal(result.code, 4, result.stderr + result.stdout)
      const id = await terminated
      const error = (JSON.parse(result.stdout) as ErrorEnvelope).error
      assert.match(
        error?.message ?? '',
        new RegExp(
          `${id}: provider reports gone: (instance is (shutting-down|terminated)|instance not found)`,
        ),
      )
    } finally {
      proxy.behave(() => 'pass')
      await project.writeConfig(options)
    }
    await blueServes()
  })
})
