/**
 * A release retires the idle colour on the slot it deploys onto (the one kept for rollback) before it
 * starts its nodes. SIGKILLed there (GWDEPLOY_TEST_KILL_AT), `status` names that retire and the release
 * it was part of, with the ways on, not a colour kept for rollback "removed outside gwdeploy" nor a
 * release that stopped "before it recorded a node: no traffic moved".
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { liveName, sha } from '../core/helpers/project.ts'
import { releasedProject } from '../helpers/released-project.ts'

interface Envelope {
  warnings: string[]
}

describe('a release killed while it retires the idle colour (local, CLI)', { concurrency: false }, () => {
  const target = releasedProject([1, 2], { size: 1 })

  const warnings = async () => (await target().json<Envelope>(['status'])).envelope.warnings
  const neverSaid = (said: string[]) =>
    assert.ok(!said.some((w) => /outside gwdeploy|nothing changed/.test(w)), JSON.stringify(said))
  const releasedAgain = async (n: number) => {
    const again = await target().run(['release', '--sha', sha(n)])
    assert.equal(again.code, 0, again.stderr)
    assert.equal(await liveName(target().port), `e2e rev-${sha(n).slice(0, 7)}`)
    assert.deepEqual(await warnings(), [])
  }

  it('out of the routes, its nodes not stopped: the unfinished retire and the release it was part of', async () => {
    const killed = await target().run(['release', '--sha', sha(3)], {
      GWDEPLOY_TEST_KILL_AT: 'decommission:withdrawn',
    })
    assert.equal(killed.signal, 'SIGKILL', killed.stderr)
    const said = await warnings()
    assert.ok(
      said.some((w) =>
        new RegExp(
          `^the retire of blue \\(0101010\\) that the release of 0303030 began at \\S+ by \\S+ pid \\d+ did not finish \\(killed, stopped or failed part-way\\): blue \\(0101010\\) is still there, its nodes may be half stopped; \`gwdeploy release --sha ${sha(3)}\` goes on from there \\(it finishes the retire first\\), or \`gwdeploy retire\` finishes the retire alone$`,
        ).test(w),
      ),
      JSON.stringify(said),
    )
    neverSaid(said)
    await releasedAgain(3)
  })

  it('retired, before its nodes started: the release says it retired the colour kept for rollback', async () => {
    const killed = await target().run(['release', '--sha', sha(4)], { GWDEPLOY_TEST_KILL_AT: 'provision' })
    assert.equal(killed.signal, 'SIGKILL', killed.stderr)
    const said = await warnings()
    assert.ok(
      said.some((w) =>
        new RegExp(
          `^the release of 0404040 by \\S+ pid \\d+ stopped without finishing \\(its process is gone\\) after it retired green \\(0202020\\), the idle colour it deploys onto, and before it recorded a node \\(a node it may have started is stopped by the next release or destroy\\); \`gwdeploy release --sha ${sha(4)}\` goes on from there$`,
        ).test(w),
      ),
      JSON.stringify(said),
    )
    neverSaid(said)
    await releasedAgain(4)
  })
})
