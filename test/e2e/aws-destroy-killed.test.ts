/**
 * A destroy killed half-way on aws (moto, behind a proxy that holds TerminateInstances unanswered
 * until the run is SIGKILLed): the live listener has its original action back, the instances run.
 * `status` said that action was "set outside gwdeploy" and that the listener "forwards blue 0 / green
 * 0 but gwdeploy last set blue 0 / green 100: changed outside gwdeploy (the console?); `gwdeploy
 * rollback` ends the split" — a rollback there is refused (the destroy did not finish). It now says
 * the action is the one destroy puts back; the re-run of destroy (after `lock release --force`)
 * finishes: nothing of gwdeploy's is left.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import * as elbm from '@aws-sdk/client-elastic-load-balancing-v2'
import { sha } from '../core/helpers/project.ts'
import {
  AWS_ENV,
  type AwsProject,
  instancesOf,
  makeAwsProject,
  motoClients,
  targetGroupNames,
} from '../providers/aws/moto.ts'
import { type MotoProxy, startMotoProxy } from '../providers/aws/moto-proxy.ts'

describe('aws: destroy killed half-way, then re-run', { concurrency: false }, () => {
  let project: AwsProject
  let proxy: MotoProxy
  let service: string
  before(async () => {
    project = await makeAwsProject({ size: 2 })
    service = `aws-${project.fixture.id}`
    proxy = await startMotoProxy((await motoClients()).endpoint)
    await project.writeConfig({ size: 2, aws: { endpoint: proxy.endpoint } })
  })
  after(async () => {
    proxy.behave(() => 'pass')
    await project?.cleanup()
    await proxy?.close()
  })

  it('status names the original action destroy put back, not a hand edit; the re-run removes everything', async () => {
    for (const n of [1, 2]) {
      const released = await project.run(['release', '--sha', sha(n)])
      assert.equal(released.code, 0, released.stderr)
    }
    proxy.behave((action) => (action === 'TerminateInstances' ? 'hang' : 'pass'))
    const from = proxy.actions.length
    const destroy = project.start(['destroy', '--force'], AWS_ENV)
    await proxy.waitFor(/^TerminateInstances$/, from, 60_000)
    destroy.child.kill('SIGKILL')
    await destroy.done
    proxy.behave(() => 'pass')

    const status = await project.json<{ error: { message: string; hint: string } }>(['status'])
    assert.equal(status.code, 6, JSON.stringify(status.envelope))
    const { message, hint } = status.envelope.error
    assert.match(message, /^nothing is served: /)
    assert.match(
      message,
      /the live listener's default action is a fixed-response 404 \(the one it had before gwdeploy, which `gwdeploy destroy` puts back\)/,
    )
    assert.doesNotMatch(message, /outside gwdeploy|ends the split/)
    assert.match(hint, /A destroy started at \S+ did not finish: `gwdeploy destroy --force` finishes it/)

    const forced = await project.run(['lock', 'release', '--force'])
    assert.equal(forced.code, 0, forced.stderr)
    const rerun = await project.run(['destroy', '--force'])
    assert.equal(rerun.code, 0, rerun.stderr)
    assert.deepEqual(await instancesOf(service), [])
    assert.deepEqual(await targetGroupNames(service), [])
    const { elb } = await motoClients()
    const rules = await elb.send(new elbm.DescribeRulesCommand({ ListenerArn: project.fixture.listenerArn }))
    assert.deepEqual(
      rules.Rules?.map((r) => r.Priority),
      ['default'],
    )
    const listener = await elb.send(
      new elbm.DescribeListenersCommand({ ListenerArns: [project.fixture.listenerArn] }),
    )
    assert.deepEqual(listener.Listeners?.[0]?.DefaultActions?.[0]?.FixedResponseConfig?.StatusCode, '404')
    const after = await project.run(['status'])
    assert.equal(after.code, 0, after.stderr)
    assert.match(after.stdout, /^destroyed at \S+ by .*: nothing is deployed/m)
  })
})
