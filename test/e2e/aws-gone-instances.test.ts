/**
 * Instances terminated behind gwdeploy's back (by hand, a scale-in script, a spot reclaim): AWS
 * deregisters them from the target group by itself, so the fleet record (the group's tags, with
 * fleet.size) is what says they are missing. `status` must flag the live colour (exit 4),
 * `release --sha <live SHA>` must replace them, and `rollback` must never switch traffic to a
 * colour that has nothing left behind it (it redeploys the recorded release there instead).
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
} from '../providers/aws/moto.ts'

async function terminate(ids: string[]): Promise<void> {
  const { ec2 } = await motoClients()
  await ec2.send(new ec2m.TerminateInstancesCommand({ InstanceIds: ids }))
}

describe('aws: instances terminated behind gwdeploy', { concurrency: false }, () => {
  let project: AwsProject
  let service: string
  before(async () => {
    project = await makeAwsProject({ size: 2 })
    service = `aws-${project.fixture.id}`
  })
  after(async () => {
    await project?.cleanup()
  })

  const running = async (colour: string) =>
    (await instancesOf(service)).filter((i) => i.colour === colour && i.state === 'running')

  it('rollback to a colour whose instances were all terminated redeploys it instead of switching to nothing', async () => {
    const first = await project.run(['release', '--sha', sha(1)])
    assert.equal(first.code, 0, first.stderr)
    const second = await project.run(['release', '--sha', sha(2)])
    assert.equal(second.code, 0, second.stderr)
    const blue = await running('blue')
    assert.equal(blue.length, 2)
    await terminate(blue.map((i) => i.id))

    const status = await project.json<{
      result: {
        colours: Array<{ colour: string; keepUntil?: string; nodes: Array<{ id: string; provider: string }> }>
        rollback: { sha: string; how: string }
      }
      warnings: string[]
    }>(['status'])
    assert.equal(status.code, 0, JSON.stringify(status.envelope))
    const shown = status.envelope.result.colours.find((c) => c.colour === 'blue')
    const keepUntil = shown?.keepUntil
    assert.ok(keepUntil, 'blue is still tagged kept for rollback')
    assert.deepEqual(
      shown?.nodes.map((n) => n.provider),
      ['gone', 'gone'],
      'the terminated instances still count, as gone',
    )
    // Status says what rollback will do now: a redeploy, not the instant switch it was kept for.
    assert.deepEqual(status.envelope.result.rollback, { sha: sha(1), how: 'redeploy' })
    const kept = status.envelope.warnings.find((w) => w.includes('is kept for rollback')) ?? ''
    assert.match(
      kept,
      new RegExp(
        `^blue \\(${sha(1).slice(0, 7)}\\) is kept for rollback until ${keepUntil?.replace(/\./g, '\\.')}, but none of its 2 node\\(s\\) is left \\(i-\\w+: instance is terminated.*\\): \`gwdeploy rollback\` redeploys ${sha(1).slice(0, 7)} as recorded`,
      ),
      JSON.stringify(status.envelope.warnings),
    )

    const rollback = await project.run(['rollback'])
    assert.equal(rollback.code, 0, rollback.stderr)
    assert.match(rollback.stdout, /rolled back to \w{7} .* on blue .*redeployed/)
    assert.deepEqual(await listenerWeights(project.fixture.listenerArn), {
      [`${service}-blue`]: 100,
      [`${service}-green`]: 0,
    })
    const serving = await running('blue')
    assert.equal(serving.length, 2, 'traffic went to a colour with instances behind it')
    assert.ok(serving.every((i) => i.sha === sha(1)))
  })

  it('a terminated live instance: status exits 4 naming it; `release --sha <live>` replaces it', async () => {
    const [victim] = await running('blue')
    assert.ok(victim)
    await terminate([victim.id])

    const status = await project.run(['status'])
    assert.equal(status.code, 4, status.stderr)
    assert.match(status.stderr, new RegExp(`${victim.id}.*gone`))

    const repair = await project.run(['release', '--sha', sha(1)])
    assert.equal(repair.code, 0, repair.stderr)
    assert.match(repair.stdout, /replaced 1 gone node/)
    const after = await running('blue')
    assert.equal(after.length, 2)
    assert.ok(!after.some((i) => i.id === victim.id))
    const healthy = await project.run(['status'])
    assert.equal(healthy.code, 0, healthy.stderr)
  })

  it('a default action replaced by hand (a fixed 503): status is exit 6, clients do not reach the gateway; re-releasing the live SHA routes again', async () => {
    const { elb } = await motoClients()
    await elb.send(
      new elbm.ModifyListenerCommand({
        ListenerArn: project.fixture.listenerArn,
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503' } }],
      }),
    )
    const status = await project.json<{
      error: { message: string; hint: string; details: { status: { router: { detail: string } } } }
    }>(['status'])
    assert.equal(status.code, 6, JSON.stringify(status.envelope))
    assert.match(status.envelope.error.message, /nothing is served: the router sends no colour any traffic/)
    assert.match(status.envelope.error.hint, new RegExp(`gwdeploy release --sha ${sha(1)}`))
    assert.match(
      status.envelope.error.details.status.router.detail,
      /default action is a fixed-response 503, set outside gwdeploy: clients do not reach the gateway/,
    )
    const again = await project.run(['release', '--sha', sha(1)])
    assert.equal(again.code, 0, again.stderr)
    assert.deepEqual(await listenerWeights(project.fixture.listenerArn), {
      [`${service}-blue`]: 100,
      [`${service}-green`]: 0,
    })
    const after = await project.json<{ result: { router: { detail: string } } }>(['status'])
    assert.doesNotMatch(after.envelope.result.router.detail, /set outside gwdeploy/)
  })

  it('promote of a preview whose instances were all terminated: exit 4, traffic untouched', async () => {
    const preview = await project.run(['release', '--sha', sha(3), '--no-shift'])
    assert.equal(preview.code, 0, preview.stderr)
    const green = await running('green')
    assert.equal(green.length, 2)
    await terminate(green.map((i) => i.id))
    const promote = await project.run(['promote'])
    assert.equal(promote.code, 4, promote.stderr)
    assert.match(promote.stderr, /gone/)
    const weights = await listenerWeights(project.fixture.listenerArn)
    assert.ok(weights !== 'fixed-response')
    assert.equal(weights[`${service}-blue`], 100)
    assert.ok(!weights[`${service}-green`], 'no traffic went to the empty green')
  })

  it('every live instance terminated: status is exit 6, nothing is served, naming them and the way out; that way out serves again', async () => {
    const blue = await running('blue')
    assert.equal(blue.length, 2)
    await terminate(blue.map((i) => i.id))
    const status = await project.json<{ error: { message: string; hint: string } }>(['status'])
    assert.equal(status.code, 6, JSON.stringify(status.envelope))
    assert.match(
      status.envelope.error.message,
      new RegExp(
        `^nothing is served: blue \\(${sha(1).slice(0, 7)}\\) gets 100% of requests, but none of its 2 node\\(s\\) is left \\(i-\\w+: instance is terminated`,
      ),
    )
    assert.match(status.envelope.error.hint, new RegExp(`\`gwdeploy release --sha ${sha(1)}\` brings`))
    const repair = await project.run(['release', '--sha', sha(1)])
    assert.equal(repair.code, 0, repair.stderr)
    assert.equal((await running('blue')).length, 2)
    const again = await project.run(['status'])
    assert.equal(again.code, 0, again.stderr)
  })
})
