import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { envelope } from '../helpers/cli.ts'
import { makeRealKubeProject, type RealKubeProject, sha } from '../providers/kubernetes/real-project.ts'

interface ColourStatus {
  colour: string
  role: string
  sha: string
  keepUntil?: string
}

// `gwdeploy release` SIGKILLed after its switch (GWDEPLOY_TEST_KILL_AT) against the real cluster,
// then status, rollback and a re-run of the same `release --sha`. One namespace for all the steps;
// a short lock TTL so the dead run's Lease expires within the next run's --lock-wait.
describe('kubernetes provider against a real cluster: release killed after the switch', () => {
  let project: RealKubeProject
  const name = (n: number) => `${project.service} rev-${sha(n).slice(0, 7)}`
  const healthName = async () => {
    const answer = await project.viaService('/__health')
    assert.equal(answer.status, 200, answer.body)
    return (JSON.parse(answer.body) as { name: string }).name
  }
  const colours = async () => {
    const result = await project.run(['status', '--json'])
    assert.equal(result.exitCode, 0, result.stderr)
    return (envelope(result).result as { colours: ColourStatus[] }).colours
  }
  const ok = async (args: string[]) => {
    const result = await project.run([...args, '--lock-wait', '30s'])
    assert.equal(result.exitCode, 0, `${args.join(' ')}: ${result.stderr}`)
    return result
  }

  before(async () => {
    project = await makeRealKubeProject()
    await project.writeConfig({ top: { lock: { ttl: '2s' }, records: { keep: 5 } } })
  })
  after(async () => project?.cleanup())

  it('killed before finalize after a rollback: the live colour is not shown "kept until"; a re-run converges', async () => {
    await ok(['release', '--sha', sha(1)])
    await ok(['release', '--sha', sha(2)])
    await ok(['rollback'])
    // blue (sha 1) live, green (sha 2) kept for rollback: keep-until set on green's Deployment.
    const kept = (await colours()).find((c) => c.colour === 'green')
    assert.equal(kept?.role, 'previous')
    assert.ok(kept?.keepUntil)

    const killed = await project.run(['release', '--sha', sha(2)], { GWDEPLOY_TEST_KILL_AT: 'finalize' })
    assert.equal(killed.exitCode, null, killed.stderr)
    assert.equal(await project.liveColour(), 'green')
    const green = await project.deployment('green')
    assert.equal(
      green.metadata.annotations?.['gwdeploy.dev/keep-until'],
      undefined,
      'cleared before the switch, not left for finalize',
    )
    // status: green is live, and nothing says it is kept until some time (it said so).
    const live = (await colours()).find((c) => c.colour === 'green')
    assert.equal(live?.role, 'live')
    assert.equal(live?.keepUntil, undefined)
    const text = await project.run(['status'])
    assert.doesNotMatch(text.stdout, /green \[live 100%\][^\n]*kept until/)

    // The same release again: already live (the Deployment is not replaced), finalize now runs:
    // the record is written and blue is the one kept for rollback.
    const again = await ok(['release', '--sha', sha(2)])
    assert.match(again.stderr, /02ababa is already live on green: nothing to do/)
    const history = await project.run(['history', '--json'])
    const newest = (envelope(history).result as Array<{ operation: string; sha: string }>)[0]
    assert.equal(newest?.operation, 'release', JSON.stringify(newest))
    assert.equal(newest?.sha, sha(2))
    assert.equal(await project.liveColour(), 'green')
    assert.equal(await healthName(), name(2))
    assert.equal((await project.deployment('green')).metadata.uid, green.metadata.uid)
    const after = await colours()
    assert.deepEqual(
      after.map((c) => [c.colour, c.role, c.sha, c.keepUntil !== undefined]),
      [
        ['blue', 'previous', sha(1), true],
        ['green', 'live', sha(2), false],
      ],
    )
  })

  it('killed right after the switch: rollback returns to the last recorded release', async () => {
    const killed = await project.run(['release', '--sha', sha(3)], { GWDEPLOY_TEST_KILL_AT: 'shift:100' })
    assert.equal(killed.exitCode, null, killed.stderr)
    assert.equal(await project.liveColour(), 'blue')
    assert.equal(await healthName(), name(3))
    const rollback = await ok(['rollback'])
    assert.match(rollback.stdout, /rolled back to 02ababa/)
    assert.equal(await project.liveColour(), 'green')
    assert.equal(await healthName(), name(2))
  })
})
