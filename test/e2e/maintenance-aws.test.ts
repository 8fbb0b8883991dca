/**
 * The maintenance switch on aws (moto) through the built CLI: a fixed-response rule at the top
 * priority of the live listener, seen by a client through the ALB stand-in (which evaluates the
 * listener's rules as the ALB would); off deletes it and leaves the listener exactly as it was.
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import * as elbm from '@aws-sdk/client-elastic-load-balancing-v2'
import { AlbDataPlane } from '../providers/aws/alb-data-plane.ts'
import { type AwsProject, makeAwsProject, motoClients } from '../providers/aws/moto.ts'

describe('aws: maintenance page as a listener rule', { concurrency: false }, () => {
  let project: AwsProject
  let alb: AlbDataPlane
  let before_: unknown
  const json = '{"status":"maintenance","until":"14:00"}\n'

  async function listenerPicture(listenerArn: string) {
    const { elb } = await motoClients()
    const listener = await elb.send(new elbm.DescribeListenersCommand({ ListenerArns: [listenerArn] }))
    const rules = await elb.send(new elbm.DescribeRulesCommand({ ListenerArn: listenerArn }))
    return { actions: listener.Listeners?.[0]?.DefaultActions, rules: rules.Rules }
  }

  async function get(path = '/v1/ping') {
    const response = await fetch(`${alb.url}${path}`)
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body: await response.text(),
    }
  }

  before(async () => {
    project = await makeAwsProject()
    alb = await AlbDataPlane.start(project.fixture.listenerArn)
    await writeFile(join(project.dir, 'down.json'), json)
    await writeFile(join(project.dir, 'big.html'), `<p>${'x'.repeat(1100)}</p>`)
    await writeFile(join(project.dir, 'page.xml'), '<down/>')
    before_ = await listenerPicture(project.fixture.listenerArn)
  })
  after(async () => {
    await alb?.close()
    await project?.cleanup()
  })

  it('on: every path gets the page; status shows it; no Retry-After is possible (warning)', async () => {
    assert.equal((await get()).status, 404)
    const on = await project.run(['maintenance', 'on', '--page', 'down.json'])
    assert.equal(on.code, 0, on.stderr)
    assert.match(on.stderr, /aws: the router cannot send a Retry-After header/)
    for (const path of ['/v1/ping', '/', '/__health?x=1'])
      assert.deepEqual(await get(path), { status: 503, type: 'application/json', body: json })
    const status = await project.json<{ result: { maintenance: Record<string, unknown> } }>(['status'])
    assert.equal(status.envelope.result.maintenance.status, 503)
    assert.equal(status.envelope.result.maintenance.body, json)
    assert.equal(status.envelope.result.maintenance.retryAfter, undefined)
    const { rules } = await listenerPicture(project.fixture.listenerArn)
    const rule = rules?.find((r) => r.Priority === '1')
    assert.deepEqual(rule?.Conditions?.[0]?.PathPatternConfig?.Values, ['/*'])
  })

  it('pages an ALB cannot serve are usage errors (exit 2); the page stays as it was', async () => {
    const big = await project.run(['maintenance', 'on', '--page', 'big.html'])
    assert.equal(big.code, 2, big.stderr)
    assert.match(big.stderr, /an ALB fixed response holds 1024/)
    const xml = await project.run(['maintenance', 'on', '--page', 'page.xml'])
    assert.equal(xml.code, 2, xml.stderr)
    assert.match(xml.stderr, /cannot have the content type application\/xml/)
    assert.deepEqual(await get(), { status: 503, type: 'application/json', body: json })
  })

  it('on again replaces the page in the same rule (ModifyRule)', async () => {
    const on = await project.run(['maintenance', 'on', '--status', '502', '--retry-after', '0'])
    assert.equal(on.code, 0, on.stderr)
    assert.doesNotMatch(on.stderr, /Retry-After/)
    const got = await get()
    assert.equal(got.status, 502)
    assert.equal(JSON.parse(got.body).status, 'maintenance')
  })

  it('off: the listener is exactly as before, clients get its default action again', async () => {
    const off = await project.run(['maintenance', 'off'])
    assert.equal(off.code, 0, off.stderr)
    assert.deepEqual(await listenerPicture(project.fixture.listenerArn), before_)
    assert.equal((await get()).status, 404)
  })

  it('a rule of someone else at maintenancePriority: exit 6 naming the setting', async () => {
    const { elb } = await motoClients()
    const foreign = await elb.send(
      new elbm.CreateRuleCommand({
        ListenerArn: project.fixture.listenerArn,
        Priority: 1,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/admin/*'] } }],
        Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '403' } }],
      }),
    )
    try {
      const on = await project.run(['maintenance', 'on'])
      assert.equal(on.code, 6, on.stderr)
      assert.match(on.stderr, /priority 1 is taken by a rule that is not this target's maintenance rule/)
      assert.match(on.stderr, /provider\.aws\.maintenancePriority/)
    } finally {
      await elb.send(new elbm.DeleteRuleCommand({ RuleArn: foreign.Rules?.[0]?.RuleArn }))
    }
  })
})
