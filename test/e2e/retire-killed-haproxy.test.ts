/**
 * A `retire` SIGKILLed part-way on HAProxy (servers mode: the nodes run outside gwdeploy), after it
 * emptied the idle colour's servers in HAProxy and before it recorded anything else
 * (GWDEPLOY_TEST_KILL_AT=decommission:withdrawn). That colour is what `rollback` goes back to: a switch
 * to it as the retire left it would send traffic to no server. `rollback` redeploys it instead (its
 * servers placed again and gated), and `status` says so beforehand.
 */
import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { sha } from '../core/helpers/project.ts'
import { releaseName, serversTarget } from '../helpers/servers-target.ts'
import { askName } from '../providers/haproxy/helpers.ts'

describe('retire killed part-way, then rollback (haproxy servers mode, CLI)', { concurrency: false }, () => {
  const target = serversTarget()
  before(async () => {
    for (const n of [1, 2]) {
      const released = await target.project.run(['release', '--sha', sha(n)])
      assert.equal(released.code, 0, released.stderr)
    }
  })

  it('rollback redeploys the colour the retire was emptying, rather than switch to no server', async () => {
    const { project, lb } = target
    const killed = await project.run(['retire'], { GWDEPLOY_TEST_KILL_AT: 'decommission:withdrawn' })
    assert.equal(killed.signal, 'SIGKILL', killed.stderr)
    const status = await project.run(['status'])
    assert.equal(status.code, 0, status.stderr)
    // Its servers emptied by gwdeploy's own retire: not a server block edited by hand.
    assert.doesNotMatch(`${status.stdout}\n${status.stderr}`, /EDITED BY HAND|edited by hand/)
    assert.match(
      status.stdout,
      /^rollback: redeploys 0101010 as recorded \(the retire that did not finish may have half stopped blue\)$/m,
    )
    const back = await project.json<{ result?: { status: string }; warnings: string[] }>(['rollback'])
    assert.equal(back.code, 0, JSON.stringify(back.envelope))
    assert.equal(back.envelope.result?.status, 'released', 'redeployed, not switched')
    assert.ok(
      back.envelope.warnings.some((w) =>
        w.endsWith(
          'this rollback redeploys 0101010 as recorded onto blue (its nodes replaced) rather than switch to it as the retire left it',
        ),
      ),
      JSON.stringify(back.envelope.warnings),
    )
    assert.equal(await lb.green(), 0)
    assert.deepEqual(await askName(lb.port), { status: 200, name: releaseName(1) })
    const after = await project.json<{ warnings: string[] }>(['status'])
    assert.equal(after.code, 0, JSON.stringify(after.envelope))
    assert.ok(!after.envelope.warnings.some((w) => /retire/.test(w)), JSON.stringify(after.envelope.warnings))
  })
})
