/**
 * What `destroy` says it did to the operator's HAProxy: its result and its record named the router
 * with the split read before the destroy ("emptied ... (HAProxy lb1: blue 0% / green 100%)") while
 * the destroy had just set both to 0: the output and `history` said green still got every request.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { sha } from '../core/helpers/project.ts'
import { serversTarget } from '../helpers/servers-target.ts'

describe('haproxy destroy: what it says it did', { concurrency: false }, () => {
  const target = serversTarget()

  it('names the router with the split the destroy left (nothing served), in its output and its record', async () => {
    const { project, lb } = target
    for (const n of [1, 2]) {
      const released = await project.run(['release', '--sha', sha(n)])
      assert.equal(released.code, 0, released.stderr)
    }
    const destroyed = await project.run(['destroy', '--force'])
    assert.equal(destroyed.code, 0, destroyed.stderr)
    assert.equal(await lb.green(), 0)
    const said = /gwdeploy's routing in HAProxy emptied \(.*\) \(HAProxy lb1: blue 0% \/ green 0%\)$/
    assert.match(destroyed.stdout.trim(), said)
    assert.doesNotMatch(`${destroyed.stdout}${destroyed.stderr}`, /green 100%/)
    const history = await project.json<{ result: { operation: string; status: string; done?: string[] }[] }>([
      'history',
    ])
    const record = history.envelope.result.find((r) => r.operation === 'destroy' && r.status === 'destroyed')
    assert.match(record?.done?.at(-1) ?? '', said)
  })
})
