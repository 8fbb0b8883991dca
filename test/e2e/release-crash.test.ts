/**
 * Crash safety: the CLI is SIGKILLed at every step boundary (GWDEPLOY_TEST_KILL_AT), then the
 * same command is re-run and must converge. After every kill: any colour that carries
 * traffic has only nodes that answer healthy with their stamped name (traffic never reached
 * an unverified node), and the colour that served before is still up.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { isAlive, liveName, makeProject, type Project, sha } from '../core/helpers/project.ts'

const POINTS = [
  'lock',
  'stamp',
  'build',
  'plan',
  'provision',
  'verify',
  'shift',
  'shift:10',
  'shift:50',
  'finalize',
  'unlock',
]

async function assertInvariants(
  project: Project,
  servingBefore: { colour: string; name: string; pids: number[] },
) {
  const routes = await project.routes()
  for (const [colour, entry] of Object.entries(routes?.colours ?? {})) {
    if (entry.weight === 0) continue
    const fleet = await project.fleet(colour)
    assert.ok(fleet, `${colour} carries ${entry.weight}% but has no fleet`)
    for (const node of entry.nodes) {
      const body = (await fetch(`${node}/__health`).then((r) => r.json())) as { name: string }
      assert.equal(body.name, fleet.configName, `${node} carries traffic and must be the verified build`)
    }
  }
  for (const pid of servingBefore.pids)
    assert.ok(isAlive(pid), `serving colour ${servingBefore.colour} node ${pid} was torn down`)
}

describe('SIGKILL at every step boundary, then re-run: the release converges', () => {
  let project: Project
  before(async () => {
    project = await makeProject({
      size: 2,
      lockTtl: '1s',
      shift: { strategy: 'steps', steps: [10, 50, 100] },
    })
    const first = await project.run(['release', '--sha', sha(90)])
    assert.equal(first.code, 0, first.stderr)
  })
  after(async () => {
    await project?.cleanup()
  })

  POINTS.forEach((point, i) => {
    it(`killed at ${point}`, async () => {
      const target = sha(i + 10)
      const routes = await project.routes()
      const servingColour = Object.entries(routes?.colours ?? {}).find(
        ([, e]) => e.weight === 100,
      )?.[0] as string
      const servingFleet = await project.fleet(servingColour)
      assert.ok(servingFleet)
      const before = {
        colour: servingColour,
        name: servingFleet.configName,
        pids: servingFleet.nodes.map((n) => n.pid),
      }

      const killed = await project.run(['release', '--sha', target], { GWDEPLOY_TEST_KILL_AT: point })
      assert.equal(killed.signal, 'SIGKILL', `expected the CLI to die at ${point}: ${killed.stderr}`)
      await assertInvariants(project, before)

      // The lock of the killed run expires after its TTL (1s): --lock-wait rides it out.
      const rerun = await project.run(['release', '--sha', target, '--lock-wait=20s'])
      assert.equal(rerun.code, 0, rerun.stderr)
      assert.equal(await liveName(project.port), `e2e rev-${target.slice(0, 7)}`)
      await assertInvariants(project, { ...before, pids: [] })
      // The colour that served before is kept as previous, and a later release replaces it.
      const previous = await project.fleet(servingColour)
      if (point !== 'finalize' && point !== 'unlock') {
        assert.ok(
          previous?.nodes.every((n) => isAlive(n.pid)),
          'previous colour kept for rollback',
        )
      }
      const history = await project.json<{ result: Array<{ sha: string; status: string }> }>([
        'history',
        '-n',
        '50',
      ])
      assert.ok(
        history.envelope.result.some((e) => e.sha === target && e.status === 'released'),
        'the converged release is recorded',
      )
    })
  })
})
