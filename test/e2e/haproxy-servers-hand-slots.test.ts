/**
 * haproxy `servers` mode, two real HAProxy instances: slot servers changed by hand on lb2 (put in
 * maintenance, given weight 0, re-pointed). `release --sha <live SHA>` does not call that "already live: nothing to
 * do" — it places the live colour's slots again, once its servers answer, and says so; `rollback` to a
 * colour whose servers answer but whose slot lb2 re-pointed places that colour's slots again and goes
 * there, rather than tell the operator to start servers that run.
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { stringify } from 'yaml'
import { freePort, type Project, sha } from '../core/helpers/project.ts'
import { releaseName, serversTarget } from '../helpers/servers-target.ts'
import { askName, type HaproxyInstance, haproxyConfig, startHaproxy } from '../providers/haproxy/helpers.ts'

/** The slot servers of one backend that gwdeploy placed (not on the 127.0.0.1:1 placeholder), as HAProxy runs them. */
async function slots(lb: HaproxyInstance, backend: string): Promise<Record<string, string>> {
  const lines = (await lb.command(`show servers state ${backend}`)).split('\n')
  // be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight ... srv_port (column 18)
  const rows = lines.filter((line) => /^\d+ /.test(line)).map((line) => line.split(' '))
  const placed = rows.filter((r) => r[18] !== '1')
  // 0x23: forced, inherited or resolver maintenance (0x04 only says haproxy.cfg wrote `disabled`).
  const maint = (r: string[]) => (Number(r[6]) & 0x23 ? ' maint' : '')
  const unweighted = (r: string[]) => (r[7] === '0' ? ' weight 0' : '')
  return Object.fromEntries(placed.map((r) => [r[3], `${r[4]}:${r[18]}${maint(r)}${unweighted(r)}`]))
}

describe('haproxy servers mode: slots changed by hand on one of two instances', {
  concurrency: false,
}, () => {
  const target = serversTarget()
  let project: Project
  let lb1: HaproxyInstance
  let lb2: HaproxyInstance
  const address = (i: number) => target.nodes[i]?.address ?? ''

  before(async () => {
    project = target.project
    lb1 = target.lb
    lb2 = await startHaproxy({ name: 'lb2' })
    const servers = { blue: [address(0), address(1)], green: [address(2), address(3)] }
    const config = haproxyConfig({ instances: [lb1, lb2], servers })
    await writeFile(join(project.dir, 'gwdeploy.yml'), stringify(config))
    for (const n of [1, 2]) {
      const released = await project.run(['release', '--sha', sha(n)])
      assert.equal(released.code, 0, released.stderr)
    }
    for (const lb of [lb1, lb2]) assert.equal(await lb.green(), 100)
  })
  after(async () => {
    await lb2?.stop()
  })

  it('release --sha <live SHA> with lb2 slots in maintenance by hand: places them again and says so, not "already live"', async () => {
    await lb2.command('set server be_green/green1 state maint')
    await lb2.command('set weight be_green/green2 0')
    assert.deepEqual(await slots(lb2, 'be_green'), {
      green1: `${address(2)} maint`,
      green2: `${address(3)} weight 0`,
    })
    const status = await project.run(['status'])
    assert.equal(status.code, 4, status.stderr)

    const again = await project.json<{ result: { status: string; repaired?: string[] } }>([
      'release',
      '--sha',
      sha(2),
    ])
    assert.equal(again.code, 0, JSON.stringify(again.envelope))
    assert.equal(again.envelope.result.status, 'repaired')
    assert.deepEqual(again.envelope.result.repaired, [
      "put green's 2 server(s) back into the router (changed outside gwdeploy: lb2: green1 in maintenance while lb2 sends green 100% of requests; lb2: green2 has weight 0 (gets no requests) while lb2 sends green 100% of requests)",
    ])
    const text = await project.run(['release', '--sha', sha(2)])
    assert.match(text.stdout, /is already live on green: nothing to do/)
    const placed = await slots(lb2, 'be_green')
    assert.deepEqual(placed, { green1: address(2), green2: address(3) })
    const healthy = await project.run(['status'])
    assert.equal(healthy.code, 0, healthy.stderr)
  })

  it("rollback to blue while lb2's blue1 was re-pointed by hand: blue's servers answer, so it places blue's slots again and goes there", async () => {
    const elsewhere = await freePort()
    await lb2.command(`set server be_blue/blue1 addr 127.0.0.1 port ${elsewhere}`)
    const back = await project.json<{ result: { status: string; sha: string } }>(['rollback'])
    assert.equal(back.code, 0, JSON.stringify(back.envelope))
    assert.equal(back.envelope.result.sha, sha(1))
    for (const lb of [lb1, lb2]) {
      assert.equal(await lb.green(), 0)
      assert.deepEqual(await askName(lb.port), { status: 200, name: releaseName(1) })
    }
    assert.deepEqual(await slots(lb2, 'be_blue'), { blue1: address(0), blue2: address(1) })
    const status = await project.run(['status'])
    assert.equal(status.code, 0, status.stderr)
  })
})
