/**
 * The aws provider in-process against moto: the listener-rule lock (contention, visible holder,
 * race-safe takeover of an expired lock) and a health failure (an instance stopped before the
 * gate: exit 4, traffic untouched, green torn down).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import * as ec2m from '@aws-sdk/client-ec2'
import * as elbm from '@aws-sdk/client-elastic-load-balancing-v2'
import { type EngineContext, release } from '../../../src/core/engine.ts'
import { isGwError } from '../../../src/core/errors.ts'
import { openTarget } from '../../../src/core/target.ts'
import type { AwsProvider } from '../../../src/providers/aws/index.ts'
import type { Fleet, FleetSpec, LockRequest } from '../../../src/providers/types.ts'
import { sha } from '../../core/helpers/project.ts'
import { requireDocker } from '../../helpers/services.ts'
import {
  AWS_ENV,
  type AwsProject,
  instancesOf,
  listenerWeights,
  makeAwsProject,
  motoClients,
  targetGroupNames,
} from './moto.ts'

Object.assign(process.env, AWS_ENV)

const request = (holder: string, ttlMs = 60_000): LockRequest => ({
  holder,
  operation: 'release',
  ttlMs,
  sha: sha(7),
})

async function provider(project: AwsProject): Promise<AwsProvider> {
  return (await openTarget({ cwd: project.dir })).provider as AwsProvider
}

describe('aws lock: a never-matching listener rule at the reserved priority', () => {
  let project: AwsProject
  before(async () => {
    project = await makeAwsProject()
  })
  after(async () => {
    await project?.cleanup()
  })

  it('one holder at a time; the holder, SHA and expiry are the rule tags; release frees it', async () => {
    const a = await provider(project)
    const b = await provider(project)
    const first = await a.lock().tryAcquire(request('ci-a'))
    assert.equal(first.acquired, true)
    const second = await b.lock().tryAcquire(request('ci-b'))
    assert.equal(second.acquired, false)
    assert.equal(second.lock.holder, 'ci-a')
    assert.equal(second.lock.sha, sha(7))
    const { elb } = await motoClients()
    const rules = await elb.send(new elbm.DescribeRulesCommand({ ListenerArn: project.fixture.listenerArn }))
    const rule = rules.Rules?.find((r) => r.Priority === '50000')
    assert.ok(rule?.RuleArn)
    const tags = await elb.send(new elbm.DescribeTagsCommand({ ResourceArns: [rule.RuleArn] }))
    const holder = tags.TagDescriptions?.[0]?.Tags?.find((t) => t.Key === 'gwdeploy:lock-holder')
    assert.equal(holder?.Value, 'ci-a')
    // The CLI reports the holder and refuses to release (exit 3).
    const status = await project.json<{ result: { lock: { holder: string } } }>(['lock', 'status'])
    assert.equal(status.envelope.result.lock.holder, 'ci-a')
    const blocked = await project.run(['release', '--sha', sha(8)])
    assert.equal(blocked.code, 3, blocked.stderr)
    assert.match(blocked.stderr, /ci-a/)
    const renewed = await a.lock().renew()
    assert.ok(Date.parse(renewed.expiresAt) >= Date.parse(first.lock.expiresAt))
    await a.lock().release()
    assert.equal(await b.lock().status(), null)
  })

  it('an expired lock is taken over by exactly one of several racers; the old holder loses it', async () => {
    const old = await provider(project)
    assert.equal((await old.lock().tryAcquire(request('dead-run', 1))).acquired, true)
    await new Promise((r) => setTimeout(r, 20))
    const racers = await Promise.all([1, 2, 3, 4].map(() => provider(project)))
    const results = await Promise.all(racers.map((p, i) => p.lock().tryAcquire(request(`racer-${i}`))))
    const winners = results.filter((r) => r.acquired)
    assert.equal(winners.length, 1, JSON.stringify(results))
    const winner = winners[0]?.lock.holder
    for (const r of results) assert.equal(r.lock.holder, winner)
    await assert.rejects(old.lock().renew(), /gone/)
    const index = results.findIndex((r) => r.acquired)
    await racers[index]?.lock().release()
  })
})

describe('aws health failure: an instance stopped before the gate', () => {
  let project: AwsProject
  before(async () => {
    await requireDocker()
    project = await makeAwsProject({ size: 2 })
  })
  after(async () => {
    await project?.cleanup()
  })

  it('fails the gate with exit 4, leaves the listener alone and tears green down', async () => {
    const live = await project.run(['release', '--sha', sha(1)])
    assert.equal(live.code, 0, live.stderr)
    const service = `aws-${project.fixture.id}`
    const before = await listenerWeights(project.fixture.listenerArn)
    const target = await openTarget({ cwd: project.dir })
    const aws = target.provider as AwsProvider
    const { ec2 } = await motoClients()
    let stopped: string | undefined
    const provision = aws.provision.bind(aws)
    // The one thing moto cannot do on its own: a node dying between launch and the gate.
    aws.provision = async (spec: FleetSpec, options): Promise<Fleet> => {
      const fleet = await provision(spec, options)
      stopped = fleet.nodes[0]?.id
      await ec2.send(new ec2m.StopInstancesCommand({ InstanceIds: [stopped as string] }))
      return fleet
    }
    const events: string[] = []
    const ctx: EngineContext = {
      target,
      reporter: { emit: (e) => events.push(JSON.stringify(e)), close() {} },
      signal: new AbortController().signal,
    }
    const error = await release(ctx, { sha: sha(2) }).then(
      () => undefined,
      (e: unknown) => e,
    )
    assert.ok(isGwError(error), String(error))
    assert.equal(error.exitCode, 4, error.message)
    assert.match(error.message, new RegExp(`${stopped}.*(stopped|stopping)`))
    assert.deepEqual(await listenerWeights(project.fixture.listenerArn), before)
    assert.deepEqual(await targetGroupNames(service), [`${service}-blue`])
    const left = await instancesOf(service)
    assert.ok(
      left.every((i) => i.colour === 'blue' && i.sha === sha(1)),
      JSON.stringify(left),
    )
    await aws.close()
  })
})
